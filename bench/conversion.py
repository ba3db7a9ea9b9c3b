"""Part 1 of `make bench`: conversion, library against library, each in its own process.

pyvips as the worker calls it, Pillow and sharp, interleaved A B C over rounds so slow and fast
moments of a shared machine hit them all; pyvips at other efforts; pyvips with as many conversions at
once as the worker runs (the raw limit); and the decode/encode split that places any difference.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.report import DEFAULT_EFFORT, QUALITY, WORKER_CONCURRENCY
from bench.system import ROOT

BENCH = ROOT / "bench"


def convert(
    library: str, files: list[Path], *, effort: int = DEFAULT_EFFORT, parallel: int = 1, stage: str = "all"
) -> dict[str, Any]:
    if library == "sharp":
        command = ["node", str(BENCH / "convert_sharp.mjs"), str(QUALITY), str(effort), *map(str, files)]
    else:
        script = str(BENCH / "convert_python.py")
        command = [sys.executable, script, "--library", library, "--quality", str(QUALITY), "--effort", str(effort)]
        command += ["--parallel", str(parallel), "--stage", stage, *map(str, files)]
    # The worker's environment (docker/Dockerfile, make dev): two malloc arenas.
    env = os.environ | {"MALLOC_ARENA_MAX": "2", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    result: dict[str, Any] = json.loads(done.stdout)
    result["images_per_second"] = len(files) / result["wall_seconds"]
    return result


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    rates = [run["images_per_second"] for run in runs]
    return {
        "images_per_second": statistics.median(rates),
        "min": min(rates),
        "max": max(rates),
        "peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
        "output_bytes": sum(runs[-1]["sizes"]),
    }


def part_conversion(files: list[Path], rounds: int) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = {"pyvips": [], "pillow": [], "sharp": []}
    efforts: dict[int, list[dict[str, Any]]] = {2: [], 3: []}
    raw: list[dict[str, Any]] = []
    # Where the time goes: the same photos, decoded only, and encoded only from decoded pixels.
    split: dict[tuple[str, str], list[dict[str, Any]]] = {
        (library, stage): [] for stage in ("decode", "encode") for library in ("pyvips", "pillow")
    }
    for round_number in range(rounds):
        # Every measurement in every round, so slow and fast moments of the machine hit them all.
        for library in runs:
            runs[library].append(convert(library, files))
        for effort, effort_runs in efforts.items():
            effort_runs.append(convert("pyvips", files, effort=effort))
        raw.append(_raw_run(files))
        for (library, stage), stage_runs in split.items():
            stage_runs.append(convert(library, files, stage=stage))
        print(f"  conversion round {round_number + 1}/{rounds} done", flush=True)
    by_effort = {effort: summarize(effort_runs) for effort, effort_runs in efforts.items()}
    by_effort[DEFAULT_EFFORT] = summarize(runs["pyvips"])
    return {
        "libraries": {name: summarize(r) for name, r in runs.items()},
        "efforts": dict(sorted(by_effort.items())),
        "raw_parallel": summarize(raw),
        "stages": {
            f"{library} {stage}": {
                "ms_per_image": 1000 * statistics.median(run["wall_seconds"] for run in stage_runs) / len(files),
                "output_bytes": sum(stage_runs[-1]["sizes"]),
            }
            for (library, stage), stage_runs in split.items()
        },
    }


def _raw_run(files: list[Path]) -> dict[str, Any]:
    """pyvips converting `files` with as many conversions at once as the worker runs: the most the
    pipeline could do on this machine right now."""
    return convert("pyvips", files, parallel=WORKER_CONCURRENCY)


def raw_limit(files: list[Path], repeats: int = 3) -> dict[str, Any]:
    """The raw limit measured again, apart from part 1's rounds."""
    return summarize([_raw_run(files) for _ in range(repeats)])
