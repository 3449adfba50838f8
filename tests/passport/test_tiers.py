"""Access tiers: no audience ever sees a field above its tier (property-based)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from passport_data import COPPER_FILE, battery_data
from pydantic import BaseModel

from valueloop.passport.battery import BatteryPassport
from valueloop.passport.copper import CopperPassport
from valueloop.passport.files import load_passport_file, parse_passport
from valueloop.passport.model import VISIBLE, Audience, Tier, tier_of_point
from valueloop.passport.tiers import field_key, field_tier, view

ALLOWED = {  # Art. 77(2) of Regulation (EU) 2023/1542, written out independently of the code
    "public": {"public"},
    "legitimate_interest": {"public", "interest_and_authority", "legitimate_interest"},
    "authority": {"public", "interest_and_authority", "authority"},
}
FULL_BATTERY = battery_data()
FULL_COPPER = load_passport_file(COPPER_FILE).model_dump(mode="json", by_alias=True,
                                                         exclude_none=True)


def _thin(draw: st.DrawFn, model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """Drop a random selection of the optional fields of ``data``, recursively."""
    result: dict[str, Any] = {}
    by_key = {field_key(n, i): (n, i) for n, i in model.model_fields.items()}
    for key, value in data.items():
        _, info = by_key.get(key, (key, model.model_fields.get(key)))
        if info is None:
            result[key] = value
            continue
        if key not in ("kind", "identifier") and not info.is_required() and draw(st.booleans()):
            continue
        nested = _model_of(info.annotation)
        if nested is not None and isinstance(value, dict):
            value = _thin(draw, nested, value)
        elif nested is not None and isinstance(value, list):
            value = [_thin(draw, nested, v) for v in value if draw(st.integers(0, 3))]
        result[key] = value
    return result


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


@st.composite
def passports(draw: st.DrawFn) -> BaseModel:
    kind = draw(st.sampled_from(["battery", "copper"]))
    if kind == "battery":
        return parse_passport(_thin(draw, BatteryPassport, FULL_BATTERY))
    return parse_passport(_thin(draw, CopperPassport, FULL_COPPER))


def _check(model: BaseModel, shown: dict[str, Any], audience: str) -> int:
    """Assert every shown key is visible and every visible non-empty field is shown."""
    checked = 0
    by_key = {field_key(n, i): (n, i) for n, i in type(model).model_fields.items()}
    assert set(shown) <= set(by_key), set(shown) - set(by_key)
    for key, (name, info) in by_key.items():
        value = getattr(model, name)
        tier = info.json_schema_extra["tier"]  # type: ignore[index]
        if key not in shown:
            assert value is None or tier not in ALLOWED[audience] or _all_hidden(value, audience)
            continue
        assert tier in ALLOWED[audience], (key, tier, audience)
        assert shown[key] is not None and shown[key] != {}
        checked += 1
        if isinstance(value, BaseModel):
            checked += _check(value, shown[key], audience)
        elif isinstance(value, tuple) and value and isinstance(value[0], BaseModel):
            kept = [v for v in value if not _all_hidden(v, audience)]
            assert len(kept) == len(shown[key])
            checked += sum(_check(v, s, audience) for v, s in zip(kept, shown[key], strict=True))
    return checked


def _all_hidden(value: Any, audience: str) -> bool:
    if isinstance(value, BaseModel):
        return all(getattr(value, n) is None or i.json_schema_extra["tier"]  # type: ignore[index]
                   not in ALLOWED[audience] or _all_hidden(getattr(value, n), audience)
                   for n, i in type(value).model_fields.items())
    if isinstance(value, tuple) and value and isinstance(value[0], BaseModel):
        return all(_all_hidden(v, audience) for v in value)
    return False


@settings(max_examples=150, deadline=None)
@given(passport=passports(), audience=st.sampled_from(list(Audience)))
def test_no_audience_sees_a_field_above_its_tier(passport: BaseModel, audience: Audience) -> None:
    shown = view(passport, audience)
    _check(passport, shown, audience.value)


def test_the_full_battery_passport_by_audience() -> None:
    passport = parse_passport(FULL_BATTERY)
    public = view(passport, Audience.PUBLIC)
    interest = view(passport, Audience.LEGITIMATE_INTEREST)
    authority = view(passport, Audience.AUTHORITY)
    # 4(c) status and 4(x) condition: legitimate interest only
    assert "batteryStatus" not in public["generalProductInformation"]
    assert "batteryStatus" in interest["generalProductInformation"]
    assert "batteryStatus" not in authority["generalProductInformation"]
    assert "batteryCondition" in interest["performanceAndDurability"]
    assert "batteryCondition" not in authority["performanceAndDurability"]
    # 3(a) test reports: authorities only
    assert "resultOfTestReport" in authority["labeling"]
    assert "resultOfTestReport" not in interest["labeling"]
    # 2(a)-(d): both, never the public; the public keeps the 1(a) extinguishing agent
    for key in ("sparePartSources", "dismantlingAndRemovalInformation"):
        assert key in interest["circularity"] and key in authority["circularity"]
        assert key not in public["circularity"]
    assert public["circularity"]["safetyMeasures"] == {
        "extinguishingAgent": list(passport.circularity.safety_measures.extinguishing_agent)}
    assert "batteryMaterials" not in public["materialComposition"]


def test_tiers_follow_the_annex_points() -> None:
    def walk(model: type[BaseModel]) -> int:
        count = 0
        for info in model.model_fields.values():
            extra = info.json_schema_extra
            assert isinstance(extra, dict)
            if "annex" in extra:
                assert field_tier(info) is tier_of_point(str(extra["annex"]))
                count += 1
            nested = _model_of(info.annotation)
            if nested is not None:
                count += walk(nested)
        return count

    assert walk(BatteryPassport) > 80
    assert {t.value for a in Audience for t in VISIBLE[a]} == {t.value for t in Tier}
    for audience in Audience:
        assert {t.value for t in VISIBLE[audience]} == ALLOWED[audience.value]


def test_copper_impurities_and_reports_are_restricted() -> None:
    passport = load_passport_file(COPPER_FILE)
    public = view(passport, Audience.PUBLIC)
    assert "impurities" not in public["composition"]
    assert "smelter" not in public["origin"] and "testReports" not in public
    assert view(passport, Audience.AUTHORITY)["testReports"][0]["title"].startswith("Conduct")
    assert "testReports" not in view(passport, Audience.LEGITIMATE_INTEREST)


@pytest.mark.parametrize("audience", list(Audience))
def test_hidden_fields_are_absent_not_blank(audience: Audience) -> None:
    def values(node: Any) -> list[Any]:
        if isinstance(node, dict):
            return [v for x in node.values() for v in [x, *values(x)]]
        if isinstance(node, list):
            return [v for x in node for v in values(x)]
        return []

    shown = view(parse_passport(FULL_BATTERY), audience)
    assert all(v is not None and v != {} for v in values(shown))
