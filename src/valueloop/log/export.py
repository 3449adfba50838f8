"""Export a log to a folder that a third party can verify with the public keys alone.

Layout (format ``valueloop-log-export/1``):

* ``log.json``: canonical JSON ``{"entries": N, "format": ..., "origin": ...}`` and a newline;
* ``entries.jsonl``: the leaf data of entry i on line i (canonical JSON never holds a raw
  newline, RFC 8785 §3.2.2.2 escapes it);
* ``checkpoints/NNNNNN.txt``: every signed or cosigned checkpoint, oldest first;
* ``keys.txt``: the verifier keys the log has seen, one a line (a convenience: a verifier
  decides itself which keys it trusts).

The folder is written under a temporary name and renamed into place, so an export is complete
or absent.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from valueloop.core.errors import OptionError
from valueloop.log.canonical import canonical_json
from valueloop.log.store import EventLog

FORMAT = "valueloop-log-export/1"
LOG_FILE = "log.json"
ENTRIES_FILE = "entries.jsonl"
KEYS_FILE = "keys.txt"
CHECKPOINTS_DIR = "checkpoints"


@dataclass(frozen=True)
class ExportSummary:
    folder: Path
    entries: int
    checkpoints: int
    keys: int


def log_header(origin: str, entries: int) -> bytes:
    """The exact bytes of ``log.json`` for a log of ``entries`` entries."""
    return canonical_json({"entries": entries, "format": FORMAT, "origin": origin}) + b"\n"


def export_log(log: EventLog, folder: str | Path) -> ExportSummary:
    """Write ``log`` (entries, checkpoints, keys) to a new folder.

    Raises
    ------
    OptionError
        If ``folder`` exists already or its parent does not.
    """
    target = Path(folder)
    if target.exists():
        raise OptionError("exists already; an export goes to a new folder", file=target,
                          item="--out")
    if not target.parent.is_dir():
        raise OptionError(f"folder {target.parent} does not exist", file=target, item="--out")
    size = log.size  # the export is the tree at this size, whatever is appended meanwhile
    checkpoints = [(s, note) for s, note in log.checkpoints() if s <= size]
    keys = log.public_keys()
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        (staging / LOG_FILE).write_bytes(log_header(log.origin, size))
        with (staging / ENTRIES_FILE).open("wb") as stream:
            for entry in log.entries(0, size):
                stream.write(entry.data + b"\n")
            stream.flush()
            os.fsync(stream.fileno())
        (staging / CHECKPOINTS_DIR).mkdir()
        for number, (_, note) in enumerate(checkpoints, start=1):
            (staging / CHECKPOINTS_DIR / f"{number:06d}.txt").write_text(note, encoding="utf-8")
        (staging / KEYS_FILE).write_text("".join(k.text + "\n" for k in keys), encoding="utf-8")
        staging.chmod(0o777 & ~_umask())
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExportSummary(target, size, len(checkpoints), len(keys))


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current
