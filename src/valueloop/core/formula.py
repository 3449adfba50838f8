"""A small, safe formula language for claims: Python expression syntax over pint quantities.

A formula such as ``growth(cobalt.capacity.y2020, cobalt.capacity.y2024)`` is parsed with
:mod:`ast` and evaluated by walking a whitelist of nodes; nothing is ever passed to ``eval``.
Allowed: numbers (dimensionless), ``+ - * / **``, unary minus and plus, parentheses, calls of the
functions in :data:`FUNCTIONS`, string literals as arguments (a unit for ``q``, a label for
``at``), and names. A name, dotted or not, is looked up in a namespace that maps it to a
:class:`pint.Quantity` or a labelled :class:`Series`; :func:`scenario_namespace` builds one from a
scenario's baseline values in their canonical units, and callers may add more (model outputs).

Every problem is a :class:`~valueloop.core.errors.ClaimError` that quotes the formula: unknown
names (with close matches), unsupported syntax (naming the construct) and dimension errors.

:meth:`Formula.evaluate_batch` runs a formula once over many input points at a time (the corners
of the rounding box of its inputs, for the claims checker): every value then carries a leading
batch axis, a scalar being an array of shape ``(C,)`` and a series ``(C, T)``. Internally even a
single evaluation runs that way, with a batch of one, so both share one code path: operators and
functions work elementwise along the batch axis, a scalar lines up with a series by batch (not by
label), and ``min``/``max``/``sum``/``mean`` reduce each argument over its own values (a series
over its labels) and then across the arguments, never across the batch. Literal numbers have no
batch axis and broadcast.
"""

from __future__ import annotations

import ast
import difflib
import keyword
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, NoReturn

import numpy as np
import pint

from valueloop.core.errors import ClaimError, UserInputError
from valueloop.core.units import parse_unit, unit_registry

if TYPE_CHECKING:
    from valueloop.core.scenario import Scenario

MAX_FORMULA_LENGTH = 2000
"""Claims formulas are one line of arithmetic; a cap keeps the recursive walk shallow."""

Label = int | str


@dataclass(frozen=True)
class Series:
    """A series parameter: a quantity array and one index label per value."""

    values: pint.Quantity
    index: tuple[Label, ...]

    def at(self, label: Label | float) -> pint.Quantity:
        """The value whose label equals ``label`` (``2024`` also matches the label ``"2024"``).

        The labels index the last axis, so a batch of series of shape ``(C, T)`` gives ``(C,)``.
        """
        for position, candidate in enumerate(self.index):
            if _same_label(candidate, label):
                return self.values[..., position]
        raise KeyError(label)


Value = pint.Quantity | Series
Namespace = Mapping[str, Value]
_Evaluated = pint.Quantity | Series | str


def with_batch_axis(value: Value) -> Value:
    """``value`` with a leading batch axis of length one (a series keeps its labels)."""
    if isinstance(value, Series):
        return Series(_with_leading_axis(value.values), value.index)
    return _with_leading_axis(value)


def _with_leading_axis(quantity: pint.Quantity) -> pint.Quantity:
    magnitude = np.asarray(quantity.magnitude)
    return unit_registry().Quantity(magnitude.reshape((1, *magnitude.shape)), quantity.units)


def _same_label(candidate: Label, label: Label | float) -> bool:
    if isinstance(candidate, str) or isinstance(label, str):
        return str(candidate) == str(label)
    return float(candidate) == float(label)


# --- functions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Function:
    """One callable of the formula language, with its arity for early, readable errors."""

    call: Callable[..., pint.Quantity]
    signature: str
    min_args: int
    max_args: int | None
    raw: bool = False
    """True when the function takes series and quoted text as they are (``at``, ``q``); the
    others receive quantities, a series as its array of values."""


def _growth(a: pint.Quantity, b: pint.Quantity) -> pint.Quantity:
    return _ratio(b, a, "growth") - 1


def _cagr(a: pint.Quantity, b: pint.Quantity, years: pint.Quantity) -> pint.Quantity:
    ratio, span = _aligned(_ratio(b, a, "cagr"), _years(years))
    # On magnitudes, because the number of years may differ between batch points.
    return unit_registry().Quantity(np.asarray(ratio.magnitude) ** (1.0 / span.magnitude)) - 1


def _share(part: pint.Quantity, whole: pint.Quantity) -> pint.Quantity:
    return _ratio(part, whole, "share")


