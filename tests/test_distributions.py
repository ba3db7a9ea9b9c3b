"""Each service image installs only the pixelflow distributions it imports, and every one it imports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DISTRIBUTION_OF = {"runtime": "./contracts/runtime", "media": "./contracts/media"}
SERVICES = ("edge", "svc_auth", "svc_images", "svc_worker")


def _imported_distributions(package: Path) -> set[str]:
    found = {"./contracts"}
    for source in package.rglob("*.py"):
        for part in re.findall(r"^\s*(?:from|import) pixelflow\.(\w+)", source.read_text(), re.MULTILINE):
            found.add(DISTRIBUTION_OF.get(part, "./contracts"))
    return found


def _installed_distributions(service: str) -> set[str]:
    lines = (ROOT / "requirements" / f"{service}.in").read_text().splitlines()
    return {re.sub(r"\[.*\]$", "", line) for line in lines if line.startswith("./contracts")}


@pytest.mark.parametrize("service", SERVICES)
def test_an_image_installs_exactly_the_distributions_its_code_imports(service: str) -> None:
    assert _installed_distributions(service) == _imported_distributions(ROOT / service / service)


def test_the_edge_carries_no_media_adapters() -> None:
    assert "./contracts/media" not in _installed_distributions("edge")


def test_the_wire_does_not_depend_on_the_runtime_or_media() -> None:
    wire = ROOT / "contracts" / "pixelflow"
    assert _imported_distributions(wire) == {"./contracts"}
