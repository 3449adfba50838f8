"""Carbon registry, footprints, grid factors, carbon cost and battery contribution (issue 4.4).

Expected numbers are worked out by hand in each test from the shipped rows it names; the grid
values are typed again from the project notes (tea-lca-and-style.md 4.1) as an independent
transcription.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from valueloop.core.datatables import load_table
from valueloop.core.errors import (
    DimensionError,
    OptionError,
    OutOfBoundsError,
    UnknownParameterError,
    UserInputError,
)
from valueloop.core.sources import shipped_documents
from valueloop.models import carbon

SHARED_IDS = (
    "steam", "coal", "coke", "natural_gas", "diesel",
    "sulfuric_acid", "hydrochloric_acid", "sodium_hydroxide", "lime", "limestone", "magnesia",
    "sodium_carbonate", "hydrogen_peroxide", "sodium_metabisulfite", "sulfur_dioxide",
    "extractant", "ammonia", "silica_flux",
    "wastewater_treatment", "hazardous_residue_disposal", "residue_landfill",
    "road", "rail", "sea",
)
"""The ids agreed between the process-route and carbon engineers (issue 4 brief)."""

# tea-lca-and-style.md 4.1, kg CO2/kWh, (2021, 2022).
NOTE_NATIONAL = {"average": (0.5568, 0.5366), "fossil": (0.8426, 0.8325)}
NOTE_RESIDUAL_2022 = 0.5856
NOTE_GRIDS = {
    "North China": (0.7120, 0.6776), "Northeast China": (0.6012, 0.5564),
    "East China": (0.5992, 0.5617), "Central China": (0.5354, 0.5395),
    "Northwest China": (0.5951, 0.5857), "South China": (0.4326, 0.3869),
    "Southwest China": (0.2113, 0.2268),
}
NOTE_PROVINCES = {
    "Beijing": (0.5688, 0.5580), "Tianjin": (0.7355, 0.7041), "Hebei": (0.7901, 0.7252),
    "Shanxi": (0.7222, 0.7096), "Inner Mongolia": (0.7025, 0.6849),
    "Liaoning": (0.5876, 0.5626), "Jilin": (0.5629, 0.4932), "Heilongjiang": (0.6342, 0.5368),
    "Shanghai": (0.5834, 0.5849), "Jiangsu": (0.6451, 0.5978), "Zhejiang": (0.5422, 0.5153),
    "Anhui": (0.7075, 0.6782), "Fujian": (0.4711, 0.4092), "Jiangxi": (0.5835, 0.5752),
    "Shandong": (0.6838, 0.6410), "Henan": (0.6369, 0.6058), "Hubei": (0.3672, 0.4364),
    "Hunan": (0.5138, 0.4900), "Guangdong": (0.4715, 0.4403), "Guangxi": (0.5154, 0.4044),
    "Hainan": (0.4524, 0.4184), "Chongqing": (0.4743, 0.5227), "Sichuan": (0.1255, 0.1404),
    "Guizhou": (0.5182, 0.4989), "Yunnan": (0.1235, 0.1073), "Shaanxi": (0.6336, 0.6558),
    "Gansu": (0.4955, 0.4772), "Qinghai": (0.1326, 0.1567), "Ningxia": (0.6546, 0.6423),
    "Xinjiang": (0.6577, 0.6231),
}
GWP_CH4, GWP_N2O = 28.0, 265.0  # ipcc-ar5-wg1-ch8 Table 8.7


# --- the registry ------------------------------------------------------------------------------

def test_registry_has_every_shared_id_with_a_range_and_a_source() -> None:
    registry = carbon.factor_registry()
    documents = shipped_documents()
    assert set(SHARED_IDS) <= set(registry.items)
    for item in registry.items:
        row = registry[item]
        assert row.low <= row.value <= row.high, item
        assert row.value > 0.0, item
        assert (row.citation.document in documents) or row.citation.assumption, item


@pytest.mark.parametrize(("item", "unit"), [
    ("steam", "kgCO2e/t"), ("coal", "kgCO2e/t"), ("coke", "kgCO2e/t"),
    ("natural_gas", "kgCO2e/m**3"), ("diesel", "kgCO2e/kg"), ("sulfuric_acid", "kgCO2e/kg"),
    ("wastewater_treatment", "kgCO2e/m**3"), ("hazardous_residue_disposal", "kgCO2e/t"),
    ("residue_landfill", "kgCO2e/t"), ("road", "gCO2e/(t*km)"), ("rail", "gCO2e/(t*km)"),
    ("sea", "gCO2e/(t*km)"),
])
def test_shared_ids_carry_the_agreed_units(item: str, unit: str) -> None:
    assert carbon.factor_registry()[item].unit == unit


def test_fuel_rows_follow_their_ipcc_arithmetic() -> None:
    """NCV x (CO2 + GWP-weighted CH4 and N2O), IPCC 2006 Vol. 2 Tables 1.2 and 2.3."""
    registry = carbon.factor_registry()
    coal = 25.8 * (94_600 + 10 * GWP_CH4 + 1.5 * GWP_N2O) / 1000  # kg/t
    coke = 28.2 * (107_000 + 10 * GWP_CH4 + 1.5 * GWP_N2O) / 1000
    diesel = 43.0 * (74_100 + 3 * GWP_CH4 + 0.6 * GWP_N2O) / 1e6  # kg/kg
    assert registry["coal"].value == pytest.approx(coal, abs=0.5)
    assert registry["coke"].value == pytest.approx(coke, abs=0.5)
    assert registry["diesel"].value == pytest.approx(diesel, abs=5e-4)
    assert registry["coal"].citation.document == "ipcc-2006-gl-vol2-energy"


def test_neutralisation_rows_are_stoichiometric() -> None:
    registry = carbon.factor_registry()
    co2 = 12.011 + 2 * 15.999
    assert registry["limestone_neutralisation"].value == pytest.approx(
        co2 / (40.078 + 12.011 + 3 * 15.999), abs=5e-5)
    assert registry["sodium_carbonate_neutralisation"].value == pytest.approx(
        co2 / (2 * 22.990 + 12.011 + 3 * 15.999), abs=5e-5)


def test_declarations_and_stacked_inputs_use_the_registry_units() -> None:
    registry = carbon.factor_registry()
    items = ("sulfuric_acid", "steam", "road")
    declared = registry.declarations(items)
    assert [d.name for d in declared] == [f"carbon.factor.{i}" for i in items]
    assert [d.unit for d in declared] == ["kgCO2e/kg", "kgCO2e/t", "gCO2e/(t*km)"]
    defaults = registry.defaults(items)
    inputs = {name: np.array([value]) for name, value in defaults.items()}
    inputs["carbon.factor.steam"] = np.array([300.0, 310.0, 320.0])
    stacked = carbon.stack_factors(inputs, items)
    assert stacked.shape == (3, 3)
    np.testing.assert_array_equal(stacked[:, 1], [300.0, 310.0, 320.0])
    np.testing.assert_array_equal(stacked[:, 0], [0.12, 0.12, 0.12])
    with pytest.raises(UnknownParameterError, match="coal"):
        carbon.stack_factors(inputs, ("coal",))


def test_unknown_item_names_the_parameter_and_lists_the_ids() -> None:
    with pytest.raises(UnknownParameterError, match=r"carbon\.factor\.unobtainium") as info:
        carbon.factor_registry()["unobtainium"]
    assert "sulfuric_acid" in str(info.value)


# --- footprint ---------------------------------------------------------------------------------

def test_three_item_inventory_matches_a_hand_computation() -> None:
    """Per t of hydroxide: 1.8 t acid, 4.97 t steam, 7,360 t*km by road."""
    registry = carbon.factor_registry()
    acid, steam, road = (registry[i].value for i in ("sulfuric_acid", "steam", "road"))
    assert (acid, steam, road) == (0.12, 320.8, 90.3)
    # kgCO2e/kg x t/t = tCO2e/t; kgCO2e/t x t/t = 1e-3 tCO2e/t; gCO2e/(t*km) x t*km/t = 1e-6
    by_hand = (1.8 * 0.12, 4.97 * 320.8 / 1e3, 7360.0 * 90.3 / 1e6)
    result = carbon.inventory_footprint(
        {"sulfuric_acid": (1.8, "t/t"), "steam": (4.97, "t/t"), "road": (7360.0, "t*km/t")})
    assert result.items == ("sulfuric_acid", "steam", "road")
    assert result.unit == "tCO2e/t"
    assert result.breakdown.shape == (1, 3)
    np.testing.assert_allclose(result.breakdown[0], by_hand, rtol=1e-12)
    assert result.total[0] == pytest.approx(0.216 + 1.594376 + 0.664608, rel=1e-12)
    assert np.array_equal(result.total, result.breakdown.sum(axis=-1))
    np.testing.assert_allclose(result.shares().sum(axis=-1), 1.0)


def test_units_are_converted_once_and_samples_broadcast() -> None:
    amounts = np.array([1.0, 1.5, 2.0])
    result = carbon.inventory_footprint(
        {"sulfuric_acid": (amounts * 1000.0, "kg/t"), "electricity": (3000.0, "kWh/t")},
        factors={"electricity": (np.array([0.5, 0.4, 0.0]), "kgCO2e/kWh")}, unit="kgCO2e/t")
    expected = np.column_stack([amounts * 1000.0 * 0.12, 3000.0 * np.array([0.5, 0.4, 0.0])])
    np.testing.assert_allclose(result.breakdown, expected, rtol=1e-12)
    assert result.citations[0] is not None and result.citations[1] is None


def test_low_and_high_bounds_bracket_the_value() -> None:
    inventory = {"sulfuric_acid": (1.8, "t/t"), "lime": (0.4, "t/t")}
    low, mid, high = (carbon.inventory_footprint(inventory, which=w).total[0]
                      for w in ("low", "value", "high"))
    assert low < mid < high
    assert mid == pytest.approx(1.8 * 0.12 + 0.4 * 1.20)


def test_footprint_kernel_shapes() -> None:
    rng = np.random.default_rng(3)
    inventory, factors = rng.uniform(0, 5, (100, 4)), rng.uniform(0, 2, 4)
    for a, f in ((inventory, factors), (inventory, np.tile(factors, (100, 1))),
                 (inventory[0], np.tile(factors, (100, 1)))):
        breakdown, total = carbon.footprint(a, f)
        assert breakdown.shape == (100, 4) and total.shape == (100,)
        assert np.array_equal(total, breakdown.sum(axis=-1))
    breakdown, total = carbon.footprint(inventory[0], factors)
    assert breakdown.shape == (1, 4)
    np.testing.assert_allclose(total, [inventory[0] @ factors])


def test_footprint_rejects_mismatched_shapes() -> None:
    with pytest.raises(OutOfBoundsError, match="items"):
        carbon.footprint(np.ones((5, 3)), np.ones(4))
    with pytest.raises(OutOfBoundsError, match="samples"):
        carbon.footprint(np.ones((5, 3)), np.ones((4, 3)))
    with pytest.raises(OutOfBoundsError, match="shape"):
        carbon.footprint(np.ones((2, 2, 2)), np.ones(2))


def test_a_unit_that_does_not_fit_the_factor_names_the_item() -> None:
    with pytest.raises(DimensionError, match=r"inventory\.natural_gas"):
        carbon.inventory_footprint({"natural_gas": (100.0, "kg/t")})
    with pytest.raises(UnknownParameterError, match="electricity"):
        carbon.inventory_footprint({"electricity": (3000.0, "kWh/t")})


# --- grid factors ------------------------------------------------------------------------------

def test_china_table_matches_the_notes() -> None:
    for kind, (v2021, v2022) in NOTE_NATIONAL.items():
        assert carbon.grid_factor("China", 2021, kind).value == v2021
        assert carbon.grid_factor("China", 2022, kind).value == v2022
    assert carbon.grid_factor("China", 2022, "residual").value == NOTE_RESIDUAL_2022
    assert carbon.grid_factor("China", 2022, "reporting").value == 0.5703
    for places in (NOTE_GRIDS, NOTE_PROVINCES):
        for place, (v2021, v2022) in places.items():
            assert carbon.grid_factor(place, 2021).value == v2021, place
            assert carbon.grid_factor(place, 2022).value == v2022, place
    table = load_table("china_grid_emission_factors")
    assert len(table.where(level="province", data_year=2022)) == 30
    assert len(table.where(level="regional_grid", data_year=2021)) == 7


def test_regional_values_lie_within_their_provinces() -> None:
    """A transcription check: each regional average lies between its provinces' extremes."""
    table = load_table("china_grid_emission_factors")
    for year in (2021, 2022):
        for grid in table.where(level="regional_grid", data_year=year).records():
            members = table.where(level="province", data_year=year, grid=grid["grid"])
            values = members.array("value")
            assert len(values) >= 2
            assert values.min() <= grid["value"] <= values.max(), (grid["region"], year)


