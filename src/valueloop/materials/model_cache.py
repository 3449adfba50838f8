"""Trained property models cached on disk, keyed by the data and the code that trained them.

:func:`load_or_train` returns the models for a Gorsse-layout table, loading them from the cache
when a file with the same key exists and training (then storing) them otherwise. The key is a
SHA-256 over

* the training table's content in canonical row order (raw feature bytes, the four measured
  targets, the alloy-formula groups), so a table read back from the database keys the same as
  the shipped CSV when it holds the same rows;
* :data:`~valueloop.materials.property_models.MODEL_VERSION` and the training settings;
* the scikit-learn, NumPy and Python versions (a pickled forest is only safe to load with the
  versions that wrote it).

The cache folder is ``$VALUELOOP_CACHE_DIR/materials-models`` when that variable is set, else
``materials-models`` in ``platformdirs.user_cache_dir("valueloop")``. Files are pickles written
atomically (temporary name, then rename). A file that cannot be read, does not unpickle, warns
while unpickling or holds something else is ignored and overwritten by fresh training; a folder
that cannot be written just means no caching. Pickles run code when loaded: the cache folder is
the user's own and must not be shared with people you do not trust.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import platform
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import platformdirs
import sklearn

from valueloop.core.errors import OptionError
from valueloop.core.tables import write_bytes
from valueloop.materials.properties import AlloyTable, load_shipped
from valueloop.materials.property_models import (
    ALPHA,
    CALIBRATION_FOLDS,
    DEFAULT_METHOD,
    DOMAIN_PERCENTILE,
    MIN_GROUPS,
    MIN_ROWS,
    MODEL_VERSION,
    PROPERTIES,
    SIGMA_FLOOR_FRACTION,
    PropertyModel,
    canonical_order,
    target_column,
    train_models,
)

CACHE_ENV = "VALUELOOP_CACHE_DIR"
"""Environment variable naming the cache root (tests point it at a temporary folder)."""
SUBFOLDER = "materials-models"


@dataclass(frozen=True)
class CachedModels:
    """Models with where they came from: loaded from ``path`` or trained in ``seconds``.

    ``path`` is ``None`` when caching was off; ``stored`` says whether fresh models were written.
    """

    models: dict[str, PropertyModel]
    key: str
    path: Path | None
    loaded: bool
    stored: bool
    seconds: float


def cache_folder() -> Path:
    """The cache folder (``$VALUELOOP_CACHE_DIR`` or the user cache folder, plus the sub-folder)."""
    root = os.environ.get(CACHE_ENV) or platformdirs.user_cache_dir("valueloop")
    return Path(root) / SUBFOLDER


def cache_key(table: AlloyTable, *, seed: int = 0) -> str:
    """SHA-256 (hex) of the table's training content, the training settings and the versions."""
    targets = np.column_stack([target_column(table, name) for name in PROPERTIES])
    # Rows in canonical order: any target column breaks ties that features and groups leave.
    order = canonical_order(np.column_stack([table.raw, targets[:, 1:]]), targets[:, 0],
                            table.formula)
    digest = hashlib.sha256()
    settings = (f"model {MODEL_VERSION}; alpha {ALPHA}; folds {CALIBRATION_FOLDS}; floor "
                f"{SIGMA_FLOOR_FRACTION}; domain {DOMAIN_PERCENTILE}; min {MIN_ROWS}/"
                f"{MIN_GROUPS}; method {DEFAULT_METHOD}; seed {seed}; sklearn "
                f"{sklearn.__version__}; numpy {np.__version__}; python "
                f"{platform.python_version()}; shape {table.raw.shape}")
    digest.update(settings.encode())
    for array in (table.raw[order], targets[order]):
        # One NaN bit pattern, whatever produced the blank.
        digest.update(np.where(np.isnan(array), np.nan, array).astype("<f8").tobytes())
    digest.update("\x1f".join(table.formula[i] for i in order).encode())
    return digest.hexdigest()


def cached_models(table: AlloyTable | None = None, *, cache: bool = True,
                  refresh: bool = False, seed: int = 0,
                  folder: Path | None = None) -> CachedModels:
    """Models for ``table`` (default: the shipped data), from the cache when possible.

    Parameters
    ----------
    table
        Gorsse-layout training rows.
    cache
        ``False`` trains in memory without reading or writing the cache.
    refresh
        Train even when a cached file exists, then overwrite it.
    seed
        Random state of the forests (part of the key).
    folder
        Cache folder; :func:`cache_folder` when ``None``.
    """
    data = table if table is not None else load_shipped()
    key = cache_key(data, seed=seed)
    path = (folder or cache_folder()) / f"models-{key}.pkl" if cache else None
    start = time.perf_counter()
    if path is not None and not refresh:
        models = _read(path, key)
        if models is not None:
            return CachedModels(models, key, path, True, False, time.perf_counter() - start)
    models = train_models(data, seed=seed)
    seconds = time.perf_counter() - start
    stored = path is not None and _write(path, key, models)
    return CachedModels(models, key, path, False, stored, seconds)


def load_or_train(table: AlloyTable | None = None, *,
                  cache: bool = True) -> dict[str, PropertyModel]:
    """The property models for ``table`` (default: the shipped data), cached on disk."""
    return cached_models(table, cache=cache).models


def _read(path: Path, key: str) -> dict[str, PropertyModel] | None:
    try:
        payload = path.read_bytes()
    except OSError:
        return None
    try:
        with warnings.catch_warnings():
            # A version-mismatch warning from scikit-learn means an incompatible file.
            warnings.simplefilter("error")
            content = pickle.loads(payload)
    except Exception:  # a corrupt pickle raises almost anything; it is retrained, never fatal
        return None
    if not isinstance(content, dict) or content.get("key") != key:
        return None
    models = content.get("models")
    if not isinstance(models, dict) or not models or not all(
            isinstance(m, PropertyModel) and m.name == n for n, m in models.items()):
        return None
    return models


def _write(path: Path, key: str, models: dict[str, PropertyModel]) -> bool:
    try:
        write_bytes(path, pickle.dumps({"key": key, "models": models},
                                       protocol=pickle.HIGHEST_PROTOCOL))
    except (OSError, OptionError):  # read-only or full disk, a folder in the way: no caching
        return False
    return True
