"""CPU time the hypervisor gave to other machines while a part of the bench ran.

On a shared virtual machine, a part that ran while the host was busy elsewhere is slower for reasons
no code of ours can change; the bench prints this next to each part so such a run can be told apart.
"""

from __future__ import annotations

from pathlib import Path

_STAT = Path("/proc/stat")


def _cpu_ticks() -> tuple[int, int]:
    """(stolen, total) ticks of all CPUs since boot; (0, 0) where the kernel does not say."""
    try:
        fields = _STAT.read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0, 0
    ticks = [int(value) for value in fields[:8]]
    stolen = ticks[7] if len(ticks) > 7 else 0
    return stolen, sum(ticks)


class StealMeter:
    """`with StealMeter() as meter: ...` then `meter.percent`: the share of CPU time stolen meanwhile."""

    percent = 0.0

    def __enter__(self) -> StealMeter:
        self._start = _cpu_ticks()
        return self

    def __exit__(self, *_: object) -> None:
        stolen, total = (now - then for now, then in zip(_cpu_ticks(), self._start, strict=True))
        self.percent = 100 * stolen / total if total else 0.0
