"""Grouped evaluation of the property models and the Markdown model card (``docs/model-card.md``).

Each property is evaluated by repeated grouped 5-fold cross-validation, grouped by
``Alloy formula`` and, separately, by ``DOI`` (a whole source paper held out). With 20 to 104
groups one split is noisy, so the folds are drawn :data:`REPEATS` times (:func:`grouped_folds`:
groups in a seeded random order, each to the fold with the fewest rows so far) and the card
gives the mean over repeats and, for coverage, the lowest and highest repeat.

Inside every outer training fold the full training procedure runs again, grouped conformal
calibration included, so the coverage reported is that of intervals calibrated without the
held-out groups. Both interval methods (absolute and normalised) come from the same fitted
models. A linear baseline (ridge on standardised features, same imputation) is scored on the
same folds.

Regenerate the card with::

    python -m valueloop.materials.model_card docs/model-card.md
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from valueloop.core.tables import write_text
from valueloop.materials.model_cache import cached_models
from valueloop.materials.properties import AlloyTable, data_hash, load_shipped
from valueloop.materials.property_models import (
    ALPHA,
    CALIBRATION_FOLDS,
    DEFAULT_METHOD,
    METHODS,
    MODEL_VERSION,
    PROPERTIES,
    SIGMA_FLOOR_FRACTION,
    fit_property_model,
    target_column,
)

SPLITS: dict[str, str] = {"alloy formula": "formula", "DOI": "doi"}
OUTER_FOLDS = 5
REPEATS = 5
COVERAGE_TOLERANCE = 0.05
"""Issue 6: coverage within 5 points of nominal on grouped splits."""


def grouped_folds(groups: Sequence[str], folds: int = OUTER_FOLDS,
                  seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Grouped K-fold (train rows, held-out rows) with a seeded random group order.

    Groups are taken in a random permutation and each joins the fold with the fewest rows so
    far, so folds are balanced in rows and differ from seed to seed (scikit-learn's
    ``GroupKFold`` without shuffling gives one split only).
    """
    labels, codes = np.unique(np.asarray(groups, dtype=str), return_inverse=True)
    sizes = np.bincount(codes)
    count = min(folds, len(labels))
    load = np.zeros(count)
    fold_of = np.empty(len(labels), dtype=int)
    for group in np.random.default_rng(seed).permutation(len(labels)):
        fold = int(np.argmin(load))
        fold_of[group] = fold
        load[fold] += sizes[group]
    assigned = fold_of[codes]
    return [(np.flatnonzero(assigned != k), np.flatnonzero(assigned == k)) for k in range(count)]


@dataclass(frozen=True)
class IntervalScores:
    """Interval scores of one method: coverage per repeat and mean widths over all repeats."""

    method: str
    coverage: tuple[float, ...]
    mean_width: float
    width_in_domain: float
    width_out_of_domain: float

    @property
    def mean_coverage(self) -> float:
        """Coverage averaged over the repeats."""
        return float(np.mean(self.coverage))

    @property
    def within_tolerance(self) -> bool:
        """Mean coverage within :data:`COVERAGE_TOLERANCE` of the nominal ``1 - ALPHA``."""
        return abs(self.mean_coverage - (1.0 - ALPHA)) <= COVERAGE_TOLERANCE + 1e-12


@dataclass(frozen=True)
class Evaluation:
    """Repeated grouped cross-validation scores of one property under one split kind."""

    prop: str
    split: str
    n: int
    groups: int
    repeats: int
    mae: float
    r2: float
    baseline_mae: float
    baseline_r2: float
    in_domain_share: float
    intervals: tuple[IntervalScores, ...]

    def interval(self, method: str = DEFAULT_METHOD) -> IntervalScores:
        """The scores of interval ``method``."""
        return next(i for i in self.intervals if i.method == method)

    @property
    def coverage(self) -> float:
        """Mean coverage of the default method."""
        return self.interval().mean_coverage

    @property
    def mean_width(self) -> float:
        """Mean interval width of the default method."""
        return self.interval().mean_width