def _metal_from_compound(mass: pint.Quantity, metal_fraction: pint.Quantity) -> pint.Quantity:
    mass, fraction = _aligned(_mass(mass, "metal_from_compound"),
                              _fraction(metal_fraction, "metal_from_compound"))
    return mass * fraction


def _compound_from_metal(mass: pint.Quantity, metal_fraction: pint.Quantity) -> pint.Quantity:
    mass, fraction = _aligned(_mass(mass, "compound_from_metal"),
                              _fraction(metal_fraction, "compound_from_metal"))
    return mass / fraction


def _q(value: _Evaluated, unit: _Evaluated) -> pint.Quantity:
    # A literal must be a bare number: q(q(5, "%"), "t") would silently mean 0.05 t.
    if not isinstance(value, pint.Quantity) or value.units != unit_registry().dimensionless:
        raise _FormulaError("q(value, 'unit') needs a plain number as its value")
    if not isinstance(unit, str):
        raise _FormulaError("q(value, 'unit') needs the unit as a quoted string")
    try:
        return value.magnitude * parse_unit(unit)
    except UserInputError as exc:
        raise _FormulaError(exc.problem) from None


def _at(series: _Evaluated, label: _Evaluated) -> pint.Quantity:
    if not isinstance(series, Series):
        raise _FormulaError("at(series, label) needs a series parameter first")
    key = _label(label)
    try:
        return series.at(key)
    except KeyError:
        labels = ", ".join(str(i) for i in series.index)
        raise _FormulaError(f"at(): no label {key!r} in the series ({labels})") from None


def _label(label: _Evaluated) -> Label | float:
    if isinstance(label, str):
        return label
    if (isinstance(label, pint.Quantity) and label.units == unit_registry().dimensionless
            and np.size(label.magnitude) == 1):
        number = float(np.ravel(label.magnitude)[0])
        return int(number) if number.is_integer() else number
    raise _FormulaError("at(series, label) needs a number or quoted text as the label")


def _abs(value: pint.Quantity) -> pint.Quantity:
    return abs(value)


def _sqrt(value: pint.Quantity) -> pint.Quantity:
    return np.sqrt(value)


def _exp(value: pint.Quantity) -> pint.Quantity:
    return np.exp(_dimensionless(value, "exp"))


def _log(value: pint.Quantity) -> pint.Quantity:
    return np.log(_dimensionless(value, "log"))


def _min(*values: pint.Quantity) -> pint.Quantity:
    parts, unit = _per_argument(values, np.min)
    return unit_registry().Quantity(np.minimum.reduce(np.broadcast_arrays(*parts)), unit)


def _max(*values: pint.Quantity) -> pint.Quantity:
    parts, unit = _per_argument(values, np.max)
    return unit_registry().Quantity(np.maximum.reduce(np.broadcast_arrays(*parts)), unit)


def _sum(*values: pint.Quantity) -> pint.Quantity:
    parts, unit = _per_argument(values, np.sum)
    return unit_registry().Quantity(np.add.reduce(np.broadcast_arrays(*parts)), unit)


def _mean(*values: pint.Quantity) -> pint.Quantity:
    total = _sum(*values)
    count = sum(_own_size(value) for value in values)
    return total / count


FUNCTIONS: Mapping[str, Function] = MappingProxyType({
    "growth": Function(_growth, "growth(a, b) = b/a - 1", 2, 2),
    "cagr": Function(_cagr, "cagr(a, b, years) = (b/a)**(1/years) - 1", 3, 3),
    "share": Function(_share, "share(part, whole) = part/whole", 2, 2),
    "metal_from_compound": Function(
        _metal_from_compound, "metal_from_compound(mass, metal_fraction) = mass*fraction", 2, 2),
    "compound_from_metal": Function(
        _compound_from_metal, "compound_from_metal(mass, metal_fraction) = mass/fraction", 2, 2),
    "q": Function(_q, "q(value, 'unit')", 2, 2, raw=True),
    "at": Function(_at, "at(series, label)", 2, 2, raw=True),
    "min": Function(_min, "min(x, ...)", 1, None),
    "max": Function(_max, "max(x, ...)", 1, None),
    "sum": Function(_sum, "sum(x, ...)", 1, None),
    "mean": Function(_mean, "mean(x, ...)", 1, None),
    "abs": Function(_abs, "abs(x)", 1, 1),
    "sqrt": Function(_sqrt, "sqrt(x)", 1, 1),
    "exp": Function(_exp, "exp(x), x dimensionless", 1, 1),
    "log": Function(_log, "log(x), natural, x dimensionless", 1, 1),
})
"""The only callables a formula can reach."""


