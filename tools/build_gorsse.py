"""Ship the Gorsse et al. 2023 copper-alloy dataset inside ``valueloop.data.materials``.

The shipped CSV is a byte-for-byte copy of ``shared/data/cu-alloys-gorsse2023/
cu_alloys_gorsse2023.csv`` (itself the figshare file re-encoded from Windows-1252/semicolons to
UTF-8/commas, no value changed). The script checks the header and the row count before copying and
writes the README with the licence (CC BY 4.0) and the attribution next to it, so a reviewer can
rerun it and diff.

Usage::

    python tools/build_gorsse.py                 # write into src/valueloop/data/materials
    python tools/build_gorsse.py --check         # exit 1 if a shipped file differs
    python tools/build_gorsse.py --source DIR --out DIR
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from shipping import ship_main

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "cu-alloys-gorsse2023"
DEFAULT_OUT = ROOT / "src" / "valueloop" / "data" / "materials"
FILE_NAME = "cu_alloys_gorsse2023.csv"
# Gorsse et al. 2023, Sci. Data 10:504: 1831 records of 41 columns (shared folder README).
EXPECTED_ROWS = 1831
EXPECTED_COLUMNS = 41
FIRST_COLUMNS = ("Alloy formula", "Alloy class", "Cu")
LAST_COLUMNS = ("Electrical conductivity (%IACS)", "DOI")

README = """\
# Copper-alloy experimental records (Gorsse et al. 2023)

`cu_alloys_gorsse2023.csv`: 1831 literature records of copper-based alloys: composition (wt%),
processing and measured properties. valueloop trains its property models
(`valueloop.materials.property_models`) on it.

- Dataset: S. Gorsse, M. Gouné, W.-C. Lin, L. Girard, "Dataset of mechanical properties and
  electrical conductivity of copper-based alloys", Scientific Data 10, 504 (2023),
  doi:10.1038/s41597-023-02411-9; data deposited on figshare, doi:10.6084/m9.figshare.c.6475600.
- Licence: Creative Commons Attribution 4.0 International (CC BY 4.0),
  https://creativecommons.org/licenses/by/4.0/ (the Scientific Data / figshare default). Any
  derived data or documentation must attribute the authors as above.
- Copy taken from the public GitHub repository `rahulsingh-17/Alloy-Optimizer-Demo`, file
  `Cu_alloys_database.csv` (commit bf63f375c636e0885c3d69b595e2b180f7175998), which redistributes
  the figshare file unchanged. Changes made: re-encoded from Windows-1252 with semicolons to UTF-8
  with commas; no value was changed. Produced by `tools/build_gorsse.py`.

Columns (41): `Alloy formula`, `Alloy class`, composition in wt% for Cu Al Ag B Be Ca Co Ce Cr Fe
Hf La Mg Mn Mo Nb Nd Ni P Pb Pr Si Sn Ti V Zn Zr, `Tss (K)` solution-treatment temperature,
`tss (h)`, `CR reduction (%)` cold-rolling reduction, `Aging` (Y/N), `Tag (K)`, `tag (h)`,
`Secondary thermo-mechanical process` (Y/N), `Hardness (HV)`, `Yield strength (MPa)`,
`Ultimate tensile strength (MPa)`, `Electrical conductivity (%IACS)`, `DOI` of the source paper.

Quirks: the same alloy appears at many neighbouring ageing times, so a random train/test split
leaks; evaluate models with splits grouped by `Alloy formula` or by `DOI`. Some formulas use an
en dash. Missing values are empty cells.
"""


def checked_copy(source: Path) -> bytes:
    """The source CSV's bytes, after checking its header and row count."""
    data = source.read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    header, body = rows[0], rows[1:]
    if len(header) != EXPECTED_COLUMNS or tuple(header[:3]) != FIRST_COLUMNS \
            or tuple(header[-2:]) != LAST_COLUMNS:
        raise SystemExit(f"{source}: unexpected header {header}")
    if len(body) != EXPECTED_ROWS or any(len(r) != EXPECTED_COLUMNS for r in body):
        raise SystemExit(f"{source}: expected {EXPECTED_ROWS} rows of {EXPECTED_COLUMNS} cells")
    return data


def outputs(source: Path) -> dict[str, bytes]:
    """File name -> content of every file this script ships."""
    return {FILE_NAME: checked_copy(source / FILE_NAME), "README.md": README.encode()}


def main(argv: list[str] | None = None) -> int:
    """Write (or, with ``--check``, compare) the shipped CSV and README; return the exit code."""
    return ship_main(__doc__.splitlines()[0], outputs, DEFAULT_SOURCE, DEFAULT_OUT, argv)


if __name__ == "__main__":
    sys.exit(main())
