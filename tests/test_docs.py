"""The README's settings table is the one the settings classes produce."""

from __future__ import annotations

from pathlib import Path

from tools.settings_table import table

README = Path(__file__).parents[1] / "README.md"


def test_readme_settings_table_is_current() -> None:
    text = README.read_text()
    current = text.split("<!-- settings:start -->\n", 1)[1].split("\n<!-- settings:end -->", 1)[0]
    assert current == table(), "run `python tools/settings_table.py --write`"
