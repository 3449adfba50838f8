"""The shipped route scenario (cobalt-routes) and the chapter 4 claims that read it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from valueloop.core.claims import ClaimResult, check_claims
from valueloop.core.sampling import baseline_inputs
from valueloop.core.scenario import Scenario, load_definition, load_scenario
from valueloop.core.sources import Citation, shipped_documents
from valueloop.core.study import run_study
from valueloop.models import operating as op
from valueloop.models.registry import get_model

SCENARIO = "valueloop:cobalt-routes"
CLAIMS = Path(op.__file__).parents[1] / "data" / "claims" / "cobalt-ch4.toml"
OVERRIDES = ("report-footprints", "green-power-drc", "captive-coal-indonesia")
ROUTES = tuple(route.id for route in op.DEFAULT_ROUTES)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(SCENARIO)


def _assumption_rows() -> set[str]:
    """Names whose source in the default_route_values docstring table starts "assumption"."""
    names, prefix, name = set(), "", ""
    lines = [line.strip() for line in (op.default_route_values.__doc__ or "").splitlines()]
    for i, line in enumerate(lines):
        if not line.startswith("|") or line.startswith("|-"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if i + 1 < len(lines) and lines[i + 1].startswith("|-"):
            prefix = cells[0]
        elif cells[0]:
            name = prefix + cells[0]
            if cells[2].startswith("assumption"):
                names.add(name)
    return names


# --- the scenario against the model ------------------------------------------------------------

def test_scenario_resolves_against_the_registered_model(scenario: Scenario) -> None:
    model = get_model(scenario.model)
    assert model is op.OPERATING_ROUTES
    assert set(scenario.parameters) == {d.name for d in op.ROUTE_PARAMETERS}
    for name, value in op.default_route_values().items():
        assert scenario.parameters[name].value == pytest.approx(value, rel=1e-12), name


@pytest.mark.parametrize("override", OVERRIDES)
def test_every_override_resolves(override: str) -> None:
    varied = load_scenario(SCENARIO, override=override)
    assert set(varied.parameters) == {d.name for d in op.ROUTE_PARAMETERS}


def test_report_footprints_override_takes_the_report_figures() -> None:
    varied = load_scenario(SCENARIO, override="report-footprints")
    assert varied.parameters["cobalt.route.drc_hydroxide.royalty_rate"].value == \
        pytest.approx(0.035)
    assert varied.parameters["cobalt.route.indonesia_mhp.green_share"].value == 1.0
    assert varied.parameters["cobalt.route.drc_hydroxide.royalty_rate"].source.document == \
        "seed-004"


def test_every_parameter_has_a_source(scenario: Scenario) -> None:
    documents = shipped_documents()
    for name, citation in scenario.citations():
        assert isinstance(citation, Citation), name
        if citation.document is not None:
            assert citation.document in documents, name
            assert citation.section, f"{name}: a cited value needs its section"
        else:
            assert citation.assumption and citation.assumption.strip(), name


def test_override_parameters_have_sources() -> None:
    definition = load_definition(SCENARIO)
    for override in OVERRIDES:
        for name in definition.overrides[override].parameters:
            source = load_scenario(SCENARIO, override=override).parameters[name].source
            assert source.document or source.assumption, (override, name)


def test_sources_follow_the_model_docstring(scenario: Scenario) -> None:
    """Our assumptions in operating.py stay assumptions; its cited values stay cited."""
    assumed = _assumption_rows()
    assert assumed, "docstring table not found"
    for name, parameter in scenario.parameters.items():
        assert parameter.source.is_assumption == (name in assumed), name


def test_uncertain_inputs_are_ranged_and_reasoned(scenario: Scenario) -> None:
    kinds = ("production_cost", "power_intensity", "sea_freight", "disruption_probability",
             "disruption_loss", "process_emissions")
    for route in ROUTES:
        for kind in kinds:
            parameter = scenario.parameters[f"cobalt.route.{route}.{kind}"]
            assert parameter.distribution is not None, parameter.name
            assert parameter.distribution.kind in ("triangular", "pert"), parameter.name
            assert parameter.source.assumption, parameter.name
            low, high = parameter.distribution.support()
            assert low < parameter.value < high, parameter.name
    artisanal = scenario.parameters["cobalt.route.drc_hydroxide.artisanal_share"]
    assert artisanal.distribution is not None and artisanal.source.assumption


# --- the model on the scenario -----------------------------------------------------------------

def test_landed_cost_components_sum_to_the_totals_on_the_baseline(scenario: Scenario) -> None:
    outputs = op.OPERATING_ROUTES(baseline_inputs(scenario), 1)
    breakdown = outputs["cost_breakdown"][0]
    assert breakdown.shape == (len(ROUTES), len(op.COST_COMPONENTS))
    np.testing.assert_allclose(breakdown[:, :-1].sum(axis=-1), outputs["landed_cost"][0],
                               rtol=1e-12)
    np.testing.assert_allclose(breakdown.sum(axis=-1), outputs["risk_adjusted_cost"][0],
                               rtol=1e-12)
    np.testing.assert_allclose(outputs["footprint_breakdown"][0].sum(axis=-1),
                               outputs["footprint"][0], rtol=1e-12)
    drc = ROUTES.index("drc_hydroxide")
    # 10 % royalty on 19,780 USD/t and 2.8 % insurance, as the scenario cites them
    assert breakdown[drc, op.COST_COMPONENTS.index("royalty")] == pytest.approx(1978.0)
    assert breakdown[drc, op.COST_COMPONENTS.index("insurance")] == pytest.approx(553.84)


def test_study_drc_footprint_p50_below_indonesia(scenario: Scenario) -> None:
    result = run_study(op.OPERATING_ROUTES, scenario, 10_000, seed=1,
                       keep=("footprint", "landed_cost"))
    assert result.outputs["footprint"].shape == (10_000, len(ROUTES))
    assert np.all(np.isfinite(result.outputs["landed_cost"]))
    p10, p50, p90 = result.quantiles("footprint")
    drc, indonesia = ROUTES.index("drc_hydroxide"), ROUTES.index("indonesia_mhp")
    assert p50[drc] < p50[indonesia]
    assert np.all(p10 <= p50) and np.all(p50 <= p90)


# --- chapter 4 claims --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def claims() -> dict[str, ClaimResult]:
    report = check_claims(CLAIMS)
    assert report.scenario == "cobalt-routes"
    return {result.claim.id: result for result in report.results}


def test_claims_file_checks(claims: dict[str, ClaimResult]) -> None:
    assert len(claims) >= 20
    verdicts = {result.verdict for result in claims.values()}
    assert verdicts <= {"agrees", "agrees within rounding", "disagrees"}
    assert "agrees" in verdicts and "disagrees" in verdicts
    for claim_id in ("4.3-power-gap-vs-japan-korea", "4.3-sumitomo-green-power",
                     "4.2-art8-first-share", "4.2-art8-second-share"):
        assert claims[claim_id].verdict == "agrees", claim_id


def test_art8_claim_disagrees_with_the_regulation(claims: dict[str, ClaimResult]) -> None:
    result = claims["4.2-art8-share-in-force-2027"]
    assert result.verdict == "disagrees"
    assert result.claim.kind == "source"
    assert result.claim.stated_value == 16
    # the claim's figure is what the model's Art. 8 schedule gives for every day of 2027
    in_2027 = [op.decimal_year(dt.date(2027, 1, 1)), op.decimal_year(dt.date(2027, 12, 31))]
    assert result.computed == pytest.approx(100 * float(np.max(op.art8_minimum_share(in_2027))))
    assert claims["4.2-art8-first-year"].verdict == "disagrees"
    assert claims["4.2-art8-second-year"].verdict == "disagrees"


def test_royalty_claim_reads_the_scenario(claims: dict[str, ClaimResult]) -> None:
    result = claims["4.1-royalty-rate"]
    assert result.computed == pytest.approx(100 * op.default_route_values()[
        "cobalt.route.drc_hydroxide.royalty_rate"])
    assert result.verdict == "disagrees"
    agreeing = check_claims(CLAIMS, override="report-footprints")
    by_id = {r.claim.id: r for r in agreeing.results}
    assert by_id["4.1-royalty-rate"].verdict == "agrees"


def test_footprint_claims_match_the_model(scenario: Scenario,
                                         claims: dict[str, ClaimResult]) -> None:
    footprint = op.OPERATING_ROUTES(baseline_inputs(scenario), 1)["footprint"][0]
    drc, indonesia = ROUTES.index("drc_hydroxide"), ROUTES.index("indonesia_mhp")
    assert claims["4.1-footprint-drc-route"].computed == pytest.approx(footprint[drc])
    assert claims["4.1-footprint-indonesia-route"].computed == pytest.approx(footprint[indonesia])
    for claim_id in ("4.1-footprint-drc-route", "4.1-footprint-indonesia-route",
                     "4.1-footprint-indonesia-on-its-grid", "4.1-footprint-indonesia-all-green"):
        assert claims[claim_id].verdict == "disagrees", claim_id