class _FormulaError(Exception):
    """Raised inside functions; the evaluator adds the formula and re-raises a ClaimError."""


def _ratio(numerator: pint.Quantity, denominator: pint.Quantity, name: str) -> pint.Quantity:
    numerator, denominator = _aligned(numerator, denominator)
    ratio = numerator / denominator
    if not ratio.dimensionless:
        raise _FormulaError(
            f"{name}() compares {_dims(numerator)} with {_dims(denominator)}; "
            "both arguments need the same dimension")
    return ratio.to("dimensionless")


def _years(years: pint.Quantity) -> pint.Quantity:
    """The number of years as a dimensionless quantity (one per batch point)."""
    if years.dimensionless:
        span = years.to("dimensionless")
    elif years.dimensionality == unit_registry().year.dimensionality:
        span = unit_registry().Quantity(years.to("year").magnitude)
    else:
        raise _FormulaError(f"cagr() needs years as a number or a time, not {_dims(years)}")
    if np.any(np.asarray(span.magnitude) == 0):
        raise _FormulaError("cagr() needs a non-zero number of years")
    return span


def _mass(value: pint.Quantity, name: str) -> pint.Quantity:
    # Mass or a mass flow (t, kt/yr): anything whose dimension has mass to the first power.
    if value.dimensionality.get("[mass]") != 1:
        raise _FormulaError(f"{name}() needs a mass (or mass flow), not {_dims(value)}")
    return value


def _fraction(value: pint.Quantity, name: str) -> pint.Quantity:
    fraction = _dimensionless(value, name)
    magnitude = np.asarray(fraction.magnitude)
    outside = magnitude[(magnitude <= 0) | (magnitude > 1)]
    if outside.size:
        raise _FormulaError(f"{name}() needs a metal fraction in (0, 1], got {outside[0]:g}")
    return fraction


def _dimensionless(value: pint.Quantity, name: str) -> pint.Quantity:
    if not value.dimensionless:
        raise _FormulaError(f"{name}() needs a dimensionless argument, not {_dims(value)}")
    return value.to("dimensionless")


def _per_argument(values: Sequence[pint.Quantity], reduce: Callable[..., np.ndarray]
                  ) -> tuple[list[np.ndarray], pint.Unit]:
    """Each argument reduced over its own values (a series over its labels), keeping the batch
    axis, in the first argument's unit; the caller then combines the arguments elementwise."""
    unit = values[0].units
    try:
        magnitudes = [np.asarray(v.to(unit).magnitude) for v in values]
    except pint.DimensionalityError:
        dims = ", ".join(sorted({_dims(v) for v in values}))
        raise _FormulaError(f"arguments have different dimensions ({dims})") from None
    return [reduce(m, axis=tuple(range(1, m.ndim))) for m in magnitudes], unit


def _own_size(value: pint.Quantity) -> int:
    """How many values ``value`` holds at one batch point (a literal has no batch axis)."""
    shape = np.shape(value.magnitude)
    return math.prod(shape[1:]) if shape else 1


def _aligned(*values: pint.Quantity) -> list[pint.Quantity]:
    """The values padded with trailing length-one axes to the same rank.

    Numpy broadcasts from the right, which would line a batch of scalars ``(C,)`` up with the
    labels of a batch of series ``(C, T)``; padding the scalars to ``(C, 1)`` lines them up by
    batch point instead.
    """
    rank = max(np.ndim(v.magnitude) for v in values)
    return [_padded(v, rank) for v in values]


def _padded(value: pint.Quantity, rank: int) -> pint.Quantity:
    magnitude = np.asarray(value.magnitude)
    if magnitude.ndim == rank:
        return value
    shape = (*magnitude.shape, *(1,) * (rank - magnitude.ndim))
    return unit_registry().Quantity(magnitude.reshape(shape), value.units)


def _dims(value: pint.Quantity) -> str:
    return str(value.dimensionality) if not value.dimensionless else "a dimensionless number"


# --- parsing -----------------------------------------------------------------------------------