def test_places_are_found_by_english_and_chinese_name_and_by_code() -> None:
    english = carbon.grid_factor("Guangxi", 2022)
    assert carbon.grid_factor("广西", 2022) == english
    assert carbon.grid_factor("cn-gx", 2022) == english
    assert english.unit == "kgCO2e/kWh" and english.citation.document
    assert carbon.grid_factor("Guangxi").year == 2022  # the latest by default


def test_countries_come_from_the_ember_and_ifi_table_in_kg_per_kwh() -> None:
    table = load_table("grid_emission_factors")
    ember = table.value("value", region_code="COD", factor_kind="average")
    assert carbon.grid_factor("DR Congo").value == pytest.approx(ember / 1000.0)
    assert carbon.grid_factor("COD").table == "grid_emission_factors"
    chn = carbon.grid_factor("CHN", kind="operating_margin")
    assert chn.value == pytest.approx(0.899)
    assert carbon.grid_factor("China").table == "china_grid_emission_factors"


def test_unknown_province_lists_the_allowed_places() -> None:
    with pytest.raises(UserInputError, match="Tibet") as info:
        carbon.grid_factor("Tibet")
    message = str(info.value)
    for allowed in ("Guangxi (CN-GX)", "Sichuan (CN-SC)", "South China (CN-SOUTH)",
                    "DR Congo (COD)"):
        assert allowed in message


