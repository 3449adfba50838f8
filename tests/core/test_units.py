"""The unit registry, currency conversion through dated rates, and compound/metal conversion."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from valueloop.core.errors import DimensionError, UserInputError
from valueloop.core.sources import Citation
from valueloop.core.units import (
    ATOMIC_MASS,
    Compound,
    ExchangeRate,
    compound_mass,
    contained_metal,
    conversion_factor,
    convert_currency,
    convert_value,
    parse_unit,
    same_dimension,
)

SOURCE = Citation(assumption="unit test")


@pytest.mark.parametrize(
    ("from_unit", "to_unit", "factor"),
    [
        ("wan_t", "t", 1e4),
        ("kt", "t", 1e3),
        ("Mt", "kt", 1e3),
        ("kt/yr", "t/yr", 1e3),
        ("Mt/yr", "wan_t/yr", 100.0),
        ("kg", "t", 1e-3),
        ("g", "kg", 1e-3),
        ("GWh", "kWh", 1e6),
        ("MWh", "kWh", 1e3),
        ("kWh/t", "MWh/kt", 1.0),
        ("tCO2e", "kgCO2e", 1e3),
        ("MtCO2e", "tCO2e", 1e6),
        ("tCO2e/t", "kgCO2e/kg", 1.0),
        ("wan_CNY", "CNY", 1e4),
        ("yi_CNY", "wan_CNY", 1e4),
        ("CNY/t", "CNY/kg", 1e-3),
        ("USD/t", "USD/kg", 1e-3),
        ("percent", "dimensionless", 0.01),
    ],
)
def test_conversion_factors(from_unit: str, to_unit: str, factor: float) -> None:
    assert conversion_factor(from_unit, to_unit) == pytest.approx(factor, rel=1e-12)
    assert conversion_factor(to_unit, from_unit) == pytest.approx(1 / factor, rel=1e-12)


def test_kt_per_year_to_tonnes_per_day() -> None:
    # pint's year is the Julian year of 365.25 days
    assert convert_value(365.25, "kt/yr", "t/day") == pytest.approx(1000.0, rel=1e-12)


def test_kwh_is_energy() -> None:
    assert convert_value(1.0, "kWh", "MJ") == pytest.approx(3.6, rel=1e-12)


@pytest.mark.parametrize(
    ("from_unit", "to_unit"),
    [
        ("CNY", "USD"),
        ("USD", "EUR"),
        ("CNY/t", "USD/t"),
        ("tCO2e", "t"),  # greenhouse-gas mass is not a mass of material
        ("kgCO2e", "kg"),
        ("t", "kWh"),
        ("CNY", "t"),
        ("kt/yr", "kt"),
        ("%IACS", "t"),
    ],
)
def test_different_dimensions_are_refused(from_unit: str, to_unit: str) -> None:
    assert not same_dimension(from_unit, to_unit)
    with pytest.raises(DimensionError, match="dimension") as info:
        conversion_factor(from_unit, to_unit, item="some.parameter")
    assert info.value.item == "some.parameter"
    assert "some.parameter" in str(info.value)
    with pytest.raises(DimensionError):
        convert_value(1.0, from_unit, to_unit)


def test_tco2e_is_not_a_mass() -> None:
    assert parse_unit("tCO2e").dimensionality != parse_unit("t").dimensionality
    assert "[co2e]" in str(parse_unit("tCO2e").dimensionality)


@pytest.mark.parametrize("spelling", ["%IACS", "percent * IACS", "percent*IACS"])
def test_iacs_conductivity(spelling: str) -> None:
    # 100 %IACS is the annealed-copper standard, 58 MS/m
    assert convert_value(100, spelling, "MS/m") == pytest.approx(58.0, rel=1e-12)
    assert convert_value(58.0, "MS/m", spelling) == pytest.approx(100.0, rel=1e-12)
    assert conversion_factor(spelling, "S/m") == pytest.approx(58e4, rel=1e-12)


def test_unknown_unit_is_a_dimension_error_naming_the_item() -> None:
    with pytest.raises(DimensionError, match="not a known unit") as info:
        parse_unit("flibbets/t", item="ore.mass")
    assert info.value.item == "ore.mass"
    assert "ore.mass" in str(info.value)


def test_dimensionless_spellings() -> None:
    for text in ("", "1", "dimensionless", " dimensionless "):
        assert not parse_unit(text).dimensionality


def test_offset_units_convert_as_values_but_have_no_factor() -> None:
    assert convert_value(20.0, "degC", "K") == pytest.approx(293.15)
    assert convert_value(293.15, "K", "degC") == pytest.approx(20.0)
    for pair in (("degC", "K"), ("K", "degC"), ("degF", "degC")):
        with pytest.raises(DimensionError, match="offset"):
            conversion_factor(*pair)
    assert conversion_factor("delta_degC", "K") == pytest.approx(1.0)


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_round_trip_wan_t(value: float) -> None:
    there = convert_value(value, "wan_t", "t")
    assert there == pytest.approx(value * 1e4, rel=1e-12, abs=1e-300)
    assert convert_value(there, "t", "wan_t") == pytest.approx(value, rel=1e-12, abs=1e-300)


# --- currencies -------------------------------------------------------------------------------


def _usd_cny() -> ExchangeRate:
    return ExchangeRate(base="USD", quote="CNY", rate=7.1, date=dt.date(2024, 12, 31),
                        source=SOURCE)


def test_convert_currency_both_directions() -> None:
    rate = _usd_cny()
    assert convert_currency(100.0, "USD", "CNY", rate) == pytest.approx(710.0)
    assert convert_currency(710.0, "CNY", "USD", rate) == pytest.approx(100.0)
    assert convert_currency(5.0, "CNY", "CNY", rate) == 5.0


def test_convert_currency_refuses_a_rate_for_another_pair() -> None:
    rate = _usd_cny()
    with pytest.raises(UserInputError, match="USD/CNY") as info:
        convert_currency(1.0, "EUR", "CNY", rate)
    assert "2024-12-31" in str(info.value)
    with pytest.raises(UserInputError, match="unknown currency"):
        convert_currency(1.0, "GBP", "CNY", rate)


def test_exchange_rate_must_be_positive_and_sourced() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        ExchangeRate(base="USD", quote="CNY", rate=0.0, date=dt.date(2024, 1, 1), source=SOURCE)
    with pytest.raises(ValidationError):
        ExchangeRate(base="USD", quote="CNY", rate=7.0, date=dt.date(2024, 1, 1))  # type: ignore[call-arg]


# --- compounds and contained metal -----------------------------------------------------------


def test_cobalt_hydroxide_formula_fraction() -> None:
    hydroxide = Compound(name="cobalt hydroxide", metal="Co", metal_fraction=0.31,
                         formula="Co(OH)2", source=SOURCE)
    expected = ATOMIC_MASS["Co"] / (ATOMIC_MASS["Co"] + 2 * (ATOMIC_MASS["O"] + ATOMIC_MASS["H"]))
    assert hydroxide.formula_mass_fraction == pytest.approx(expected, rel=1e-12)
    assert hydroxide.formula_mass_fraction == pytest.approx(58.933 / 92.948, rel=1e-4)
    assert hydroxide.formula_mass_fraction == pytest.approx(0.634, abs=5e-4)


@pytest.mark.parametrize(
    ("formula", "metal", "expected"),
    [
        ("CoSO4(H2O)7", "Co", 58.933 / (58.933 + 32.06 + 4 * 15.999 + 7 * (2 * 1.008 + 15.999))),
        ("Li2CO3", "Li", 2 * 6.94 / (2 * 6.94 + 12.011 + 3 * 15.999)),
        ("Cu", "Cu", 1.0),
        ("LiNi0.8Mn0.1Co0.1O2", "Co",
         0.1 * 58.933 / (6.94 + 0.8 * 58.693 + 0.1 * 54.938 + 0.1 * 58.933 + 2 * 15.999)),
    ],
)
def test_formula_mass_fractions(formula: str, metal: str, expected: float) -> None:
    compound = Compound(name=formula, metal=metal, metal_fraction=0.5, formula=formula,
                        source=SOURCE)
    assert compound.formula_mass_fraction == pytest.approx(expected, rel=1e-12)


def test_formula_is_optional_and_bad_formulas_are_user_errors() -> None:
    assert Compound(name="x", metal="Co", metal_fraction=0.2,
                    source=SOURCE).formula_mass_fraction is None
    for bad in ("Xx(OH)2", "co(OH)2"):
        with pytest.raises(UserInputError):
            _ = Compound(name="x", metal="Co", metal_fraction=0.2, formula=bad,
                         source=SOURCE).formula_mass_fraction


@given(mass=st.floats(min_value=0.0, max_value=1e9),
       fraction=st.floats(min_value=1e-3, max_value=1.0))
def test_contained_metal_and_compound_mass_are_inverse(mass: float, fraction: float) -> None:
    compound = Compound(name="c", metal="Co", metal_fraction=fraction, source=SOURCE)
    metal = contained_metal(mass, compound)
    assert metal <= mass
    assert compound_mass(metal, compound) == pytest.approx(mass, rel=1e-12, abs=1e-300)
    assert contained_metal(compound_mass(mass, compound), compound) == pytest.approx(
        mass, rel=1e-12, abs=1e-300)


def test_hydroxide_contained_cobalt() -> None:
    hydroxide = Compound(name="cobalt hydroxide", metal="Co", metal_fraction=0.31,
                         formula="Co(OH)2", source=SOURCE)
    assert contained_metal(100.0, hydroxide) == pytest.approx(31.0)
    assert compound_mass(31.0, hydroxide) == pytest.approx(100.0)


@pytest.mark.parametrize("fraction", [0.0, -0.1, 1.5, math.nan])
def test_metal_fraction_must_be_a_fraction(fraction: float) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        Compound(name="c", metal="Co", metal_fraction=fraction, source=SOURCE)
