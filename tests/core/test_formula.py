"""The claims formula language: arithmetic on quantities, the function table, and refusals."""

from __future__ import annotations

import builtins
import math

import numpy as np
import pint
import pytest

from valueloop.core.errors import ClaimError
from valueloop.core.formula import (
    FUNCTIONS,
    MAX_FORMULA_LENGTH,
    Namespace,
    Series,
    Value,
    evaluate,
    parse_formula,
    scenario_namespace,
    with_batch_axis,
)
from valueloop.core.model import ModelDefinition
from valueloop.core.parameters import ParameterDeclaration
from valueloop.core.scenario import ScenarioDefinition, resolve
from valueloop.core.units import unit_registry

Q = unit_registry().Quantity


@pytest.fixture
def namespace() -> Namespace:
    """Section 1.1 of the cobalt hydroxide report (seed 004), in mixed units on purpose."""
    return {
        "cobalt.capacity.y2020": Q(8.2e4, "t/yr"),
        "cobalt.capacity.y2024": Q(18.6, "wan_t/yr"),
        "cobalt.consumption.y2024": Q(11.8, "wan_t/yr"),
        "precursor.output.y2024": Q(85.0, "wan_t/yr"),
        "precursor.cobalt_content": Q(0.145),
        "hydroxide.cobalt_content": Q(31.0, "percent"),
        "cobalt.price.hydroxide": Series(Q(np.array([28.6, 20.8]), "wan_CNY/t"), (2022, 2024)),
        "cobalt.price.by_grade": Series(Q(np.array([20.8, 23.0]), "wan_CNY/t"), ("co31", "co35")),
        "china.import.share": Q(0.85),
        "stock.2024": Q(3.0, "kt"),
        "x": Q(2.0),
    }


def value_in(formula: str, namespace: Namespace, unit: str) -> float:
    return float(evaluate(formula, namespace).to(unit).magnitude)


# --- arithmetic and names -----------------------------------------------------------------


def test_growth_of_capacity_matches_the_report(namespace: Namespace) -> None:
    growth = value_in("growth(cobalt.capacity.y2020, cobalt.capacity.y2024)", namespace,
                      "percent")
    assert growth == pytest.approx(126.829, abs=1e-3)


def test_share_converts_units_before_dividing(namespace: Namespace) -> None:
    utilisation = value_in("share(cobalt.consumption.y2024, cobalt.capacity.y2024)", namespace,
                           "percent")
    assert utilisation == pytest.approx(63.44, abs=1e-2)


@pytest.mark.parametrize(("formula", "expected"), [
    ("1 + 2 * 3", 7.0),
    ("(1 + 2) * 3", 9.0),
    ("2 ** 3 ** 2", 512.0),
    ("-x ** 2", -4.0),
    ("+x - -1", 3.0),
    ("7 / 2", 3.5),
    ("x * 1.5e2", 300.0),
])
def test_arithmetic_follows_python_precedence(namespace: Namespace, formula: str,
                                              expected: float) -> None:
    assert value_in(formula, namespace, "dimensionless") == pytest.approx(expected)


def test_units_combine_through_arithmetic(namespace: Namespace) -> None:
    result = evaluate("cobalt.capacity.y2024 - cobalt.capacity.y2020", namespace)
    assert result.to("t/yr").magnitude == pytest.approx(104_000)
    assert evaluate("cobalt.capacity.y2024 * q(1, 'yr')", namespace).check("[mass]")


def test_dotted_names_with_keyword_or_digit_parts_resolve(namespace: Namespace) -> None:
    # Valid parameter names that Python alone could not parse as attribute chains.
    assert value_in("china.import.share * 100", namespace, "dimensionless") == pytest.approx(85)
    assert value_in("stock.2024 + q(500, 't')", namespace, "t") == pytest.approx(3500)


def test_names_lists_what_a_formula_reads() -> None:
    formula = parse_formula("growth(a.b, at(c.import.d, 2024)) + e * growth(a.b, f)")
    assert formula.names == ("a.b", "c.import.d", "e", "f")


def test_formula_is_parsed_once_and_evaluated_many_times(namespace: Namespace) -> None:
    formula = parse_formula("x * 3")
    assert formula.evaluate(namespace).magnitude == pytest.approx(6)
    assert formula.evaluate({**namespace, "x": Q(5.0)}).magnitude == pytest.approx(15)


def test_evaluation_never_uses_eval(namespace: Namespace, monkeypatch: pytest.MonkeyPatch
                                    ) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("eval called")

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    assert value_in("share(x, x * 4)", namespace, "percent") == pytest.approx(25)


