"""Cost, carbon, finance and location of cobalt hydroxide by process route (issue 4).

What a strategy analyst would ask, answered from the shipped scenarios:

1. What does a tonne of cobalt cost by each route, and where does the money go?
2. Where does each plant break even, and what is it worth (NPV) with its uncertainty?
3. How much does moving a hydromet plant to a hydro-powered province cut its footprint?
4. In which start years does a green-power hydromet project pay, under which price paths?
5. Where should capacity be, and does a carbon price move it?

    python examples/03_route_economics.py
"""

from __future__ import annotations

import numpy as np

from valueloop.models.location import locate
from valueloop.reports.carbon_tables import run_carbon
from valueloop.reports.cost_tables import run_cost
from valueloop.reports.investment_tables import run_investment


def main() -> None:
    costs = run_cost(samples=2_000, seed=1)
    print("1. Full cost per t of contained cobalt (P50, 万元) and its largest component")
    components = costs.model.axis_labels["component"]  # type: ignore[index]
    assert costs.study is not None
    p10, p50, p90 = costs.study.quantiles("full_cost")
    for route in costs.routes:
        i = costs.index(route)
        breakdown = costs.value("cost_breakdown", route)
        largest = int(np.argmax(breakdown))
        share = breakdown[largest] / breakdown.sum()
        print(f"   {route:10s} {p50[i] / 1e4:6.1f}  (P10-P90 {p10[i] / 1e4:.1f}-"
              f"{p90[i] / 1e4:.1f})  largest: {components[largest]}, {share:.0%}")

    print("\n2. Break-even utilisation and plant NPV (baseline)")
    for route in costs.routes:
        u_star = float(costs.value("breakeven_utilisation", route))
        npv = float(costs.value("npv", route)) / 1e8
        where = f"{u_star:.0%}" if np.isfinite(u_star) and u_star <= 1 else "not within capacity"
        print(f"   {route:10s} break-even at {where:>20s}, NPV {npv:+6.2f} 亿元")

    print("\n3. Hydromet footprint, tCO2e per t Co, by plant province")
    for province in ("Guangxi", "Jiangsu", "Sichuan"):
        carbon = run_carbon(province=province)
        value = float(carbon.baseline["footprint"][0, carbon.routes.index("hydromet")])
        print(f"   {province:8s} {value:6.2f}")

    invest = run_investment(samples=500, seed=1)
    window = invest.at_baseline("green_npv_window")
    print(f"\n4. Green-power hydromet: NPV > 0 in {int(np.sum(window > 0))} of {window.size} "
          "start-year x power-price x carbon-price cells (baseline)")

    report = locate(sweep=[0.0, 60.0, 300.0])
    print("\n5. Location: operating saving of the optimum over today's layout "
          f"{report.comparison.variable_saving_per_t:,.0f} 元/t; open sites by carbon price:")
    assert report.sweep is not None
    for price, result in zip(report.sweep.prices, report.sweep.optima, strict=True):
        print(f"   {price:5.0f} 元/tCO2e: {', '.join(result.open_sites)}")


if __name__ == "__main__":
    main()
