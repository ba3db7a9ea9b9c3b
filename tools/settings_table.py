"""The README's settings table, from the settings classes themselves: printed, or `--write` into README.md."""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

from edge.settings import EdgeSettings
from svc_auth.settings import AuthSettings
from svc_images.settings import ImagesSettings
from svc_worker.settings import WorkerSettings

if __name__ == "__main__":  # run as `python tools/settings_table.py`: the backup's settings are in `tools`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.backup.settings import BackupSettings

START, END = "<!-- settings:start -->", "<!-- settings:end -->"

SERVICES: list[tuple[str, type[BaseSettings]]] = [
    ("svc_auth", AuthSettings),
    ("svc_images", ImagesSettings),
    ("svc_worker", WorkerSettings),
    ("edge", EdgeSettings),
    ("backup", BackupSettings),
]


def env_name(settings: type[BaseSettings], name: str, field: FieldInfo) -> str:
    if isinstance(field.validation_alias, str):
        return field.validation_alias
    return f"{settings.model_config.get('env_prefix', '')}{name}".upper()


def default_of(field: FieldInfo) -> str:
    if field.default_factory is not None:
        return f"`{field.default_factory()}`"  # type: ignore[call-arg]
    value = getattr(field.default, "value", field.default)
    return "—" if value is None else f"`{value}`"


def table() -> str:
    rows = ["| service | variable | default | meaning |", "| --- | --- | --- | --- |"]
    shared_done = False
    for service, settings in SERVICES:
        for name, field in settings.model_fields.items():
            shared = isinstance(field.validation_alias, str)
            if shared and shared_done:
                continue
            who = "all" if shared else service
            rows.append(
                f"| {who} | `{env_name(settings, name, field)}` | {default_of(field)} | {field.description or ''} |"
            )
        shared_done = True
    return "\n".join(rows)


def write_readme(readme: Path) -> None:
    text = readme.read_text()
    head, rest = text.split(f"{START}\n", 1)
    _, tail = rest.split(f"\n{END}", 1)
    readme.write_text(f"{head}{START}\n{table()}\n{END}{tail}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write_readme(Path(__file__).parents[1] / "README.md")
    else:
        print(table())
