"""The part of kustomize that deploy/kubernetes uses, in Python, so the manifests are rendered and
checked without a kustomize binary: `resources` (files and directories), `namespace`, `images`,
`replicas` and `patches` (strategic merge: maps merge, `null` deletes a key, lists of named items
merge by `name`, other lists are replaced). Anything else in a kustomization fails loudly, so a
feature added to the overlays is added here too; `tests/test_kubernetes.py` compares the result
with `kubectl kustomize` where kubectl is installed."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

Resource = dict[str, Any]

SUPPORTED = {"apiVersion", "kind", "resources", "namespace", "images", "replicas", "patches"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass"}


def load_documents(path: Path) -> list[Resource]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def build(directory: Path) -> list[Resource]:
    """What `kustomize build directory` gives, for the features above."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(kustomization) - SUPPORTED
    if unknown:
        raise NotImplementedError(f"{directory}: kustomization fields not rendered here: {sorted(unknown)}")
    resources: list[Resource] = []
    for entry in kustomization.get("resources", []):
        target = directory / entry
        resources += build(target) if target.is_dir() else load_documents(target)
    for patch_entry in kustomization.get("patches", []):
        for patch in load_documents(directory / patch_entry["path"]):
            _apply_patch(resources, patch)
    for replica in kustomization.get("replicas", []):
        _find(resources, "Deployment", replica["name"])["spec"]["replicas"] = replica["count"]
    for image in kustomization.get("images", []):
        for container in _containers(resources):
            _set_image(container, image)
    if "namespace" in kustomization:
        for resource in resources:
            if resource["kind"] not in CLUSTER_SCOPED:
                resource["metadata"]["namespace"] = kustomization["namespace"]
    return resources


def _find(resources: list[Resource], kind: str, name: str) -> Resource:
    found = [r for r in resources if r["kind"] == kind and r["metadata"]["name"] == name]
    if len(found) != 1:
        raise KeyError(f"{kind}/{name}: {len(found)} matches")
    return found[0]


def _apply_patch(resources: list[Resource], patch: Resource) -> None:
    target = _find(resources, patch["kind"], patch["metadata"]["name"])
    merged = merge(target, patch)
    target.clear()
    target.update(merged)


def merge(base: Any, patch: Any) -> Any:
    """Strategic merge, as far as these manifests use it."""
    if isinstance(base, dict) and isinstance(patch, dict):
        result = copy.deepcopy(base)
        for key, value in patch.items():
            if value is None:
                result.pop(key, None)
            elif key in result:
                result[key] = merge(result[key], value)
            else:
                result[key] = copy.deepcopy(value)
        return result
    if isinstance(base, list) and isinstance(patch, list) and _named(base) and _named(patch):
        # As kustomize orders them: the patch's items first (merged into the base's), then the rest.
        by_name = {item["name"]: item for item in base}
        patched = [
            merge(by_name[item["name"]], item) if item["name"] in by_name else copy.deepcopy(item) for item in patch
        ]
        named = {item["name"] for item in patch}
        return patched + [copy.deepcopy(item) for item in base if item["name"] not in named]
    return copy.deepcopy(patch)


def _named(items: list[Any]) -> bool:
    return all(isinstance(item, dict) and "name" in item for item in items)


def pod_spec(resource: Resource) -> dict[str, Any] | None:
    """The pod template's spec of a workload, or None."""
    spec = resource.get("spec", {})
    if resource["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    template = spec.get("template")
    return template["spec"] if isinstance(template, dict) else None


def _containers(resources: list[Resource]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for resource in resources:
        spec = pod_spec(resource)
        if spec is not None:
            found += spec.get("initContainers", []) + spec.get("containers", [])
    return found


def _set_image(container: dict[str, Any], image: dict[str, str]) -> None:
    name, _, tag = container["image"].partition(":")
    if name != image["name"]:
        return
    container["image"] = f"{image.get('newName', name)}:{image.get('newTag', tag)}"