def test_missing_kind_or_year_lists_what_there_is() -> None:
    with pytest.raises(OptionError, match="residual") as info:
        carbon.grid_factor("Guangxi", 2022, "residual")
    assert "average" in str(info.value)
    with pytest.raises(OptionError, match="2019") as info:
        carbon.grid_factor("Guangxi", 2019)
    assert "2021, 2022" in str(info.value)
    with pytest.raises(OptionError, match="kind"):
        carbon.grid_factor("Guangxi", 2022, "marginal")


# --- electricity: location and market based ---------------------------------------------------

def test_market_based_factor_is_zero_with_all_green_and_residual_with_none() -> None:
    average, residual = 0.5366, 0.5856
    factors = carbon.electricity_factor(average, residual, np.array([0.0, 0.25, 1.0]))
    np.testing.assert_allclose(factors.market_based, [residual, 0.75 * residual, 0.0])
    np.testing.assert_allclose(factors.location_based, [average] * 3)


def test_market_based_factor_from_the_mee_residual_mix() -> None:
    factors = carbon.grid_electricity_factors("China", 2022, np.array([0.0, 1.0]))
    assert factors.market_based[0] == NOTE_RESIDUAL_2022
    assert factors.market_based[1] == 0.0
    np.testing.assert_array_equal(factors.location_based, [0.5366, 0.5366])
    assert [s.kind for s in factors.sources] == ["average", "residual"]


