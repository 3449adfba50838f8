"""Issue 5 as one system: recording through the event log, and the public trace query.

* :mod:`.service` – :class:`TraceService`: passport, custody, certificate and contract changes
  committed together with their signed log entries;
* :mod:`.query` – the public trace answer by identifier or resolver URL, and its verification
  with the log's public key alone;
* :mod:`.server` – a read-only loopback HTTP resolver serving that answer.
"""

from valueloop.trace.query import TraceVerification, identifier_of, trace, verify_trace
from valueloop.trace.server import TraceServer
from valueloop.trace.service import Recorded, TraceService

__all__ = [
    "Recorded",
    "TraceServer",
    "TraceService",
    "TraceVerification",
    "identifier_of",
    "trace",
    "verify_trace",
]
