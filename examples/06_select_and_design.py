"""From a device specification to ranked materials and designed alloys, for four devices.

Each requirement file in ``examples/requirements/`` states a device in an electronics engineer's
terms (current, temperature rise, frequency, line width, current density, target life). For each:

1. translate the device into material targets, each with the physics behind it;
2. select from the materials database (the shipped grades and the Gorsse et al. 2023 alloys):
   candidates ranked by Pareto layer and score, each property measured, derived or predicted;
3. design new compositions and processing with NSGA-II inside the property models' domain,
   each candidate with its 90 % intervals and a flag where it is predicted beyond any alloy
   measured.

It writes an Ashby chart per device (``ashby-<device>.svg``) and the designed recipes
(``recipes-<device>.csv``, readable by ``valueloop materials predict --input``) to the current
folder. Models come from the model cache (trained on first use, a few seconds).

    python examples/06_select_and_design.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from valueloop.core.db import Database
from valueloop.core.tables import write_csv
from valueloop.materials import importers
from valueloop.materials.ashby import ashby_chart
from valueloop.materials.design import DesignSettings, design
from valueloop.materials.design_tables import recipe_table
from valueloop.materials.model_cache import load_or_train
from valueloop.materials.properties import load_shipped
from valueloop.materials.requirement import load_requirement
from valueloop.materials.selection import STATUS
from valueloop.materials.selection_tables import run_selection, unverified
from valueloop.materials.store import MaterialStore

REQUIREMENTS = Path(__file__).resolve().parent / "requirements"
# A small search budget keeps the example quick; the CLI default is 40 x 50.
SETTINGS = DesignSettings(population=32, generations=25, seed=1)


def main() -> None:
    training = load_shipped()
    models = load_or_train(training)
    with tempfile.TemporaryDirectory() as folder, \
            Database.open(str(Path(folder) / "materials.db")) as database:
        store = MaterialStore(database)
        store.add(importers.read_grades())
        store.add(importers.read_gorsse(importers.gorsse_path(None)))
        for path in sorted(REQUIREMENTS.glob("*.toml")):
            requirement = load_requirement(path)
            print(f"\n=== {requirement.name} ({path.name}) ===")
            for c in requirement.constraints:
                print(f"  target  {c.property} {c.operator} {c.value:.4g} {c.unit}")
            run = run_selection(database, requirement, models)
            matrix, selection = run.matrix, run.selection
            counts = {label: int((selection.status == code).sum())
                      for code, label in enumerate(STATUS)}
            print(f"  select  {len(matrix)} candidates: " +
                  ", ".join(f"{n} {label}" for label, n in counts.items()))
            for r in selection.order[:3]:
                missing = unverified(run, int(r))
                print(f"    #{selection.rank()[r]} {matrix.name[r]}, {matrix.record[r]}: "
                      f"{STATUS[int(selection.status[r])]}"
                      + (f" (no data on {missing})" if missing else ""))
            # Ashby axes: conductivity against the other objective (else yield strength)
            others = [o.property for o in requirement.objectives
                      if o.property != "electrical_conductivity_iacs"]
            x, y = "electrical_conductivity_iacs", (others or ["yield_strength_mpa"])[0]
            chart = ashby_chart(run_selection(database, requirement, models, (x, y)), x, y,
                                Path(f"ashby-{path.stem}.svg"))
            print(f"  chart   {chart}")
            result = design(requirement, models, settings=SETTINGS, table=training)
            first = result.timing
            print(f"  design  {len(result)} candidates, {int(result.feasible.sum())} meet the "
                  f"designed targets, {int(result.beyond_measured.sum())} beyond measured data; "
                  f"first feasible after {first.first_feasible_evaluations} evaluations")
            for note in result.notes:
                print(f"    note: {note}")
            recipes = recipe_table(result, top=5)
            write_csv(recipes, Path(f"recipes-{path.stem}.csv"))
            print(f"  recipes recipes-{path.stem}.csv ({len(recipes.rows)} rows)")


if __name__ == "__main__":
    main()
