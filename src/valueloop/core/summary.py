"""Bands (P10/P50/P90) and summaries of study outputs, as tables and JSON-ready dicts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from valueloop.core.model import ModelDefinition
from valueloop.core.study import StudyResult
from valueloop.core.tables import Table

DEFAULT_QUANTILES = (0.1, 0.5, 0.9)


def _labels(model: ModelDefinition, axes: tuple[str, ...], shape: tuple[int, ...]
            ) -> list[tuple[Any, ...]]:
    """Labels of every cell of an output's non-sample axes, in C order."""
    axis_labels = []
    for axis, size in zip(axes, shape, strict=True):
        known = (model.axis_labels or {}).get(axis)
        axis_labels.append(tuple(known) if known and len(known) == size else tuple(range(size)))
    return list(np.ndindex(*shape)) if not axis_labels else [
        tuple(axis_labels[a][i] for a, i in enumerate(index)) for index in np.ndindex(*shape)]


def band_records(result: StudyResult, model: ModelDefinition,
                 quantiles: Sequence[float] = DEFAULT_QUANTILES) -> list[dict[str, Any]]:
    """One record per output cell: mean, standard deviation and the requested quantiles.

    Cells that are NaN in every sample (a growth rate in the first year) are left out.
    """
    records: list[dict[str, Any]] = []
    for declared in model.outputs:
        if declared.name not in result.outputs:  # a study that kept only some outputs
            continue
        values = np.asarray(result.outputs[declared.name], dtype=float)
        tail = values.shape[1:]
        flat = values.reshape(values.shape[0], -1)
        finite = ~np.all(np.isnan(flat), axis=0)
        q = np.full((len(quantiles), flat.shape[1]), np.nan)
        mean = np.full(flat.shape[1], np.nan)
        sd = np.full(flat.shape[1], np.nan)
        if finite.any():
            q[:, finite] = np.nanquantile(flat[:, finite], quantiles, axis=0)
            mean[finite] = np.nanmean(flat[:, finite], axis=0)
            sd[finite] = np.nanstd(flat[:, finite], axis=0)
        for cell, label in enumerate(_labels(model, declared.axes, tail)):
            if not finite[cell]:
                continue
            record: dict[str, Any] = {
                "output": declared.name,
                "index": "/".join(str(x) for x in label),
                "unit": declared.unit,
                "mean": float(mean[cell]),
                "sd": float(sd[cell]),
            }
            for level, value in zip(quantiles, q[:, cell], strict=True):
                record[f"p{round(level * 100):02d}"] = float(value)
            records.append(record)
    return records


def band_table(result: StudyResult, model: ModelDefinition,
               quantiles: Sequence[float] = DEFAULT_QUANTILES) -> Table:
    records = band_records(result, model, quantiles)
    columns = ("output", "index", "unit", "mean", "sd",
               *(f"p{round(level * 100):02d}" for level in quantiles))
    return Table.from_records(
        f"bands {model.name}"[:31], records, columns=columns,
        notes=(f"{model.title}: {result.n:,} samples ({result.method}, seed {result.seed}), "
               f"scenario {result.scenario}",))
