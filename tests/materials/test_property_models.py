"""Property models on the shipped Gorsse data: grouped coverage, domain, a known grade."""

from __future__ import annotations

import numpy as np
import pytest

from valueloop.core.errors import OutOfBoundsError, UserInputError
from valueloop.materials.model_card import evaluate_property, render_markdown
from valueloop.materials.properties import (
    ELEMENTS,
    ROOM_TEMPERATURE_K,
    AlloyTable,
    load_shipped,
    read_rows,
)
from valueloop.materials.property_models import (
    PROPERTIES,
    PropertyModel,
    conformal_half_width,
    predict_all,
    train_models,
)

HEADER = ["Alloy formula", "Ni", "Si", "Mg", "Zn", "Sn", "Tss (K)", "tss (h)",
          "CR reduction (%)", "Aging", "Tag (K)", "tag (h)",
          "Secondary thermo-mechanical process"]
# C70250 (CuNi3Si(Mg)) solution treated and aged; the process values are our assumption of a
# typical route (solution 1173 K / 1 h, ageing 723 K / 4 h), the grade is the oracle.
CUNI3SI = ["CuNi3Si", "3.0", "0.65", "0.15", "", "", "1173", "1", "0", "Y", "723", "4", "N"]
# A tin brass far outside the data (Zn <= 0.8 and Sn <= 0.6 wt% in Gorsse).
BRASS = ["CuZn30Sn5", "", "", "", "30", "5", "", "", "", "", "", "", ""]


@pytest.fixture(scope="module")
def shipped() -> AlloyTable:
    return load_shipped()


@pytest.fixture(scope="module")
def models(shipped: AlloyTable) -> dict[str, PropertyModel]:
    return train_models(shipped)


def test_shipped_data_as_published(shipped: AlloyTable) -> None:
    # Gorsse et al. 2023: 1831 records; EC measured on 1826, HV on 1614, UTS 276, YS 163.
    assert shipped.raw.shape == (1831, 33)
    counts = {name: int(np.sum(~np.isnan(shipped.number_column(column))))
              for name, (column, _) in PROPERTIES.items()}
    assert counts == {"electrical_conductivity_iacs": 1826, "hardness_hv": 1614,
                      "yield_strength_mpa": 163, "uts_mpa": 276}
    assert len(set(shipped.formula)) == 104


@pytest.mark.parametrize("name", ["electrical_conductivity_iacs", "hardness_hv"])
def test_grouped_coverage_near_nominal(shipped: AlloyTable, name: str) -> None:
    result = evaluate_property(shipped, name, "alloy formula")
    assert abs(result.coverage - 0.90) <= 0.05
    assert result.groups > 80  # 104 formulas in all; HV is missing for some
    # Grouped R² is far below the random-split 0.84-0.86 reported in the literature.
    assert 0.0 < result.r2 < 0.8
    assert "| alloy formula |" in render_markdown([result], "0" * 64)


def test_known_grade_cuni3si_in_published_range(models: dict[str, PropertyModel]) -> None:
    table = read_rows(HEADER, [CUNI3SI])
    result = predict_all(models, table.raw)
    conductivity = result["electrical_conductivity_iacs"]
    # C70250: 35-45 %IACS by temper, UTS 610-850 MPa (conductivity-app / KME, reference note §2).
    assert 35.0 <= conductivity.pred[0] <= 45.0
    assert conductivity.lo[0] <= 35.0 and conductivity.hi[0] >= 45.0
    assert 610.0 <= result["uts_mpa"].pred[0] <= 850.0
    assert all(p.in_domain[0] for p in result.values())


def test_domain_flags_alloy_far_outside(models: dict[str, PropertyModel],
                                        shipped: AlloyTable) -> None:
    table = read_rows(HEADER, [BRASS])
    assert not any(p.in_domain[0] for p in predict_all(models, table.raw).values())
    # Training rows themselves are inside the domain of the conductivity model.
    inside = models["electrical_conductivity_iacs"].predict(shipped.raw[:200]).in_domain
    assert inside.mean() > 0.95


def test_blank_processing_is_imputed(models: dict[str, PropertyModel]) -> None:
    blank = [*CUNI3SI[:6], "", "", "", "", "", "", ""]
    table = read_rows(HEADER, [blank])
    raw = table.raw[0]
    assert np.isnan(raw[len(ELEMENTS)]) and raw[len(ELEMENTS) + 3] == 0.0
    assert raw[len(ELEMENTS) + 4] == ROOM_TEMPERATURE_K
    prediction = models["hardness_hv"].predict(table.raw)
    assert np.isfinite(prediction.pred).all() and prediction.lo[0] <= prediction.hi[0]


def test_conformal_rank() -> None:
    # n = 9, alpha = 0.1: rank ceil(10 * 0.9) = 9, the largest residual.
    assert conformal_half_width(np.arange(1.0, 10.0)) == 9.0
    assert conformal_half_width(-np.arange(1.0, 20.0)) == 18.0


@pytest.mark.parametrize(("column", "cell", "error"), [
    ("Ni", "three", UserInputError), ("Ni", "150", OutOfBoundsError),
    ("Aging", "maybe", UserInputError), ("tss (h)", "-1", OutOfBoundsError)])
def test_bad_cells_name_the_column(column: str, cell: str, error: type[Exception]) -> None:
    row = list(CUNI3SI)
    row[HEADER.index(column)] = cell
    with pytest.raises(error, match=column.replace("(", r"\(").replace(")", r"\)")):
        read_rows(HEADER, [row])
