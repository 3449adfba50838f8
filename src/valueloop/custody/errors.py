"""What the chain-of-custody components refuse, as :class:`UserInputError` subclasses.

Each one renders as one line naming the batch, transformation or ledger, what was wrong and what
is allowed; the CLI exits with status 2.
"""

from __future__ import annotations

from valueloop.core.errors import UserInputError


class CustodyError(UserInputError):
    """Base class of the chain-of-custody errors."""


class UnknownRecordError(CustodyError):
    """A batch, site, transformation or ledger that is not in the store."""


class DuplicateRecordError(CustodyError):
    """An identifier that is already taken (records are never overwritten)."""


class MassBalanceError(CustodyError):
    """A transformation whose element masses do not balance within its declared losses."""


class OverConsumptionError(CustodyError):
    """A transformation that uses more of a batch than is left of it."""


class OverClaimError(CustodyError):
    """A claim larger than the credits (or the share) the ledger has available."""


class PeriodClosedError(CustodyError):
    """A write to an accounting period that is already closed."""
