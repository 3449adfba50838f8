"""Monte Carlo study of China's 2024 cobalt hydroxide balance (seed report chapter 1).

Loads the shipped scenario, runs 20,000 samples through the vectorised model, and prints the
P10/P50/P90 band of capacity utilisation and of the hydroxide that the stated precursor output
really needs.

    python examples/01_cobalt_balance_study.py
"""

from __future__ import annotations

from valueloop.core.scenario import load_scenario
from valueloop.core.study import run_study
from valueloop.models.registry import get_model


def main() -> None:
    scenario = load_scenario("valueloop:cobalt-cn-2024-ch1")
    model = get_model(scenario.model)
    result = run_study(model, scenario, 20_000, method="lhs", seed=7)

    p10, p50, p90 = result.quantiles("utilisation_consumption")
    print(f"capacity utilisation 2024: P50 {p50:.1%} (P10 {p10:.1%}, P90 {p90:.1%})")

    p10, p50, p90 = result.quantiles("precursor_hydroxide_demand") / 1e4
    print(f"hydroxide needed by the stated precursor output: P50 {p50:.1f} 万吨 "
          f"(P10 {p10:.1f}, P90 {p90:.1f}); the report states 12.3 万吨")


if __name__ == "__main__":
    main()
