"""CBAM what-if calculator: free-allocation phase-out, default values, de minimis (issue 4.4).

Oracles are the rules written out by hand: certificates = m * SEE - m * B * factor * CSCF, cost
= certificates * price - carbon price paid at origin (not below zero).
"""

from __future__ import annotations

import numpy as np
import pytest

from valueloop.core.datatables import load_table
from valueloop.core.errors import OptionError, OutOfBoundsError
from valueloop.models import cbam

YEARS = np.arange(2026, 2036)
ADOPTED = {2026: 0.975, 2027: 0.95, 2028: 0.90, 2029: 0.775, 2030: 0.515, 2031: 0.39,
           2032: 0.265, 2033: 0.14, 2034: 0.0}  # tea-lca-and-style.md 4.3
PROPOSAL = {2026: 0.975, 2027: 0.95, 2028: 0.915, 2029: 0.81, 2030: 0.59, 2031: 0.48,
            2032: 0.375, 2033: 0.27, 2034: 0.15, 2035: 0.15, 2036: 0.15, 2037: 0.15, 2038: 0.0}


def _column(result: np.ndarray, year: int) -> np.ndarray:
    return result[:, list(YEARS).index(year)]


# --- tables ------------------------------------------------------------------------------------

def test_schedules_match_the_notes() -> None:
    years = np.array(sorted(ADOPTED))
    np.testing.assert_array_equal(cbam.cbam_factor(years), [ADOPTED[y] for y in years])
    years = np.array(sorted(PROPOSAL))
    np.testing.assert_array_equal(cbam.cbam_factor(years, "proposal"),
                                  [PROPOSAL[y] for y in years])
    np.testing.assert_array_equal(cbam.cbam_factor([2025, 2040]), [1.0, 0.0])
    np.testing.assert_array_equal(cbam.cbam_factor([2045], "proposal"), [0.0])
    table = load_table("cbam_free_allocation")
    assert {c.document for c in table.where(status="adopted").citations} == {"eu-dir-2023-959"}
    assert {c.document for c in table.where(status="proposal").citations} == {"com-2026-616"}


def test_cobalt_and_copper_are_hypothetical_goods() -> None:
    table = load_table("cbam_goods")
    assert set(table.column("status")) == {"hypothetical"}
    for scope in ("direct", "direct_and_indirect"):
        assert cbam.cbam_good("cobalt_hydroxide", scope).cn_code == "2822 00 00"
        assert cbam.cbam_good("copper_cathode", scope).cn_code == "7403 11 00"
    good = cbam.cbam_good("cobalt_hydroxide", "direct_and_indirect")
    assert good.what_if
    assert (good.default_value, good.benchmark) == (8.7, 3.9)  # report 3.1, as a what-if
    with pytest.raises(OptionError, match="nickel") as info:
        cbam.cbam_good("nickel_matte")
    assert "cobalt_hydroxide/direct" in str(info.value)


# --- the rules ---------------------------------------------------------------------------------

def test_2034_obligation_is_the_full_embedded_emissions_times_the_price() -> None:
    mass, see, price = np.array([1000.0, 2500.0]), np.array([8.7, 4.0]), 85.0
    result = cbam.cbam_what_if("cobalt_hydroxide", mass, YEARS, price, specific_emissions=see,
                               benchmark=3.0)
    np.testing.assert_allclose(_column(result.certificates, 2034), mass * see)
    np.testing.assert_allclose(_column(result.cost, 2034), mass * see * price)
    np.testing.assert_allclose(_column(result.free_allocation_adjustment, 2034), 0.0)


def test_2026_obligation_is_2_5_percent_of_the_benchmark_part_plus_the_excess() -> None:
    mass, see, benchmark, price = 1000.0, 8.7, 3.9, 80.0
    result = cbam.cbam_what_if("cobalt_hydroxide", mass, YEARS, price, specific_emissions=see,
                               benchmark=benchmark)
    by_hand = 0.025 * mass * benchmark + mass * (see - benchmark)
    assert _column(result.certificates, 2026)[0] == pytest.approx(by_hand)
    assert _column(result.cost, 2026)[0] == pytest.approx(by_hand * price)
    assert _column(result.certificates, 2030)[0] == pytest.approx(
        mass * see - mass * benchmark * 0.515)


def test_below_the_benchmark_no_certificates_are_owed() -> None:
    result = cbam.cbam_what_if("cobalt_hydroxide", 1000.0, YEARS, 80.0, specific_emissions=1.0,
                               benchmark=3.9)
    assert _column(result.certificates, 2026)[0] == 0.0
    assert _column(result.certificates, 2034)[0] == pytest.approx(1000.0)


