"""Asset Administration Shell (AAS V3.1) export through basyx-python-sdk (optional extra ``aas``).

One shell per passport and one submodel per aspect: for a battery the Battery Pass v1.2 aspects
it has, plus Catena-X BatteryPass 6.1.0 when it has a ``catenaX`` section; for copper the
Catena-X DPP 7.0.0 and, with recycled content, SecondaryMaterialContentVerifiable 1.0.0; for
either, PCF 9.0.0 when it has a ``pcf`` section. Each aspect payload is first validated against
its JSON schema (:mod:`.export`), then mapped one to one: object -> SubmodelElementCollection,
array -> SubmodelElementList, scalar -> Property (xs:boolean, xs:long, xs:double, xs:string).
The submodel's semanticId is the aspect's SAMM URN from the shipped schema.

An idShort must match AASd-002 (a letter first, then letters, digits, ``_`` or ``-``); a JSON key
that does not (``50PercentLife``) is written ``k_<key>``, and :func:`aspects_from_aas` undoes
that (our convention). The result is read back with basyx's strict decoder before it is
returned, so a shell that basyx cannot read is never written.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from typing import TYPE_CHECKING, Any

from valueloop.passport.battery import BatteryPassport
from valueloop.passport.errors import ExportError
from valueloop.passport.export.batterypass import to_batterypass
from valueloop.passport.export.catenax_battery import to_catenax_battery
from valueloop.passport.export.common import PASSPORT_NAMESPACE, passport_uuid
from valueloop.passport.export.dpp import to_dpp
from valueloop.passport.export.pcf import to_pcf
from valueloop.passport.export.schemas import validator
from valueloop.passport.export.smcv import to_smcv
from valueloop.passport.identifiers import DEFAULT_RESOLVER, parse_identifier
from valueloop.passport.store import PassportRecord

if TYPE_CHECKING:
    from basyx.aas import model

_ID_SHORT = re.compile(r"[A-Za-z][A-Za-z0-9_-]*[A-Za-z0-9_]")
_ESCAPE = "k_"


def _basyx() -> Any:
    try:
        from basyx.aas import model
    except ImportError:
        raise ExportError("the aas export needs basyx-python-sdk", item="--format",
                          allowed="pip install 'valueloop[aas]' (basyx-python-sdk>=2.2)") from None
    return model


def aspects_of(record: PassportRecord, *, resolver: str = DEFAULT_RESOLVER) -> dict[str, Any]:
    """``{aspect (schema) name: validated payload}`` for every aspect the passport has."""
    passport = record.passport
    if isinstance(passport, BatteryPassport):
        aspects: dict[str, Any] = dict(to_batterypass(passport))
        if passport.catena_x is not None:
            aspects["BatteryPass"] = to_catenax_battery(record, resolver=resolver)
    else:
        aspects = {"DigitalProductPassport": to_dpp(record, resolver=resolver)}
        if passport.recycled_content is not None:
            aspects["SecondaryMaterialContentVerifiable"] = to_smcv(record)
    if passport.pcf is not None:
        aspects["Pcf"] = to_pcf(record)
    return aspects


def _id_short(key: str) -> str:
    return key if _ID_SHORT.fullmatch(key) and not key.startswith(_ESCAPE) else _ESCAPE + key


def _key(id_short: str) -> str:
    return id_short.removeprefix(_ESCAPE)


def _scalar_type(value: Any) -> type:
    model = _basyx()
    if isinstance(value, bool):
        return model.datatypes.Boolean  # type: ignore[no-any-return]
    if isinstance(value, int):
        return model.datatypes.Long  # type: ignore[no-any-return]
    if isinstance(value, float):
        return model.datatypes.Double  # type: ignore[no-any-return]
    return model.datatypes.String  # type: ignore[no-any-return]


def _element(id_short: str | None, value: Any) -> model.SubmodelElement:
    model = _basyx()
    if isinstance(value, dict):
        return model.SubmodelElementCollection(id_short, value=[
            _element(_id_short(k), v) for k, v in value.items() if v is not None])
    if isinstance(value, list):
        items = [_element(None, v) for v in value]
        kinds = {type(i) for i in items}
        if len(kinds) > 1:
            raise ExportError(f"array {id_short!r} mixes kinds of values", item=id_short)
        kind = kinds.pop() if kinds else model.SubmodelElementCollection
        value_types = {i.value_type for i in items if isinstance(i, model.Property)}
        if value_types == {model.datatypes.Long, model.datatypes.Double}:  # 1 and 1.5: widen
            items = [model.Property(None, model.datatypes.Double, float(v)) for v in value]
            value_types = {model.datatypes.Double}
        if len(value_types) > 1:
            raise ExportError(f"array {id_short!r} mixes value types", item=id_short)
        return model.SubmodelElementList(
            id_short, type_value_list_element=kind, value=items,
            value_type_list_element=value_types.pop() if value_types else None)
    return model.Property(id_short, _scalar_type(value), value)


def _submodel(record: PassportRecord, name: str, payload: dict[str, Any]) -> model.Submodel:
    """The submodel of aspect ``name``; its semanticId is the schema's SAMM URN."""
    model = _basyx()
    urn = validator(name).schema["x-samm-aspect-model-urn"]
    key = model.Key(model.KeyTypes.GLOBAL_REFERENCE, urn)
    return model.Submodel(  # type: ignore[no-any-return]
        f"urn:uuid:{uuid.uuid5(PASSPORT_NAMESPACE, f'{record.identifier}#{name}')}",
        id_short=name, semantic_id=model.ExternalReference((key,)),
        administration=model.AdministrativeInformation(version=str(record.version)),
        submodel_element=[_element(_id_short(k), v) for k, v in payload.items()
                          if v is not None])