# A string literal, or a dotted name that is not preceded by a word character or a dot (so the
# ``e5`` of ``1.e5`` and the ``real`` of ``(a).real`` are not names).
_TOKEN_RE = re.compile(
    r"""(?P<string>"[^"]*"|'[^']*')|(?<![\w.])(?P<name>[A-Za-z_]\w*(?:\.\w+)+)""")
_PLACEHOLDER = "__name{}__"


@dataclass(frozen=True)
class Formula:
    """A parsed formula; :meth:`evaluate` can run it against any number of namespaces."""

    text: str
    tree: ast.Expression
    aliases: Mapping[str, str]
    """Placeholders standing for dotted names Python cannot parse (``china.import.share``)."""

    @property
    def names(self) -> tuple[str, ...]:
        """The names the formula reads, in order of first appearance."""
        found = dict.fromkeys(self.aliases.get(name, name) for name in _names(self.tree.body))
        return tuple(found)

    def evaluate(self, namespace: Namespace) -> pint.Quantity:
        """The formula's value; a :class:`ClaimError` names the formula when it cannot be had."""
        return _Evaluator(self, namespace, batched=False).run()

    def evaluate_batch(self, namespace: Namespace) -> pint.Quantity:
        """The formula's value at every point of a batch, in one vectorised evaluation.

        Every value of ``namespace`` that the formula reads has a leading batch axis: a scalar
        has shape ``(C,)``, a series' values ``(C, T)``; a batch axis of length one stands for a
        value that is the same at every point. The result's axis 0 is the batch axis (length C,
        or one when the result does not vary), unless the formula reads no names at all.
        """
        for name in self.names:
            value = namespace.get(name)
            if value is None:
                continue  # the evaluator reports unknown names with suggestions
            array = value.values if isinstance(value, Series) else value
            needed = 2 if isinstance(value, Series) else 1
            if np.ndim(array.magnitude) < needed:
                raise ValueError(f"{name!r} has no leading batch axis (shape "
                                 f"{np.shape(array.magnitude)}); see with_batch_axis()")
        return _Evaluator(self, namespace, batched=True).run()


def parse_formula(text: str) -> Formula:
    """Parse a formula, checking its syntax and the functions it calls (not yet its names)."""
    if not isinstance(text, str) or not text.strip():
        raise ClaimError("formula is empty", allowed="an expression such as 'share(a.b, a.c)'")
    if len(text) > MAX_FORMULA_LENGTH:
        raise ClaimError(f"formula is longer than {MAX_FORMULA_LENGTH} characters")
    protected, aliases = _protect_names(text)
    try:
        tree = ast.parse(protected.strip(), mode="eval")
    except SyntaxError as exc:
        where = f" at column {exc.offset}" if exc.offset and not aliases else ""
        raise ClaimError(f"formula {_shown(text)} is not a valid expression: {exc.msg}{where}",
                         allowed=_ALLOWED) from None
    formula = Formula(text, tree, MappingProxyType(aliases))
    _check_structure(formula)
    return formula


def evaluate(text: str, namespace: Namespace) -> pint.Quantity:
    """Parse and evaluate ``text`` against ``namespace`` in one step."""
    return parse_formula(text).evaluate(namespace)


_ALLOWED = ("numbers, names, + - * / **, parentheses and the functions "
            + ", ".join(FUNCTIONS))


def _protect_names(text: str) -> tuple[str, dict[str, str]]:
    """Swap dotted names with keyword or digit-led parts (``a.import.b``, ``a.2024``) for
    placeholders, because Python cannot parse them although they are valid parameter names."""
    aliases: dict[str, str] = {}

    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        if name is None or not any(keyword.iskeyword(part) or part[0].isdigit()
                                   for part in name.split(".")):
            return match.group(0)
        for placeholder, known in aliases.items():
            if known == name:
                return placeholder
        placeholder = _PLACEHOLDER.format(len(aliases))
        aliases[placeholder] = name
        return placeholder

    return _TOKEN_RE.sub(replace, text), aliases


def _names(node: ast.AST) -> Iterator[str]:
    """Dotted names read by ``node``, skipping the names of called functions."""
    dotted = _dotted_name(node)
    if dotted is not None:
        yield dotted
        return
    children = node.args if isinstance(node, ast.Call) else ast.iter_child_nodes(node)
    for child in children:
        yield from _names(child)


