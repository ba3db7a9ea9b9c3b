"""compose.yaml and the Dockerfile, checked without Docker: the Compose schema, hadolint, and
every file, stage, module and setting they name exists (a rename anywhere fails here)."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings

from tools.settings_table import SERVICES, env_name

ROOT = Path(__file__).parents[1]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
DOCKERFILE = ROOT / "docker" / "Dockerfile"
DOCKERFILE_TEXT = DOCKERFILE.read_text()
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert found, f"{name} comes with the dev dependencies"
    return found


def _services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = COMPOSE["services"]
    return services


def _settings_variables() -> set[str]:
    known: set[str] = set()
    for _, settings in SERVICES:
        known |= {env_name(settings, name, field) for name, field in settings.model_fields.items()}
    return known


def _stages() -> set[str]:
    return set(re.findall(r"^FROM \S+ AS (\S+)$", DOCKERFILE_TEXT, flags=re.MULTILINE))


def _module_exists(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def test_compose_matches_the_compose_specification() -> None:
    result = subprocess.run(
        [_tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(ROOT / "compose.yaml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_passes_hadolint() -> None:
    result = subprocess.run([_tool("hadolint"), "--no-color", str(DOCKERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_build_names_an_existing_context_stage_lock_and_package() -> None:
    built = {name: service["build"] for name, service in _services().items() if "build" in service}
    assert set(built) >= {"svc_auth", "svc_images", "svc_worker", "edge", "migrate-auth", "migrate-images"}
    for name, build in built.items():
        assert (ROOT / build["context"] / build["dockerfile"]).is_file(), name
        assert build["target"] in _stages(), f"{name}: no stage {build['target']}"
        if build["target"] == "backup":  # the PostgreSQL image of the server's version; svc_images' lock
            assert "requirements/svc_images.lock" in _stage_text("backup")
            continue
        package = build["args"]["SERVICE"]
        assert package == build["target"], f"{name}: SERVICE and target differ"
        assert (ROOT / "requirements" / f"{package}.lock").is_file()
        assert (ROOT / package / "pyproject.toml").is_file()


def test_every_module_run_exists() -> None:
    commands = [service["command"] for service in _services().values() if "build" in service and "command" in service]
    modules = [command[command.index("-m") + 1] for command in commands if "-m" in command]
    modules += re.findall(r'CMD \["python", "-m", "([\w.]+)"[\],]', DOCKERFILE_TEXT)  # CMD and HEALTHCHECK
    assert len(modules) == 11  # four services, two migrations, four health checks, the backup
    for module in modules:
        assert _module_exists(module), f"no module {module}"


def test_every_environment_variable_is_a_setting() -> None:
    known = _settings_variables()
    named: set[str] = set()
    for service in _services().values():
        named |= {key for key in service.get("environment", {}) if key.startswith("PIXELFLOW_")}
    named |= set(re.findall(r"\b(PIXELFLOW_[A-Z0-9_]+)=", DOCKERFILE_TEXT))
    assert named, "compose sets no pixelflow settings?"
    assert named - known == set(), "compose or the Dockerfile sets variables no settings class reads"


def test_every_interpolated_variable_is_in_env_example() -> None:
    example = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if re.match(r"^[A-Z0-9_]+=", line)
    }
    used = set(re.findall(r"\$\{([A-Z0-9_]+)", (ROOT / "compose.yaml").read_text()))
    assert used - example == set(), "compose interpolates variables .env.example does not document"


def test_dependencies_wait_for_health_or_completion() -> None:
    for name, service in _services().items():
        for dependency, rule in (service.get("depends_on") or {}).items():
            assert dependency in _services(), f"{name} depends on unknown {dependency}"
            condition = rule["condition"]
            if "migrate" in dependency or dependency == "create-bucket":
                assert condition == "service_completed_successfully", f"{name} -> {dependency}"
            else:
                assert condition == "service_healthy", f"{name} -> {dependency}"
            if condition == "service_healthy":
                target = _services()[dependency]
                has_check = "healthcheck" in target or "HEALTHCHECK" in _stage_text(target["build"]["target"])
                assert has_check, f"{dependency} has no health check"


def _stage_text(stage: str) -> str:
    return DOCKERFILE_TEXT.split(f" AS {stage}\n", 1)[1].split("\nFROM ", 1)[0]


@pytest.mark.parametrize("stage", ["svc_auth", "svc_images", "svc_worker", "edge"])
def test_service_images_run_unprivileged_with_a_health_check(stage: str) -> None:
    text = _stage_text(stage)
    assert "HEALTHCHECK" in text
    assert "CMD [" in text
    runtime = _stage_text("runtime")
    assert re.search(r"^USER 10001:10001$", runtime, flags=re.MULTILINE)
    assert "runtime" in re.findall(rf"^FROM (\S+) AS {stage}$", DOCKERFILE_TEXT, flags=re.MULTILINE)


def test_images_are_pinned_and_secrets_stay_out() -> None:
    bases = re.findall(r"^ARG \w+_IMAGE=(\S+)$", DOCKERFILE_TEXT, flags=re.MULTILINE)
    bases += [service["image"] for service in _services().values() if "build" not in service]
    for image in bases:
        tag = image.rsplit(":", 1)[-1]
        assert ":" in image, f"{image} has no tag"
        assert tag != "latest", image
        assert re.search(r"\d", tag), f"{image} is not pinned to a version"
    assert "latest" not in DOCKERFILE_TEXT
    secret_words = re.compile(r"(PASSWORD|SECRET|TOKEN|PRIVATE_KEY)\b[^\n]*=", re.IGNORECASE)
    assert not secret_words.search(DOCKERFILE_TEXT), "a secret is baked into the image"
    for service in _services().values():
        for key, value in (service.get("environment") or {}).items():
            if re.search("PASSWORD|SECRET|TOKEN|ACCESS_KEY", key):
                assert str(value).startswith("${"), f"{key} is written into compose.yaml"
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "secrets/" in ignored
    assert ".env" in ignored


def test_dockerignore_keeps_what_the_build_copies() -> None:
    copied = re.findall(r"^COPY (?!--from)(\S+)", DOCKERFILE_TEXT, flags=re.MULTILINE)
    for source in copied:
        top = source.replace("${SERVICE}", "svc_auth").split("/")[0]
        assert (ROOT / top).exists(), source
        assert f"!{top}/" in (ROOT / ".dockerignore").read_text() or top == "requirements", source


def test_each_image_lock_is_a_subset_of_the_repository_lock() -> None:
    def pins(path: Path) -> dict[str, str]:
        found = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", path.read_text(), flags=re.MULTILINE)
        return {name.lower(): version for name, version in found}

    everything = pins(ROOT / "requirements.lock")
    for image in ("svc_auth", "svc_images", "svc_worker", "edge"):
        image_pins = pins(ROOT / "requirements" / f"{image}.lock")
        assert image_pins, image
        assert {name: everything.get(name) for name in image_pins} == image_pins, f"{image}: run make lock"
    edge = pins(ROOT / "requirements" / "edge.lock")
    assert not {"tortoise-orm", "asyncpg", "aerich", "pyvips"} & set(edge)
    assert "fastapi" not in pins(ROOT / "requirements" / "svc_worker.lock")


def test_readme_compose_section_names_real_services() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Compose", 1)[1].split("\n## ", 1)[0]
    for service in re.findall(r"--scale (\w+)=", section) + re.findall(r"(svc_\w+):\d+", section):
        assert service in _services(), service
    assert "cp .env.example .env" in section
    assert "secrets/jwt-ed25519.pem" in section
    assert "--profile tools" in section


def test_settings_classes_are_pydantic_settings() -> None:
    assert all(issubclass(settings, BaseSettings) for _, settings in SERVICES)


def test_ci_script_parses_and_runs_the_readme_command() -> None:
    script = ROOT / ".ci" / "run"
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
    assert script.read_text().rstrip().splitlines()[-1] == "make test"
    assert "make test" in (ROOT / "README.md").read_text()