def to_aas(record: PassportRecord, *, resolver: str = DEFAULT_RESOLVER) -> dict[str, Any]:
    """The AAS JSON environment (shell + one submodel per aspect), read back by basyx."""
    model = _basyx()
    from basyx.aas.adapter import json as aas_json

    shell_id = passport_uuid(record.identifier)
    try:
        submodels = [_submodel(record, name, payload)
                     for name, payload in aspects_of(record, resolver=resolver).items()]
    except model.AASConstraintViolation as exc:  # e.g. a JSON key no idShort can spell
        raise ExportError(f"not representable in AAS: {exc}", item="aas") from None
    asset = model.AssetInformation(
        model.AssetKind.INSTANCE,
        global_asset_id=parse_identifier(record.identifier).resolver_url(resolver))
    shell = model.AssetAdministrationShell(
        asset, shell_id,
        id_short="Passport_" + re.sub(r"[^A-Za-z0-9_]", "_", parse_identifier(
            record.identifier).uii),
        submodel={model.ModelReference.from_referable(s) for s in submodels})
    text = aas_json.object_store_to_json(model.DictIdentifiableStore([shell, *submodels]))
    aspects_from_aas(text)  # strict read-back: what basyx cannot read is not returned
    return json.loads(text)  # type: ignore[no-any-return]


def _json_of(element: Any) -> Any:
    model = _basyx()
    if isinstance(element, model.SubmodelElementCollection):
        return {_key(e.id_short): _json_of(e) for e in element.value}
    if isinstance(element, model.SubmodelElementList):
        return [_json_of(e) for e in element.value]
    return element.value


def aspects_from_aas(text: str) -> dict[str, Any]:
    """``{submodel idShort: JSON payload}`` read back from an AAS JSON environment by basyx."""
    model = _basyx()
    from basyx.aas.adapter import json as aas_json

    try:
        store = aas_json.read_aas_json_file(io.StringIO(text), failsafe=False)
    except (KeyError, TypeError, ValueError) as exc:
        raise ExportError(f"basyx cannot read the AAS environment: {exc}", item="aas") from None
    return {s.id_short: {_key(e.id_short): _json_of(e) for e in s.submodel_element}
            for s in store if isinstance(s, model.Submodel)}
