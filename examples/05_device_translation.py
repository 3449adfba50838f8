"""Device specifications in an electronics engineer's terms, translated into material targets.

One worked example per requirement template (issue 6, item 4): a connector contact, a 28 GHz
PCB trace, an EV hairpin winding and an interconnect under electromigration. Each target names
the database property it constrains and the physics that produced it.

    python examples/05_device_translation.py
"""

from __future__ import annotations

from valueloop.materials.translate import translate

SPECS = {
    "connector contact, 10 A": {
        "template": "connector", "current": "10 A", "temperature_rise": "30 K",
        "ambient_temperature": "85 degC", "length": "20 mm", "width": "0.64 mm",
        "thickness": "0.64 mm", "contact_force": "2 N", "spring_length": "3 mm",
        "force_retention": "90 %", "service_temperature": "150 degC", "service_time": "1000 h",
    },
    "28 GHz microstrip foil": {
        "template": "pcb_foil", "frequency": "28 GHz", "line_width": "0.2 mm",
        "impedance": "50 ohm", "max_conductor_loss_db_per_m": 60.0,
    },
    "EV hairpin, class H": {
        "template": "hairpin", "current_density": "15 A/mm**2", "max_loss_density": "8 W/cm**3",
        "temperature_class": "180 degC", "conductor_thickness": "2 mm", "bend_radius": "4 mm",
    },
    "interconnect, 10 years at 105 °C": {
        "template": "interconnect", "current_density": "1 MA/cm**2", "temperature": "105 degC",
        "target_life": "10 years", "reference_test_life": "150 h",
    },
}


def main() -> None:
    for title, spec in SPECS.items():
        targets = translate(spec)
        print(f"{title} ({targets.template}):")
        for c in targets.constraints:
            print(f"  {c.property} {c.operator} {c.value:.4g} {c.unit}  <- {c.reason}")
        for note in targets.notes:
            print(f"  note: {note}")


if __name__ == "__main__":
    main()
