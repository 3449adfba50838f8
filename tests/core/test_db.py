"""The storage layer on real SQLite and PostgreSQL: transactions, migrations, URLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from valueloop.core.db import Database, DatabaseError, DatabaseURL

TABLE = ["CREATE TABLE IF NOT EXISTS demo (id {ID}, payload {BLOB} NOT NULL, x {REAL})"]


def test_a_failed_transaction_leaves_nothing_behind(database_url: str,
                                                     request: pytest.FixtureRequest) -> None:
    with Database.open(database_url) as db:
        assert db.dialect == request.node.callspec.params["database_url"]
        db.migrate("demo", 1, TABLE)
        with db.transaction() as tx:
            tx.execute("INSERT INTO demo (payload, x) VALUES (?, ?)", (b"\x00\x01", 1.5))
        with pytest.raises(RuntimeError), db.transaction() as tx:
            tx.executemany("INSERT INTO demo (payload, x) VALUES (?, ?)",
                           [(b"a", 2.0), (b"b", 3.0)])
            raise RuntimeError("crash in the middle")
        rows = db.query("SELECT payload, x FROM demo ORDER BY id")
    assert [(bytes(p), x) for p, x in rows] == [(b"\x00\x01", 1.5)]


def test_migrations_run_once_per_version(database_url: str) -> None:
    with Database.open(database_url) as db:
        db.migrate("demo", 1, TABLE)
        db.migrate("demo", 1, ["CREATE TABLE must_not_run (x {TEXT})"])
        db.migrate("demo", 2, ["CREATE TABLE IF NOT EXISTS extra (x {TEXT})"])
        versions = db.query("SELECT version FROM valueloop_schema WHERE component = ?",
                            ("demo",))
    assert versions == [(2,)]


def test_a_committed_sqlite_write_is_seen_by_a_second_connection(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    with Database.open(path) as first, Database.open(f"sqlite:///{path}") as second:
        first.migrate("demo", 1, TABLE)
        with first.transaction() as tx:
            tx.execute("INSERT INTO demo (payload) VALUES (?)", (b"x",))
        assert second.query("SELECT count(*) FROM demo") == [(1,)]


@pytest.mark.parametrize(("url", "dialect", "target"), [
    ("sqlite:///rel/x.db", "sqlite", "rel/x.db"),
    ("sqlite:////abs/x.db", "sqlite", "/abs/x.db"),
    ("sqlite://:memory:", "sqlite", ":memory:"),
    ("plain/path.db", "sqlite", "plain/path.db"),
    ("postgresql://u@h/db", "postgresql", "postgresql://u@h/db"),
])
def test_urls(url: str, dialect: str, target: str) -> None:
    parsed = DatabaseURL.parse(url)
    assert (parsed.dialect, parsed.target) == (dialect, target)


@pytest.mark.parametrize("url", ["mysql://x/y", "sqlite://", "sqlite:///", "dbname=x host=y"])
def test_bad_urls_say_what_is_allowed(url: str) -> None:
    with pytest.raises(DatabaseError, match="sqlite"):
        DatabaseURL.parse(url)


def test_missing_folder_and_unreachable_server_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="does not exist"):
        Database.open(tmp_path / "nope" / "x.db")
    with pytest.raises(DatabaseError, match=r"cannot connect to postgresql://u:\*\*\*@"):
        Database.open("postgresql://u:secret@127.0.0.1:1/db?connect_timeout=2")


def test_open_existing_refuses_a_missing_sqlite_file_without_creating_it(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    with pytest.raises(DatabaseError, match=r"--db: no database file .*typo\.db.*run the import"):
        Database.open_existing(missing, hint="run the import")
    assert not missing.exists()
    with Database.open(tmp_path / "real.db"):
        pass
    with Database.open_existing(tmp_path / "real.db") as database:
        assert database.dialect == "sqlite"
