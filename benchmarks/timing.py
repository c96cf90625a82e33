"""Timing shared by the benchmarks: the median of warm runs, or one cold run; table cells."""

from __future__ import annotations

import math
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


def fmt(value: object) -> str:
    """A table cell: "n/a" for missing, 3 decimals under 10, 1 decimal above, else str()."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"
    return str(value)
