"""The models valueloop ships, by the name scenario files use in ``[scenario] model``."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from valueloop.core.errors import ScenarioStructureError
from valueloop.core.model import ModelDefinition
from valueloop.models.cobalt_balance import COBALT_BALANCE
from valueloop.models.investment_cases import COBALT_INVESTMENT
from valueloop.models.operating import OPERATING_ROUTES
from valueloop.models.outlook import COBALT_OUTLOOK
from valueloop.models.process_routes import PROCESS_ROUTES
from valueloop.models.testfunctions import ISHIGAMI, SOBOL_G

MODELS: Mapping[str, ModelDefinition] = MappingProxyType(
    {model.name: model
     for model in (COBALT_BALANCE, COBALT_INVESTMENT, COBALT_OUTLOOK, OPERATING_ROUTES,
                   PROCESS_ROUTES, ISHIGAMI, SOBOL_G)}
)


def get_model(name: str) -> ModelDefinition:
    try:
        return MODELS[name]
    except KeyError:
        raise ScenarioStructureError(f"no model named {name!r}", item="scenario.model",
                                     allowed=", ".join(sorted(MODELS))) from None
