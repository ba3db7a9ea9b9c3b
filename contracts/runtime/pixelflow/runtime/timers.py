"""Periodic entrypoints, in the manner of Nameko's `@timer`.

    class ImagesService(Service):
        @timer(setting="reconcile_interval_seconds")
        async def reconcile(self) -> None: ...

A timer runs `interval` seconds after its previous run ended, so one run at a time; a failed run
is logged and the next one comes on time. Timers start once every dependency is set up and stop
before any is torn down, inside the dependencies' call scopes like an `@rpc` call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from pixelflow.runtime.logs import request_id_var
from pixelflow.runtime.settings import PixelflowSettings

if TYPE_CHECKING:
    from pixelflow.runtime.service import Service

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Timer:
    function: Callable[..., Awaitable[None]]
    interval_seconds: float | None = None
    setting: str | None = None

    @property
    def name(self) -> str:
        return self.function.__name__

    def interval(self, settings: PixelflowSettings) -> float:
        """The fixed interval, or the named setting's value (a typo fails when the service starts)."""
        if self.setting is None:
            assert self.interval_seconds is not None
            return self.interval_seconds
        value = getattr(settings, self.setting, None)
        if not isinstance(value, int | float) or value <= 0:
            raise TypeError(f"timer {self.name}: setting {self.setting!r} is not a positive number of seconds")
        return float(value)


F = TypeVar("F", bound=Callable[..., Awaitable[None]])


def timer(*, interval_seconds: float | None = None, setting: str | None = None) -> Callable[[F], F]:
    """Marks `async def method(self) -> None` to run every `interval_seconds`, or every `settings.<setting>`."""
    if (interval_seconds is None) == (setting is None):
        raise TypeError("a timer takes either interval_seconds or setting")
    if interval_seconds is not None and interval_seconds <= 0:
        raise ValueError("a timer's interval must be positive")

    def mark(fn: F) -> F:
        fn.__pixelflow_timer__ = Timer(fn, interval_seconds, setting)  # type: ignore[attr-defined]
        return fn

    return mark


class RunningTimers:
    """The loops of one service instance's timers, from `start` to `stop`."""

    def __init__(self) -> None:
        self._tasks: list[asyncio.Task[None]] = []

    def start(self, service: Service, timers: list[Timer]) -> None:
        intervals = {entry.name: entry.interval(service.settings) for entry in timers}  # all checked first
        for entry in timers:
            loop = _loop(service, entry, intervals[entry.name])
            self._tasks.append(asyncio.create_task(loop, name=f"timer-{entry.name}"))

    async def stop(self) -> None:
        """Cancels every loop, a run in progress included, and waits until each has ended."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def _loop(service: Service, entry: Timer, interval: float) -> None:
    request_id_var.set(f"timer:{entry.name}")
    while True:
        await asyncio.sleep(interval)
        try:
            with service.call_scopes():
                await entry.function(service)
        except Exception:
            log.exception("timer %s failed; it runs again in %gs", entry.name, interval)
