"""Regenerate the derived reference tables of ``valueloop.data.tables`` from ``shared/data``.

The derived CSVs (``ev_sales.csv``, ``battery_chemistry_shares.csv``,
``battery_mineral_intensity.csv``) and the upstream licence files are committed; this script
documents and reproduces how they were made, so a reviewer can rerun it and diff. The curated
tables (``cobalt_mine_production.csv``, ``drc_export_measures.csv``, ``eu_battery_regulation.csv``,
``grid_emission_factors.csv``) are transcribed by hand from the sources each row names and are not
touched here.

Usage::

    python tools/build_tables.py                  # write into src/valueloop/data/tables
    python tools/build_tables.py --check          # exit 1 if a shipped file differs
    python tools/build_tables.py --source DIR --out DIR

Values copied from upstream keep their exact upstream text (no float round trip), so a shipped
number can be found verbatim in the upstream file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from shipping import ship_main

from valueloop.core.units import ATOMIC_MASS

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "src" / "valueloop" / "data" / "tables"

CITATION_COLUMNS = ("document", "section", "year_published", "note", "assumption")

# --- ev_sales.csv ---------------------------------------------------------------------------

IEA_FILE = "iea-global-ev-2024/iea_global_ev_data_2024.csv"
IEA_REGIONS = ("China", "Europe", "USA", "World")
IEA_MODES = ("Cars", "Vans", "Buses", "Trucks")
IEA_POWERTRAINS = ("BEV", "PHEV")
IEA_CATEGORIES = ("Historical", "Projection-STEPS", "Projection-APS")
IEA_FIRST_HISTORICAL_YEAR = 2015
EV_COLUMNS = ("region", "category", "mode", "powertrain", "year", "value", "unit",
              *CITATION_COLUMNS)


def ev_sales_rows(source: Path) -> list[dict[str, str]]:
    """EV sales (vehicles) for the four regions, BEV and PHEV, every mode and category."""
    with (source / IEA_FILE).open(encoding="utf-8", newline="") as stream:
        records = [r for r in csv.DictReader(stream) if _is_wanted_ev_row(r)]
    records.sort(key=lambda r: (IEA_REGIONS.index(r["region"]),
                                IEA_CATEGORIES.index(r["category"]),
                                IEA_MODES.index(r["mode"]),
                                IEA_POWERTRAINS.index(r["powertrain"]), int(r["year"])))
    return [{
        "region": r["region"], "category": r["category"], "mode": r["mode"],
        "powertrain": r["powertrain"], "year": r["year"], "value": r["value"],
        "unit": "vehicle", "document": "iea-gevo-2024-ev-data",
        "section": "Global EV Data Explorer export, parameter 'EV sales'",
        "year_published": "2024", "note": "", "assumption": "",
    } for r in records]


def _is_wanted_ev_row(row: Mapping[str, str]) -> bool:
    if row["parameter"] != "EV sales" or row["region"] not in IEA_REGIONS:
        return False
    if row["mode"] not in IEA_MODES or row["powertrain"] not in IEA_POWERTRAINS:
        return False
    if row["unit"] != "Vehicles":
        raise ValueError(f"unexpected IEA unit {row['unit']!r} for EV sales")
    # The explorer's history reaches back to 2010; the outlook starts its stock model in 2015.
    return row["category"] != "Historical" or int(row["year"]) >= IEA_FIRST_HISTORICAL_YEAR


# --- battery_chemistry_shares.csv -----------------------------------------------------------

SHARE_COLUMNS = ("use", "scenario", "chemistry", "year", "share", "unit", *CITATION_COLUMNS)
SHARE_SOURCES = (
    # (use, upstream file, document id, year the document was published)
    ("mobile", "battery-chemistry-scenarios/mobile_scenarios.csv", "degen-2023", "2023"),
    ("stationary", "battery-chemistry-scenarios/stationary_scenarios.csv",
     "schlichenmaier-naegler-2022", "2022"),
)
PREMISE_COMMIT = "d74d45b693c15164e3174e69238d329260ed3898"


def chemistry_share_rows(source: Path) -> list[dict[str, str]]:
    """Market shares of new battery capacity by chemistry, as premise tabulates them."""
    rows: list[dict[str, str]] = []
    for use, file, document, published in SHARE_SOURCES:
        upstream = f"premise/data/battery/{Path(file).name}"
        with (source / file).open(encoding="utf-8", newline="") as stream:
            for record in csv.DictReader(stream):
                rows.append({
                    "use": use, "scenario": record["scenario"],
                    "chemistry": record["chemistry"], "year": record["year"],
                    "share": record["value"], "unit": "dimensionless", "document": document,
                    "section": f"battery technology scenarios, as tabulated by premise "
                               f"({upstream} @ {PREMISE_COMMIT[:7]})",
                    "year_published": published, "note": "", "assumption": "",
                })
    return rows


# --- battery_mineral_intensity.csv ----------------------------------------------------------

BATPAC_FILE = "battery-mineral-intensity/BatPac.csv"
INTENSITY_COLUMNS = ("chemistry", "chemistry_id", "mineral", "kg_per_kwh", "unit",
                     *CITATION_COLUMNS)
BUSCH_SECTION = ("Data/Demand Model/Mineral_Intensity.xlsx, sheet BatPac "
                 "(pmbusch/Critical-Minerals-EV @ 2aafd29)")
BATPAC_NOTE = "BatPaC 5.1 default cell design (anl-batpac-5.1), LiPF6 electrolyte, graphite anode"
SOLID_STATE_MEASURED = ("SS NMC 111", "SS NMC 622")


def mineral_intensity_rows(source: Path) -> list[dict[str, str]]:
    """BatPaC intensities (minus the ``Battery_MWh`` helper row) plus our LCO and LMFP rows."""
    with (source / BATPAC_FILE).open(encoding="utf-8", newline="") as stream:
        records = [r for r in csv.DictReader(stream) if r["Mineral"] != "Battery_MWh"]
    rows = [{
        "chemistry": r["chemistry"], "chemistry_id": chemistry_id(r["chemistry"]),
        "mineral": r["Mineral"], "kg_per_kwh": r["kg_per_kwh"], "unit": "kg/kWh",
        "document": "busch-critical-minerals-ev", "section": BUSCH_SECTION,
        "year_published": "2025", "note": _batpac_note(r["chemistry"]), "assumption": "",
    } for r in records]
    return [*rows, *lco_rows(), *lmfp_rows()]


def chemistry_id(label: str) -> str:
    """BatPaC's label without spaces (``NMC 811`` -> ``NMC811``), as premise spells most names."""
    if label.startswith("SS "):
        return "SS-" + label.removeprefix("SS ").replace(" ", "")
    return label.replace(" ", "")


