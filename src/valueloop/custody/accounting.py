"""Ledger entries for recorded batches: element masses and qualifying shares from the store.

Glue between :mod:`~valueloop.custody.store` and :mod:`~valueloop.custody.ledger`, so that the
ledger itself stays independent of how batches are kept.

The qualifying share of an input batch is, for a recycled characteristic, the batch's recycled
content (a claim an upstream ledger made on it, else its physical share,
:func:`~valueloop.custody.recycled_content.batch_recycled_content`); for ``copper_mark_site``
the share the batch declares.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from valueloop.custody.errors import CustodyError
from valueloop.custody.events import Event
from valueloop.custody.ledger import MassBalanceLedger
from valueloop.custody.model import RECYCLED, LedgerScope
from valueloop.custody.recycled_content import batch_recycled_content
from valueloop.custody.store import CustodyStore


def qualifying_share(store: CustodyStore, batch_id: str, scope: LedgerScope) -> float:
    """The share of ``batch_id``'s element that has the ledger's characteristic."""
    if scope.characteristic in RECYCLED:
        content = batch_recycled_content(store.db, batch_id, scope.element)
        chosen = content.pre_consumer if scope.characteristic == RECYCLED[0] \
            else content.post_consumer
        return chosen.share
    return store.batch(batch_id).characteristics.get(scope.characteristic, 0.0)


def input_batch(store: CustodyStore, ledger: MassBalanceLedger, scope: LedgerScope,
                period: int, batch_id: str, *, conversion_factor: float = 1.0,
                share: float | None = None, evidence: str = "", actor: str,
                time: dt.datetime | None = None) -> dict[str, Any]:
    """Record a recorded batch as an input of the ledger, with its element mass and share."""
    batch = store.batch(batch_id)
    chosen = qualifying_share(store, batch_id, scope) if share is None else share
    return ledger.record_input(scope, period, element_kg=batch.element_mass(scope.element),
                               qualifying_share=chosen, conversion_factor=conversion_factor,
                               batch=batch_id, evidence=evidence, actor=actor, time=time)


def claim_batch(store: CustodyStore, ledger: MassBalanceLedger, scope: LedgerScope,
                period: int, batch_id: str, *, qualifying_kg: float | None = None,
                share: float | None = None, evidence: str = "", actor: str,
                time: dt.datetime | None = None) -> Event:
    """Claim on a recorded output batch of the ledger's site (its element mass from the store).

    Raises
    ------
    CustodyError
        The batch is at another site: a site can only claim what it ships.
    """
    batch = store.batch(batch_id)
    if batch.site != scope.site:
        raise CustodyError(f"is at site {batch.site}, not {scope.site}",
                           item=f"batch {batch_id}",
                           allowed="output batches of the ledger's site")
    return ledger.claim(scope, period, batch=batch_id, output_kg=batch.element_mass(scope.element),
                        qualifying_kg=qualifying_kg, share=share, evidence=evidence, actor=actor,
                        time=time)
