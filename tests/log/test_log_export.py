"""Exports verified with nothing but the folder and the public keys; any flipped byte fails."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from log_helpers import LOG_KEY, REFINER, SMELTER, WITNESS, event

from valueloop.core.db import Database
from valueloop.core.errors import OptionError
from valueloop.log import EventLog, cosign, export_log, verify_export
from valueloop.log.export import ENTRIES_FILE
from valueloop.log.keys import COSIGNATURE_V1
from valueloop.log.verify import ExportError

KEYS = [SMELTER.verifier(), REFINER.verifier(), LOG_KEY.verifier(),
        WITNESS.verifier(COSIGNATURE_V1)]


def make_export(url: str, folder: Path, entries: int = 20) -> Path:
    with Database.open(url) as db:
        log = EventLog.open(db, "example.com/log")
        log.append_many([event(i) for i in range(entries // 2)], SMELTER)
        log.checkpoint(LOG_KEY)
        for i in range(entries // 2, entries):
            log.append(event(i, REFINER), REFINER)
        note = log.checkpoint(LOG_KEY)
        log.record_checkpoint(cosign(note, WITNESS, timestamp=1_800_000_000), KEYS)
        export_log(log, folder)
    return folder


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("export")
    return make_export(str(base / "log.db"), base / "out")


def test_export_verifies_on_both_databases(database_url: str, tmp_path: Path) -> None:
    folder = make_export(database_url, tmp_path / "out")
    report = verify_export(folder, KEYS)
    assert report.ok, report.problems
    assert (report.entries, report.checkpoints, report.cosignatures, report.covered) == \
        (20, 3, 1, 20)
    assert verify_export(folder, KEYS, workers=2).ok  # the process pool gives the same answer


def test_missing_keys_and_reordered_or_dropped_entries_are_named(exported: Path,
                                                                  tmp_path: Path) -> None:
    report = verify_export(exported, [LOG_KEY.verifier(), SMELTER.verifier()],
                           allow_unknown_signers=True)
    assert not report.ok and report.first_bad_entry == 10  # the refiner's key was not given
    assert "signed by a key not given" in report.problems[0]
    assert "not given" in verify_export(exported, KEYS[:3]).problems[0]  # witness line
    lines = (exported / ENTRIES_FILE).read_bytes().splitlines(keepends=True)
    for name, damaged, first in [("swap", [*lines[:4], lines[5], lines[4], *lines[6:]], 4),
                                 ("drop", lines[:7] + lines[8:], 7),
                                 ("truncate", lines[:15], 15),
                                 ("duplicate", [*lines[:3], lines[2], *lines[3:]], 3)]:
        copy = tmp_path / name
        shutil.copytree(exported, copy)
        (copy / ENTRIES_FILE).write_bytes(b"".join(damaged))
        report = verify_export(copy, KEYS)
        assert not report.ok and report.first_bad_entry == first, (name, report.problems)


def test_bad_input_is_a_user_error(exported: Path, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="not an export folder"):
        verify_export(tmp_path / "missing", KEYS)
    with pytest.raises(ExportError, match="no public keys"):
        verify_export(exported, [])
    with Database.open(tmp_path / "x.db") as db, pytest.raises(OptionError, match="exists"):
        export_log(EventLog.open(db, "o"), exported)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_flipping_any_byte_of_an_export_fails_and_names_the_entry(
        exported: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    files = sorted(p for p in exported.rglob("*") if p.is_file())
    sizes = [p.stat().st_size for p in files]
    position = data.draw(st.integers(0, sum(sizes) - 1), label="byte of the export")
    flip = data.draw(st.integers(1, 255), label="xor")
    path = files[-1]
    for path, size in zip(files, sizes, strict=True):  # noqa: B007 - path is used after
        if position < size:
            break
        position -= size
    copy = tmp_path_factory.mktemp("flip") / "export"
    shutil.copytree(exported, copy)
    target = copy / path.relative_to(exported)
    raw = bytearray(target.read_bytes())
    raw[position] ^= flip
    target.write_bytes(bytes(raw))
    report = verify_export(copy, KEYS)
    assert not report.ok
    if path.name == ENTRIES_FILE:
        entry = raw[:position].count(b"\n")  # the line the flipped byte was on
        assert report.first_bad_entry == entry, report.problems
        assert report.problems[0].startswith(f"entry {entry}:") or \
            f"entries {entry}" in report.problems[0] or str(entry) in report.problems[0]