# --- functions -----------------------------------------------------------------------------


def test_function_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        FUNCTIONS["eval"] = FUNCTIONS["abs"]  # type: ignore[index]


def test_price_fall_from_a_series(namespace: Namespace) -> None:
    change = value_in(
        "growth(at(cobalt.price.hydroxide, 2022), at(cobalt.price.hydroxide, 2024))",
        namespace, "percent")
    assert change == pytest.approx(-27.27, abs=1e-2)


def test_at_matches_numeric_and_text_labels(namespace: Namespace) -> None:
    assert value_in("at(cobalt.price.hydroxide, '2024')", namespace,
                    "CNY/t") == pytest.approx(208_000)
    assert value_in("at(cobalt.price.by_grade, 'co35')", namespace,
                    "wan_CNY/t") == pytest.approx(23.0)


def test_at_with_an_unknown_label_lists_the_labels(namespace: Namespace) -> None:
    with pytest.raises(ClaimError, match=r"no label 2023 .*2022, 2024"):
        evaluate("at(cobalt.price.hydroxide, 2023)", namespace)


def test_at_needs_a_series(namespace: Namespace) -> None:
    with pytest.raises(ClaimError, match="needs a series"):
        evaluate("at(cobalt.capacity.y2024, 2024)", namespace)


def test_series_without_at_is_an_array(namespace: Namespace) -> None:
    assert value_in("sum(cobalt.price.hydroxide)", namespace, "wan_CNY/t") == pytest.approx(49.4)
    assert value_in("mean(cobalt.price.hydroxide)", namespace, "wan_CNY/t") == pytest.approx(24.7)
    assert value_in("max(cobalt.price.hydroxide, q(30, 'wan_CNY/t'))", namespace,
                    "wan_CNY/t") == pytest.approx(30.0)


def test_metal_and_compound_conversions(namespace: Namespace) -> None:
    contained = "metal_from_compound(precursor.output.y2024, precursor.cobalt_content)"
    assert value_in(contained, namespace, "wan_t/yr") == pytest.approx(12.325)
    as_hydroxide = f"compound_from_metal({contained}, hydroxide.cobalt_content)"
    assert value_in(as_hydroxide, namespace, "wan_t/yr") == pytest.approx(39.758, abs=1e-3)


@pytest.mark.parametrize(("formula", "message"), [
    ("compound_from_metal(q(1, 't'), 31)", r"metal fraction in \(0, 1\]"),
    ("metal_from_compound(q(1, 't'), 0)", r"metal fraction in \(0, 1\]"),
    ("metal_from_compound(q(1, 'CNY'), 0.3)", "needs a mass"),
    ("compound_from_metal(q(1, 't'), q(1, 'kg'))", "dimensionless"),
])
def test_conversions_refuse_wrong_arguments(namespace: Namespace, formula: str,
                                            message: str) -> None:
    with pytest.raises(ClaimError, match=message):
        evaluate(formula, namespace)


def test_cagr_takes_a_number_or_a_time() -> None:
    doubling = "cagr(q(8.2, 'wan_t'), q(16.4, 'wan_t'), {years})"
    assert value_in(doubling.format(years="4"), {}, "dimensionless") == pytest.approx(
        2 ** 0.25 - 1)
    assert value_in(doubling.format(years="q(48, 'month')"), {},
                    "dimensionless") == pytest.approx(2 ** 0.25 - 1)
    with pytest.raises(ClaimError, match="non-zero"):
        evaluate(doubling.format(years="0"), {})
    with pytest.raises(ClaimError, match="number or a time"):
        evaluate(doubling.format(years="q(4, 't')"), {})


@pytest.mark.parametrize(("formula", "expected"), [
    ("min(3, 1, 2)", 1.0),
    ("max(3, 1, 2)", 3.0),
    ("sum(1, 2, 3)", 6.0),
    ("mean(1, 2, 3)", 2.0),
    ("abs(-2.5)", 2.5),
    ("sqrt(16)", 4.0),
    ("exp(0)", 1.0),
    ("log(exp(2))", 2.0),
])
def test_numeric_functions(formula: str, expected: float) -> None:
    assert value_in(formula, {}, "dimensionless") == pytest.approx(expected)