def test_a_province_without_a_residual_mix_falls_back_to_its_average() -> None:
    own = carbon.grid_electricity_factors("Yunnan", 2022, 0.0)
    assert float(own.market_based) == 0.1073
    assert "fallback" in own.note
    national = carbon.grid_electricity_factors("Yunnan", 2022, 0.5, residual_place="China")
    assert float(national.market_based) == pytest.approx(0.5 * NOTE_RESIDUAL_2022)
    assert float(national.location_based) == 0.1073


@pytest.mark.parametrize("share", [-0.1, 1.2, math.nan])
def test_green_share_outside_zero_one_is_refused(share: float) -> None:
    with pytest.raises(OutOfBoundsError, match="green_share"):
        carbon.electricity_factor(0.5, 0.6, share)


# --- carbon cost -------------------------------------------------------------------------------

def test_carbon_cost_of_the_whole_footprint_and_above_a_benchmark() -> None:
    """Report 3.1: 8.7 tCO2e/t at 60 CNY/tCO2e; benchmark 8.5 t."""
    assert carbon.carbon_cost(8.7, 60.0) == pytest.approx(522.0)
    assert carbon.carbon_cost(8.7, 60.0, 8.5 / 8.7) == pytest.approx(12.0)
    paths = carbon.carbon_cost(np.array([8.7, 3.9])[:, None], np.array([60.0, 100.0]))
    np.testing.assert_allclose(paths, [[522.0, 870.0], [234.0, 390.0]])
    with pytest.raises(OutOfBoundsError, match="free_share"):
        carbon.carbon_cost(8.7, 60.0, 1.5)


