"""Fault injection for the booking service: a WSGI middleware (a test aid, off by default).

``python -m neurosym booking-server ... --fail-rate 0.1 --fail-after-rate 0.05
--slow-rate 0.1 --slow-s 3`` wraps the service so that booking calls fail at random the
way real services fail:

- ``fail_rate``: answer 503 before doing anything (nothing happened);
- ``fail_after_rate``: do the work, commit it, then answer 500 (it happened, but the
  client does not know: the case idempotency keys exist for);
- ``slow_rate``: wait ``slow_s`` seconds before answering (the client may time out and
  retry while the first request is still being served).

Only ``/bookings`` and ``/availability`` are affected; ``/health``, ``/openapi.json`` and
``/inventory`` stay reliable. Each injected fault is appended as one JSON line to
``log`` (if given), so that counts survive a restart of the server.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Faults(BaseModel):
    """How often and how the service misbehaves (all off by default)."""

    model_config = ConfigDict(extra="forbid")

    fail_rate: float = Field(default=0.0, ge=0, le=1)
    fail_after_rate: float = Field(default=0.0, ge=0, le=1)
    slow_rate: float = Field(default=0.0, ge=0, le=1)
    slow_s: float = Field(default=2.0, ge=0, le=120)
    seed: int | None = None
    log: Path | None = None

    @property
    def active(self) -> bool:
        return bool(self.fail_rate or self.fail_after_rate or self.slow_rate)


class FaultInjector:
    """WSGI middleware that injects :class:`Faults` into an application's booking calls."""

    PATHS = ("/bookings", "/availability")

    def __init__(self, app: Callable[..., Iterable[bytes]], faults: Faults):
        self.app, self.faults = app, faults
        self.rng = random.Random(faults.seed)
        self.lock = threading.Lock()
        self.counts: dict[str, int] = {"fail_before": 0, "fail_after": 0, "slow": 0}

    def _record(self, kind: str, environ: dict[str, Any]) -> None:
        with self.lock:
            self.counts[kind] += 1
            if self.faults.log is not None:
                with open(self.faults.log, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps({"fault": kind, "method": environ.get("REQUEST_METHOD"),
                                         "path": environ.get("PATH_INFO"), "t": time.time()}) + "\n")

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if not path.startswith(self.PATHS):
            return self.app(environ, start_response)
        f = self.faults
        with self.lock:
            r, slow = self.rng.random(), self.rng.random() < f.slow_rate
        if slow:
            self._record("slow", environ)
            time.sleep(f.slow_s)
        if r < f.fail_rate:
            self._record("fail_before", environ)
            return _fail(start_response, 503, "injected fault: service unavailable")
        if r < f.fail_rate + f.fail_after_rate:
            sink: list[Any] = []
            body = self.app(environ, lambda status, headers, exc_info=None: sink.append(status))
            try:
                for _ in body:  # run the request to the end (it commits), then lose the answer
                    pass
            finally:
                close = getattr(body, "close", None)
                if close is not None:
                    close()
            self._record("fail_after", environ)
            return _fail(start_response, 500, "injected fault: the answer was lost")
        return self.app(environ, start_response)


def _fail(start_response: Callable[..., Any], status: int, message: str) -> list[bytes]:
    body = json.dumps({"error": {"code": "unavailable", "message": message}}).encode()
    start_response(f"{status} {'Service Unavailable' if status == 503 else 'Internal Server Error'}",
                   [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