def test_q_is_a_literal_quantity() -> None:
    assert value_in("q(1.5, 'kt') + q(500, 't')", {}, "t") == pytest.approx(2000)
    assert value_in("sqrt(q(16, 't**2'))", {}, "t") == pytest.approx(4)
    assert value_in("q(-20.8, 'wan_CNY/t')", {}, "CNY/t") == pytest.approx(-208_000)


@pytest.mark.parametrize(("formula", "message"), [
    ("q(1, 'furlongs_per_fortnight')", "not a known unit"),
    ("q(1, 2)", "unit as a quoted string"),
    ("q(q(5, 'percent'), 't')", "plain number"),
    ("min(q(1, 't'), q(1, 'CNY'))", "different dimensions"),
    ("exp(q(1, 't'))", "dimensionless argument"),
    ("growth(q(1, 't'), q(1, 'CNY'))", "same dimension"),
    ("growth(1)", r"given 1 argument.*growth\(a, b\)"),
    ("abs(1, 2)", r"given 2 argument"),
])
def test_function_misuse_is_a_claim_error(formula: str, message: str) -> None:
    with pytest.raises(ClaimError, match=message):
        evaluate(formula, {})


def test_series_of_different_lengths_is_a_claim_error(namespace: Namespace) -> None:
    three = Series(Q(np.array([1.0, 2.0, 3.0]), "wan_CNY/t"), (2022, 2023, 2024))
    with pytest.raises(ClaimError, match="different shapes"):
        evaluate("cobalt.price.hydroxide + three", {**namespace, "three": three})


# --- batches: one evaluation over many input points -------------------------------------------

# Three batch points of every input. Each formula below is evaluated once over the batch and
# once per point; together they call every function of the language.
BATCH: dict[str, Value] = {
    "a": Q(np.array([10.4, 10.35, 10.45]), "wan_t/yr"),
    "b": Q(np.array([12.4, 12.45, 12.35]), "wan_t/yr"),
    "f": Q(np.array([0.31, 0.305, 0.315])),
    "n": Q(np.array([4.0, 3.0, 5.0])),
    "y": Q(np.array([2.0, 0.5, -1.0])),
    "s": Series(Q(np.array([[28.6, 20.8], [28.55, 20.85], [28.65, 20.75]]), "wan_CNY/t"),
                (2022, 2024)),
}
BATCH_FORMULAS = (
    "growth(a, b)",
    "cagr(a, b, n)",
    "cagr(a, b, q(48, 'month'))",
    "share(a, a + b)",
    "metal_from_compound(b, f)",
    "compound_from_metal(a, f)",
    "q(2, 't') * n",
    "at(s, 2024) / at(s, 2022)",
    "min(a, b, q(10.4, 'wan_t/yr'))",
    "max(s, at(s, 2022) * f * 4)",
    "sum(s, at(s, 2024))",
    "mean(s, q(30, 'wan_CNY/t'))",
    "abs(y - 1)",
    "sqrt(a * b)",
    "exp(y)",
    "log(n)",
    "n ** y",
    "s * f",
    "-a + b",
)


def point(index: int) -> dict[str, Value]:
    """Batch point ``index`` as an ordinary namespace."""
    single: dict[str, Value] = {}
    for name, value in BATCH.items():
        if isinstance(value, Series):
            single[name] = Series(value.values[index], value.index)
        else:
            single[name] = value[index]
    return single


def test_batch_formulas_call_every_function() -> None:
    called = {name for text in BATCH_FORMULAS for name in FUNCTIONS if f"{name}(" in text}
    assert called == set(FUNCTIONS)


@pytest.mark.parametrize("formula", BATCH_FORMULAS)
def test_batch_evaluation_is_pointwise_evaluation(formula: str) -> None:
    parsed = parse_formula(formula)
    batch = parsed.evaluate_batch(BATCH)
    assert np.shape(batch.magnitude)[0] == 3
    for index in range(3):
        single = parsed.evaluate(point(index))
        assert batch[index].to(single.units).magnitude == pytest.approx(single.magnitude)


def test_at_picks_the_label_at_every_batch_point() -> None:
    series = BATCH["s"]
    assert isinstance(series, Series)
    assert series.at(2024).to("wan_CNY/t").magnitude == pytest.approx([20.8, 20.85, 20.75])
    picked = parse_formula("at(s, '2022')").evaluate_batch(BATCH)
    assert picked.to("wan_CNY/t").magnitude == pytest.approx([28.6, 28.55, 28.65])


