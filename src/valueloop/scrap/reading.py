"""Reading a composition (a passport's) or a measurement (XRF, LIBS) from a JSON file.

Composition file: ``{"composition": {"Cu": 0.9995, "Sn": 0.0001}, "unit": "fraction"}``, or a
passport-like document with such a ``composition`` member (and optionally ``id``), or a copper
passport (``valueloop.passport.copper``: ``copper_min_percent`` and impurities in ppm; its
copper minimum is read as the copper content).

Measurement file::

    {"method": "XRF", "unit": "%", "coverage_factor": 2, "form": "wire", "subject": "lot-7",
     "elements": {"Cu": {"value": 96.2, "uncertainty": 0.6}, "Sn": {"value": 0.3,
                  "uncertainty": 0.1}}}

``unit`` is ``fraction`` (default) or ``%``. ``uncertainty`` is an expanded uncertainty with the
given ``coverage_factor`` (default 1, i.e. a standard uncertainty); it is divided by the factor.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from valueloop.core.errors import MalformedFileError
from valueloop.scrap.definitions import Measurement

UNITS = {"fraction": 1.0, "%": 0.01, "percent": 0.01}


def load_json(path: str | Path) -> Any:
    """Parse a JSON file; a file that cannot be read or parsed is a one-line user error."""
    file = Path(path)
    try:
        return json.loads(file.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise MalformedFileError(f"cannot be read ({exc.__class__.__name__})", file=file) from None
    except json.JSONDecodeError as exc:
        raise MalformedFileError(f"is not valid JSON ({exc.msg})", file=file,
                                 line=exc.lineno) from None


def _scale(raw: Mapping[str, Any], file: Path) -> float:
    unit = raw.get("unit", "fraction")
    if unit not in UNITS:
        raise MalformedFileError(f"unit {unit!r} is not known", file=file, item="unit",
                                 allowed=", ".join(UNITS))
    return UNITS[unit]


def _number(value: Any, file: Path, item: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise MalformedFileError(f"{value!r} is not a finite number", file=file, item=item)
    return float(value)


def _validate(data: dict[str, Any], file: Path) -> Measurement:
    try:
        return Measurement.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "document"
        raise MalformedFileError(str(error["msg"]).removeprefix("Value error, "), file=file,
                                 item=where) from None


def read_composition(path: str | Path) -> Measurement:
    """A passport's composition as an exact reading (zero uncertainty)."""
    file = Path(path)
    raw = load_json(file)
    if not isinstance(raw, dict) or not isinstance(raw.get("composition"), dict):
        raise MalformedFileError("has no 'composition' object of element mass fractions",
                                 file=file, item="composition",
                                 allowed='{"composition": {"Cu": 0.9995, ...}}')
    composition = raw["composition"]
    if "copper_min_percent" in composition:
        # A copper passport (valueloop.passport.copper): Cu in percent, impurities in ppm.
        elements = _passport_elements(composition, file)
    else:
        scale = _scale(raw, file)
        elements = {element: {"value": _number(value, file, f"composition.{element}") * scale}
                    for element, value in composition.items()}
    subject = raw.get("identifier", raw.get("id", raw.get("subject")))
    return _validate({"method": "passport", "elements": elements, "form": raw.get("form"),
                      "subject": None if subject is None else str(subject)}, file)


def _passport_elements(composition: Mapping[str, Any],
                       file: Path) -> dict[str, dict[str, float]]:
    elements = {"Cu": {"value": _number(composition["copper_min_percent"], file,
                                        "composition.copper_min_percent") / 100.0}}
    for index, impurity in enumerate(composition.get("impurities", ())):
        item = f"composition.impurities[{index}]"
        if not isinstance(impurity, dict) or "element" not in impurity:
            raise MalformedFileError("needs 'element' and 'mass_fraction_ppm'", file=file,
                                     item=item)
        elements[str(impurity["element"])] = {"value": _number(
            impurity.get("mass_fraction_ppm"), file, f"{item}.mass_fraction_ppm") / 1e6}
    return elements


def read_measurement(path: str | Path) -> Measurement:
    """An XRF/LIBS measurement with uncertainties, converted to standard uncertainties."""
    file = Path(path)
    raw = load_json(file)
    if not isinstance(raw, dict) or not isinstance(raw.get("elements"), dict):
        raise MalformedFileError("has no 'elements' object", file=file, item="elements",
                                 allowed='{"elements": {"Cu": {"value": 0.96, '
                                         '"uncertainty": 0.004}}}')
    scale = _scale(raw, file)
    factor = _number(raw.get("coverage_factor", 1), file, "coverage_factor")
    if factor <= 0:
        raise MalformedFileError(f"coverage factor {factor} is not positive", file=file,
                                 item="coverage_factor", allowed="k > 0, usually 1 or 2")
    elements: dict[str, dict[str, float]] = {}
    for element, reading in raw["elements"].items():
        item = f"elements.{element}"
        if not isinstance(reading, dict) or "value" not in reading:
            raise MalformedFileError("needs 'value' and 'uncertainty'", file=file, item=item)
        elements[element] = {
            "value": _number(reading["value"], file, f"{item}.value") * scale,
            "uncertainty": _number(reading.get("uncertainty", 0.0), file,
                                   f"{item}.uncertainty") * scale / factor}
    extra = set(raw) - {"method", "unit", "coverage_factor", "elements", "form", "subject"}
    if extra:
        raise MalformedFileError(f"unknown key(s) {', '.join(sorted(extra))}", file=file,
                                 allowed="method, unit, coverage_factor, elements, form, subject")
    return _validate({"method": raw.get("method", "XRF"), "elements": elements,
                      "form": raw.get("form"), "subject": raw.get("subject")}, file)
