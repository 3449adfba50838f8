"""MatML 3.1 XML export of selected materials.

Each material becomes a ``Material/BulkDetails`` with its designations as ``Specification``,
its composition as ``ChemicalComposition``, its processing as ``ProcessingDetails`` and one
``PropertyData`` per property value; units live in the ``Metadata/PropertyDetails`` each
``PropertyData`` points to (one per property name and unit), and sources in
``Metadata/DataSourceDetails``. Curves are written as ``ParameterValue`` series.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from valueloop.core.tables import write_bytes
from valueloop.materials.model import Material, PropertyValue


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _units(parent: ET.Element, unit: str) -> None:
    _sub(_sub(_sub(parent, "Units", name=unit), "Unit"), "Name", unit)


class _Ids:
    """Metadata ids handed out while writing one document."""

    def __init__(self, metadata: ET.Element) -> None:
        self.metadata = metadata
        self.ids: dict[tuple[str, ...], str] = {}

    def get(self, kind: str, *key: str) -> str:
        if (kind, *key) not in self.ids:
            ident = f"{kind[:2]}{len(self.ids) + 1}"
            self.ids[kind, *key] = ident
            self._define(kind, ident, key)
        return self.ids[kind, *key]

    def _define(self, kind: str, ident: str, key: tuple[str, ...]) -> None:
        if kind == "property":
            details = _sub(self.metadata, "PropertyDetails", id=ident)
            _sub(details, "Name", key[0])
            _units(details, key[1])
        elif kind == "source":
            details = _sub(self.metadata, "DataSourceDetails", id=ident, type=key[1] or "other")
            _sub(details, "Name", key[0])
        else:
            details = _sub(self.metadata, "ParameterDetails", id=ident)
            _sub(details, "Name", key[0])
            if key[1]:
                _units(details, key[1])
            else:
                _sub(details, "Unitless")


def matml_document(materials: Sequence[Material]) -> bytes:
    """The MatML 3.1 document (UTF-8 bytes) of ``materials``."""
    root = ET.Element("MatML_Doc")
    bodies = [ET.SubElement(root, "Material") for _ in materials]
    ids = _Ids(ET.SubElement(root, "Metadata"))
    for material, body in zip(materials, bodies, strict=True):
        bulk = _sub(body, "BulkDetails")
        _sub(bulk, "Name", material.name)
        if material.family:
            _sub(_sub(bulk, "Class"), "Name", material.family)
        for designation in material.designations:
            _sub(bulk, "Specification", f"{designation.system} {designation.code}")
        if material.composition:
            composition = _sub(bulk, "ChemicalComposition")
            for entry in material.composition:
                element = _sub(composition, "Element")
                _sub(element, "Symbol", entry.element)
                concentration = _sub(element, "Concentration")
                value = entry.nominal if entry.nominal is not None else entry.max
                _sub(concentration, "Value", repr(value), format="float")
                _units(concentration, entry.unit)
                for qualifier, bound in (("minimum", entry.min), ("maximum", entry.max)):
                    if bound is not None:
                        _sub(concentration, "Qualifier", repr(bound), name=qualifier)
        for record in material.records:
            for step in record.processing:
                details = _sub(bulk, "ProcessingDetails")
                _sub(details, "Name", step.kind)
                _sub(details, "Notes", f"{record.label}; T={step.temperature_k} K, "
                                        f"t={step.time_h} h, reduction={step.reduction_pct} %")
            for prop in record.properties:
                _property(bulk, ids, prop, record.label)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _property(bulk: ET.Element, ids: _Ids, prop: PropertyValue, condition: str) -> None:
    data = _sub(bulk, "PropertyData", property=ids.get("property", prop.name, prop.unit),
                source=ids.get("source", prop.source, prop.source_type or ""))
    if prop.curve is not None:
        _sub(data, "Data", ",".join(repr(y) for y in prop.curve.y), format="float")
        parameter = _sub(data, "ParameterValue", format="float",
                         parameter=ids.get("parameter", prop.curve.axis, prop.curve.axis_unit))
        _sub(parameter, "Data", ",".join(repr(x) for x in prop.curve.x))
    else:
        value = prop.value if prop.value is not None else (
            prop.value_min if prop.value_min is not None else prop.value_max)
        _sub(data, "Data", repr(value), format="float")
    for name, item in (("minimum", prop.value_min), ("maximum", prop.value_max),
                       ("uncertainty", prop.uncertainty)):
        if item is not None:
            _sub(data, "Qualifier", repr(item), name=name)
    _sub(data, "Qualifier", prop.origin, name="origin")
    if prop.basis:
        _sub(data, "Qualifier", prop.basis, name="basis")
    condition_value = _sub(data, "ParameterValue", format="string",
                           parameter=ids.get("parameter", "condition", ""))
    _sub(condition_value, "Data", condition)


def write_matml(materials: Sequence[Material], path: Path) -> None:
    """Write the MatML document of ``materials`` to ``path`` atomically."""
    write_bytes(path, matml_document(materials))