def _dotted_name(node: ast.AST) -> str | None:
    """``a.b.c`` for an attribute chain over a plain name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


_CONSTRUCTS: Mapping[str, str] = MappingProxyType({
    "Lambda": "lambda", "Subscript": "subscripts [...]", "Compare": "comparisons",
    "BoolOp": "and/or", "IfExp": "if/else", "Attribute": "attribute access",
    "ListComp": "comprehensions", "GeneratorExp": "comprehensions", "DictComp": "comprehensions",
    "SetComp": "comprehensions", "NamedExpr": "':=' assignment", "Starred": "'*' unpacking",
    "List": "lists", "Tuple": "tuples", "Dict": "dicts", "Set": "sets",
    "JoinedStr": "f-strings", "Await": "await", "Yield": "yield", "Slice": "slices",
})


def _check_structure(formula: Formula) -> None:
    """Refuse every construct outside the whitelist before anything is evaluated."""
    for node in ast.walk(formula.tree.body):
        if isinstance(node, ast.Attribute):
            if _dotted_name(node) is None:
                _unsupported(formula, node, "attribute access (only dotted names are allowed)")
            continue
        if isinstance(node, ast.Call):
            _check_call(formula, node)
        elif isinstance(node, ast.BinOp | ast.UnaryOp) and not isinstance(node.op, _OPERATORS):
            operator = type(node.op)
            _unsupported(formula, node, f"the operator {_OPERATOR_TEXT.get(operator, operator)}")
        elif isinstance(node, ast.Constant) and not _is_number_or_text(node.value):
            _unsupported(formula, node, f"the constant {node.value!r}")
        elif not isinstance(node, _ALLOWED_NODES):
            name = type(node).__name__
            _unsupported(formula, node, _CONSTRUCTS.get(name, name))


_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd)
_ALLOWED_NODES = (ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Call, ast.Load,
                  *_OPERATORS)
_OPERATOR_TEXT: Mapping[type, str] = MappingProxyType({
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&", ast.Invert: "~", ast.Not: "not"})


def _is_number_or_text(value: object) -> bool:
    return isinstance(value, int | float | str) and not isinstance(value, bool)


def _check_call(formula: Formula, node: ast.Call) -> None:
    if not isinstance(node.func, ast.Name):
        _unsupported(formula, node, "calls of anything but a function name")
    name = node.func.id
    function = FUNCTIONS.get(name)
    if function is None:
        raise ClaimError(f"unknown function {name!r} in formula {_shown(formula.text)}",
                         allowed=_suggest(name, FUNCTIONS) or ", ".join(FUNCTIONS))
    if node.keywords:
        _unsupported(formula, node, "keyword arguments")
    count = len(node.args)
    if count < function.min_args or (function.max_args is not None
                                     and count > function.max_args):
        raise ClaimError(f"{name}() given {count} argument(s) in formula {_shown(formula.text)}",
                         allowed=function.signature)


def _unsupported(formula: Formula, node: ast.AST, construct: str) -> NoReturn:
    raise ClaimError(f"formula {_shown(formula.text)} uses {construct}, which is not supported "
                     f"({_shown(ast.unparse(node))})", allowed=_ALLOWED)


def _shown(text: str, limit: int = 80) -> str:
    """The formula quoted for a one-line message, shortened when it is long."""
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _suggest(name: str, candidates: Mapping[str, object]) -> str | None:
    matches = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.6)
    return ("did you mean " + ", ".join(matches)) if matches else None


# --- evaluation --------------------------------------------------------------------------------


class _Evaluator:
    """Walks one parsed formula; arithmetic runs with floating-point errors raised, not NaN.

    Values read from the namespace carry a leading batch axis; when the namespace has none
    (``batched`` false) each value gets one of length one on lookup and the result loses it.
    """

    def __init__(self, formula: Formula, namespace: Namespace, *, batched: bool) -> None:
        self.formula = formula
        self.namespace = namespace
        self.batched = batched

    def run(self) -> pint.Quantity:
        try:
            with np.errstate(all="raise"):
                result = self._quantity(self.formula.tree.body, "the formula's result")
        except _FormulaError as exc:
            raise self._error(str(exc)) from None
        except pint.DimensionalityError as exc:
            raise self._error(f"dimension error: {exc}",
                              "quantities of the same dimension in + and -") from None
        except pint.PintError as exc:
            raise self._error(f"unit error: {exc}") from None
        except (ZeroDivisionError, FloatingPointError, OverflowError) as exc:
            raise self._error(f"arithmetic error: {exc}") from None
        except RecursionError:
            raise self._error("formula is nested too deeply") from None
        except ValueError as exc:  # numpy: series of different lengths cannot broadcast
            raise self._error(f"values of different shapes cannot be combined: {exc}") from None
        if self.batched or np.ndim(result.magnitude) == 0:
            return result
        return result[0]

    def _error(self, problem: str, allowed: str | None = None) -> ClaimError:
        return ClaimError(f"in formula {_shown(self.formula.text)}: {problem}", allowed=allowed)

    def _quantity(self, node: ast.expr, role: str) -> pint.Quantity:
        return _as_quantity(self._eval(node), role)

    def _eval(self, node: ast.expr) -> _Evaluated:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return node.value
            return unit_registry().Quantity(np.float64(node.value))
        if isinstance(node, ast.BinOp):
            return self._binary(node)
        if isinstance(node, ast.UnaryOp):
            operand = self._quantity(node.operand, "negated")
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Call):
            return self._call(node)
        name = _dotted_name(node)
        assert name is not None, "parse_formula admits only the nodes handled here"
        return self._lookup(self.formula.aliases.get(name, name))

    def _binary(self, node: ast.BinOp) -> pint.Quantity:
        left = self._quantity(node.left, "used in arithmetic")
        right = self._quantity(node.right, "used in arithmetic")
        if isinstance(node.op, ast.Pow):
            return _power(left, right)
        left, right = _aligned(left, right)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        assert isinstance(node.op, ast.Div), "parse_formula admits only + - * / **"
        return left / right

    def _lookup(self, name: str) -> Value:
        try:
            value = self.namespace[name]
        except KeyError:
            raise ClaimError(
                f"unknown name {name!r} in formula {_shown(self.formula.text)}",
                allowed=_suggest(name, self.namespace) or "names of the scenario's parameters",
            ) from None
        return value if self.batched else with_batch_axis(value)

    def _call(self, node: ast.Call) -> pint.Quantity:
        assert isinstance(node.func, ast.Name)
        function = FUNCTIONS[node.func.id]
        arguments = [self._eval(arg) for arg in node.args]
        if function.raw:
            return function.call(*arguments)
        role = f"an argument of {node.func.id}()"
        return function.call(*(_as_quantity(value, role) for value in arguments))


def _power(base: pint.Quantity, exponent: pint.Quantity) -> pint.Quantity:
    """``base ** exponent``; the exponent is one number per batch point."""
    if not exponent.dimensionless or _own_size(exponent) != 1:
        raise _FormulaError("an exponent must be a single dimensionless number")
    powers = np.asarray(exponent.to("dimensionless").magnitude)
    if not np.all(np.isfinite(powers)):
        raise _FormulaError("an exponent must be finite")
    first = float(powers.flat[0])
    if np.all(powers == first):
        return base ** first  # one exponent: any unit can be raised to it
    if not base.dimensionless:
        # The unit of the result would differ between batch points.
        raise _FormulaError("an exponent that varies needs a dimensionless base")
    base, power = _aligned(base.to("dimensionless"), exponent.to("dimensionless"))
    return unit_registry().Quantity(np.asarray(base.magnitude) ** power.magnitude)


def _as_quantity(value: _Evaluated, role: str) -> pint.Quantity:
    """A series stands for its array of values; quoted text is refused outside q() and at()."""
    if isinstance(value, Series):
        return value.values
    if isinstance(value, str):
        raise _FormulaError(f"the text {value!r} cannot be {role}; quoted text is only a "
                            "unit in q() or a label in at()")
    return value


def scenario_namespace(scenario: Scenario) -> dict[str, Value]:
    """Each parameter's baseline value in its canonical unit; a series keeps its index labels."""
    registry = unit_registry()
    namespace: dict[str, Value] = {}
    for name, parameter in scenario.parameters.items():
        unit = parse_unit(parameter.unit, item=name)
        if isinstance(parameter.value, tuple):
            values = registry.Quantity(np.asarray(parameter.value, dtype=float), unit)
            namespace[name] = Series(values, tuple(parameter.index or ()))
        else:
            namespace[name] = registry.Quantity(np.float64(parameter.value), unit)
    return namespace