# --- battery contribution ----------------------------------------------------------------------

def test_nmc811_contribution_matches_the_table_row() -> None:
    row = load_table("battery_mineral_intensity").value(
        "kg_per_kwh", chemistry_id="NMC811", mineral="Cobalt")
    footprints = np.array([8.7, 3.9])  # tCO2e per t of hydroxide (report 3.1)
    result = carbon.battery_contribution(footprints, ("NMC811",), co_content=0.31)
    np.testing.assert_allclose(result.contribution[:, 0], footprints / 0.31 * row, rtol=1e-12)
    assert result.product_per_kwh[0] == pytest.approx(row / 0.31)  # kg hydroxide/kWh = t/GWh
    assert 255 < result.product_per_kwh[0] * 1000 < 270  # report 5.1's 260 t/GWh agrees
    assert result.contribution[0, 0] / 70.0 < 0.05  # report 2.3's "18 % of the cap" does not


def test_battery_contribution_per_t_cobalt_and_with_a_refining_loss() -> None:
    chemistries = ("NMC111", "NMC622", "NMC811", "NCA", "LCO")
    cobalt = carbon.cobalt_intensity(chemistries)
    per_cobalt = np.array([20.0, 30.0])
    result = carbon.battery_contribution(per_cobalt, chemistries, refining_yield=0.95)
    assert result.contribution.shape == (2, 5)
    np.testing.assert_allclose(result.contribution, np.outer(per_cobalt, cobalt) / 0.95)
    assert cobalt[chemistries.index("LCO")] == pytest.approx(1.022)
    assert carbon.cobalt_intensity(("LFP",))[0] == 0.0
    with pytest.raises(OptionError, match="NMC999") as info:
        carbon.cobalt_intensity(("NMC999",))
    assert "NMC811" in str(info.value)
    with pytest.raises(OutOfBoundsError, match="co_content"):
        carbon.battery_contribution(8.7, co_content=31.0)
