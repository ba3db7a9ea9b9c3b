"""compose's Prometheus and Grafana, checked statically: every scrape target is a compose service on the
metrics port its settings name, listening beyond loopback; the dashboard's queries name only metrics of
the README's table (the contract the metrics endpoints implement) and the provisioned datasource."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings

from edge.settings import EdgeSettings
from svc_auth.settings import AuthSettings
from svc_images.settings import ImagesSettings
from svc_worker.settings import WorkerSettings
from tools.settings_table import env_name

ROOT = Path(__file__).parents[1]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
MONITORING = ROOT / "deploy" / "compose"
PROMETHEUS = yaml.safe_load((MONITORING / "prometheus.yml").read_text())
DASHBOARDS = sorted((MONITORING / "grafana" / "dashboards").glob("*.json"))
SETTINGS: dict[str, type[BaseSettings]] = {
    "edge": EdgeSettings,
    "svc_auth": AuthSettings,
    "svc_images": ImagesSettings,
    "svc_worker": WorkerSettings,
}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
# PromQL words that look like metric names in an expression but are not.
PROMQL_WORDS = {"sum", "by", "rate", "max", "histogram_quantile", "without", "on", "ignoring", "le"}


def metrics_table() -> dict[str, str]:
    """The README's metrics: name -> type."""
    readme = (ROOT / "README.md").read_text()
    table = readme.split("<!-- metrics:start -->", 1)[1].split("<!-- metrics:end -->", 1)[0]
    return dict(re.findall(r"^\| `(pixelflow_[a-z0-9_]+)` \| (counter|gauge|histogram) \|", table, flags=re.MULTILINE))


def queries() -> list[str]:
    found: list[str] = []
    for path in DASHBOARDS:
        for panel in json.loads(path.read_text())["panels"]:
            found += [target["expr"] for target in panel["targets"]]
    return found


def referenced_metric(name: str, table: dict[str, str]) -> str | None:
    """The table's metric a series name belongs to (`x_bucket` -> histogram `x`), or None."""
    if name in table:
        return name
    for suffix in HISTOGRAM_SUFFIXES:
        base = name.removesuffix(suffix)
        if base != name and table.get(base) == "histogram":
            return base
    return None


def test_the_contract_table_is_there_and_named_consistently() -> None:
    table = metrics_table()
    assert len(table) >= 15
    for name, kind in table.items():
        assert name.endswith("_total") == (kind == "counter"), f"{name}: counters, and only they, end in _total"


def test_every_scrape_target_is_a_service_on_its_metrics_port() -> None:
    jobs = {job["job_name"]: job for job in PROMETHEUS["scrape_configs"]}
    assert set(jobs) == set(SETTINGS)
    for name, job in jobs.items():
        (discovery,) = job["dns_sd_configs"]
        assert discovery["names"] == [name]
        assert name in COMPOSE["services"]
        settings = SETTINGS[name]
        assert discovery["port"] == settings.model_fields["metrics_port"].default
        environment = COMPOSE["services"][name]["environment"]
        host_variable = env_name(settings, "metrics_host", settings.model_fields["metrics_host"])
        assert environment[host_variable] == "0.0.0.0", f"{name} must listen beyond loopback for Prometheus"
        port_variable = env_name(settings, "metrics_port", settings.model_fields["metrics_port"])
        assert environment.get(port_variable, discovery["port"]) == discovery["port"]
    assert "ports" not in COMPOSE["services"]["svc_worker"], "metrics stay inside the compose network"


def test_the_worker_is_discovered_per_replica() -> None:
    (worker,) = [job for job in PROMETHEUS["scrape_configs"] if job["job_name"] == "svc_worker"]
    assert worker["dns_sd_configs"][0]["type"] == "A"  # one record per replica of a scaled service
    assert "static_configs" not in worker


def test_prometheus_and_grafana_mount_files_that_exist() -> None:
    for name in ("prometheus", "grafana"):
        service = COMPOSE["services"][name]
        for volume in service["volumes"]:
            source = volume.split(":", 1)[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts a missing {source}"
        for port in service["ports"]:
            assert port.startswith("127.0.0.1:"), f"{name} is published on loopback only"
    assert COMPOSE["services"]["grafana"]["depends_on"]["prometheus"]["condition"] == "service_healthy"


def test_dashboard_queries_name_only_metrics_of_the_contract() -> None:
    table = metrics_table()
    used: set[str] = set()
    for expr in queries():
        series = set(re.findall(r"\b(pixelflow_[a-z0-9_]+)", expr))
        assert series, expr
        for name in series:
            metric = referenced_metric(name, table)
            assert metric is not None, f"{name} is not in the README's metrics table: {expr}"
            used.add(metric)
        for quantile in re.findall(r"histogram_quantile\([^,]+,.*?\b(pixelflow_[a-z0-9_]+)", expr):
            assert quantile.endswith("_bucket")
            assert table[quantile.removesuffix("_bucket")] == "histogram"
        bare = set(re.findall(r"\b([a-z_]+)\s*\(", expr)) - PROMQL_WORDS
        assert bare == set(), f"unexpected functions {bare}: {expr}"
    wanted = {
        "pixelflow_uploads_total",
        "pixelflow_conversions_total",
        "pixelflow_conversion_seconds",
        "pixelflow_queue_depth",
        "pixelflow_queue_oldest_age_seconds",
        "pixelflow_http_requests_total",
        "pixelflow_socketio_connections",
    }
    assert wanted <= used, f"the dashboard lacks {wanted - used}"


def _datasource_uids() -> set[str]:
    provisioned = MONITORING / "grafana" / "provisioning" / "datasources"
    uids: set[str] = set()
    for path in provisioned.glob("*.yaml"):
        for source in yaml.safe_load(path.read_text())["datasources"]:
            assert source["url"].startswith("http://prometheus:")
            uids.add(source["uid"])
    return uids


@pytest.mark.parametrize("path", DASHBOARDS, ids=[p.name for p in DASHBOARDS])
def test_dashboard_uses_the_provisioned_datasource(path: Path) -> None:
    dashboard: dict[str, Any] = json.loads(path.read_text())
    uids = _datasource_uids()
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] in uids
        assert all(target["datasource"]["uid"] in uids for target in panel["targets"])
    providers = yaml.safe_load((MONITORING / "grafana" / "provisioning" / "dashboards" / "pixelflow.yaml").read_text())
    mounted = [
        v for v in COMPOSE["services"]["grafana"]["volumes"] if v.startswith("./deploy/compose/grafana/dashboards:")
    ]
    assert mounted
    assert mounted[0].split(":")[1] == providers["providers"][0]["options"]["path"]
