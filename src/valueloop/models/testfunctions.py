"""Analytic test functions with known sensitivity indices, as valueloop models.

They exercise the engine end to end (scenario, sampling, evaluation, sensitivity) against
closed-form answers, in the manner of SALib's ``test_functions``.
"""

from __future__ import annotations

import math

import numpy as np

from valueloop.core.model import Inputs, ModelDefinition, OutputDeclaration, Outputs
from valueloop.core.parameters import ParameterDeclaration

ISHIGAMI_A = 7.0
ISHIGAMI_B = 0.1


def ishigami_indices(a: float = ISHIGAMI_A, b: float = ISHIGAMI_B) -> dict[str, tuple[float, ...]]:
    """First-order and total Sobol indices of the Ishigami function for x_i ~ U(-pi, pi).

    Ishigami & Homma (1990); closed forms as in Saltelli et al. (2008), Global Sensitivity
    Analysis: The Primer, section 4.
    """
    pi4, pi8 = math.pi**4, math.pi**8
    v1 = 0.5 * (1 + b * pi4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi8 * (1 / 18 - 1 / 50)
    variance = v1 + v2 + v13
    return {
        "S1": (v1 / variance, v2 / variance, 0.0),
        "ST": ((v1 + v13) / variance, v2 / variance, v13 / variance),
    }


def _ishigami(inputs: Inputs) -> Outputs:
    x1, x2, x3 = (inputs[f"ishigami.x{i}"] for i in (1, 2, 3))
    return {"y": np.sin(x1) + ISHIGAMI_A * np.sin(x2) ** 2
            + ISHIGAMI_B * x3**4 * np.sin(x1)}


ISHIGAMI = ModelDefinition(
    name="ishigami",
    title="Ishigami function (a = 7, b = 0.1)",
    parameters=tuple(
        ParameterDeclaration(name=f"ishigami.x{i}", unit="dimensionless",
                             description=f"input x{i}, uniform on [-pi, pi]",
                             bounds=(-math.pi, math.pi))
        for i in (1, 2, 3)),
    outputs=(OutputDeclaration("y", "dimensionless", "Ishigami function value"),),
    evaluate=_ishigami,
)

SOBOL_G_DIMENSION = 50
SOBOL_G_COEFFICIENTS = tuple(float(i) for i in range(SOBOL_G_DIMENSION))
"""a_i = i: low a_i make an input important (Saltelli & Sobol' 1995)."""


def _sobol_g(inputs: Inputs) -> Outputs:
    product: np.ndarray | float = 1.0
    for i, a in enumerate(SOBOL_G_COEFFICIENTS):
        x = inputs[f"sobol_g.x{i:02d}"]
        product = product * ((np.abs(4.0 * x - 2.0) + a) / (1.0 + a))
    return {"y": product}


SOBOL_G = ModelDefinition(
    name="sobol-g",
    title="Sobol' G function, 50 inputs, a_i = i",
    parameters=tuple(
        ParameterDeclaration(name=f"sobol_g.x{i:02d}", unit="dimensionless",
                             description=f"input x{i}, uniform on [0, 1]", bounds=(0.0, 1.0))
        for i in range(SOBOL_G_DIMENSION)),
    outputs=(OutputDeclaration("y", "dimensionless", "Sobol' G function value"),),
    evaluate=_sobol_g,
)
