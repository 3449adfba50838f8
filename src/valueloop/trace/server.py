"""A read-only HTTP resolver on loopback: ``GET /id/<identifier>`` answers the public trace.

The path is the one :meth:`UniqueIdentifier.resolver_url` builds with a base ending in ``/id``
(``/id/IAC/CIN/SERIAL``); ``/id/IAC:CIN:SERIAL`` is accepted too. The body is the JSON of
:func:`valueloop.trace.query.trace`, which holds only the public view of the passport. Unknown
identifiers and other paths get 404, other methods 501 (the standard library's answer). The
server binds loopback addresses only: exposing it is a reverse proxy's job, with TLS.
"""

from __future__ import annotations

import ipaddress
import json
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from valueloop.core.db import Database
from valueloop.core.errors import OptionError, UserInputError
from valueloop.log.store import EventLog
from valueloop.trace.query import trace

PREFIX = "/id/"


class TraceServer(ThreadingHTTPServer):
    """The resolver; one shared database connection, used by one request at a time."""

    daemon_threads = True

    def __init__(self, db: Database, log: EventLog, host: str = "127.0.0.1",
                 port: int = 0) -> None:
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise OptionError(f"{host!r} is not a loopback address", item="--host",
                              allowed="127.0.0.1 or ::1 (publish through a reverse proxy)")
        self.db, self.log = db, log
        # one connection cannot run two queries at once; requests take turns on it
        self.lock = threading.Lock()
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def answer(self, reference: str) -> tuple[HTTPStatus, dict[str, Any]]:
        """The status and JSON body for one identifier (404 when unknown or malformed)."""
        with self.lock:
            try:
                return HTTPStatus.OK, trace(self.db, self.log, reference)
            except UserInputError as exc:  # an unknown or malformed identifier
                return HTTPStatus.NOT_FOUND, {"error": exc.problem}


class _Handler(BaseHTTPRequestHandler):
    server: TraceServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path.startswith(PREFIX) and len(path) > len(PREFIX):
            status, body = self.server.answer(path)
        else:
            status, body = HTTPStatus.NOT_FOUND, {"error": "no such resource; ask /id/IAC/CIN/"
                                                           "SERIAL"}
        data = json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the CLI prints the address once; per-request lines would flood tests."""
