"""Scrap grading on the shipped ISRI and GB/T 13587 tables: confidence oracles, best-grade rule,
routes, values, vectorisation (hypothesis) and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from valueloop.core.errors import MalformedFileError, OptionError
from valueloop.scrap import (
    Measurement,
    grade_confidences,
    grade_measurement,
    grade_table,
    read_composition,
    read_measurement,
)


def reading(form: str | None = None, **elements: tuple[float, float] | float) -> Measurement:
    values = {name: ({"value": v[0], "uncertainty": v[1]} if isinstance(v, tuple)
                     else {"value": v}) for name, v in elements.items()}
    return Measurement(method="XRF", elements=values, form=form)


def confidence(result_grade: str, measurement: Measurement, scheme: str = "ISRI") -> float:
    result = grade_measurement(measurement, scheme=scheme)
    return float(result.confidences[result.table.index(result_grade)])


# --- confidence oracles --------------------------------------------------------------------------


def test_composition_far_inside_a_grade_has_confidence_near_one() -> None:
    # Birch: Cu >= 94 %, Sn, Pb <= 0.5 %. Cu 96.2 % +- 0.2 % is 11 sigma inside.
    assert confidence("Birch", reading(Cu=(0.962, 0.002), Sn=(0.001, 0.0005),
                                       Pb=(0.001, 0.0005))) > 1 - 1e-12


def test_composition_on_a_limit_with_symmetric_error_has_confidence_one_half() -> None:
    assert confidence("Birch", reading(Cu=(0.94, 0.003))) == pytest.approx(0.5, abs=1e-12)
    # two independent limits, both on the edge: 0.5 x 0.5
    assert confidence("Birch", reading(Cu=(0.94, 0.003), Sn=(0.005, 0.001))) == \
        pytest.approx(0.25, abs=1e-12)


def test_confidence_is_the_normal_probability_of_meeting_the_limit() -> None:
    # Berry needs Cu >= 99.0 %: 99.2 % +- 0.1 % is two sigma above, P = Phi(2).
    assert confidence("Berry", reading(Cu=(0.992, 0.001))) == pytest.approx(norm.cdf(2.0),
                                                                            rel=1e-12)


def test_exact_composition_on_a_limit_meets_it_and_just_below_does_not() -> None:
    assert confidence("Birch", reading(Cu=0.94)) == 1.0
    assert confidence("Birch", reading(Cu=0.9399)) == 0.0
    assert confidence("Birch", reading(Cu=0.96, Sn=0.0051)) == 0.0


# --- best grade -------------------------------------------------------------------------------


def test_best_grade_is_the_most_valuable_grade_above_the_threshold() -> None:
    lot = reading(Cu=(0.992, 0.001))  # P(No. 1) = Phi(2) = 0.977, P(Barley) = Phi(-3)
    result = grade_measurement(lot)
    table = result.table
    called = [g for i, g in enumerate(table.grades) if result.confidences[i] >= 0.95]
    assert result.best == max(called, key=lambda g: table.payables[table.index(g)])
    assert result.best == "Clove"  # nodules, 0.96, beat Berry/Candy at 0.95 when form is open
    assert grade_measurement(reading("wire", Cu=(0.992, 0.001))).best == "Berry"
    # a stricter threshold than Phi(2) drops No. 1 copper to No. 2
    assert grade_measurement(reading("wire", Cu=(0.992, 0.001)), threshold=0.99).best == "Birch"


def test_brass_grades_and_copper_bearing_scrap() -> None:
    assert grade_measurement(reading(Cu=0.65, Zn=0.34)).best == "Honey"
    assert grade_measurement(reading(Cu=0.85, Sn=0.05, Zn=0.05, Pb=0.05)).best == "Ebony"
    assert grade_measurement(reading(Cu=0.40, Fe=0.2)).best == "Drove"


# --- routes and value ---------------------------------------------------------------------------


@pytest.mark.parametrize(("elements", "route", "rule"), [
    ({"Cu": 0.9995}, "direct_remelt", 2),
    ({"Cu": 0.962}, "fire_refining", 3),
    ({"Cu": 0.90}, "electrolytic_refining", 4),
    ({"Cu": 0.60, "Fe": 0.1}, "smelter", 5),
    ({"Cu": 0.65, "Zn": 0.34}, "direct_remelt", 1),
])
def test_route_follows_the_rule_table(elements: dict[str, float], route: str, rule: int) -> None:
    result = grade_measurement(reading(**elements))
    assert (result.route.route, result.route.rule) == (route, rule)
    assert result.route.reasoning and result.route.source.assumption


def test_ungraded_lot_goes_to_the_smelter() -> None:
    result = grade_measurement(reading(Cu=0.90), scheme="GB/T 13587")
    assert result.best is None and result.value_per_t is None
    assert (result.route.route, result.route.rule) == ("smelter", 0)


def test_value_is_price_times_payable_times_mass() -> None:
    result = grade_measurement(reading(Cu=0.962), copper_price=9500.0, mass_t=10.0)
    assert result.best == "Birch" and result.payable == pytest.approx(0.90)
    record = result.to_record()
    assert record["value_per_t"] == pytest.approx(9500.0 * 0.90)
    assert record["value"] == pytest.approx(9500.0 * 0.90 * 10.0)
    json.dumps(record, allow_nan=False)


def test_every_grade_has_a_payable_and_cited_or_assumed_limits() -> None:
    for scheme in ("ISRI", "GB/T 13587"):
        table = grade_table(scheme)
        assert len(table.payables) == len(table.grades)
        assert all(c.document or c.assumption for _, c in table.limit_sources)
    # the two limits read in ISRI's own text are cited, not assumed
    sources = dict(grade_table("ISRI").limit_sources)
    for key in ("Birch/Cu/min", "Cliff/Cu/min"):
        assert sources[key].document == "isri-public-notice-2017-nonferrous"
        assert sources[key].assumption is None
    assert grade_table("ISRI").lower[grade_table("ISRI").index("Birch"), 0] == 0.94


# --- vectorised and property-based ----------------------------------------------------------


fractions = st.floats(0.0, 1.0, allow_nan=False)
sigmas = st.floats(0.0, 0.05, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(fractions, sigmas), min_size=6, max_size=6), st.integers(1, 5))
def test_vectorised_confidences_equal_one_at_a_time(pairs: list[tuple[float, float]],
                                                    n: int) -> None:
    table = grade_table("ISRI")
    width = len(table.elements)
    mean = np.array([p[0] for p in pairs][:width] + [0.0] * max(0, width - 6))
    sigma = np.array([p[1] for p in pairs][:width] + [0.0] * max(0, width - 6))
    many = grade_confidences(np.tile(mean, (n, 1)), np.tile(sigma, (n, 1)), table)
    one = grade_confidences(mean, sigma, table)
    assert many.shape == (n, len(table.grades))
    assert np.array_equal(many, np.tile(one, (n, 1)))
    assert ((one >= 0) & (one <= 1)).all()


@settings(max_examples=60, deadline=None)
@given(st.floats(0.85, 1.0), st.floats(0.0, 0.01), st.floats(0.0, 0.01))
def test_more_copper_never_lowers_a_copper_grade_confidence(cu: float, step: float,
                                                           sigma: float) -> None:
    table = grade_table("ISRI")
    low = grade_measurement(reading(Cu=(cu, sigma)))
    high = grade_measurement(reading(Cu=(min(cu + step, 1.0), sigma)))
    for grade in ("Berry", "Birch", "Cobra", "Dream"):  # grades with a Cu floor only
        i = table.index(grade)
        assert high.confidences[i] >= low.confidences[i] - 1e-15


@settings(max_examples=60, deadline=None)
@given(st.floats(0.5, 1.0), st.floats(0.0, 0.01), st.floats(0.5, 0.999))
def test_no_better_paid_grade_reaches_the_threshold(cu: float, sigma: float,
                                                    threshold: float) -> None:
    result = grade_measurement(reading(Cu=(cu, sigma)), threshold=threshold)
    assert result.best is not None  # Drove has no limits
    best = result.table.index(result.best)
    assert result.confidences[best] >= threshold
    better = result.table.payables > result.table.payables[best]
    assert not (better & (result.confidences >= threshold)).any()


# --- reading files --------------------------------------------------------------------------


def test_measurement_file_in_percent_with_expanded_uncertainty(tmp_path: Path) -> None:
    path = tmp_path / "xrf.json"
    path.write_text(json.dumps({"method": "LIBS", "unit": "%", "coverage_factor": 2,
                                "elements": {"Cu": {"value": 96.0, "uncertainty": 0.8}}}))
    lot = read_measurement(path)
    assert lot.elements["Cu"].value == pytest.approx(0.96)
    assert lot.elements["Cu"].uncertainty == pytest.approx(0.004)


def test_copper_passport_composition_is_read(tmp_path: Path) -> None:
    path = tmp_path / "passport.json"
    path.write_text(json.dumps({"identifier": "urn:x:1", "composition": {
        "copper_min_percent": 99.95,
        "impurities": [{"element": "Sn", "mass_fraction_ppm": 20}]}}))
    lot = read_composition(path)
    assert lot.subject == "urn:x:1"
    assert lot.elements["Cu"].value == pytest.approx(0.9995)
    assert lot.elements["Sn"].value == pytest.approx(2e-5)
    assert grade_measurement(lot).best == "Barley"


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not valid JSON"),
    ('{"elements": {"Copper": {"value": 0.9}}}', "not element symbols"),
    ('{"elements": {"Cu": {"value": 0.9}, "Zn": {"value": 0.5}}}', "sum to"),
    ('{"elements": {"Cu": {"value": "high"}}}', "not a finite number"),
    ('{"elements": {"Cu": {"value": 0.9}}, "unit": "ppm"}', "unit 'ppm'"),
    ('{"elements": {"Cu": {"value": 0.9, "uncertainty": -1}}}', "greater than or equal"),
])
def test_bad_measurement_files_name_the_problem(tmp_path: Path, content: str,
                                                message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(MalformedFileError, match=message) as info:
        read_measurement(path)
    assert "\n" not in str(info.value) and "bad.json" in str(info.value)


def test_bad_options_are_user_errors() -> None:
    with pytest.raises(OptionError, match="threshold"):
        grade_measurement(reading(Cu=0.99), threshold=1.5)
    with pytest.raises(OptionError, match="classification"):
        grade_measurement(reading(Cu=0.99), scheme="ASTM")
