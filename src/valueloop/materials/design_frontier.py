"""The measured frontier of the designed properties: is a prediction beyond the known data?

A candidate is *beyond measured* when no training row measured in every designed property is at
least as good in each of them, "good" in the direction of the property's objective, else of its
constraints (:meth:`~valueloop.materials.design_plan.DesignPlan.senses`). The models then
extrapolate in property space, whatever the domain check says about composition and processing.

:meth:`MeasuredFrontier.gap` measures it for a whole population at once::

    gap = min over rows r of ( max over properties k of s_k (pred_k - y_rk) / std_k )

with ``s_k`` +1 where higher is better (-1 where lower) and ``std_k`` the standard deviation of
property ``k`` over the training rows that measured it, so that properties in different units
weigh alike. ``gap <= 0`` exactly when some row is at least as good in every property: the
search applies it as the inequality constraint ``gap <= 0`` (``within_measured``) and the result
flags ``gap > 0`` as ``beyond_measured``, so the two agree by construction. A measured row that
another measured row dominates never gives the minimum (it is no better in any property), so
only the measured Pareto front is kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from valueloop.materials.design_plan import DesignedConstraint, DesignPlan
from valueloop.materials.properties import AlloyTable
from valueloop.materials.property_models import Prediction, target_column
from valueloop.materials.selection import pareto_front


@dataclass(frozen=True)
class MeasuredFrontier:
    """Training rows measured in every designed property that no other such row dominates."""

    models: tuple[str, ...]
    """The designed properties (model names), in column order."""
    senses: np.ndarray
    """Per property, +1 where higher is better, -1 where lower is."""
    scale: np.ndarray
    """Per property, the training standard deviation (1 where it is 0 or unknown)."""
    measured: np.ndarray
    """``(rows, properties)`` measured values of the frontier rows, in model units."""

    @classmethod
    def from_table(cls, plan: DesignPlan, table: AlloyTable) -> MeasuredFrontier:
        """The frontier of ``table``'s measured rows in the properties ``plan`` designs for."""
        senses = plan.senses()
        models = plan.models_used()
        columns = np.column_stack([target_column(table, m) for m in models])
        spread = np.array([np.std(c[~np.isnan(c)]) if np.any(~np.isnan(c)) else 0.0
                           for c in columns.T])
        scale = np.where(spread > 0, spread, 1.0)  # a constant or blank column: unscaled
        sign = np.array([senses[m] for m in models])
        complete = columns[~np.any(np.isnan(columns), axis=1)]
        front = pareto_front(-sign * complete)  # pareto_front minimises: negate "better"
        return cls(models, sign, scale, complete[front])

    def __len__(self) -> int:
        return len(self.measured)

    def gap(self, predictions: Mapping[str, Prediction]) -> np.ndarray:
        """Per row of ``predictions``, how far its point predictions lie beyond the frontier.

        In training standard deviations of the worst property against the nearest frontier
        row (module docstring); ``<= 0`` within the measured data, ``inf`` when no training
        row measured every designed property.
        """
        predicted = np.column_stack([predictions[m].pred for m in self.models])
        if not len(self.measured):
            return np.full(len(predicted), np.inf)
        # (candidates, frontier rows, properties); the sign of each term is exactly that of
        # the comparison "measured at least as good", so the flag matches a direct check
        beyond = (predicted[:, None, :] - self.measured[None, :, :]) * (self.senses / self.scale)
        gap: np.ndarray = beyond.max(axis=2).min(axis=1)
        return gap

    def beyond(self, predictions: Mapping[str, Prediction]) -> np.ndarray:
        """Rows predicted better than every training row measured in the designed properties."""
        return self.gap(predictions) > 0.0

    def reaching(self, constraints: Sequence[DesignedConstraint]) -> np.ndarray:
        """Frontier rows whose measured values meet every constraint that points the way its
        property is better.

        A candidate within the measured data is no better than some frontier row, so it can
        meet those constraints only where such a row does: without one, ``within_measured``
        and the constraints cannot both hold.
        """
        reaching = np.ones(len(self.measured), dtype=bool)
        for c in constraints:
            k = self.models.index(c.model)
            if (c.operator == ">=") == (self.senses[k] > 0):
                measured = self.measured[:, k]
                reaching &= measured >= c.value if c.operator == ">=" else measured <= c.value
        return reaching
