"""deploy/kubernetes, checked without a cluster: every overlay rendered (tests/support/kustomize.py,
and `kubectl kustomize` where installed) and validated against the Kubernetes API schemas bundled by
kubernetes-validate; every setting, port, probe, module, secret key and image it names exists."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from pydantic_settings import BaseSettings

from edge.routes.health import router as health_router
from edge.settings import EdgeSettings
from svc_auth.service import AuthService
from svc_auth.settings import AuthSettings
from svc_images.service import ImagesService
from svc_images.settings import ImagesSettings
from svc_worker.settings import WorkerSettings
from tests.support import kustomize
from tools.backup.settings import BackupSettings
from tools.settings_table import SERVICES, env_name

ROOT = Path(__file__).parents[1]
KUBERNETES = ROOT / "deploy" / "kubernetes"
BASE = KUBERNETES / "base"
OVERLAYS = sorted(path for path in (KUBERNETES / "overlays").iterdir() if path.is_dir())
TREES = [BASE, *OVERLAYS]
KUBERNETES_VERSION = "1.30"  # the oldest release the README promises
DOCKERFILE = (ROOT / "docker" / "Dockerfile").read_text()
SECRET_KEYS = {
    line.split("=", 1)[0]
    for line in (BASE / "secrets.example.env").read_text().splitlines()
    if re.match(r"^[A-Z0-9_]+=", line)
}
# The image (as named in base) -> the settings its process reads, and its gRPC services.
IMAGE_SETTINGS: dict[str, type[BaseSettings]] = {
    "svc_auth": AuthSettings,
    "svc_images": ImagesSettings,
    "svc_worker": WorkerSettings,
    "edge": EdgeSettings,
    "backup": BackupSettings,
}
GRPC_SERVICES = {
    "svc_auth": {d.full_name for d in AuthService.grpc_services},
    "svc_images": {d.full_name for d in ImagesService.grpc_services},
}
SECRET_LIKE = re.compile(r"PASSWORD|SECRET|TOKEN|ACCESS_KEY|DATABASE_URL|REDIS_URL|PRIVATE_KEY$")

RENDERED = {tree.name: kustomize.build(tree) for tree in TREES}


def _ids(trees: list[Path]) -> list[str]:
    return [tree.name for tree in trees]


def _workloads(resources: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(r, spec) for r in resources if (spec := kustomize.pod_spec(r)) is not None]


def _containers(resources: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(r, c) for r, spec in _workloads(resources) for c in spec.get("initContainers", []) + spec["containers"]]


def _image_stage(container: dict[str, Any]) -> str:
    image: str = container["image"]
    return image.rsplit("/", 1)[-1].split(":", 1)[0]


def _env(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in container.get("env", [])}


def _settings_of(container: dict[str, Any]) -> type[BaseSettings]:
    return IMAGE_SETTINGS[_image_stage(container)]


def _variables(settings: type[BaseSettings]) -> dict[str, str]:
    """Environment variable -> field name."""
    return {env_name(settings, name, field): name for name, field in settings.model_fields.items()}


def _port(container: dict[str, Any], name: str) -> int:
    ports = {port["name"]: port["containerPort"] for port in container.get("ports", [])}
    assert name in ports, f"{container['name']} has no port {name}"
    return int(ports[name])


def _setting_value(container: dict[str, Any], field: str) -> Any:
    """What the process will read for `field`: the manifest's literal value, else the default."""
    settings = _settings_of(container)
    variable = env_name(settings, field, settings.model_fields[field])
    entry = _env(container).get(variable)
    if entry is not None and "value" in entry:
        return entry["value"]
    return settings.model_fields[field].default


