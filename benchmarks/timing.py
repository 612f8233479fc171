"""Timing shared by the benchmarks (run as scripts, so benchmarks/ is on sys.path)."""
from __future__ import annotations

import statistics
import time


def timed(fn, repeats: int) -> float:
    """Median seconds of fn() over repeats, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
