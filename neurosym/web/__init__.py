"""The web app: plan a trip in a browser, read why and why not, apply a repair.

``python -m neurosym serve [--host 127.0.0.1] [--port 8000] [--catalog C]`` starts it on
the demo catalog by default; :func:`create_app` builds the Flask application for a catalog
(for tests and WSGI servers). Flask loads only when this package is imported. See
``docs/webapp.md``.
"""

from .app import create_app
from .server import serve

__all__ = ["create_app", "serve"]
