"""The shared ``main`` of the build scripts: write the files they ship, or check them.

Each build script computes ``{file name: bytes}`` from ``shared/data``; this module compares
them with the shipped copies (``--check``, exit 1 on any difference) or writes them, each to a
temporary name renamed into place so a reader never sees half a file.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path


def differences(files: Mapping[str, bytes], out: Path) -> list[str]:
    """Names of the files whose shipped copy is missing or differs."""
    return [name for name, data in files.items()
            if not (out / name).is_file() or (out / name).read_bytes() != data]


def ship_main(description: str, build: Callable[[Path], Mapping[str, bytes]],
              default_source: Path, default_out: Path,
              argv: Sequence[str] | None = None) -> int:
    """Parse ``--source``, ``--out``, ``--check``; check or write ``build(source)``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--source", type=Path, default=default_source,
                        help="the shared data folder (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=default_out,
                        help="the folder to write (default: %(default)s)")
    parser.add_argument("--check", action="store_true",
                        help="compare with the shipped files instead of writing")
    args = parser.parse_args(argv)
    files = build(args.source)
    if args.check:
        changed = differences(files, args.out)
        for name in changed:
            print(f"differs: {args.out / name}", file=sys.stderr)
        return 1 if changed else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        temporary = args.out / f".{name}.tmp"
        temporary.write_bytes(data)
        temporary.replace(args.out / name)
        print(f"wrote {args.out / name}")
    return 0