@pytest.mark.parametrize("tree", TREES, ids=_ids(TREES))
def test_every_manifest_matches_the_kubernetes_schemas(tree: Path) -> None:
    resources = RENDERED[tree.name]
    assert resources
    for resource in resources:
        name = f"{resource['kind']}/{resource['metadata']['name']}"
        try:
            kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{tree.name}: {name}: {'.'.join(map(str, exc.path))}: {exc.message}")


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="a cross-check of the renderer: needs kubectl")
@pytest.mark.parametrize("tree", TREES, ids=_ids(TREES))
def test_the_renderer_agrees_with_kubectl_kustomize(tree: Path) -> None:
    kubectl = shutil.which("kubectl")
    assert kubectl
    result = subprocess.run([kubectl, "kustomize", str(tree)], capture_output=True, text=True, check=True)

    def keyed(resources: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(r["kind"], r["metadata"]["name"]): r for r in resources}

    theirs = keyed([doc for doc in yaml.safe_load_all(result.stdout) if doc])
    assert keyed(RENDERED[tree.name]) == theirs


def test_the_base_has_what_the_system_needs() -> None:
    kinds: dict[str, set[str]] = {}
    for resource in RENDERED["base"]:
        kinds.setdefault(resource["kind"], set()).add(resource["metadata"]["name"])
    deployments = {"edge", "svc-auth", "svc-images", "svc-worker"}
    assert kinds["Deployment"] == deployments
    assert kinds["PodDisruptionBudget"] == deployments
    assert kinds["Service"] == {"edge", "svc-auth", "svc-images"}  # nothing calls the worker
    assert kinds["Job"] == {"migrate-auth", "migrate-images"}
    assert kinds["HorizontalPodAutoscaler"] == {"svc-worker"}
    assert kinds["CronJob"] == {"backup"}
    assert "Secret" not in kinds, "secrets are created by the operator, never committed"


@pytest.mark.parametrize("tree", TREES, ids=_ids(TREES))
def test_every_variable_is_a_setting_of_that_process(tree: Path) -> None:
    for _, container in _containers(RENDERED[tree.name]):
        known = _variables(_settings_of(container))
        named = {name for name in _env(container) if name.startswith("PIXELFLOW_")}
        assert named, container["name"]
        assert named - set(known) == set(), f"{container['name']}: not settings of {_image_stage(container)}"
        for name, entry in _env(container).items():
            if SECRET_LIKE.search(name):
                assert "secretKeyRef" in entry.get("valueFrom", {}), f"{name} must come from a Secret"


@pytest.mark.parametrize("tree", TREES, ids=_ids(TREES))
def test_secret_and_config_keys_exist(tree: Path) -> None:
    resources = RENDERED[tree.name]
    config = {r["metadata"]["name"]: r["data"] for r in resources if r["kind"] == "ConfigMap"}
    for _, container in _containers(resources):
        for entry in _env(container).values():
            source = entry.get("valueFrom", {})
            if "secretKeyRef" in source:
                assert source["secretKeyRef"]["name"] == "pixelflow"
                assert source["secretKeyRef"]["key"] in SECRET_KEYS, "document it in secrets.example.env"
            if "configMapKeyRef" in source:
                ref = source["configMapKeyRef"]
                assert ref["key"] in config[ref["name"]], f"{ref} is not in the ConfigMap"


@pytest.mark.parametrize("tree", TREES, ids=_ids(TREES))
def test_ports_are_the_ones_the_settings_listen_on(tree: Path) -> None:
    resources = RENDERED[tree.name]
    for workload, container in _containers(resources):
        settings = _settings_of(container)
        if workload["kind"] != "Deployment":
            continue
        metrics = _port(container, "metrics")
        assert int(_setting_value(container, "metrics_port")) == metrics
        assert _setting_value(container, "metrics_host") == "0.0.0.0", "Prometheus scrapes the pod address"
        assert workload["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"] == str(metrics)
        if "port" in settings.model_fields:
            serving = _port(container, "http" if settings is EdgeSettings else "grpc")
            assert int(_setting_value(container, "port")) == serving == settings.model_fields["port"].default
            assert _setting_value(container, "host") == "0.0.0.0"
    pods = {r["metadata"]["name"]: r for r in resources if r["kind"] == "Deployment"}
    for service in (r for r in resources if r["kind"] == "Service"):
        workload = next(
            d
            for d in pods.values()
            if service["spec"]["selector"].items() <= d["spec"]["template"]["metadata"]["labels"].items()
        )
        container = workload["spec"]["template"]["spec"]["containers"][0]
        for port in service["spec"]["ports"]:
            assert _port(container, port["targetPort"]) == port["port"], f"{service['metadata']['name']}: {port}"


