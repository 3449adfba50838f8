"""Art. 8 minimum recycled shares and Annex XII targets, before and after their dates."""

from __future__ import annotations

import datetime as dt

import pytest

from valueloop.core.errors import OptionError
from valueloop.custody.recycled_content import check_art8, check_recovery


def _one(checks: list) -> dict:
    assert len(checks) == 1
    return checks[0].as_record()


@pytest.mark.parametrize(("day", "required", "verdict"), [
    (dt.date(2031, 8, 17), None, "not binding"),      # the day before Art. 8(2) applies
    (dt.date(2031, 8, 18), 0.16, "complies"),         # 17 % >= 16 %
    (dt.date(2036, 8, 17), 0.16, "complies"),
    (dt.date(2036, 8, 18), 0.26, "below minimum"),    # Art. 8(3): 26 %
])
def test_cobalt_in_an_ev_battery_by_date(day: dt.date, required: float | None,
                                         verdict: str) -> None:
    record = _one(check_art8({"Co": (0.05, 0.12)}, category="ev", date=day))
    assert record["required"] == required
    assert record["verdict"] == verdict
    assert record["actual"] == pytest.approx(0.17)
    assert "eu-reg-2023-1542" in record["source"]


def test_lmt_batteries_are_first_reached_by_art_8_3() -> None:
    before = _one(check_art8({"Li": (0.0, 0.10)}, category="lmt", date=dt.date(2032, 1, 1)))
    after = _one(check_art8({"Li": (0.0, 0.10)}, category="lmt", date=dt.date(2036, 8, 18)))
    assert (before["required"], after["required"]) == (None, 0.12)
    assert after["verdict"] == "below minimum"


def test_lead_and_nickel_and_the_reuse_exemption() -> None:
    checks = check_art8({"Pb": (0.5, 0.36), "Ni": (0.0, 0.05)}, category="sli",
                        date=dt.date(2032, 1, 1))
    verdicts = {c.subject: c.as_record()["verdict"] for c in checks}
    assert verdicts == {"Ni": "below minimum", "Pb": "complies"}
    exempt = check_art8({"Ni": (0.0, 0.05)}, category="ev", date=dt.date(2040, 1, 1),
                        prepared_for_reuse=True)
    assert exempt[0].complies is None


def test_copper_is_not_an_art_8_material() -> None:
    with pytest.raises(OptionError, match=r"Cu has no Art\. 8"):
        check_art8({"Cu": (0.1, 0.1)}, category="ev", date=dt.date(2032, 1, 1))
    with pytest.raises(OptionError, match="category"):
        check_art8({"Co": (0.1, 0.1)}, category="bus", date=dt.date(2032, 1, 1))  # type: ignore[arg-type]


@pytest.mark.parametrize(("day", "required", "verdict"), [
    (dt.date(2027, 12, 31), None, "not binding"),     # "by 31 December 2027": binds after it
    (dt.date(2028, 1, 1), 0.90, "complies"),
    (dt.date(2032, 1, 1), 0.95, "below minimum"),
])
def test_cobalt_recovery_of_a_recycler_by_date(day: dt.date, required: float | None,
                                               verdict: str) -> None:
    record = _one(check_recovery({"Co": 0.93}, date=day))
    assert (record["required"], record["verdict"]) == (required, verdict)


def test_copper_recovery_and_recycling_efficiency() -> None:
    checks = check_recovery({"Cu": 0.96, "Li": 0.6}, date=dt.date(2031, 1, 1),
                            efficiency={"lithium-based batteries": 0.68})
    verdicts = {c.subject: (c.required, c.as_record()["verdict"]) for c in checks}
    assert verdicts == {"Cu": (0.90, "complies"), "Li": (0.50, "complies"),
                        "lithium-based batteries": (0.70, "below minimum")}
    with pytest.raises(OptionError, match="Zn"):
        check_recovery({"Zn": 0.9}, date=dt.date(2031, 1, 1))
