"""Write a model of your own and run it through the engine.

A model is a function from named arrays (leading sample axis) to named arrays, plus declarations
of its parameters and outputs. Its scenario is TOML with a source for every number.

    python examples/02_your_own_model.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from valueloop.core.model import Inputs, ModelDefinition, OutputDeclaration, Outputs
from valueloop.core.parameters import ParameterDeclaration
from valueloop.core.scenario import load_definition, resolve
from valueloop.core.study import run_study


def gross_margin(inputs: Inputs) -> Outputs:
    price, cost = inputs["plant.price"], inputs["plant.cash_cost"]
    tonnes = inputs["plant.capacity"] * inputs["plant.utilisation"]
    return {"margin": (price - cost) * tonnes, "margin_share": 1.0 - cost / price}


MODEL = ModelDefinition(
    name="plant-margin",
    title="Gross margin of one hydroxide plant",
    parameters=(
        ParameterDeclaration(name="plant.price", unit="CNY/t", description="Selling price",
                             bounds=(0, np.inf)),
        ParameterDeclaration(name="plant.cash_cost", unit="CNY/t", description="Cash cost",
                             bounds=(0, np.inf)),
        ParameterDeclaration(name="plant.capacity", unit="t/yr", description="Capacity",
                             bounds=(0, np.inf)),
        ParameterDeclaration(name="plant.utilisation", unit="dimensionless",
                             description="Capacity utilisation", bounds=(0, 1)),
    ),
    outputs=(OutputDeclaration("margin", "CNY/yr", "Gross margin"),
             OutputDeclaration("margin_share", "dimensionless", "Margin over price")),
    evaluate=gross_margin,
)

SCENARIO = """
[scenario]
name = "one-plant"
model = "plant-margin"

[parameters."plant.price"]
value = 20.8
unit = "wan_CNY / t"
distribution = { kind = "triangular", low = 16.2, mode = 20.8, high = 25.4 }
source = { document = "seed-004", section = "1.1 and 1.2" }

[parameters."plant.cash_cost"]
value = 18.5
unit = "wan_CNY / t"
source = { document = "seed-004", section = "1.1" }

[parameters."plant.capacity"]
value = 1
unit = "wan_t / yr"
source = { assumption = "a ten-thousand-tonne plant, the size section 2.1 costs" }

[parameters."plant.utilisation"]
value = 0.634
distribution = { kind = "pert", low = 0.4, mode = 0.634, high = 0.9 }
source = { document = "seed-004", section = "1.1", assumption = "range around the average" }
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "one-plant.toml"
        path.write_text(SCENARIO, encoding="utf-8")
        scenario = resolve(load_definition(path), MODEL, file=path)
    result = run_study(MODEL, scenario, 100_000, seed=1)
    p10, p50, p90 = result.quantiles("margin") / 1e8
    loss = float(np.mean(result.outputs["margin"] < 0))
    print(f"gross margin: P50 {p50:.2f} 亿元/yr (P10 {p10:.2f}, P90 {p90:.2f}); "
          f"probability of a loss {loss:.0%}")


if __name__ == "__main__":
    main()
