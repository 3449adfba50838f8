"""What an inverse design searches for: a requirement sorted into designed and left-out parts.

:func:`plan_design` sorts a requirement's constraints and objectives into those the property
models can design for (conductivity, hardness, yield strength, UTS) and those nobody can
predict (stress relaxation, roughness, softening, CTE, ...), which the result lists as "not
designed for". A thermal-conductivity bound becomes a conductivity bound by Wiedemann-Franz
(κ = L₀σT at :data:`~valueloop.materials.physics.IACS_TEMPERATURE_K`); the plan says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from valueloop.core.errors import UserInputError
from valueloop.materials import physics
from valueloop.materials.property_models import Prediction, PropertyModel
from valueloop.materials.requirement import PROPERTY_KEYS, Requirement, canonical_value

THERMAL = "thermal_conductivity"
CONDUCTIVITY = "electrical_conductivity_iacs"


class DesignError(UserInputError):
    """A requirement or setting the inverse design cannot work with."""


@dataclass(frozen=True)
class DesignedConstraint:
    """A requirement constraint as the search applies it to one property model."""

    model: str
    operator: Literal[">=", "<="]
    value: float
    unit: str
    stated: str
    """The requirement's constraint in its canonical unit."""
    reason: str
    treatment: str

    def label(self) -> str:
        """Short text, e.g. ``electrical_conductivity_iacs >= 22.9``."""
        return f"{self.model} {self.operator} {self.value:.4g}"

    def excess(self, prediction: Prediction, conservative: bool) -> np.ndarray:
        """By how much each row misses the constraint, in the model's unit (<= 0: met).

        ``conservative`` judges the interval bound (``lo`` for ``>=``, ``hi`` for ``<=``)
        instead of the point prediction.
        """
        if self.operator == ">=":
            return self.value - (prediction.lo if conservative else prediction.pred)
        return (prediction.hi if conservative else prediction.pred) - self.value


@dataclass(frozen=True)
class DesignedObjective:
    """A property to maximise or minimise, on a model's point prediction."""

    model: str
    sense: Literal["max", "min"]
    stated: str
    treatment: str


@dataclass(frozen=True)
class NotDesigned:
    """A constraint or objective on a property no model predicts: listed, not searched for."""

    kind: Literal["constraint", "objective"]
    property: str
    stated: str
    reason: str
    why: str


@dataclass(frozen=True)
class DesignPlan:
    """What the search designs for, and what it leaves to the user."""

    requirement: str
    constraints: tuple[DesignedConstraint, ...]
    objectives: tuple[DesignedObjective, ...]
    not_designed: tuple[NotDesigned, ...]
    notes: tuple[str, ...] = ()

    def models_used(self) -> tuple[str, ...]:
        """Models named by the objectives, then the constraints, each once."""
        return tuple(dict.fromkeys([o.model for o in self.objectives]
                                   + [c.model for c in self.constraints]))

    def senses(self) -> dict[str, float]:
        """Per designed model, +1 where higher is better, -1 where lower is.

        The direction of its objective, else of its constraints (the last one given).
        """
        senses = {c.model: 1.0 if c.operator == ">=" else -1.0 for c in self.constraints}
        senses.update({o.model: 1.0 if o.sense == "max" else -1.0 for o in self.objectives})
        return senses


def _wf_iacs(kappa: float, temperature_k: float) -> float:
    sigma = physics.electrical_from_thermal(kappa, temperature_k)
    return float(physics.conductivity_to_iacs(sigma))


def _wf_treatment(temperature_k: float) -> str:
    return (f"Wiedemann-Franz κ = L₀σT at {temperature_k:g} K; the lattice part of κ is ignored, "
            "which asks for more conductivity than needed (most below about 40 %IACS)")


def plan_design(requirement: Requirement, models: Mapping[str, PropertyModel], *,
                wf_temperature_k: float = physics.IACS_TEMPERATURE_K) -> DesignPlan:
    """Split a requirement into designed constraints/objectives and what is not designed for.

    Parameters
    ----------
    requirement
        Constraints and objectives (:mod:`valueloop.materials.requirement`).
    models
        Trained property models by name; a property without a model is not designed for.
    wf_temperature_k
        Temperature of the Wiedemann-Franz conversion of a thermal-conductivity bound.

    Raises
    ------
    DesignError
        Nothing in the requirement is on a predicted property.
    """
    constraints: list[DesignedConstraint] = []
    objectives: list[DesignedObjective] = []
    skipped: list[NotDesigned] = []
    notes: list[str] = []
    for constraint in requirement.constraints:
        spec = PROPERTY_KEYS[constraint.property]
        value = canonical_value(constraint)
        stated = f"{constraint.property} {constraint.operator} {value:.4g} {spec.unit}"
        if constraint.property == THERMAL and CONDUCTIVITY in models:
            iacs = _wf_iacs(value, wf_temperature_k)
            constraints.append(DesignedConstraint(
                CONDUCTIVITY, constraint.operator, iacs, models[CONDUCTIVITY].unit, stated,
                constraint.reason, f"as {CONDUCTIVITY} {constraint.operator} {iacs:.4g} %IACS "
                                   f"by {_wf_treatment(wf_temperature_k)}"))
        elif spec.model is not None and spec.model in models:
            constraints.append(DesignedConstraint(
                spec.model, constraint.operator, value, models[spec.model].unit, stated,
                constraint.reason, "as stated"))
        else:
            skipped.append(NotDesigned("constraint", constraint.property, stated,
                                       constraint.reason, _why(spec.model)))
    for objective in requirement.objectives:
        spec = PROPERTY_KEYS[objective.property]
        stated = f"{objective.sense} {objective.property}"
        if objective.property == THERMAL and CONDUCTIVITY in models:
            objectives.append(DesignedObjective(
                CONDUCTIVITY, objective.sense, stated,
                f"as {objective.sense} {CONDUCTIVITY}: κ rises with σ by Wiedemann-Franz"))
        elif spec.model is not None and spec.model in models:
            objectives.append(DesignedObjective(spec.model, objective.sense, stated,
                                                "on the point prediction"))
        else:
            skipped.append(NotDesigned("objective", objective.property, stated, "",
                                       _why(spec.model)))
    if any(o.weight != 1.0 for o in requirement.objectives):
        notes.append("objective weights are not used: NSGA-II returns the Pareto set")
    if not objectives and constraints:
        for c in constraints:  # one objective per constrained model, in the constraint's sense
            sense: Literal["max", "min"] = "max" if c.operator == ">=" else "min"
            if all(o.model != c.model for o in objectives):
                objectives.append(DesignedObjective(c.model, sense, f"from {c.stated}",
                                                    "no objective on a predicted property: "
                                                    "the constraint's direction"))
        notes.append("no objective is on a predicted property: the constrained properties are "
                     "optimised in their constraints' direction")
    unique = list({(o.model, o.sense): o for o in objectives}.values())
    if not unique:
        raise DesignError("no constraint or objective is on a property the models predict",
                          item=f"requirement {requirement.name!r}",
                          allowed=", ".join([*models, THERMAL]))
    return DesignPlan(requirement.name, tuple(constraints), tuple(unique), tuple(skipped),
                      tuple(notes))


def _why(model: str | None) -> str:
    if model is None:
        return "no property model predicts it: check it against measured data (select)"
    return f"the {model} model was not given"
