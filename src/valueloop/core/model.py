"""The one model contract: named arrays in, named arrays out, with a leading sample axis.

A model's ``evaluate`` receives a mapping from parameter name to array. Uncertain scalars have
shape ``(N,)``; fixed scalars have shape ``(1,)`` and fixed series ``(1, T)``, so they broadcast
against the sample axis without being copied N times. It returns a dict of arrays whose leading
axis is N (or 1 when the output does not depend on any uncertain input; the engine broadcasts it).
pint never enters ``evaluate``: units are settled when the scenario is resolved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from valueloop.core.parameters import ParameterDeclaration

Inputs = Mapping[str, np.ndarray]
Outputs = dict[str, np.ndarray]


@dataclass(frozen=True)
class OutputDeclaration:
    """One result of a model: name, unit, and the axes after the sample axis."""

    name: str
    unit: str
    description: str
    axes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelDefinition:
    """A vectorised model and what it declares; build one per model at import time."""

    name: str
    title: str
    parameters: tuple[ParameterDeclaration, ...]
    outputs: tuple[OutputDeclaration, ...]
    evaluate: Callable[[Inputs], Outputs]
    axis_labels: Mapping[str, tuple[int | str, ...]] | None = None
    """Labels of the output axes (``year`` -> (2020, ..., 2035)), for reports."""

    def declaration(self, name: str) -> ParameterDeclaration | None:
        return self._declarations.get(name)

    @cached_property
    def _declarations(self) -> dict[str, ParameterDeclaration]:
        return {d.name: d for d in self.parameters}

    def output(self, name: str) -> OutputDeclaration:
        for declared in self.outputs:
            if declared.name == name:
                return declared
        raise KeyError(name)

    def __call__(self, inputs: Inputs, n: int) -> Outputs:
        """Evaluate and broadcast every output to a leading axis of length ``n``."""
        raw = self.evaluate(inputs)
        missing = [o.name for o in self.outputs if o.name not in raw]
        if missing:
            raise RuntimeError(f"model {self.name!r} did not return outputs {missing}")
        result: Outputs = {}
        for declared in self.outputs:
            array = np.asarray(raw[declared.name], dtype=float)
            expected_tail = array.shape[1:] if array.ndim else ()
            if array.ndim == 0 or array.shape[0] != n:
                array = np.broadcast_to(array.reshape((1, *expected_tail)) if array.ndim
                                        else array.reshape(1), (n, *expected_tail))
            result[declared.name] = array
        return result