def test_min_max_sum_mean_work_elementwise_over_the_batch() -> None:
    batch: dict[str, Value] = {
        "x": Q(np.array([1.0, 5.0, 3.0])),
        "z": Q(np.array([4.0, 2.0, 6.0])),
        "s": Series(Q(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])), ("p", "q")),
    }

    def values(formula: str) -> list[float]:
        return list(parse_formula(formula).evaluate_batch(batch).magnitude)

    assert values("min(x, z)") == [1.0, 2.0, 3.0]
    assert values("max(x, z)") == [4.0, 5.0, 6.0]
    assert values("sum(x, z, 1)") == [6.0, 8.0, 10.0]
    assert values("min(s, z)") == [1.0, 2.0, 5.0]  # a series counts all its labels
    assert values("max(s)") == [2.0, 4.0, 6.0]
    assert values("mean(s, x)") == pytest.approx([4 / 3, 4.0, 14 / 3])


def test_scalars_line_up_with_series_by_batch_point_not_by_label() -> None:
    # Two batch points and two labels: plain numpy broadcasting would pair the scalar's
    # batch points with the series' labels, silently.
    batch: dict[str, Value] = {"x": Q(np.array([1.0, 10.0])),
                               "s": Series(Q(np.array([[1.0, 2.0], [3.0, 4.0]])), (1, 2))}
    for formula in ("x * s", "s * x"):
        result = parse_formula(formula).evaluate_batch(batch)
        assert result.magnitude.tolist() == [[1.0, 2.0], [30.0, 40.0]]
    shares = parse_formula("share(s, x)").evaluate_batch(batch)
    assert shares.magnitude.tolist() == [[1.0, 2.0], [0.3, 0.4]]


def test_batch_axis_of_length_one_broadcasts() -> None:
    batch = {"a": BATCH["a"], "b": with_batch_axis(Q(12.4, "wan_t/yr"))}
    growth = parse_formula("growth(a, b)").evaluate_batch(batch)
    assert growth.magnitude == pytest.approx(12.4 / np.array([10.4, 10.35, 10.45]) - 1)
    constant = parse_formula("q(2, 't') * 3").evaluate_batch({})
    assert np.ndim(constant.magnitude) == 0


def test_evaluate_batch_needs_the_batch_axis() -> None:
    with pytest.raises(ValueError, match="batch axis"):
        parse_formula("x * 2").evaluate_batch({"x": Q(2.0)})
    flat = Series(Q(np.array([1.0, 2.0])), (1, 2))
    with pytest.raises(ValueError, match="batch axis"):
        parse_formula("at(s, 1)").evaluate_batch({"s": flat})


def test_exponent_that_varies_needs_a_dimensionless_base() -> None:
    with pytest.raises(ClaimError, match="varies"):
        parse_formula("a ** y").evaluate_batch(BATCH)
    squared = parse_formula("a ** 2").evaluate_batch(BATCH)  # one exponent: units are fine
    assert squared.to("wan_t**2/yr**2").magnitude == pytest.approx(
        np.array([10.4, 10.35, 10.45]) ** 2)


def test_batch_errors_are_claim_errors() -> None:
    with pytest.raises(ClaimError, match=r"metal fraction in \(0, 1\], got 1.5"):
        parse_formula("compound_from_metal(q(1, 't'), f)").evaluate_batch(
            {"f": Q(np.array([0.5, 1.5]))})


# --- refusals -------------------------------------------------------------------------------


def test_unknown_name_suggests_close_matches(namespace: Namespace) -> None:
    with pytest.raises(ClaimError) as caught:
        evaluate("share(cobalt.consumption.y2024, cobalt.capacity.y2042)", namespace)
    message = str(caught.value)
    assert "unknown name 'cobalt.capacity.y2042'" in message
    assert "did you mean cobalt.capacity.y2024" in message
    assert "share(cobalt.consumption.y2024" in message  # the formula is named


def test_unknown_function_suggests_close_matches() -> None:
    with pytest.raises(ClaimError, match=r"unknown function 'growht'.*did you mean growth"):
        evaluate("growht(1, 2)", {})


