"""What the benchmark measures of the system's processes: CPU seconds and peak resident memory."""

from __future__ import annotations

import threading
import time

import psutil


class CpuMeter:
    """CPU seconds each process (and this benchmark client) spends from now until `used()`."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.processes = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.processes["bench client"] = psutil.Process()
        self.start = {name: self._total(process) for name, process in self.processes.items()}

    @staticmethod
    def _total(process: psutil.Process) -> float:
        times = process.cpu_times()
        return float(times.user + times.system)

    def used(self) -> dict[str, float]:
        return {name: self._total(process) - self.start[name] for name, process in self.processes.items()}


class RssSampler:
    """Samples the resident memory of some processes every few milliseconds, in a thread."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.processes = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.peak = {name: 0 for name in pids}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss(self) -> dict[str, int]:
        return {name: process.memory_info().rss for name, process in self.processes.items()}

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, value in self.rss().items():
                self.peak[name] = max(self.peak[name], value)
            time.sleep(0.005)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
