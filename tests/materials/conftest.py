"""Fixtures shared by the materials tests: the shipped data and models trained on it, once."""

from __future__ import annotations

import pytest

from valueloop.materials.properties import AlloyTable, load_shipped
from valueloop.materials.property_models import PropertyModel, train_models


@pytest.fixture(scope="session")
def shipped() -> AlloyTable:
    """The shipped Gorsse et al. 2023 table."""
    return load_shipped()


@pytest.fixture(scope="session")
def models(shipped: AlloyTable) -> dict[str, PropertyModel]:
    """All property models, trained in-process (not through the disk cache) on ``shipped``."""
    return train_models(shipped)