def _batpac_note(label: str) -> str:
    if label == "SIB":
        return ("sodium-ion, P2-type NaCu1/3Fe1/3Mn1/3O2 cathode; composition from Zhao et al. "
                "2023 (Nat. Rev. Mater. 8, 623-634) at the energy density of BatPaC's LFP")
    if label in SOLID_STATE_MEASURED:
        return "solid state: SolidPAC (LPS electrolyte, Li-metal anode) for Li and P, rest BatPaC"
    if label.startswith("SS "):
        return ("solid state: SolidPAC has only NMC111 and NMC622, so Busch assumes this variant "
                "(Li and P as the SolidPAC cells, rest BatPaC)")
    return BATPAC_NOTE


def _molar_mass(counts: Mapping[str, float]) -> float:
    return sum(ATOMIC_MASS[element] * n for element, n in counts.items())


def _stoichiometric_rows(name: str, formula: str, counts: Mapping[str, float],
                         capacity_mah_g: float, voltage_v: float,
                         minerals: Sequence[tuple[str, str]], reason: str) -> list[dict[str, str]]:
    """kg of each element per kWh from the cathode active material's formula alone.

    Cathode mass per kWh = 1e6 / (capacity [mAh/g] x voltage [V]) g; times the element's mass
    fraction. Electrolyte lithium and design excess are not counted (see README).
    """
    molar_mass = _molar_mass(counts)
    specific_energy = capacity_mah_g * voltage_v  # Wh per kg of cathode active material
    cathode_kg_per_kwh = 1000.0 / specific_energy
    rows = []
    for mineral, element in minerals:
        fraction = ATOMIC_MASS[element] * counts.get(element, 0.0) / molar_mass
        value = cathode_kg_per_kwh * fraction
        arithmetic = (
            f"{formula}: M = {molar_mass:.3f} g/mol, {element} mass fraction "
            f"{fraction:.4f}; {capacity_mah_g:g} mAh/g x {voltage_v:g} V = "
            f"{specific_energy:g} Wh/kg of cathode active material -> "
            f"{cathode_kg_per_kwh:.4f} kg/kWh x {fraction:.4f} = {value:.4g} kg {element}/kWh"
        ) if fraction else f"{formula} contains no {element}"
        rows.append({
            "chemistry": name, "chemistry_id": name, "mineral": mineral,
            "kg_per_kwh": _number(value), "unit": "kg/kWh", "document": "", "section": "",
            "year_published": "", "note": arithmetic, "assumption": reason,
        })
    return rows