@pytest.mark.parametrize("tree", TREES, ids=_ids(TREES))
def test_probes_ask_the_real_health_checks(tree: Path) -> None:
    http_paths = {route.path for route in health_router.routes}  # type: ignore[attr-defined]
    probed = 0
    for workload, container in _containers(RENDERED[tree.name]):
        stage = _image_stage(container)
        for kind in ("readinessProbe", "livenessProbe", "startupProbe"):
            probe = container.get(kind)
            if probe is None:
                continue
            probed += 1
            if "grpc" in probe:
                assert probe["grpc"]["service"] in GRPC_SERVICES[stage]
                assert probe["grpc"]["port"] == _port(container, "grpc")
            elif "httpGet" in probe:
                assert probe["httpGet"]["path"] in http_paths
                _port(container, probe["httpGet"]["port"])
            elif "tcpSocket" in probe:
                _port(container, probe["tcpSocket"]["port"])
            else:
                command = probe["exec"]["command"]
                assert command[:2] == ["python", "-m"], command
                assert importlib.util.find_spec(command[2]), command
                healthcheck = re.search(r"^HEALTHCHECK .* CMD (.*)$", _stage_text(stage), flags=re.MULTILINE)
                assert healthcheck, stage
                assert yaml.safe_load(healthcheck.group(1)) == command, "the image's own check"
        if workload["kind"] == "Deployment":
            assert "livenessProbe" in container, workload["metadata"]["name"]
            if stage != "svc_worker":  # the worker takes no traffic: nothing to be ready for
                assert "readinessProbe" in container, workload["metadata"]["name"]
    assert probed >= 10


@pytest.mark.parametrize("tree", TREES, ids=_ids(TREES))
def test_commands_run_real_modules_of_their_image(tree: Path) -> None:
    stages = set(re.findall(r"^FROM \S+ AS (\S+)$", DOCKERFILE, flags=re.MULTILINE))
    for workload, container in _containers(RENDERED[tree.name]):
        stage = _image_stage(container)
        assert stage in stages, f"no Dockerfile stage {stage}"
        command = container["command"]
        assert command[:2] == ["python", "-m"], command
        assert importlib.util.find_spec(command[2]), command
        if workload["kind"] in ("Deployment", "CronJob"):
            own = re.search(r"^CMD (.*)$", _stage_text(stage), flags=re.MULTILINE)
            assert own, stage
            assert yaml.safe_load(own.group(1)) == command, "the image's own CMD"
        image = container["image"]
        assert ":" in image, image
        assert not image.endswith(":latest"), image


@pytest.mark.parametrize("tree", TREES, ids=_ids(TREES))
def test_pods_run_unprivileged_on_a_read_only_root(tree: Path) -> None:
    user = re.search(r"^USER (\d+):(\d+)$", DOCKERFILE, flags=re.MULTILINE)
    assert user
    for workload, spec in _workloads(RENDERED[tree.name]):
        name = workload["metadata"]["name"]
        assert spec["automountServiceAccountToken"] is False, name
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True, name
        assert str(pod["runAsUser"]) == user.group(1), name
        assert pod["seccompProfile"]["type"] == "RuntimeDefault", name
        volumes = {volume["name"]: volume for volume in spec.get("volumes", [])}
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            mounts = {mount["mountPath"]: mount["name"] for mount in container.get("volumeMounts", [])}
            assert "emptyDir" in volumes[mounts["/tmp"]], f"{name}: a writable /tmp"
            for path in (
                _setting_value(container, f) for f in ("work_dir", "dir") if f in _variables_fields(container)
            ):
                if path is not None:
                    assert str(path) in mounts, f"{name}: {path} is on the read-only root"
            for kind in ("requests", "limits"):
                assert set(container["resources"][kind]) == {"cpu", "memory"}, f"{name}: {kind}"


