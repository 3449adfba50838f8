"""Composition/processing -> property models with 90 % conformal intervals and a domain flag.

One random forest per property (:data:`PROPERTIES`), trained on the rows of the shipped Gorsse et
al. 2023 dataset where that property was measured. Intervals are split-conformal on grouped
splits: out-of-fold absolute residuals from ``GroupKFold`` by ``Alloy formula`` (so a residual is
always that of an alloy the fold's model never saw), and the interval half-width is their
``ceil((n + 1)(1 - alpha)) / n`` quantile. The point model is then refitted on all rows.

Applicability domain (``in_domain``): every element wt% inside the training range of that element,
and the distance to the nearest training row (features standardised by the training standard
deviation) no larger than the 95th percentile of the training rows' distances to their nearest
row of a *different* alloy formula (our choice of percentile: it marks as out-of-domain what is
further from the data than 95 % of the known alloys are from each other).

Models are trained in-process on each call of :func:`train_models` (about 1 s per property on a
2-core machine; see ``benchmarks/bench_materials_train.py``); nothing is cached on disk.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import RandomForestRegressor
from sklearn.model_selection import GroupKFold

from valueloop.materials.properties import ELEMENTS, AlloyTable, Imputation, load_shipped

# Property name -> (Gorsse column, unit).
PROPERTIES: Mapping[str, tuple[str, str]] = {
    "electrical_conductivity_iacs": ("Electrical conductivity (%IACS)", "%IACS"),
    "hardness_hv": ("Hardness (HV)", "HV"),
    "yield_strength_mpa": ("Yield strength (MPa)", "MPa"),
    "uts_mpa": ("Ultimate tensile strength (MPa)", "MPa"),
}
ALPHA = 0.10  # 90 % intervals, as issue 6 asks
CALIBRATION_FOLDS = 5
DOMAIN_PERCENTILE = 95.0
_N_ELEMENTS = len(ELEMENTS)
_CHUNK = 512  # rows per distance block: bounds memory at 512 x n_train floats


def new_regressor(seed: int = 0) -> RandomForestRegressor:
    """The point model: a random forest (settings chosen on grouped CV, see the model card)."""
    return RandomForestRegressor(n_estimators=100, min_samples_leaf=2, max_features=0.5,
                                 n_jobs=1, random_state=seed)


@dataclass(frozen=True)
class Domain:
    """Element ranges and a nearest-neighbour distance threshold of one training set."""

    element_min: np.ndarray
    element_max: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    train_scaled: np.ndarray
    threshold: float

    @classmethod
    def fit(cls, features: np.ndarray, groups: Sequence[str]) -> Domain:
        """Ranges and threshold from complete training ``features`` and their alloy groups."""
        mean = features.mean(axis=0)
        std = features.std(axis=0)
        scale = np.where(std > 0, std, 1.0)  # constant features (unused elements) stay unscaled
        scaled = (features - mean) / scale
        codes = np.unique(np.asarray(groups), return_inverse=True)[1]
        nearest_other = _nearest(scaled, scaled, codes, codes)
        threshold = float(np.percentile(nearest_other[np.isfinite(nearest_other)],
                                        DOMAIN_PERCENTILE))
        elements = features[:, :_N_ELEMENTS]
        return cls(elements.min(axis=0), elements.max(axis=0), mean, scale, scaled, threshold)

    def distance(self, features: np.ndarray) -> np.ndarray:
        """Standardised distance of each row to its nearest training row."""
        return _nearest((features - self.mean) / self.scale, self.train_scaled)

    def contains(self, features: np.ndarray) -> np.ndarray:
        """Boolean ``in_domain`` flag per row of complete ``features``."""
        elements = features[:, :_N_ELEMENTS]
        tolerance = 1e-9  # wt% read back from text may differ in the last bit
        in_range = np.all((elements >= self.element_min - tolerance)
                          & (elements <= self.element_max + tolerance), axis=1)
        return in_range & (self.distance(features) <= self.threshold)


def _nearest(query: np.ndarray, train: np.ndarray, query_groups: np.ndarray | None = None,
             train_groups: np.ndarray | None = None) -> np.ndarray:
    """Distance to the nearest ``train`` row (of another group when groups are given)."""
    out = np.empty(len(query))
    train_sq = np.sum(train**2, axis=1)
    for start in range(0, len(query), _CHUNK):
        block = query[start:start + _CHUNK]
        squared = np.sum(block**2, axis=1)[:, None] + train_sq[None, :] - 2.0 * block @ train.T
        if query_groups is not None and train_groups is not None:
            same = query_groups[start:start + _CHUNK, None] == train_groups[None, :]
            squared = np.where(same, np.inf, squared)
        out[start:start + _CHUNK] = np.sqrt(np.maximum(squared.min(axis=1), 0.0))
    return out


@dataclass(frozen=True)
class Prediction:
    """Point prediction, 90 % interval and domain flag per row, for one property."""

    pred: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    in_domain: np.ndarray


@dataclass(frozen=True)
class PropertyModel:
    """A trained property model with its imputation, conformal half-width and domain."""

    name: str
    unit: str
    regressor: RandomForestRegressor
    imputation: Imputation
    half_width: float
    domain: Domain
    n_train: int

    def predict(self, raw: np.ndarray) -> Prediction:
        """Predict from raw features (NaN where blank; see ``properties``) of any rows."""
        features = self.imputation.apply(raw)
        pred = self.regressor.predict(features)
        # Every property here is non-negative, so the lower bound is clipped at zero.
        return Prediction(pred, np.maximum(pred - self.half_width, 0.0),
                          pred + self.half_width, self.domain.contains(features))


def conformal_half_width(residuals: np.ndarray, alpha: float = ALPHA) -> float:
    """Split-conformal quantile of absolute residuals: rank ``ceil((n + 1)(1 - alpha))``."""
    ordered = np.sort(np.abs(residuals))
    rank = math.ceil((len(ordered) + 1) * (1.0 - alpha))
    return float(ordered[min(rank, len(ordered)) - 1])


def grouped_residuals(features: np.ndarray, target: np.ndarray, groups: Sequence[str],
                      folds: int = CALIBRATION_FOLDS, seed: int = 0) -> np.ndarray:
    """Out-of-fold residuals (target - prediction) with folds grouped by ``groups``."""
    residuals = np.empty(len(target))
    splitter = GroupKFold(n_splits=min(folds, len(set(groups))))
    for fit_rows, out_rows in splitter.split(features, target, np.asarray(groups)):
        model = new_regressor(seed).fit(features[fit_rows], target[fit_rows])
        residuals[out_rows] = target[out_rows] - model.predict(features[out_rows])
    return residuals


def fit_property_model(name: str, raw: np.ndarray, target: np.ndarray, groups: Sequence[str],
                       *, alpha: float = ALPHA, seed: int = 0) -> PropertyModel:
    """Train one property model on rows with a measured ``target`` (NaN rows are dropped)."""
    measured = ~np.isnan(target)
    raw, target = raw[measured], target[measured]
    kept_groups = [g for g, keep in zip(groups, measured, strict=True) if keep]
    imputation = Imputation.fit(raw)
    features = imputation.apply(raw)
    residuals = grouped_residuals(features, target, kept_groups, seed=seed)
    regressor = new_regressor(seed).fit(features, target)
    return PropertyModel(name, PROPERTIES[name][1], regressor, imputation,
                         conformal_half_width(residuals, alpha),
                         Domain.fit(features, kept_groups), int(measured.sum()))


def train_models(table: AlloyTable | None = None, names: Sequence[str] | None = None,
                 *, seed: int = 0) -> dict[str, PropertyModel]:
    """Train the property models (all by default) on ``table`` (default: the shipped data)."""
    data = table if table is not None else load_shipped()
    return {name: fit_property_model(name, data.raw, data.number_column(PROPERTIES[name][0]),
                                     data.formula, seed=seed)
            for name in (names or tuple(PROPERTIES))}


def predict_all(models: Mapping[str, PropertyModel], raw: np.ndarray) -> dict[str, Prediction]:
    """Every model's :class:`Prediction` for the same raw feature rows."""
    return {name: model.predict(raw) for name, model in models.items()}