def test_default_values_carry_the_mark_up_of_each_year() -> None:
    good = cbam.cbam_good("cobalt_hydroxide", "direct")
    assert good.markups == (0.10, 0.20, 0.30)
    mass = 1000.0
    result = cbam.cbam_what_if(good, mass, YEARS, 80.0)
    assert result.used_default_values
    see = result.embedded_emissions[0] / mass
    default = good.default_value
    assert see[0] == pytest.approx(default * 1.1)   # 2026
    assert see[1] == pytest.approx(default * 1.2)   # 2027
    np.testing.assert_allclose(see[2:], default * 1.3)  # 2028 onwards
    np.testing.assert_allclose(cbam.default_value_markup([2025, 2026, 2027, 2028, 2040],
                                                         good.markups),
                               [0.0, 0.10, 0.20, 0.30, 0.30])
    verified = cbam.cbam_what_if(good, mass, YEARS, 80.0, specific_emissions=default)
    np.testing.assert_allclose(verified.embedded_emissions[0] / mass, default)
    assert "mark-up" in result.label and "mark-up" not in verified.label


def test_de_minimis_exempts_49_t_but_not_51_t() -> None:
    mass = np.array([49.0, 50.0, 51.0])
    result = cbam.cbam_what_if("copper_cathode", mass, YEARS, 80.0, specific_emissions=0.3)
    np.testing.assert_array_equal(result.exempt[:, 0], [True, True, False])
    assert np.all(result.cost[:2] == 0.0) and np.all(result.certificates[:2] == 0.0)
    assert np.all(result.cost[2] > 0.0)
    importer = cbam.cbam_what_if("copper_cathode", 10.0, YEARS, 80.0, specific_emissions=0.3,
                                 importer_annual_mass=51.0)
    assert np.all(importer.cost > 0.0)  # the importer's total, not this shipment, counts


def test_carbon_price_paid_at_origin_is_deducted_but_never_below_zero() -> None:
    mass, see = 1000.0, 8.7
    plain = cbam.cbam_what_if("cobalt_hydroxide", mass, YEARS, 80.0, specific_emissions=see,
                              benchmark=0.0)
    paid = cbam.cbam_what_if("cobalt_hydroxide", mass, YEARS, 80.0, specific_emissions=see,
                             benchmark=0.0, origin_carbon_price=10.0)
    np.testing.assert_allclose(paid.cost, plain.cost - mass * see * 10.0)
    dearer = cbam.cbam_what_if("cobalt_hydroxide", mass, YEARS, 80.0, specific_emissions=see,
                               benchmark=0.0, origin_carbon_price=500.0)
    assert np.all(dearer.cost == 0.0)
    np.testing.assert_allclose(dearer.origin_deduction, dearer.gross_cost)


def test_nothing_is_owed_before_the_definitive_period() -> None:
    result = cbam.cbam_what_if("cobalt_hydroxide", 1000.0, np.array([2024, 2025, 2026]), 80.0,
                               specific_emissions=8.7)
    np.testing.assert_array_equal(result.cost[0, :2], [0.0, 0.0])
    assert result.cost[0, 2] > 0.0


def test_vectorised_over_samples_and_years() -> None:
    rng = np.random.default_rng(11)
    n = 500
    mass = rng.uniform(100, 5000, n)
    see = rng.uniform(2, 12, (n, YEARS.size))
    price = np.linspace(70.0, 140.0, YEARS.size)
    cscf = np.where(YEARS <= 2030, 1.0, 0.9)
    result = cbam.cbam_what_if("cobalt_hydroxide", mass, YEARS, price, specific_emissions=see,
                               cscf=cscf)
    benchmark = cbam.cbam_good("cobalt_hydroxide").benchmark
    factors = np.array([ADOPTED.get(int(y), 0.0) for y in YEARS])
    owed = np.maximum(mass[:, None] * see - mass[:, None] * benchmark * factors * cscf, 0.0)
    assert result.cost.shape == (n, YEARS.size)
    np.testing.assert_allclose(result.certificates, owed)
    np.testing.assert_allclose(result.cost, owed * price)


def test_what_if_status_and_label_follow_the_good_and_the_schedule() -> None:
    adopted = cbam.cbam_what_if("cobalt_hydroxide", 100.0, YEARS, 80.0, specific_emissions=8.7)
    assert adopted.what_if and adopted.status == "hypothetical"
    assert "WHAT-IF" in adopted.label and "2822 00 00" in adopted.label
    assert "not covered" in adopted.label
    proposal = cbam.cbam_what_if("cobalt_hydroxide", 100.0, YEARS, 80.0, specific_emissions=8.7,
                                 schedule="proposal")
    assert "COM(2026) 616" in proposal.label
    assert np.all(proposal.certificates[0, 3:] <= adopted.certificates[0, 3:])


def test_bad_inputs_name_the_parameter() -> None:
    with pytest.raises(OptionError, match="schedule"):
        cbam.cbam_factor(YEARS, "draft")  # type: ignore[arg-type]
    with pytest.raises(OutOfBoundsError, match="mass"):
        cbam.cbam_what_if("cobalt_hydroxide", -1.0, YEARS, 80.0)
    with pytest.raises(OutOfBoundsError, match="cbam_price"):
        cbam.cbam_what_if("cobalt_hydroxide", np.ones(4), YEARS, np.ones((3, YEARS.size)))
    with pytest.raises(OutOfBoundsError, match="years"):
        cbam.cbam_what_if("cobalt_hydroxide", 1.0, np.array([2026.5]), 80.0)
