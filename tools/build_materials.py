"""Copy the copper grade reference table into ``valueloop/data/materials``.

The shipped ``cu_grades_reference.csv`` is a byte-for-byte copy of
``shared/data/cu-grades/cu-grades-reference.csv`` (every row names its own public source), and
``cu_grades_reference.README.md`` carries its description and attribution. The Gorsse 2023
dataset in the same folder is produced by its own script and is not touched here.

Usage::

    python tools/build_materials.py            # write into src/valueloop/data/materials
    python tools/build_materials.py --check    # exit 1 if the shipped copy differs
    python tools/build_materials.py --source DIR --out DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

from shipping import ship_main

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "src" / "valueloop" / "data" / "materials"
SOURCE_FILE = Path("cu-grades") / "cu-grades-reference.csv"
SOURCE_README = Path("cu-grades") / "README.md"
TARGET_FILE = "cu_grades_reference.csv"
TARGET_README = "cu_grades_reference.README.md"
PREAMBLE = """<!-- produced by tools/build_materials.py from shared/data/cu-grades; do not edit -->

Shipped as `cu_grades_reference.csv` (a byte-for-byte copy of `cu-grades-reference.csv`).
Attribution: compiled for valueloop from the public data sheets named in each row's `source`
and `source_url` columns (Copper Development Association, producers' sheets, handbook excerpts,
MakeItFrom); the values are facts from those sources and belong to no one, the sources are
credited row by row. Read by `valueloop.materials.importers.read_grades`.

"""


def outputs(source: Path) -> dict[str, bytes]:
    """File name -> content of every file this script ships."""
    readme = (source / SOURCE_README).read_text(encoding="utf-8")
    return {TARGET_FILE: (source / SOURCE_FILE).read_bytes(),
            TARGET_README: (PREAMBLE + readme).encode("utf-8")}


def main(argv: list[str] | None = None) -> int:
    """Write (or, with ``--check``, compare) the shipped table and README; the exit code."""
    return ship_main(__doc__.splitlines()[0], outputs, DEFAULT_SOURCE, DEFAULT_OUT, argv)


if __name__ == "__main__":
    sys.exit(main())
