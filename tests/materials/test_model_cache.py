"""Model cache: a second call loads, the key follows the data, bad files are retrained."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from valueloop.materials import model_cache
from valueloop.materials.model_cache import (
    CACHE_ENV,
    SUBFOLDER,
    cache_folder,
    cache_key,
    cached_models,
    load_or_train,
)
from valueloop.materials.properties import AlloyTable, load_shipped, read_rows
from valueloop.materials.property_models import PROPERTIES


@pytest.fixture(scope="module")
def small() -> AlloyTable:
    """The 276 shipped rows with a measured UTS: every property trains in about a second."""
    shipped = load_shipped()
    uts = shipped.columns.index(PROPERTIES["uts_mpa"][0])
    return read_rows(shipped.columns, [r for r in shipped.rows if r[uts].strip()])


@pytest.fixture
def cache_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache" / SUBFOLDER


def test_folder_from_environment(cache_root: Path) -> None:
    assert cache_folder() == cache_root


def test_second_call_loads_the_same_models(small: AlloyTable, cache_root: Path) -> None:
    first = cached_models(small)
    assert not first.loaded and first.stored
    assert first.path == cache_root / f"models-{first.key}.pkl" and first.path.is_file()
    assert not list(cache_root.glob(".*.tmp"))  # written atomically
    second = cached_models(small)
    assert second.loaded and not second.stored and second.path == first.path
    assert second.seconds < first.seconds / 5
    assert set(second.models) == set(PROPERTIES)
    for name, model in first.models.items():
        a = model.predict(small.raw)
        b = second.models[name].predict(small.raw)
        for field in ("pred", "lo", "hi", "in_domain", "sigma"):
            np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert set(load_or_train(small)) == set(PROPERTIES)


def test_key_follows_the_training_content(small: AlloyTable) -> None:
    key = cache_key(small)
    # Row order does not matter: the same rows train the same models.
    assert cache_key(read_rows(small.columns, small.rows[::-1])) == key
    assert cache_key(small, seed=1) != key
    uts = small.columns.index(PROPERTIES["uts_mpa"][0])
    changed = [list(r) for r in small.rows]
    changed[0][uts] = str(float(changed[0][uts]) + 1.0)  # one measured value
    assert cache_key(read_rows(small.columns, changed)) != key
    changed = [list(r) for r in small.rows]
    changed[0][small.columns.index("Ni")] = "9.9"  # one feature
    assert cache_key(read_rows(small.columns, changed)) != key
    changed = [list(r) for r in small.rows]
    changed[0][small.columns.index("Alloy formula")] = "Cu-new"  # one group
    assert cache_key(read_rows(small.columns, changed)) != key


def test_key_follows_the_model_version(small: AlloyTable,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    key = cache_key(small)
    monkeypatch.setattr(model_cache, "MODEL_VERSION", model_cache.MODEL_VERSION + 1)
    assert cache_key(small) != key


@pytest.mark.parametrize("content", [
    b"not a pickle",
    b"",
    pickle.dumps({"key": "0" * 64, "models": {}}),  # a pickle of another key
    pickle.dumps(["a", "list"]),
], ids=["garbage", "empty", "other-key", "other-object"])
def test_corrupt_or_foreign_file_is_retrained(small: AlloyTable, cache_root: Path,
                                              content: bytes) -> None:
    path = cache_root / f"models-{cache_key(small)}.pkl"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    result = cached_models(small)
    assert not result.loaded and result.stored
    assert cached_models(small).loaded  # the bad file was overwritten


def test_unwritable_folder_means_no_caching(small: AlloyTable, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    # A folder below a file can never be created, whoever runs the tests (root included).
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    result = cached_models(small)
    assert not result.loaded and not result.stored and set(result.models) == set(PROPERTIES)


def test_refresh_and_no_cache(small: AlloyTable, cache_root: Path) -> None:
    assert cached_models(small, cache=False).path is None
    assert not cache_root.exists()
    cached_models(small)
    again = cached_models(small, refresh=True)
    assert not again.loaded and again.stored