def _r2(observed: np.ndarray, predicted: np.ndarray) -> float:
    total = float(np.sum((observed - observed.mean()) ** 2))
    return 1.0 - float(np.sum((observed - predicted) ** 2)) / total


@dataclass(frozen=True)
class _FoldResult:
    repeat: int
    rows: np.ndarray
    pred: np.ndarray
    bounds: dict[str, tuple[np.ndarray, np.ndarray]]
    in_domain: np.ndarray
    baseline: np.ndarray


def _fold(name: str, raw: np.ndarray, y: np.ndarray, formula: Sequence[str],
          fit_rows: np.ndarray, out_rows: np.ndarray, repeat: int, seed: int) -> _FoldResult:
    # Calibration inside the fold is always grouped by formula, as in production.
    model = fit_property_model(name, raw[fit_rows], y[fit_rows],
                               [formula[i] for i in fit_rows], seed=seed)
    results = {method: model.predict(raw[out_rows], method) for method in METHODS}
    first = results[METHODS[0]]  # point prediction and domain do not depend on the method
    linear = make_pipeline(StandardScaler(), Ridge(alpha=1.0))
    linear.fit(model.imputation.apply(raw[fit_rows]), y[fit_rows])
    return _FoldResult(repeat, out_rows, first.pred,
                       {m: (r.lo, r.hi) for m, r in results.items()}, first.in_domain,
                       linear.predict(model.imputation.apply(raw[out_rows])))


def evaluate_property(table: AlloyTable, name: str, split: str = "alloy formula",
                      folds: int = OUTER_FOLDS, seed: int = 0, *, repeats: int = REPEATS,
                      n_jobs: int = 1) -> Evaluation:
    """Repeated nested grouped CV of property ``name`` with groups given by ``split``.

    Parameters
    ----------
    table
        Gorsse-layout rows.
    name
        A property of :data:`PROPERTIES`.
    split
        A key of :data:`SPLITS`: what a held-out group is.
    folds, repeats
        Outer folds per repeat, and how many seeded repeats (:func:`grouped_folds`).
    seed
        Seed of the first repeat's group order (repeat ``r`` uses ``seed + r``) and of the
        forests.
    n_jobs
        Folds fitted in parallel (joblib; ``-1``: every core).
    """
    target = target_column(table, name)
    measured = np.flatnonzero(~np.isnan(target))
    raw, y = table.raw[measured], target[measured]
    formula = [table.formula[i] for i in measured]
    groups = [getattr(table, SPLITS[split])[i] for i in measured]
    tasks = [delayed(_fold)(name, raw, y, formula, fit_rows, out_rows, repeat, seed)
             for repeat in range(repeats)
             for fit_rows, out_rows in grouped_folds(groups, folds, seed + repeat)]
    results: list[_FoldResult] = Parallel(n_jobs=n_jobs)(tasks)
    pred = np.empty((repeats, len(y)))
    baseline = np.empty((repeats, len(y)))
    in_domain = np.empty((repeats, len(y)), dtype=bool)
    low = {m: np.empty((repeats, len(y))) for m in METHODS}
    high = {m: np.empty((repeats, len(y))) for m in METHODS}
    for r in results:
        pred[r.repeat, r.rows], baseline[r.repeat, r.rows] = r.pred, r.baseline
        in_domain[r.repeat, r.rows] = r.in_domain
        for method, (lo, hi) in r.bounds.items():
            low[method][r.repeat, r.rows], high[method][r.repeat, r.rows] = lo, hi
    intervals = []
    for method in METHODS:
        width = high[method] - low[method]
        inside = (y >= low[method]) & (y <= high[method])
        intervals.append(IntervalScores(
            method, tuple(float(c) for c in inside.mean(axis=1)), float(width.mean()),
            float(width[in_domain].mean()) if in_domain.any() else float("nan"),
            float(width[~in_domain].mean()) if (~in_domain).any() else float("nan")))
    return Evaluation(
        name, split, len(y), len(set(groups)), repeats,
        float(np.mean(np.abs(pred - y))), float(np.mean([_r2(y, p) for p in pred])),
        float(np.mean(np.abs(baseline - y))), float(np.mean([_r2(y, b) for b in baseline])),
        float(np.mean(in_domain)), tuple(intervals))


