"""A process killed during a burst of appends leaves a log that verifies and keeps every
acknowledged event (SQLite in WAL mode with synchronous=FULL, and PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from valueloop.core.db import Database
from valueloop.log import EventLog, verify_store

ACKNOWLEDGED_BEFORE_KILL = 40
WRITER = textwrap.dedent("""
    import sys
    from valueloop.core.db import Database
    from valueloop.log import EventLog, Signer

    signer = Signer.from_private_bytes("example.com/smelter", bytes(range(32)))
    with Database.open(sys.argv[1]) as db:
        log = EventLog.open(db, "example.com/crash")
        for i in range(10**6):
            event = {"type": "custody.transform", "actor": signer.name,
                     "time": "2026-11-22T10:00:00Z", "subject": f"batch-{i}",
                     "payload": {"step": i}}
            if i % 7 == 3:
                entries = log.append_many([event, {**event, "subject": f"extra-{i}"}], signer)
            else:
                entries = [log.append(event, signer)]
            for entry in entries:  # acknowledged: the append returned
                print(entry.index, entry.event_id, flush=True)
""")


def test_kill_during_appends_keeps_every_acknowledged_event(database_url: str,
                                                            tmp_path: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(script), database_url],
                               stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    acknowledged: dict[int, str] = {}
    assert process.stdout is not None
    try:
        for line in process.stdout:
            index, event_id = line.split()
            acknowledged[int(index)] = event_id
            if len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL:
                break
        process.send_signal(signal.SIGKILL)  # mid-burst: the writer is appending right now
        for line in process.stdout:  # acknowledgements already in the pipe still count
            index, event_id = line.split()
            acknowledged[int(index)] = event_id
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL
    with Database.open(database_url) as db:
        log = EventLog.find(db, "example.com/crash")
        report = verify_store(log)
        assert report.ok, report.problems
        assert len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL
        assert log.size >= max(acknowledged) + 1
        for index, event_id in acknowledged.items():
            assert log.entry(index).event_id == event_id
