"""Shared data for the trace tests: a certifiable copper passport and the actors' keys."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from valueloop.log.keys import Signer
from valueloop.passport.files import Passport, parse_passport
from valueloop.passport.model import Tier
from valueloop.passport.tiers import field_key, field_tier

COPPER_FILE = Path(__file__).parents[1] / "passport" / "data" / "copper-cathode.toml"
RULES = "recycled-hc-copper-example"
ORIGIN = "example.com/valueloop-log"
TIME = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.UTC)


def copper_passport(identifier: str = "LA:VLOOP:CATH-2026-0001") -> Passport:
    """The test cathode passport with recycled share and footprint that pass the example rules
    (35 % post-consumer, 1.6 kg CO2e/kg: values chosen for the test, like the file's)."""
    data: dict[str, Any] = tomllib.loads(COPPER_FILE.read_text("utf-8"))
    data["identifier"] = identifier
    data["recycledContent"]["postConsumerPercent"] = 35.0
    data["recycledContent"]["preConsumerPercent"] = 10.0
    data["carbonFootprint"]["value"] = 1.6
    return parse_passport(data, source=COPPER_FILE)


def keys() -> dict[str, Signer]:
    """The log's key, a refinery's and a certifier's (fresh for each test)."""
    return {"log": Signer.generate(ORIGIN), "refinery": Signer.generate("example.com/refinery"),
            "certifier": Signer.generate("example.com/certifier")}


def public_only(model: type[BaseModel], shown: Any, where: str = "") -> None:
    """Assert that every key of ``shown`` is a field of ``model`` whose tier is public."""
    fields = {field_key(name, info): info for name, info in model.model_fields.items()}
    for key, value in shown.items():
        assert key in fields, f"{where}{key} is not a field of {model.__name__}"
        info = fields[key]
        assert field_tier(info) == Tier.PUBLIC, f"{where}{key} is {field_tier(info)}"
        inner = _model_of(info.annotation)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict) and inner is not None:
                public_only(inner, item, f"{where}{key}.")


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for inner in getattr(annotation, "__args__", ()):
        found = _model_of(inner)
        if found is not None:
            return found
    return None