def _number(value: float) -> str:
    return "0" if value == 0 else f"{value:.4g}"


MINERALS = (("Cobalt", "Co"), ("Nickel", "Ni"), ("Lithium", "Li"), ("Manganese", "Mn"))


def lco_rows() -> list[dict[str, str]]:
    """LiCoO2 (consumer electronics), which BatPaC does not model."""
    return _stoichiometric_rows(
        "LCO", "LiCoO2", {"Li": 1, "Co": 1, "O": 2}, capacity_mah_g=155.0, voltage_v=3.8,
        minerals=MINERALS,
        reason=("BatPaC has no LCO cell; stoichiometric estimate for consumer-electronics "
                "LiCoO2/graphite cells charged to about 4.35 V (155 mAh/g usable, 3.8 V average "
                "cell voltage); a 140-175 mAh/g, 3.7-3.85 V range gives 0.89-1.16 kg Co/kWh. "
                "The same method gives 0.339 kg Co/kWh for NMC111 at 160 mAh/g and 3.75 V "
                "against BatPaC's 0.341"))


def lmfp_rows() -> list[dict[str, str]]:
    """LiMn0.6Fe0.4PO4, which BatPaC does not model; cobalt and nickel are zero by formula."""
    return _stoichiometric_rows(
        "LMFP", "LiMn0.6Fe0.4PO4", {"Li": 1, "Mn": 0.6, "Fe": 0.4, "P": 1, "O": 4},
        capacity_mah_g=150.0, voltage_v=3.7, minerals=MINERALS,
        reason=("BatPaC has no LMFP cell; the formula has no cobalt or nickel. Li and Mn are a "
                "stoichiometric estimate for Mn:Fe = 6:4 at 150 mAh/g and 3.7 V average cell "
                "voltage. By the same arithmetic BatPaC's LFP lithium (0.0915 kg/kWh) implies "
                "481 Wh per kg of LiFePO4, below the nominal 160 mAh/g x 3.3 V = 528 Wh/kg, so "
                "pack-level Li for LMFP may be up to about 10 % higher than this row"))


# --- rendering and the command ---------------------------------------------------------------

LICENCES = (
    ("battery-chemistry-scenarios/LICENSE-premise", "LICENSE-premise"),
    ("battery-mineral-intensity/LICENSE-Critical-Minerals-EV", "LICENSE-Critical-Minerals-EV"),
)


def render(columns: Sequence[str], rows: Iterable[Mapping[str, str]]) -> str:
    """CSV text with a header, LF line endings and minimal quoting."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n",
                            extrasaction="raise")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def build(source: Path) -> dict[str, bytes]:
    """Every derived file by its name in the tables folder."""
    files = {
        "ev_sales.csv": render(EV_COLUMNS, ev_sales_rows(source)).encode("utf-8"),
        "battery_chemistry_shares.csv":
            render(SHARE_COLUMNS, chemistry_share_rows(source)).encode("utf-8"),
        "battery_mineral_intensity.csv":
            render(INTENSITY_COLUMNS, mineral_intensity_rows(source)).encode("utf-8"),
    }
    for upstream, name in LICENCES:
        files[name] = (source / upstream).read_bytes()
    return files


def main(argv: Sequence[str] | None = None) -> int:
    """Write (or, with ``--check``, compare) the derived tables; return the exit code."""
    return ship_main(__doc__.splitlines()[0], build, DEFAULT_SOURCE, DEFAULT_OUT, argv)


if __name__ == "__main__":
    raise SystemExit(main())
