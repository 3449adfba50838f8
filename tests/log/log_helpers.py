"""Shared by the event-log tests: fixed actor keys and events in the shared envelope."""

from __future__ import annotations

from typing import Any

from valueloop.log.keys import Signer

SMELTER = Signer.from_private_bytes("example.com/smelter", bytes(range(32)))
REFINER = Signer.from_private_bytes("example.com/refiner", bytes(range(1, 33)))
LOG_KEY = Signer.from_private_bytes("example.com/log", bytes(range(2, 34)))
WITNESS = Signer.from_private_bytes("witness.example/w1", bytes(range(3, 35)))


def event(i: int, actor: Signer = SMELTER, **payload: Any) -> dict[str, Any]:
    """An event in the shared envelope, different for every ``i``."""
    return {"type": "custody.transform", "actor": actor.name,
            "time": f"2026-11-22T10:{i // 60 % 60:02d}:{i % 60:02d}Z", "subject": f"batch-{i}",
            "payload": {"mass_t": 12.5 + i, "step": i, "note": "é€😀", **payload}}

