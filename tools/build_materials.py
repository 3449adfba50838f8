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

import argparse
import sys
from pathlib import Path

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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    files = outputs(args.source)
    if args.check:
        stale = [n for n, data in files.items()
                 if not (args.out / n).is_file() or (args.out / n).read_bytes() != data]
        for name in stale:
            print(f"differs: {args.out / name}", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        temporary = args.out / f".{name}.tmp"
        temporary.write_bytes(data)
        temporary.replace(args.out / name)  # atomic: a reader never sees half a file
    return 0


if __name__ == "__main__":
    sys.exit(main())
