"""Footprint and recycled content per batch along the genealogy, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from custody_helpers import build_chain

from valueloop.core.db import Database
from valueloop.custody.accounting import claim_batch, input_batch
from valueloop.custody.carbon import batch_footprint
from valueloop.custody.ledger import MassBalanceLedger
from valueloop.custody.model import LedgerScope
from valueloop.custody.recycled_content import batch_recycled_content
from valueloop.custody.store import CustodyStore
from valueloop.models.carbon import factor_registry, grid_factor
from valueloop.passport.export.schemas import validator as schema_validator


def test_footprint_accumulates_and_allocates_by_copper(database_url: str) -> None:
    diesel = factor_registry()["diesel"].value  # kgCO2e/kg
    jiangxi = grid_factor("Jiangxi").value      # kgCO2e/kWh
    smelter_total = 200.0 * diesel + 2_000.0 * jiangxi
    with Database.open(database_url) as db:
        build_chain(CustodyStore(db))
        by_copper = batch_footprint(db, "rod-1")
        by_mass = batch_footprint(db, "rod-1", allocation="mass")
        slag = batch_footprint(db, "slag-1")
    assert by_copper.total_kgco2e == pytest.approx(smelter_total * 2_970.0 / 3_070.0)
    assert by_mass.total_kgco2e == pytest.approx(smelter_total * 3_000.0 / 10_350.0)
    assert by_copper.total_kgco2e + slag.total_kgco2e == pytest.approx(smelter_total)
    assert by_copper.cut_off == ("scrap-1",)
    assert by_copper.contributions["transformation:t-mine"] == pytest.approx(
        200.0 * diesel * 2_970.0 / 3_070.0)
    assert by_copper.per_kg_element == pytest.approx(by_copper.total_kgco2e / 2_970.0)


def test_recycled_content_physical_then_mass_balanced(database_url: str) -> None:
    with Database.open(database_url) as db:
        store = CustodyStore(db)
        build_chain(store)
        physical = batch_recycled_content(db, "rod-1")
        assert physical.post_consumer.share == pytest.approx(480.0 / 3_480.0)
        assert physical.pre_consumer.share == 0.0
        assert not physical.post_consumer.is_mass_balanced
        ledger = MassBalanceLedger(db)
        scope = ledger.open(LedgerScope(site="rod-mill", characteristic="post_consumer_recycled"))
        record = input_batch(store, ledger, scope, 2026, "anode-1", actor="mill-op")
        assert record["credit_kg"] == pytest.approx(2_970.0 * 480.0 / 3_480.0, abs=1e-3)
        claim_batch(store, ledger, scope, 2026, "rod-1", qualifying_kg=400.0, actor="mill-op")
        claimed = batch_recycled_content(db, "rod-1")
    assert claimed.post_consumer.share == pytest.approx(400.0 / 2_970.0)
    assert claimed.post_consumer.is_mass_balanced
    assert not claimed.pre_consumer.is_mass_balanced
    block = claimed.secondary_material_content()
    assert block["secondaryInorganic"]["postConsumer"]["mechanicalRecycling"][
        "isMassBalanced"] is True


def test_secondary_material_content_validates_against_catena_x() -> None:
    from valueloop.custody.recycled_content import RecycledContent, Share

    content = RecycledContent("rod-1", "Cu", 2_970.0, Share(0.1, False), Share(0.2, True))
    validator = schema_validator("SecondaryMaterialContentVerifiable")
    document = {"orderNumber": "rod-1", "secondaryMaterialContent": [{
        "materialClass": "copper", "inorganic": content.secondary_material_content(),
        "materialNameStandardized": {"referencedStandard": "EN",
                                     "referencedStandardID": "EN 1977",
                                     "materialNameStandardizedValue": "Cu-ETP"},
        "bioBased": {"bioBasedClass": "gen1",  # copper holds no bio-based material
                     "secondaryBioBased": {"percentageOfMaterialWeight": 0.0,
                                           "isMassBalanced": False},
                     "primaryBioBased": {"percentageOfMaterialWeight": 0.0}},
        "unitOfMeasure": {"unitOfMeasureKey": "unit:kilogram", "materialNetMass": 2_970.0,
                          "grossMaterialInputMass": 2_970.0}}]}
    validator.validate(document)