@pytest.mark.parametrize(("formula", "construct"), [
    ("__import__('os')", "unknown function '__import__'"),
    ("__import__('os').system('ls')", "calls of anything but a function name"),
    ("(x + 1).real", "attribute access"),
    ("'abc'.upper()", "calls of anything but a function name"),
    ("growth(x, x).imag", "attribute access"),
    ("lambda: 1", "lambda"),
    ("(lambda: x)()", "calls of anything but a function name"),
    ("x[0]", "subscripts"),
    ("1 if x else 2", "if/else"),
    ("x < 2", "comparisons"),
    ("x and 1", "and/or"),
    ("not x", "the operator not"),
    ("x // 2", "the operator //"),
    ("x % 2", "the operator %"),
    ("[1, 2]", "lists"),
    ("(1, 2)", "tuples"),
    ("{'a': 1}", "dicts"),
    ("[i for i in x]", "comprehensions"),
    ("(y := 2)", "':=' assignment"),
    ("f'{x}'", "f-strings"),
    ("True", "the constant True"),
    ("None", "the constant None"),
    ("1j", "the constant 1j"),
    ("growth(a=1, b=2)", "keyword arguments"),
    ("sum(*x)", "'*' unpacking"),
])
def test_unsupported_syntax_is_refused_at_parse(formula: str, construct: str) -> None:
    with pytest.raises(ClaimError) as caught:
        parse_formula(formula)
    assert construct in str(caught.value)


@pytest.mark.parametrize("formula", ["1 +", "x y", "(1", "x = 1", "import os"])
def test_invalid_syntax_is_a_claim_error(formula: str) -> None:
    with pytest.raises(ClaimError, match="not a valid expression"):
        parse_formula(formula)


def test_empty_and_overlong_formulas_are_refused() -> None:
    with pytest.raises(ClaimError, match="empty"):
        parse_formula("   ")
    with pytest.raises(ClaimError, match="longer than"):
        parse_formula("1" + " + 1" * MAX_FORMULA_LENGTH)


def test_dimension_error_names_the_formula(namespace: Namespace) -> None:
    formula = "cobalt.capacity.y2024 + at(cobalt.price.hydroxide, 2024)"
    with pytest.raises(ClaimError) as caught:
        evaluate(formula, namespace)
    assert formula in str(caught.value)
    assert "dimension error" in str(caught.value)
    assert not isinstance(caught.value, pint.DimensionalityError)


@pytest.mark.parametrize(("formula", "message"), [
    ("1 / 0", "divide by zero"),
    ("log(0 - 1)", "invalid value"),
    ("10.0 ** 1000", "overflow"),
    ("x ** q(1, 't')", "exponent"),
    ("'text' + 1", "quoted text is only a unit in q"),
    ("'text'", "quoted text"),
    ("-'text'", "quoted text"),
    ("abs('text')", "quoted text"),
])
def test_arithmetic_failures_are_claim_errors(namespace: Namespace, formula: str,
                                              message: str) -> None:
    with pytest.raises(ClaimError, match=message):
        evaluate(formula, namespace)


def test_deep_nesting_is_a_claim_error_not_a_crash() -> None:
    with pytest.raises(ClaimError):
        evaluate("-" * (MAX_FORMULA_LENGTH - 1) + "1", {})


def test_long_formulas_are_shortened_in_messages() -> None:
    formula = "unknown_name + " + " + ".join(["1"] * 200)
    with pytest.raises(ClaimError) as caught:
        evaluate(formula, {})
    assert len(str(caught.value)) < 300


# --- namespaces from scenarios ---------------------------------------------------------------


def test_scenario_namespace_gives_canonical_units_and_series() -> None:
    model = ModelDefinition(
        name="formula-test", title="formula test", outputs=(), evaluate=lambda inputs: {},
        parameters=(
            ParameterDeclaration(name="cobalt.capacity.y2024", unit="t/yr", description="c"),
            ParameterDeclaration(name="cobalt.price.hydroxide", unit="CNY/t", description="p",
                                 shape="series", index_name="year"),
        ))
    definition = ScenarioDefinition.model_validate({
        "scenario": {"name": "formula-test", "model": "formula-test"},
        "parameters": {
            "cobalt.capacity.y2024": {"value": 18.6, "unit": "wan_t/yr",
                                      "source": {"assumption": "test value"}},
            "cobalt.price.hydroxide": {"value": [28.6, 20.8], "index": [2022, 2024],
                                       "unit": "wan_CNY/t",
                                       "source": {"assumption": "test value"}},
        },
    })
    namespace = scenario_namespace(resolve(definition, model))
    capacity = namespace["cobalt.capacity.y2024"]
    assert isinstance(capacity, pint.Quantity)
    assert str(capacity.units) == "metric_ton / year"
    assert capacity.magnitude == pytest.approx(186_000)
    price = namespace["cobalt.price.hydroxide"]
    assert isinstance(price, Series)
    assert price.index == (2022, 2024)
    assert math.isclose(price.at(2024).to("CNY/t").magnitude, 208_000)
