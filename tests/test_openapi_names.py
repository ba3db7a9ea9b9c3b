"""Every schema of the OpenAPI document has a name of its own: two models sharing a class name get
module-qualified names (`edge__routes__auth__SessionOut`), which the web app's generated types
would then carry under a name nobody chose."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any


def test_no_two_models_share_a_schema_name() -> None:
    script = "import json, tools.openapi_json as o; print(json.dumps(sorted(o.document()['components']['schemas'])))"
    names: list[Any] = json.loads(
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    )
    assert names
    assert [name for name in names if "__" in name] == []
