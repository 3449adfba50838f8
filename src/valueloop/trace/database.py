"""A :class:`~valueloop.core.db.Database` whose transactions nest: inner ones join the outer.

The passport, custody and certificate stores each open their own transaction. The trace
service must commit a component's state change *and* its log entry together, so it runs the
component's call inside its own transaction: with this class the component's ``transaction()``
joins the open one instead of committing on its own, and any exception rolls back everything
at the outermost level. Reads made inside the open transaction go through it, because a plain
:meth:`Database.query` on PostgreSQL commits (which would end the outer transaction early).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from valueloop.core.db import Database, Transaction


class JoinedDatabase(Database):
    """A database connection on which nested ``transaction()`` blocks form one transaction."""

    _open: Transaction | None = None

    @classmethod
    def joining(cls, db: Database) -> JoinedDatabase:
        """``db`` itself if it already nests, else a nesting view of the same connection.

        The view shares ``db``'s connection, so use only the view from then on.
        """
        if isinstance(db, JoinedDatabase):
            return db
        # Database keeps its connection private; the view must share it, not open another.
        return cls(db._connection, db.url)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """The open transaction if there is one, else a new one (commit or roll back)."""
        if self._open is not None:
            yield self._open
            return
        with super().transaction() as tx:
            self._open = tx
            try:
                yield tx
            finally:
                self._open = None

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Rows of a query; inside an open transaction, read through it (seeing its writes)."""
        if self._open is None:
            return super().query(sql, params)
        return self._open.execute(sql, params).fetchall()
