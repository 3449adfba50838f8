"""Exports of passports to external schemas; every export is validated before it is returned.

One module per target. An export carries every field of the passport (it is the operator's own
document for a data space that enforces its own usage policies); the tier-filtered reading is
:func:`valueloop.passport.tiers.view`.
"""
