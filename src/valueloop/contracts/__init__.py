"""Circular performance contracts: take-back terms, price formulas, settlement from events.

A contract (TOML, :class:`ContractDefinition`) binds a supplier, who delivers copper product and
takes back scrap, and a customer, who returns scrap and receives product. Settlement per period
reads events in the shared envelope (``contract.delivery``, ``contract.takeback``) and returns
the amounts due and the breaches (volume shortfall, quality below terms, recycled-content
guarantee missed).
"""

from valueloop.contracts.definition import ContractDefinition, load_contract
from valueloop.contracts.events import logged_events, read_events
from valueloop.contracts.settle import Breach, Line, PeriodSettlement, settle
from valueloop.log.event import Event

__all__ = [
    "Breach",
    "ContractDefinition",
    "Event",
    "Line",
    "PeriodSettlement",
    "load_contract",
    "logged_events",
    "read_events",
    "settle",
]
