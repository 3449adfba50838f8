"""Read the shipped copper datasets into :class:`~valueloop.materials.model.Material` objects.

* :func:`read_grades`: the cu-grades reference CSV (one row per grade, temper and property, each
  with its own source), shipped as ``valueloop/data/materials/cu_grades_reference.csv``.
* :func:`read_gorsse`: the Gorsse et al. 2023 experimental records (Sci. Data 10:504,
  doi:10.1038/s41597-023-02411-9, CC BY 4.0), one record per CSV row with its processing and
  measured properties, the source paper's DOI as each property's source.
"""

from __future__ import annotations

import csv
import math
import re
from collections import defaultdict
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from valueloop.core.errors import MalformedFileError
from valueloop.materials.model import (
    CompositionEntry,
    Designation,
    Material,
    MaterialRecord,
    ProcessingStep,
    PropertyValue,
)

GRADES_FILE = "cu_grades_reference.csv"
GORSSE_FILE = "cu_alloys_gorsse2023.csv"
GORSSE_CITATION = ("S. Gorsse, M. Gouné, W.-C. Lin, L. Girard, Dataset of mechanical properties "
                   "and electrical conductivity of copper-based alloys, Scientific Data 10, 504 "
                   "(2023), doi:10.1038/s41597-023-02411-9")
GRADE_COLUMNS = ("uns", "en_designation", "family", "temper", "property", "value", "value_min",
                 "value_max", "unit", "basis", "notes", "source", "source_url", "source_type")
GENERAL_TEMPERS = frozenset({"any", "all tempers", "all conditions", "typical"})
"""Tempers of the grade table that state a property for every condition of the grade."""
GORSSE_ELEMENTS = ("Cu", "Al", "Ag", "B", "Be", "Ca", "Co", "Ce", "Cr", "Fe", "Hf", "La", "Mg",
                   "Mn", "Mo", "Nb", "Nd", "Ni", "P", "Pb", "Pr", "Si", "Sn", "Ti", "V", "Zn",
                   "Zr")
GORSSE_PROPERTIES = (  # column, property name, unit, test method as the column names it
    ("Hardness (HV)", "hardness", "HV", "Vickers hardness"),
    ("Yield strength (MPa)", "yield_strength", "MPa", None),
    ("Ultimate tensile strength (MPa)", "tensile_strength", "MPa", None),
    ("Electrical conductivity (%IACS)", "electrical_conductivity", "%IACS", None),
)
_APPROX = " (approx.)"


def shipped_path(name: str) -> Path | None:
    """Path of a file shipped in ``valueloop/data/materials``, or ``None`` when absent."""
    entry = resources.files("valueloop.data") / "materials" / name
    return Path(str(entry)) if entry.is_file() else None


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as stream:
            reader = csv.DictReader(stream)
            missing = [c for c in required if c not in (reader.fieldnames or ())]
            if missing:
                raise MalformedFileError(f"missing columns {', '.join(missing)}", file=path,
                                         allowed=", ".join(required))
            yield from enumerate(reader, start=2)
    except (OSError, UnicodeDecodeError) as exc:
        raise MalformedFileError(f"cannot read the file ({exc})", file=path) from None


def _number(text: str | None, path: Path, line: int, column: str) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise MalformedFileError(f"{text!r} is not a number", file=path, line=line,
                                 item=column, allowed="a number or an empty cell") from None
    if not math.isfinite(value):
        raise MalformedFileError(f"{text!r} is not finite", file=path, line=line, item=column)
    return value


