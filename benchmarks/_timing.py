"""Timing helpers for the benchmarks: best-of wall time and the BENCH line format."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def best_time(fn: Callable[[], Any], repeat: int = 3) -> float:
    """Best wall time of ``repeat`` calls of ``fn``, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def report(name: str, seconds: float, points: int, ref_seconds: float, ref_points: int) -> None:
    """Print 'BENCH name: photosc T s for N pts; reference R ms/pt; ratio X per point'."""
    ours = seconds / points
    ref = ref_seconds / ref_points
    print(
        f"BENCH {name}: photosc {seconds:.3f} s for {points} pts ({ours * 1e6:.2f} us/pt); "
        f"reference {ref * 1e3:.3f} ms/pt; ratio {ref / ours:.0f}x per point"
    )
