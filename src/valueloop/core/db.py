"""One small storage layer for the traceability components: SQLite by default, PostgreSQL by URL.

The event log, passports, chain of custody, certificates and contracts keep their records in
plain SQL tables through :class:`Database`. Everything that writes does so inside
:meth:`Database.transaction`, which commits on success and rolls back on any exception, so a
crash never leaves half a record. SQL is written once, with ``?`` placeholders and the type
macros of :meth:`Database.ddl`; the PostgreSQL connection rewrites the placeholders to ``%s``.

Durability. SQLite runs in WAL mode with ``synchronous=FULL``: a transaction that has returned
is on disk and survives the process being killed (the log's crash test relies on it).
PostgreSQL commits are durable by default (``synchronous_commit=on``).

URLs. ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db``, a plain file path (taken
as SQLite), ``sqlite://:memory:`` for a throwaway database, or ``postgresql://user@host/db``
(needs the ``psycopg`` package: ``pip install 'valueloop[postgres]'``).
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from valueloop.core.errors import UserInputError

Dialect = Literal["sqlite", "postgresql"]
DEFAULT_URL_ENV = "VALUELOOP_DB"
"""Environment variable naming the database when a command is given none."""
DEFAULT_FILE = "valueloop.db"
"""SQLite file in the working folder when neither ``--db`` nor ``VALUELOOP_DB`` is set."""

_MACROS: dict[Dialect, dict[str, str]] = {
    "sqlite": {"ID": "INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB": "BLOB", "REAL": "REAL",
               "BIGINT": "INTEGER", "TEXT": "TEXT", "BOOL": "INTEGER"},
    "postgresql": {"ID": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BLOB": "BYTEA",
                   "REAL": "DOUBLE PRECISION", "BIGINT": "BIGINT", "TEXT": "TEXT",
                   "BOOL": "BOOLEAN"},
}
_PLACEHOLDER = re.compile(r"\?")
_CONNINFO = re.compile(r"^(dbname|host|user|port|password|service)\s*=")


class DatabaseError(UserInputError):
    """A database that cannot be opened or a URL that names none."""


class Cursor(Protocol):
    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


@dataclass
class Transaction:
    """The open transaction handed out by :meth:`Database.transaction`."""

    connection: Any
    dialect: Dialect
    _cursor: Any = field(default=None, repr=False)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        cursor = self.connection.cursor()
        cursor.execute(self._sql(sql), tuple(params))
        return cursor

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        cursor = self.connection.cursor()
        cursor.executemany(self._sql(sql), [tuple(r) for r in rows])

    def _sql(self, sql: str) -> str:
        return sql if self.dialect == "sqlite" else _PLACEHOLDER.sub("%s", sql)


@dataclass(frozen=True)
class DatabaseURL:
    dialect: Dialect
    target: str
    """A SQLite file path (or ``:memory:``), or a PostgreSQL conninfo URL."""

    @classmethod
    def parse(cls, url: str | Path | None) -> DatabaseURL:
        """Parse a URL or path; ``None`` means ``$VALUELOOP_DB`` or ``./valueloop.db``."""
        if url is None:
            url = os.environ.get(DEFAULT_URL_ENV) or DEFAULT_FILE
        text = str(url)
        if text.startswith(("postgresql://", "postgres://")):
            return cls("postgresql", text)
        if text.startswith("sqlite://"):
            rest = text.removeprefix("sqlite://")
            if rest in (":memory:", "/:memory:"):
                return cls("sqlite", ":memory:")
            if not rest.startswith("/") or rest == "/":
                raise DatabaseError(f"{text!r} names no file", item="--db",
                                    allowed="sqlite:///relative.db, sqlite:////abs/path.db, "
                                            "sqlite://:memory:, a file path, postgresql://...")
            return cls("sqlite", rest[1:])
        if "://" in text:
            raise DatabaseError(f"unknown database URL scheme in {text!r}", item="--db",
                                allowed="sqlite:///FILE, a file path, postgresql://...")
        if _CONNINFO.match(text):
            # a libpq key=value string would otherwise silently become a SQLite file name
            raise DatabaseError(f"{text!r} looks like a PostgreSQL key=value string",
                                item="--db", allowed="postgresql://user@host/dbname, or a "
                                                     "sqlite file path")
        return cls("sqlite", text)


class Database:
    """A connection to one database, opened by :meth:`open`; close it or use ``with``."""

    def __init__(self, connection: Any, url: DatabaseURL) -> None:
        self._connection = connection
        self.url = url
        self.dialect: Dialect = url.dialect

    @classmethod
    def open(cls, url: str | Path | None = None) -> Database:
        parsed = DatabaseURL.parse(url)
        if parsed.dialect == "sqlite":
            return cls(_open_sqlite(parsed.target), parsed)
        return cls(_open_postgresql(parsed.target), parsed)

    @classmethod
    def open_existing(cls, url: str | Path | None = None, *, hint: str | None = None
                      ) -> Database:
        """:meth:`open` for reading: a SQLite file that does not exist is an error.

        A read-only command must not leave an empty database file behind a mistyped path.
        ``hint`` says how to create the database (shown as what is allowed).
        """
        parsed = DatabaseURL.parse(url)
        if parsed.dialect == "sqlite" and parsed.target != ":memory:" \
                and not Path(parsed.target).is_file():
            raise DatabaseError(f"no database file {parsed.target}", item="--db",
                                allowed=hint or "an existing SQLite file or a postgresql:// URL")
        return cls.open(url)

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._connection.close()

    def ddl(self, sql: str) -> str:
        """``sql`` with ``{ID}``, ``{BLOB}``, ``{REAL}``, ``{BIGINT}``, ``{TEXT}``, ``{BOOL}``
        replaced by this dialect's types."""
        return sql.format(**_MACROS[self.dialect])

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Commit on success, roll back on any exception (which is re-raised)."""
        connection = self._connection
        if self.dialect == "sqlite":
            # IMMEDIATE takes the write lock at once, so two writers never interleave appends
            connection.execute("BEGIN IMMEDIATE")
        try:
            yield Transaction(connection, self.dialect)
        except BaseException:
            connection.rollback()
            raise
        else:
            connection.commit()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Rows of a read-only query, outside any write transaction."""
        cursor = self._connection.cursor()
        cursor.execute(sql if self.dialect == "sqlite" else _PLACEHOLDER.sub("%s", sql),
                       tuple(params))
        rows = cursor.fetchall()
        if self.dialect == "postgresql":
            self._connection.commit()  # end the implicit read transaction
        return rows

    def migrate(self, component: str, version: int, statements: Sequence[str]) -> None:
        """Create ``component``'s tables once: runs ``statements`` (through :meth:`ddl`) in one
        transaction unless ``component`` is already at ``version`` or later."""
        with self.transaction() as tx:
            tx.execute("CREATE TABLE IF NOT EXISTS valueloop_schema "
                       "(component TEXT PRIMARY KEY, version INTEGER NOT NULL)")
            row = tx.execute("SELECT version FROM valueloop_schema WHERE component = ?",
                             (component,)).fetchone()
            if row is not None and row[0] >= version:
                return
            for statement in statements:
                tx.execute(self.ddl(statement))
            if row is None:
                tx.execute("INSERT INTO valueloop_schema (component, version) VALUES (?, ?)",
                           (component, version))
            else:
                tx.execute("UPDATE valueloop_schema SET version = ? WHERE component = ?",
                           (version, component))


def _open_sqlite(target: str) -> sqlite3.Connection:
    if target != ":memory:":
        parent = Path(target).parent
        if not parent.is_dir():
            raise DatabaseError(f"folder {parent} does not exist", item="--db",
                                allowed="a path in an existing folder")
    try:
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT)
        connection = sqlite3.connect(target, isolation_level=None, timeout=30.0,
                                     check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("PRAGMA foreign_keys=ON")
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"cannot open SQLite database {target!r} ({exc})",
                            item="--db") from None
    return connection


def _open_postgresql(target: str) -> Any:
    try:
        import psycopg
    except ImportError:
        raise DatabaseError("PostgreSQL needs the psycopg package", item="--db",
                            allowed="pip install 'valueloop[postgres]', or a SQLite path") from None
    try:
        return psycopg.connect(target)
    except psycopg.Error as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseError(f"cannot connect to {_redacted(target)} ({message})",
                            item="--db") from None


def _redacted(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)