def evaluate(table: AlloyTable | None = None, names: Sequence[str] | None = None,
             splits: Sequence[str] = tuple(SPLITS), *, repeats: int = REPEATS,
             n_jobs: int = 1) -> list[Evaluation]:
    """Every (property, split kind) evaluation, properties outermost."""
    data = table if table is not None else load_shipped()
    return [evaluate_property(data, name, split, repeats=repeats, n_jobs=n_jobs)
            for name in (names or tuple(PROPERTIES)) for split in splits]


@dataclass(frozen=True)
class MethodSummary:
    """How one interval method does over a set of evaluations."""

    method: str
    within: int
    total: int
    mean_deviation: float
    width_ratio: float
    """Mean over evaluations of this method's mean width over the absolute method's."""


def summarise_methods(evaluations: Sequence[Evaluation]) -> list[MethodSummary]:
    """Per method: evaluations within tolerance, mean |coverage - nominal|, relative width."""
    out = []
    for method in METHODS:
        scores = [e.interval(method) for e in evaluations]
        out.append(MethodSummary(
            method, sum(s.within_tolerance for s in scores), len(scores),
            float(np.mean([abs(s.mean_coverage - (1 - ALPHA)) for s in scores])),
            float(np.mean([s.mean_width / e.interval("absolute").mean_width
                           for s, e in zip(scores, evaluations, strict=True)]))))
    return out


def best_method(summaries: Sequence[MethodSummary]) -> str:
    """Most evaluations within tolerance, then smallest mean deviation, then narrowest."""
    return min(summaries, key=lambda s: (-s.within, round(s.mean_deviation, 3),
                                         s.width_ratio)).method


@dataclass(frozen=True)
class Timing:
    """Training and cache-load seconds of all four models, measured when the card was made."""

    train_seconds: float
    load_seconds: float
    cores: int


def measure_timing() -> Timing:
    """Train the shipped models into a temporary cache, then load them back."""
    with tempfile.TemporaryDirectory() as folder:
        trained = cached_models(folder=Path(folder))
        loaded = cached_models(folder=Path(folder))
    return Timing(trained.seconds, loaded.seconds, os.cpu_count() or 1)


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def _interval_lines(evaluations: Sequence[Evaluation]) -> list[str]:
    lines = ["| property | grouped by | method | coverage (mean) | lowest-highest repeat "
             "| within ±5 points | mean width | width in domain | width out of domain |",
             "|---|---|---|---:|---:|---|---:|---:|---:|"]
    for e in evaluations:
        unit = PROPERTIES[e.prop][1]
        for s in e.intervals:
            outside = "n/a" if np.isnan(s.width_out_of_domain) \
                else f"{s.width_out_of_domain:.0f} {unit}"
            lines.append(
                f"| {e.prop} | {e.split} | {s.method} | {_pct(s.mean_coverage)} "
                f"| {_pct(min(s.coverage))}-{_pct(max(s.coverage))} "
                f"| {'yes' if s.within_tolerance else 'no'} | {s.mean_width:.0f} {unit} "
                f"| {s.width_in_domain:.0f} {unit} | {outside} |")
    return lines


def _choice_lines(evaluations: Sequence[Evaluation]) -> list[str]:
    summaries = summarise_methods(evaluations)
    best = best_method(summaries)
    lines = [f"- {s.method}: {s.within} of {s.total} evaluations within ±5 points of 90 %, "
             f"mean |coverage - 90 %| {100 * s.mean_deviation:.1f} points, mean width "
             f"{s.width_ratio:.2f} × the absolute method's" for s in summaries]
    if best == DEFAULT_METHOD:
        lines.append(f"- Default: **{DEFAULT_METHOD}**, the method closer to nominal coverage "
                     "on these numbers (more evaluations within ±5 points, then the smaller "
                     "mean deviation, then the narrower intervals).")
    else:
        lines.append(f"- Default: **{DEFAULT_METHOD}**, but these numbers favour **{best}**: "
                     "change `DEFAULT_METHOD` in `property_models.py` and bump "
                     "`MODEL_VERSION`.")
    misses = [(e, e.interval()) for e in evaluations if not e.interval().within_tolerance]
    if misses:
        lines.append("- Outside ±5 points with the default method: " + "; ".join(
            f"{e.prop} grouped by {e.split}, {_pct(s.mean_coverage)}" for e, s in misses) + ".")
    else:
        lines.append("- With the default method the mean coverage of every evaluation below is "
                     "within ±5 points of 90 %.")
    return lines


