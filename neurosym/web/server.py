"""Serving the app: a threaded WSGI server on localhost (``python -m neurosym serve``)."""

from __future__ import annotations

import ipaddress
import logging
import signal
import sys
from typing import Any

log = logging.getLogger("neurosym.web")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(app: Any, host: str = "127.0.0.1", port: int = 8000, *, out: Any = None) -> None:
    """Serve ``app`` until interrupted (Ctrl+C or SIGTERM), on ``host:port``.

    Werkzeug's threaded server: one thread per request, so pages and API calls are
    answered while plans run on the app's planner threads. ``port=0`` takes a free port;
    the address actually bound is printed first (``Serving on http://...``).
    """
    from werkzeug.serving import make_server
    out = out or sys.stdout
    if not is_loopback(host):
        log.warning("serving on %s: other machines can reach this app (it has no login)", host)
    server = make_server(host, port, app, threaded=True)
    bound = server.server_address[1]
    shown = f"[{host}]" if ":" in host else host
    print(f"Serving on http://{shown}:{bound}/ (Ctrl+C to stop)", file=out, flush=True)

    def stop(*_: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
        runner = app.extensions.get("neurosym", {}).get("runner")
        if runner is not None:
            runner.shutdown()
        print("Stopped.", file=out, flush=True)