def _stage_text(stage: str) -> str:
    return DOCKERFILE.split(f" AS {stage}\n", 1)[1].split("\nFROM ", 1)[0]


def _variables_fields(container: dict[str, Any]) -> set[str]:
    return set(_settings_of(container).model_fields)


def test_the_signing_key_is_mounted_where_svc_auth_reads_it() -> None:
    for workload, spec in _workloads(RENDERED["base"]):
        for container in spec["containers"]:
            key_file = _env(container).get("PIXELFLOW_AUTH_PRIVATE_KEY_FILE")
            if key_file is None:
                continue
            mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
            secret = next(v for v in spec["volumes"] if "secret" in v)
            assert secret["secret"]["secretName"] == "pixelflow-jwt"
            assert Path(key_file["value"]).parent == Path(mounts[secret["name"]]), workload["metadata"]["name"]


@pytest.mark.parametrize("tree", TREES, ids=_ids(TREES))
def test_budgets_services_autoscaler_and_ingress_point_at_real_objects(tree: Path) -> None:
    resources = RENDERED[tree.name]
    deployments = {r["metadata"]["name"]: r for r in resources if r["kind"] == "Deployment"}
    services = {r["metadata"]["name"]: r for r in resources if r["kind"] == "Service"}
    for budget in (r for r in resources if r["kind"] == "PodDisruptionBudget"):
        target = deployments[budget["metadata"]["name"]]
        labels = target["spec"]["template"]["metadata"]["labels"]
        assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
        if budget["spec"].get("minAvailable") is not None:
            assert target["spec"]["replicas"] > budget["spec"]["minAvailable"], "a budget that blocks every drain"
    for hpa in (r for r in resources if r["kind"] == "HorizontalPodAutoscaler"):
        assert hpa["spec"]["scaleTargetRef"]["name"] in deployments
        external = [m["external"]["metric"]["name"] for m in hpa["spec"]["metrics"] if m["type"] == "External"]
        assert set(external) <= readme_metric_names(), "the metrics table in the README is the contract"
    paths = set()
    for ingress in (r for r in resources if r["kind"] == "Ingress"):
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                container = deployments[backend["name"]]["spec"]["template"]["spec"]["containers"][0]
                _port(container, backend["port"]["name"])
                assert backend["name"] in services
                paths.add(path["path"])
        body = ingress["metadata"]["annotations"].get("nginx.ingress.kubernetes.io/proxy-body-size")
        if body is not None:
            assert (
                int(body.removesuffix("m")) * 1024 * 1024 >= EdgeSettings.model_fields["max_upload_body_bytes"].default
            )
    assert paths == {"/", "/socket.io/"}


@pytest.mark.parametrize("tree", TREES, ids=_ids(TREES))
def test_termination_grace_covers_drain_and_shutdown(tree: Path) -> None:
    for workload, spec in _workloads(RENDERED[tree.name]):
        if workload["kind"] != "Deployment":
            continue
        container = spec["containers"][0]
        fields = _variables_fields(container)
        wait = sum(
            float(_setting_value(container, f)) for f in ("drain_seconds", "shutdown_grace_seconds") if f in fields
        )
        assert spec["terminationGracePeriodSeconds"] > wait, workload["metadata"]["name"]


def test_one_migration_job_per_database() -> None:
    jobs = [r for r in RENDERED["base"] if r["kind"] == "Job"]
    databases = set()
    for job in jobs:
        container = job["spec"]["template"]["spec"]["containers"][0]
        assert container["command"][2].endswith(".migrations")
        databases |= {name for name in _env(container) if name.endswith("_DATABASE_URL")}
    assert databases == {"PIXELFLOW_AUTH_DATABASE_URL", "PIXELFLOW_IMAGES_DATABASE_URL"}


def readme_metric_names() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("<!-- metrics:start -->", 1)[1].split("<!-- metrics:end -->", 1)[0]
    return set(re.findall(r"^\| `(pixelflow_[a-z0-9_]+)`", table, flags=re.MULTILINE))


def test_settings_table_lists_the_backup() -> None:
    assert ("backup", BackupSettings) in SERVICES
