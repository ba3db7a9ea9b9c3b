"""What every long-running process does once it has started."""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Takes what starting allocated (modules, protobuf descriptors, ORM and route tables) out of
    the garbage collector's reach.

    Those ~100k objects live as long as the process, yet every full collection walks them all: here
    that is a 70 ms pause of the event loop, every few thousand requests, and it is what a p99 latency
    is made of. Frozen, a full collection walks only what requests allocated.
    """
    gc.collect()
    gc.freeze()