def _text(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


ELONGATION = "elongation"
_ELONGATION_NOTE = re.compile(r"\bEl\s+(\d+(?:\.\d+)?)\s*%")


def read_grades(path: Path | None = None) -> list[Material]:
    """Grades of the cu-grades reference CSV: one material per UNS code, one record per temper.

    Parameters
    ----------
    path
        The CSV; the shipped copy when ``None``.
    """
    path = path or shipped_path(GRADES_FILE)
    if path is None:
        raise MalformedFileError("the shipped grade table is missing", file=GRADES_FILE)
    heads: dict[str, dict[str, str]] = {}
    tempers: dict[str, dict[str, list[PropertyValue]]] = defaultdict(dict)
    for line, row in _rows(path, GRADE_COLUMNS):
        uns = row["uns"].strip()
        heads.setdefault(uns, row)
        try:
            prop = PropertyValue(
                name=row["property"].strip(), unit=row["unit"].strip(),
                value=_number(row["value"], path, line, "value"),
                value_min=_number(row["value_min"], path, line, "value_min"),
                value_max=_number(row["value_max"], path, line, "value_max"),
                basis=_text(row["basis"]), source=row["source"].strip(),
                source_url=_text(row["source_url"]), source_type=_text(row["source_type"]),
                notes=_text(row["notes"]), origin="measured")
        except ValidationError as exc:
            raise MalformedFileError(_first_error(exc), file=path, line=line) from None
        tempers[uns].setdefault(row["temper"].strip(), []).append(prop)
    for by_temper in tempers.values():
        for temper, props in by_temper.items():
            by_temper[temper] = props + _elongation_from_notes(props)
    return [_grade(uns, heads[uns], tempers[uns]) for uns in heads]


def _elongation_from_notes(props: list[PropertyValue]) -> list[PropertyValue]:
    """Elongations the sources state only in a row's note ("El 48 %"), as properties.

    Several rows of the grade table quote a sheet's whole line of figures in ``notes``; the
    elongation in it is a figure of the same source and temper, so it is kept (marked as read
    from the note) unless the temper already has an elongation row.
    """
    if any(p.name == ELONGATION for p in props):
        return []
    for prop in props:
        match = _ELONGATION_NOTE.search(prop.notes or "")
        if match:
            return [PropertyValue(
                name=ELONGATION, unit="%", value=float(match.group(1)), basis=prop.basis,
                source=prop.source, source_url=prop.source_url, source_type=prop.source_type,
                notes=f"read from the note of the {prop.name} row: {prop.notes}",
                origin="measured")]
    return []


def _grade(uns: str, head: dict[str, str], tempers: dict[str, list[PropertyValue]]) -> Material:
    designations = [Designation(system="UNS", code=uns)]
    en = _text(head["en_designation"])
    if en:
        approximate = en.endswith(_APPROX)
        designations.append(Designation(system="EN", code=en.removesuffix(_APPROX),
                                        note="approximate equivalent" if approximate else None))
    records = tuple(MaterialRecord(label=temper, kind="reference",
                                   general=temper.lower() in GENERAL_TEMPERS,
                                   properties=tuple(props))
                    for temper, props in tempers.items())
    return Material(key=f"grade:{uns}", name=uns, kind="grade", family=_text(head["family"]),
                    designations=tuple(designations), records=records)


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    return f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"


GORSSE_COLUMNS = ("Alloy formula", "Alloy class", *GORSSE_ELEMENTS, "Tss (K)", "tss (h)",
                  "CR reduction (%)", "Aging", "Tag (K)", "tag (h)",
                  "Secondary thermo-mechanical process", *(c for c, *_ in GORSSE_PROPERTIES),
                  "DOI")


def read_gorsse(path: Path) -> list[Material]:
    """Experimental alloys of the Gorsse 2023 CSV, one record per row.

    One material per distinct (formula, composition): the same formula is sometimes reported
    with different measured compositions, and those are kept apart. Processing steps are put
    in the order of the dataset's columns (solution treatment, cold rolling, ageing, secondary
    thermo-mechanical process): the dataset does not state the order, and this is the usual
    route for precipitation-hardened copper alloys (our assumption).
    """
    groups: dict[tuple[str, tuple[float, ...]], list[MaterialRecord]] = defaultdict(list)
    classes: dict[tuple[str, tuple[float, ...]], str] = {}
    for line, row in _rows(path, GORSSE_COLUMNS):
        formula = row["Alloy formula"].strip()
        wt = tuple(_number(row[e], path, line, e) or 0.0 for e in GORSSE_ELEMENTS)
        groups[formula, wt].append(_gorsse_record(row, path, line))
        classes[formula, wt] = row["Alloy class"].strip()
    variants: dict[str, int] = defaultdict(int)
    materials = []
    for (formula, wt), records in groups.items():
        variants[formula] += 1
        suffix = "" if variants[formula] == 1 else f" #{variants[formula]}"
        materials.append(Material(
            key=f"gorsse:{formula}{suffix}", name=formula + suffix, kind="alloy",
            family=classes[formula, wt], notes=f"experimental records from {GORSSE_CITATION}",
            designations=(Designation(system="formula", code=formula),),
            composition=tuple(CompositionEntry(element=e, nominal=v)
                              for e, v in zip(GORSSE_ELEMENTS, wt, strict=True) if v > 0),
            records=tuple(MaterialRecord(label=f"{r.label} #{i + 1}", kind=r.kind,
                                         source=r.source, processing=r.processing,
                                         properties=r.properties)
                          for i, r in enumerate(records))))
    return materials


def _gorsse_record(row: dict[str, str], path: Path, line: int) -> MaterialRecord:
    def num(column: str) -> float | None:
        return _number(row[column], path, line, column)

    steps = []
    if num("Tss (K)") is not None:
        steps.append(ProcessingStep(kind="solution_treatment", temperature_k=num("Tss (K)"),
                                    time_h=num("tss (h)")))
    if (num("CR reduction (%)") or 0.0) > 0:
        steps.append(ProcessingStep(kind="cold_work", reduction_pct=num("CR reduction (%)"),
                                    note="cold rolling"))
    if row["Aging"].strip() == "Y":
        steps.append(ProcessingStep(kind="ageing", temperature_k=num("Tag (K)"),
                                    time_h=num("tag (h)")))
    if (row["Secondary thermo-mechanical process"] or "").strip() == "Y":
        steps.append(ProcessingStep(kind="secondary_thermomechanical",
                                    note="reported as a flag only, without details"))
    doi = row["DOI"].strip()
    props = tuple(PropertyValue(name=name, unit=unit, value=value, test_method=method,
                                source=doi, source_url=doi if doi.startswith("http") else None,
                                source_type="journal article (via Gorsse et al. 2023)",
                                origin="measured")
                  for column, name, unit, method in GORSSE_PROPERTIES
                  if (value := num(column)) is not None)
    return MaterialRecord(label=_route_label(steps), kind="experimental", source=GORSSE_CITATION,
                          processing=tuple(steps), properties=props)


def _route_label(steps: list[ProcessingStep]) -> str:
    short = {"solution_treatment": "ST", "cold_work": "CR", "ageing": "aged",
             "secondary_thermomechanical": "TMT"}
    parts = []
    for step in steps:
        text = short.get(step.kind, step.kind)
        if step.temperature_k is not None:
            text += f" {step.temperature_k:g} K"
        if step.time_h is not None:
            text += f" {step.time_h:g} h"
        if step.reduction_pct is not None:
            text += f" {step.reduction_pct:g} %"
        parts.append(text)
    return ", ".join(parts) or "as reported"


def gorsse_path(path: Path | None) -> Path:
    """The Gorsse CSV to read: ``path`` when given, else the shipped copy."""
    if path is not None:
        return path
    shipped = shipped_path(GORSSE_FILE)
    if shipped is None:
        raise MalformedFileError("the Gorsse 2023 dataset is not shipped with this copy",
                                 item="--gorsse", allowed="the path of cu_alloys_gorsse2023.csv")
    return shipped
