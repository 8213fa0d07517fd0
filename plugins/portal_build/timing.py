"""Where a build's time goes, by stage: a small exclusive timer that plugins can use too.

``with timed("feeds"): ...`` adds the wall time of the block to the stage ``feeds``; time spent
in a nested ``timed`` block counts for the inner stage only, so the stages add up to the
whole. ``BuildReport.stages`` carries the totals (language runs summed over languages).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

_totals: defaultdict[str, float] = defaultdict(float)
_stack: list[list[float]] = []  # [start, time spent in nested stages]


@contextmanager
def timed(stage: str) -> Iterator[None]:
    """Count the block's time (minus nested stages) for ``stage``."""
    frame = [time.perf_counter(), 0.0]
    _stack.append(frame)
    try:
        yield
    finally:
        _stack.pop()
        spent = time.perf_counter() - frame[0]
        _totals[stage] += spent - frame[1]
        if _stack:
            _stack[-1][1] += spent


def take() -> dict[str, float]:
    """The totals so far, and start again from zero."""
    found = dict(_totals)
    _totals.clear()
    return found