def _size(evaluations: Sequence[Evaluation], name: str) -> str:
    by_formula = [e for e in evaluations if e.prop == name and e.split == "alloy formula"]
    if not by_formula:
        return "not evaluated here"
    return f"{by_formula[0].n} rows, {by_formula[0].groups} formulas"


def render_markdown(evaluations: Sequence[Evaluation], digest: str,
                    timing: Timing | None = None) -> str:
    """The model card as Markdown."""
    repeats = max((e.repeats for e in evaluations), default=REPEATS)
    timing_line = (
        f"- Training all four models takes {timing.train_seconds:.1f} s (one core of "
        f"{timing.cores}); loading them from the cache takes {timing.load_seconds:.2f} s "
        f"({timing.train_seconds / timing.load_seconds:.0f} × faster), measured when this card "
        "was generated; see `benchmarks/bench_materials_train.py`."
        if timing is not None else
        "- Timings: see `benchmarks/bench_materials_train.py`.")
    lines = [
        "# Model card: copper-alloy property models",
        "",
        "Generated by `python -m valueloop.materials.model_card docs/model-card.md`; "
        "do not edit by hand.",
        "",
        "- Code: `valueloop.materials.property_models` (one random forest per property, "
        "scikit-learn `RandomForestRegressor`, 100 trees, `min_samples_leaf=2`, "
        f"`max_features=0.5`), `MODEL_VERSION` {MODEL_VERSION}.",
        "- Training data: Gorsse, Gouné, Lin, Girard, *Scientific Data* 10, 504 (2023), "
        "doi:10.1038/s41597-023-02411-9, CC BY 4.0; shipped as "
        f"`valueloop/data/materials/cu_alloys_gorsse2023.csv` (SHA-256 `{digest[:16]}…`).",
        "- Features: 26 solute wt% (Cu is the balance), `Tss (K)`, log1p `tss (h)`, "
        "`CR reduction (%)`, aged flag, `Tag (K)`, log1p `tag (h)`, secondary TMT flag; blank "
        "processing cells imputed as documented in `valueloop.materials.properties`.",
        "- Domain (`in_domain`): element wt% within the training ranges and standardised "
        "nearest-neighbour distance within the 95th percentile of training leave-formula-out "
        "distances.",
        "",
        "## Training, caching and retraining from the database",
        "",
        "- Models are trained once and cached on disk (`valueloop.materials.model_cache`): "
        "`$VALUELOOP_CACHE_DIR/materials-models`, else the user cache folder "
        "(`platformdirs.user_cache_dir(\"valueloop\")`). The key is a SHA-256 over the training "
        "rows in canonical order (raw features, measured targets, alloy formulas), "
        "`MODEL_VERSION`, the training settings and the scikit-learn, NumPy and Python "
        "versions; an unreadable or incompatible cache file is retrained and overwritten.",
        timing_line,
        "- `valueloop materials train [--db URL]` retrains from the measured (never predicted) "
        "experimental records of the materials database (`valueloop.materials.training_data` "
        "rebuilds the Gorsse layout from the records, processing steps and properties) and "
        "caches the models; `valueloop materials predict --db URL` predicts with models "
        "trained on that database, `--retrain` ignores the cache. The shipped data imported "
        "into the database (`valueloop materials import --gorsse-shipped`) train the same "
        "models as the CSV: the tests check it.",
        "",
        "## Intervals",
        "",
        f"- {100 * (1 - ALPHA):.0f} % split-conformal. Calibration: out-of-fold predictions "
        f"from {CALIBRATION_FOLDS}-fold `GroupKFold` by alloy formula, split-conformal rank "
        f"`ceil((n + 1)(1 - α))`, α = {ALPHA}; lower bound clipped at 0.",
        "- `absolute`: score |y − ŷ|; one half-width per property.",
        "- `normalised`: score |y − ŷ| / σ̂(x), σ̂ = standard deviation of the 100 trees' "
        f"predictions + a floor of {SIGMA_FLOOR_FRACTION} × the median absolute out-of-fold "
        "residual (our assumption); the half-width q · σ̂(x) varies by row. Calibration spreads "
        "come from the fold forests, prediction spreads from the final forest.",
        f"- Both are stored with every model (`PropertyModel.predict(raw, method)`, "
        f"`materials predict --method`); the default is `{DEFAULT_METHOD}`. Choice, from the "
        "table below:",
        "",
        *_choice_lines(evaluations),
        "",
        f"## Grouped 5-fold cross-validation, {repeats} repeats",
        "",
        "Held-out groups are never seen by the model or its calibration. Each repeat draws new "
        "folds (groups in a seeded random order, each to the fold with the fewest rows); "
        "MAE and R² are means over repeats. The baseline is ridge regression on standardised "
        "features (same folds, same imputation). Random-split scores are not reported: the "
        "same alloy appears at many neighbouring ageing times, so they leak.",
        "",
        "| property | grouped by | rows | groups | MAE | R² | baseline MAE | baseline R² "
        "| in-domain share |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for e in evaluations:
        unit = PROPERTIES[e.prop][1]
        lines.append(
            f"| {e.prop} | {e.split} | {e.n} | {e.groups} | {e.mae:.1f} {unit} | {e.r2:.2f} "
            f"| {e.baseline_mae:.1f} {unit} | {e.baseline_r2:.2f} "
            f"| {100 * e.in_domain_share:.0f} % |")
    lines += [
        "",
        "### Interval coverage (90 % nominal) and width",
        "",
        "Coverage is the share of held-out rows inside their interval; the range is the lowest "
        "and highest of the repeats. Widths are means over held-out rows, split by the "
        "`in_domain` flag of the fold's model.",
        "",
        *_interval_lines(evaluations),
        "",
        "## Limits",
        "",
        f"- Yield strength ({_size(evaluations, 'yield_strength_mpa')}) and UTS "
        f"({_size(evaluations, 'uts_mpa')}) are small; their intervals are wide and their "
        "coverage moves by several points from one split to the next.",
        "- Coverage is marginal (over all held-out rows), not per alloy: the rows of one alloy "
        "are predicted well or badly together.",
        "- The trees' spread measures how much the trees disagree, not how far an unseen alloy "
        "is from the data, so it is a weak guide to the error on held-out alloys (see the "
        "comparison of the two interval methods above).",
        "- The data hold no record with UTS ≥ 600 MPa and conductivity ≥ 80 %IACS; predictions "
        "in that corner are extrapolation.",
        "- Literature reference for grouped scores on the same data: grouped-by-formula "
        "10-fold R² 0.438 (HV) and 0.293 (EC) (\"Machine Learning-Driven Comparative Analysis "
        "and Optimization of Cu-Ni-Si and Cu Low Alloys\", 2025).",
        "",
    ]
    return "\n".join(lines)


def write_model_card(path: Path, evaluations: Sequence[Evaluation] | None = None, *,
                     n_jobs: int = -1) -> None:
    """Evaluate (unless given) and write the model card atomically to ``path``."""
    results = list(evaluations) if evaluations is not None else evaluate(n_jobs=n_jobs)
    write_text(path, render_markdown(results, data_hash(), measure_timing()))


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m valueloop.materials.model_card [PATH]`` (default ``docs/model-card.md``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    start = time.perf_counter()
    write_model_card(Path(args[0] if args else "docs/model-card.md"))
    print(f"model card written in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
