"""A deadline for searches that must stop in time and say what they found so far."""

from __future__ import annotations

import time as _time


class Clock:
    """Wall-clock time left until a deadline (a ``time.perf_counter()`` instant; None: no deadline)."""

    def __init__(self, deadline: float | None = None):
        self.deadline = deadline
        self.start = _time.perf_counter()

    @classmethod
    def after(cls, seconds: float | None) -> "Clock":
        """A clock whose deadline is ``seconds`` from now (None: no deadline)."""
        return cls(None if seconds is None else _time.perf_counter() + seconds)

    def left(self) -> float | None:
        """Seconds left (None: no deadline; never negative)."""
        return None if self.deadline is None else max(0.0, self.deadline - _time.perf_counter())

    def expired(self) -> bool:
        return self.deadline is not None and _time.perf_counter() >= self.deadline

    def limit(self, seconds: float | None) -> float | None:
        """``seconds``, or less when the deadline comes sooner."""
        left = self.left()
        if left is None:
            return seconds
        return left if seconds is None else min(seconds, left)

    def elapsed(self) -> float:
        return _time.perf_counter() - self.start
