"""Passport content and exports on the shipped upstream examples and our copper passport."""

from __future__ import annotations

import copy

import pytest
from passport_data import BATTERY_ID, COPPER_FILE, battery_data

from valueloop.core.db import Database
from valueloop.passport.battery import BatteryPassport
from valueloop.passport.errors import ExportError, PassportContentError
from valueloop.passport.export.batterypass import (
    ASPECTS,
    batterypass_identifier,
    from_batterypass,
    to_batterypass,
)
from valueloop.passport.export.formats import export_record
from valueloop.passport.export.schemas import SCHEMAS, errors, example
from valueloop.passport.files import load_passport_file, parse_passport
from valueloop.passport.model import check_cas
from valueloop.passport.store import create_passport, migrate, succeed_passport


def test_the_shipped_examples_validate_except_material_composition() -> None:
    for name in SCHEMAS:
        found = errors(name, example(name))
        if name == "MaterialComposition":
            assert found == ["batteryMaterials/0/batteryMaterialIdentifier: '7439-93-2 ' does "
                             "not match '^\\\\d{2,7}-\\\\d{2}-\\\\d{1}$'"]
        else:
            assert found == [], name


def test_upstream_material_composition_with_a_trailing_space_is_rejected() -> None:
    data = from_batterypass(BATTERY_ID, {"MaterialComposition": example("MaterialComposition")})
    with pytest.raises(PassportContentError,
                       match=r"batteryMaterialIdentifier: .*'7439-93-2 ' is not a CAS number"):
        parse_passport(data)


@pytest.mark.parametrize(("cas", "ok"), [("7439-93-2", True), ("7440-50-8", True),
                                         ("7440-48-4", True), ("7439-93-3", False),
                                         ("37-70-2", False), (" 7439-93-2", False)])
def test_cas_numbers_are_checked_with_their_check_digit(cas: str, ok: bool) -> None:
    if ok:
        assert check_cas(cas) == cas
    else:
        with pytest.raises(ValueError, match="CAS"):
            check_cas(cas)


def test_a_battery_passport_from_the_examples_exports_all_seven_aspects() -> None:
    passport = parse_passport(battery_data())
    assert isinstance(passport, BatteryPassport)
    aspects = to_batterypass(passport)
    assert sorted(aspects) == sorted(ASPECTS.values())
    for name, payload in aspects.items():
        assert errors(name, payload) == []
    general = aspects["GeneralProductInformation"]
    assert general["batteryPassportIdentifier"] == batterypass_identifier(BATTERY_ID)
    assert general["batteryPassportIdentifier"] == "urn:iso15459:lavloopbatx2d0001"
    # the aspects read back give the same passport, less what only Catena-X exports need
    assert parse_passport(from_batterypass(BATTERY_ID, aspects)) == passport.model_copy(
        update={"catena_x": None, "pcf": None})


def test_an_invalid_section_fails_the_export_naming_the_path() -> None:
    data = battery_data()
    data["labeling"] = copy.deepcopy(data["labeling"])
    data["labeling"]["labels"][0]["labelingSubject"] = "Nonsense"
    with pytest.raises(ExportError, match="labels/0/labelingSubject"):
        to_batterypass(parse_passport(data))


def test_copper_passport_exports_validate() -> None:
    passport = load_passport_file(COPPER_FILE)
    with Database.open("sqlite://:memory:") as db:
        migrate(db)
        record = create_passport(db, passport, actor="refinery").record
        dpp = export_record(record, "dpp")
        smcv = export_record(record, "smcv")
        successor_data = passport.model_dump(by_alias=True)
        successor_data["identifier"] = "LA:VLOOP:CATH-2026-0001R"
        successor = succeed_passport(db, record.identifier, parse_passport(successor_data),
                                     operation="remanufactured", actor="x").record
        linked = export_record(successor, "dpp")
    assert errors("DigitalProductPassport", dpp) == []
    assert errors("SecondaryMaterialContentVerifiable", smcv) == []
    assert dpp["metadata"]["predecessor"] == {"applicable": False}
    assert linked["metadata"]["predecessor"]["content"] == dpp["metadata"]["passportIdentifier"]
    inorganic = smcv["secondaryMaterialContent"][0]["inorganic"]
    assert inorganic["secondaryInorganic"]["postConsumer"]["chemicalRecycling"] == {
        "percentageOfMaterialWeight": 23.0, "isMassBalanced": True}
    assert inorganic["primaryInorganic"]["percentageOfMaterialWeight"] == 65.0
    with pytest.raises(ExportError, match="batterypass export is for battery"):
        export_record(record, "batterypass")


@pytest.mark.parametrize(("change", "where"), [
    ({"conductivityIacs": -1.0}, "conductivityIacs"),
    ({"recycledContent": {"preConsumerPercent": 60.0, "postConsumerPercent": 50.0,
                          "isMassBalanced": False, "method": "x"}}, "recycledContent"),
    ({"kind": "steel"}, "kind"),
    ({"identifier": "nope"}, "identifier"),
    ({"colour": "red"}, "colour"),
])
def test_bad_copper_content_names_the_field(change: dict[str, object], where: str) -> None:
    data = load_passport_file(COPPER_FILE).model_dump(by_alias=True)
    data.update(change)
    with pytest.raises(PassportContentError, match=where):
        parse_passport(data)
