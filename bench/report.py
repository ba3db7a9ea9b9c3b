"""The table `make bench` prints: measurements, and each target with ✓ or ✗."""

from __future__ import annotations

from typing import Any

from bench.batches import report_line as batches_line
from bench.export import report_line as export_line
from bench.hostile import report_hostile

QUALITY = 80
DEFAULT_EFFORT = 4
WORKER_CONCURRENCY = 2  # PIXELFLOW_WORKER_CONCURRENCY's default: conversions at once in the worker


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def report(results: dict[str, Any]) -> str:
    libs = results["conversion"]["libraries"]
    lines = [
        f"pixelflow bench — {results['images']} images ({results['megapixels']:.1f} MP in all), "
        f"{results['rounds']} interleaved rounds, WebP Q{QUALITY} effort {DEFAULT_EFFORT}, one thread each",
        "",
    ]
    lines.append(f"{'library':<10}{'images/s':>10}{'spread':>18}{'peak RSS':>12}{'output':>12}")
    for name, lib in libs.items():
        spread = f"{lib['min']:.2f}–{lib['max']:.2f}"
        lines.append(
            f"{name:<10}{lib['images_per_second']:>10.2f}{spread:>18}"
            f"{lib['peak_rss_mb']:>9.0f} MB{lib['output_bytes'] / 1024:>9.0f} KB"
        )
    lines += ["", "pyvips effort trade-off:", f"{'effort':<10}{'images/s':>10}{'output':>12}"]
    for effort, row in results["conversion"]["efforts"].items():
        lines.append(f"{effort:<10}{row['images_per_second']:>10.2f}{row['output_bytes'] / 1024:>9.0f} KB")
    stages = results["conversion"]["stages"]
    lines += ["", "where the time goes (median ms per image; encode from the same decoded pixels):"]
    for step in ("decode", "encode"):
        pyvips_ms, pillow_ms = stages[f"pyvips {step}"]["ms_per_image"], stages[f"pillow {step}"]["ms_per_image"]
        lines.append(
            f"  {step:<8} pyvips {pyvips_ms:6.1f}   Pillow {pillow_ms:6.1f}   ratio {pyvips_ms / pillow_ms:.2f}×"
        )
    encoded = {stages[f"{name} encode"]["output_bytes"] for name in ("pyvips", "pillow")}
    lines.append(f"  encoded output: {'identical in size' if len(encoded) == 1 else 'different sizes'}")
    raw_part1 = results["conversion"]["raw_parallel"]["images_per_second"]
    raw = results["conversion"]["raw_before_end_to_end"]["images_per_second"]
    e2e = results["end_to_end"]
    memory = results["streaming_memory"]
    load = results["load"]
    lines += [
        "",
        f"raw limit: pyvips, {WORKER_CONCURRENCY} conversions at once: {raw_part1:.2f} images/s in part 1, "
        f"{raw:.2f} just before part 2 (the pipeline's ratio uses this one)",
        f"end to end: {e2e['users']} users × {e2e['images'] // e2e['users']} uploads: "
        f"{e2e['images_per_second']:.2f} images/s; "
        f"latency upload→done p50 {e2e['latency_p50_s']:.2f} s, p95 {e2e['latency_p95_s']:.2f} s, "
        f"p99 {e2e['latency_p99_s']:.2f} s; notification p50 {e2e['notify_p50_ms']:.1f} ms",
        f"  CPU seconds in those {e2e['wall_seconds']:.1f} s (2 cores: {2 * e2e['wall_seconds']:.0f} available): "
        + ", ".join(f"{name} {seconds:.1f}" for name, seconds in e2e["cpu_seconds"].items()),
        f"streaming {memory['upload_mib']} MiB upload in {memory['seconds']:.1f} s: RSS growth edge "
        f"{memory['growth_mib']['edge']:.1f} MiB, svc_images {memory['growth_mib']['svc_images']:.1f} MiB; "
        f"then {memory['processed']['status']} after {memory['processed']['seconds']:.1f} s",
    ]
    if "export" in results:
        lines.append(export_line(results["export"]))
    if "batches" in results:
        lines.append(batches_line(results["batches"]))
    for name, row in load.items():
        lines.append(
            f"GET {name} at {row['achieved_rate']:.0f}/s: p50 {row['p50_ms']:.1f} ms, p99 {row['p99_ms']:.1f} ms, "
            f"errors {sum(row['errors'].values())}"
        )
    hostile_lines, hostile_targets = report_hostile(results["hostile"]) if "hostile" in results else ([], [])
    lines += hostile_lines
    fastest_peer = max(libs["pillow"]["images_per_second"], libs["sharp"]["images_per_second"])
    smallest_peer = min(libs["pillow"]["output_bytes"], libs["sharp"]["output_bytes"])
    pyvips = libs["pyvips"]
    targets = [
        (e2e["images_per_second"] >= 0.85 * raw, f"pipeline ≥ 0.85 × raw limit: {e2e['images_per_second'] / raw:.2f}×"),
        (
            pyvips["images_per_second"] >= fastest_peer,
            f"worker conversion ≥ 1.0 × fastest peer: {pyvips['images_per_second'] / fastest_peer:.2f}×",
        ),
        (
            pyvips["output_bytes"] <= smallest_peer,
            f"output ≤ peers': {pyvips['output_bytes'] / 1024:.0f} KB vs {smallest_peer / 1024:.0f} KB",
        ),
        (
            pyvips["peak_rss_mb"] <= libs["pillow"]["peak_rss_mb"],
            f"peak memory ≤ Pillow's: {pyvips['peak_rss_mb']:.0f} MB vs {libs['pillow']['peak_rss_mb']:.0f} MB",
        ),
        (
            max(memory["growth_mib"].values()) < 30,
            f"upload RSS growth < 30 MiB: {max(memory['growth_mib'].values()):.1f} MiB",
        ),
        (
            load["latest"]["p99_ms"] < 25 and not load["latest"]["errors"],
            f"GET latest p99 < 25 ms, no errors: {load['latest']['p99_ms']:.1f} ms",
        ),
        (e2e["notify_p95_ms"] < 50, f"notification p95 < 50 ms: {e2e['notify_p95_ms']:.1f} ms"),
        *hostile_targets,
    ]
    lines += ["", "targets:"] + [f"  {mark(ok)} {text}" for ok, text in targets]
    stolen = results.get("cpu_stolen_percent", {})
    if stolen:
        parts = ", ".join(f"{part.replace('_', ' ')} {percent:.1f}%" for part, percent in stolen.items())
        lines += ["", f"CPU time taken by the host for other machines (/proc/stat steal): {parts}"]
    return "\n".join(lines)
