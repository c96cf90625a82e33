"""Timing shared by the benchmarks: the median of warm runs, or one cold run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def timed(func: Callable[[], object], repeats: int) -> tuple[float, object]:
    """Median seconds over ``repeats`` warm runs (after one warm-up) and the last result.

    With ``repeats == 0`` the single (cold) run is timed: used for slow peers.
    """
    start = time.perf_counter()
    result = func()
    times = [time.perf_counter() - start] if repeats == 0 else []
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result
