"""Reading a passport as an audience: fields above the audience's tier are absent.

A hidden field is left out of the result entirely (never present as ``null`` or empty), and so is
a group whose fields are all hidden, so a reader cannot even tell which restricted fields exist.
The tiers come from each field's metadata (:mod:`.model`); a field without a declared tier is a
bug and raises, so nothing is shown by default.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from valueloop.core.errors import OptionError
from valueloop.passport.model import VISIBLE, Audience, Tier


def field_tier(info: FieldInfo) -> Tier:
    """The declared tier of one field."""
    extra = info.json_schema_extra
    if not isinstance(extra, dict) or "tier" not in extra:
        raise TypeError(f"passport field {info.alias!r} declares no access tier")
    return Tier(str(extra["tier"]))


def field_key(name: str, info: FieldInfo) -> str:
    """The key a field has in dumped passports (its alias)."""
    return info.alias or name


def parse_audience(text: str) -> Audience:
    try:
        return Audience(text)
    except ValueError:
        raise OptionError(f"unknown audience {text!r}", item="--as",
                          allowed=", ".join(a.value for a in Audience)) from None


def view(passport: BaseModel, audience: Audience) -> dict[str, Any]:
    """``passport`` as JSON data (upstream aliases) with only the fields ``audience`` may see."""
    return _view_model(passport, passport.model_dump(mode="json", by_alias=True),
                       VISIBLE[audience])


def _view_model(model: BaseModel, dumped: dict[str, Any],
                visible: frozenset[Tier]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if value is None or field_tier(info) not in visible:
            continue
        key = field_key(name, info)
        shown = _view_value(value, dumped[key], visible)
        if shown is not _HIDDEN:
            result[key] = shown
    return result


_HIDDEN = object()


def _view_value(value: Any, dumped: Any, visible: frozenset[Tier]) -> Any:
    if isinstance(value, BaseModel):
        inner = _view_model(value, dumped, visible)
        return inner if inner else _HIDDEN
    if isinstance(value, tuple | list) and value and isinstance(value[0], BaseModel):
        items = [_view_value(v, d, visible) for v, d in zip(value, dumped, strict=True)]
        kept = [i for i in items if i is not _HIDDEN]
        return kept if kept else _HIDDEN
    return dumped
