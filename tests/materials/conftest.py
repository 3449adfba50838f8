"""Fixtures shared by the materials tests: the shipped data and models trained on it, once."""

from __future__ import annotations

import pytest
from test_importers import gorsse_file

from valueloop.core.db import Database
from valueloop.materials.importers import read_gorsse, read_grades
from valueloop.materials.properties import AlloyTable, load_shipped
from valueloop.materials.property_models import PropertyModel, train_models
from valueloop.materials.store import MaterialStore


@pytest.fixture(scope="session")
def shipped() -> AlloyTable:
    """The shipped Gorsse et al. 2023 table."""
    return load_shipped()


@pytest.fixture(scope="session")
def models(shipped: AlloyTable) -> dict[str, PropertyModel]:
    """All property models, trained in-process (not through the disk cache) on ``shipped``."""
    return train_models(shipped)


@pytest.fixture(scope="session")
def materials_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file holding the shipped grades and Gorsse 2023 records; tests only read it."""
    path = tmp_path_factory.mktemp("materials") / "materials.db"
    with Database.open(path) as database:
        store = MaterialStore(database)
        store.add(read_grades())
        store.add(read_gorsse(gorsse_file()))
    return str(path)
