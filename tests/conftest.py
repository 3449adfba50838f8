"""Shared test helpers: a small model with units, share groups and a correlation.

``MINI`` exercises what the registered test functions do not: units that need converting (a mass
given in wan_t, a price in CNY/t, an energy intensity in kWh/t), every distribution kind, a
Dirichlet share group and an Iman-Conover rank correlation.
"""

from __future__ import annotations

import math
import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from valueloop.core.model import Inputs, ModelDefinition, OutputDeclaration, Outputs
from valueloop.core.parameters import ParameterDeclaration
from valueloop.core.scenario import Scenario, load_definition, load_scenario, resolve

DATA = Path(__file__).parent / "data"
SCENARIOS = DATA / "scenarios_core"
CHEMISTRIES = ("chem.nmc", "chem.lfp", "chem.nca")


def _mini(inputs: Inputs) -> Outputs:
    mass = inputs["ore.mass"]
    revenue = mass * inputs["ore.price"] * inputs["ore.grade"]
    weights = sum((i + 1.0) * inputs[name] for i, name in enumerate(CHEMISTRIES))
    years = np.asarray(inputs["demand.index"])  # (1, T)
    return {
        "revenue": revenue,
        "energy": mass * inputs["ore.energy"],
        "mix": weights,
        "demand": np.asarray(revenue)[:, None] * years,
    }


def _declare(name: str, unit: str, bounds: tuple[float, float] = (0.0, math.inf),
             **kwargs: object) -> ParameterDeclaration:
    return ParameterDeclaration(name=name, unit=unit, description=name, bounds=bounds, **kwargs)


MINI = ModelDefinition(
    name="engine-mini",
    title="small model for engine tests",
    parameters=(
        _declare("ore.mass", "t"),
        _declare("ore.price", "CNY/t"),
        _declare("ore.grade", "dimensionless", (0.0, 1.0)),
        _declare("ore.energy", "kWh/t"),
        *(_declare(name, "dimensionless", (0.0, 1.0)) for name in CHEMISTRIES),
        _declare("demand.index", "dimensionless", shape="series", index_name="year"),
    ),
    outputs=(
        OutputDeclaration("revenue", "CNY", "mass x price x grade"),
        OutputDeclaration("energy", "kWh", "mass x energy intensity"),
        OutputDeclaration("mix", "dimensionless", "share-weighted chemistry index"),
        OutputDeclaration("demand", "CNY", "revenue x demand index", axes=("year",)),
    ),
    evaluate=_mini,
)


def load_mini(path: Path, override: str | None = None) -> Scenario:
    return resolve(load_definition(path), MINI, override=override, file=path)


@pytest.fixture(scope="module")
def mini() -> Scenario:
    """The mini scenario, shared by the modules of one test file."""
    return load_mini(SCENARIOS / "mini.toml")


@pytest.fixture(scope="module")
def ishigami_correlated() -> Scenario:
    return load_scenario(SCENARIOS / "ishigami_correlated.toml")


@pytest.fixture
def mini_model() -> ModelDefinition:
    return MINI


@pytest.fixture
def mini_scenario() -> Scenario:
    return load_mini(SCENARIOS / "mini.toml")


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write a (dedented) file into ``tmp_path`` and return its path."""

    def _write(text: str, name: str = "scenario.toml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write


# --- databases: SQLite always, PostgreSQL where a server answers ------------------------------

POSTGRES_ENV = "VALUELOOP_TEST_POSTGRES_URL"
"""Admin URL of a PostgreSQL server for the tests (``.ci/run`` starts one and sets it)."""


def _postgres_admin_url() -> str | None:
    import os

    url = os.environ.get(POSTGRES_ENV, "postgresql:///postgres")
    try:
        import psycopg
    except ImportError:
        return None
    try:
        with psycopg.connect(url, connect_timeout=3):
            return url
    except psycopg.Error:
        return None


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    url = _postgres_admin_url()
    if url is None:
        pytest.skip(f"no PostgreSQL server answers (set {POSTGRES_ENV}; .ci/run starts one)")
    return url


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import uuid
    from urllib.parse import urlsplit

    import psycopg

    name = f"vl_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(postgres_admin_url)
    # a postgresql:// URL, so that valueloop.core.db reads it as PostgreSQL, not as a file name
    yield f"{parts.scheme}://{parts.netloc}/{name}" + (f"?{parts.query}" if parts.query else "")
    with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database URL, once for SQLite and once for PostgreSQL (skipped without a server)."""
    if request.param == "sqlite":
        return str(tmp_path / "valueloop.db")
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session", autouse=True)
def model_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One property-model cache for the whole run, never the user's own cache.

    Tests that need an empty cache set ``VALUELOOP_CACHE_DIR`` themselves (monkeypatch); the
    rest share models trained once per run. Subprocesses (examples, CLI) inherit it.
    """
    path = tmp_path_factory.mktemp("valueloop-cache")
    before = os.environ.get("VALUELOOP_CACHE_DIR")
    os.environ["VALUELOOP_CACHE_DIR"] = str(path)
    yield path
    if before is None:
        os.environ.pop("VALUELOOP_CACHE_DIR", None)
    else:
        os.environ["VALUELOOP_CACHE_DIR"] = before
