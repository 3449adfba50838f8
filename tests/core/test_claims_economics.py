"""The shipped claims of sections 1.3, 2, 3 and 4.3 of the cobalt hydroxide report (seeds/004).

The file has no scenario: every input is a q(...) literal of a figure the report states. The
break-even utilisations of 2.2 do not follow from the report's own fixed cost, variable cost
and price; the carbon cost of the pyrometallurgical route (12.3 tCO2e/t x 60 元/t) does.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from valueloop.core.claims import COLUMNS, ClaimsReport, check_claims, load_claims, write_claims

CLAIMS = (Path(__file__).parents[2] / "src" / "valueloop" / "data" / "claims"
          / "cobalt-economics.toml")


@pytest.fixture(scope="module")
def report() -> ClaimsReport:
    return check_claims(CLAIMS)


def by_id(report: ClaimsReport) -> dict[str, str]:
    return {result.claim.id: result.verdict for result in report.results}


def test_file_loads_without_a_scenario() -> None:
    claims_file = load_claims(CLAIMS)
    assert claims_file.claims.scenario is None
    assert claims_file.claims.document == "seed-004"
    assert len(claims_file.claim) >= 40
    for claim in claims_file.claim:
        assert claim.note, claim.id
        assert claim.kind is not None, claim.id
        assert claim.source.document == "seed-004", claim.id


def test_every_claim_is_checked(report: ClaimsReport) -> None:
    assert len(report.results) == len(load_claims(CLAIMS).claim)
    assert report.n_agrees + report.n_within_rounding + report.n_disagrees == len(report.results)
    assert report.n_agrees > 0
    assert report.n_disagrees > 0


@pytest.mark.parametrize(("claim_id", "computed"), [
    ("2.2-breakeven-hydromet", 43.902),
    ("2.2-breakeven-hydromet-18", 138.462),
    ("2.2-breakeven-pyro", 135.294),
])
def test_break_even_utilisations_disagree(report: ClaimsReport, claim_id: str,
                                          computed: float) -> None:
    result = next(r for r in report.results if r.claim.id == claim_id)
    assert result.verdict == "disagrees"
    assert result.computed == pytest.approx(computed, abs=1e-3)


@pytest.mark.parametrize(("claim_id", "computed"), [
    ("2.2-pyro-carbon-cost", 738.0),
    ("2.1-depreciation", 4200.0),
    ("3.2-margin-before", 19.712),
    ("3.1-indirect-share", 70.115),
])
def test_arithmetic_claims_agree(report: ClaimsReport, claim_id: str, computed: float) -> None:
    result = next(r for r in report.results if r.claim.id == claim_id)
    assert result.verdict == "agrees"
    assert result.claim.kind == "arithmetic"
    assert result.computed == pytest.approx(computed, abs=1e-3)


def test_selected_disagreements(report: ClaimsReport) -> None:
    verdicts = by_id(report)
    for claim_id in ("3.1-excess-carbon-cost", "3.1-cbam-cost-low", "2.1-cost-shares-sum",
                     "2.1-energy-cost", "2.2-opex-shares-sum"):
        assert verdicts[claim_id] == "disagrees", claim_id


def test_csv_has_the_standard_columns(report: ClaimsReport, tmp_path: Path) -> None:
    csv_path, xlsx_path = write_claims(report, tmp_path)
    assert xlsx_path.exists()
    with csv_path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    assert tuple(rows[0]) == COLUMNS
    assert len(COLUMNS) == 8
    assert len(rows) == len(report.results) + 1
    assert {row[0] for row in rows[1:]} == set(by_id(report))


@pytest.mark.parametrize(("claim_id", "computed"), [
    ("1.3-logistics-share-of-price", 0.46875),
    ("1.3-resiting-saving-share", 0.98558),
])
def test_section_1_3_percentages_of_price_are_ten_times_too_high(
        report: ClaimsReport, claim_id: str, computed: float) -> None:
    result = next(r for r in report.results if r.claim.id == claim_id)
    assert result.verdict == "disagrees"
    assert result.computed == pytest.approx(computed, rel=1e-4)
    assert float(result.claim.stated) / result.computed == pytest.approx(10, rel=0.05)


def test_section_1_3_jiangsu_green_power_does_not_reach_the_stated_footprint(
        report: ClaimsReport) -> None:
    verdicts = by_id(report)
    assert verdicts["1.3-triangle-capacity-share"] == "agrees"
    assert verdicts["1.3-power-price-cost-gap"] == "agrees"
    assert verdicts["1.3-jiangsu-green-footprint"] == "disagrees"


def test_section_4_3_energy_claims(report: ClaimsReport) -> None:
    verdicts = by_id(report)
    assert verdicts["4.3-china-power-gap"] == "agrees"
    assert verdicts["4.3-sumitomo-green-share"] == "agrees"
    assert verdicts["4.3-china-power-vs-1.3"] == "disagrees"
    total = next(r for r in report.results if r.claim.id == "4.3-sumitomo-total-energy")
    assert total.verdict == "disagrees"
    assert total.computed == pytest.approx(1850 * 0.1229e-3 + 1.35 * 0.1286, rel=1e-9)
