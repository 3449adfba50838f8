"""The tamper-evident event log (issue 5, item 4).

Events in the shared envelope are canonicalised (RFC 8785), signed by their actor's Ed25519
key, and appended to an RFC 9162 Merkle tree stored in SQLite or PostgreSQL. The log answers
inclusion and consistency proofs, signs C2SP checkpoints, takes witness cosignatures, and
exports a folder that anyone can verify with the public keys alone.
"""

from valueloop.log.canonical import CanonicalJSONError, canonical_json
from valueloop.log.checkpoint import Checkpoint, cosign, open_checkpoint, sign_checkpoint
from valueloop.log.event import Event, EventError, LogEntry, validate_event
from valueloop.log.export import export_log
from valueloop.log.keys import Signer, VerifierKey, read_signer, read_verifier_keys
from valueloop.log.merkle import ProofError, verify_consistency, verify_inclusion
from valueloop.log.store import ConsistencyProof, EventLog, InclusionProof, LogError
from valueloop.log.verify import VerifyReport, verify_export, verify_store
from valueloop.log.witness import Witness, WitnessRefusedError, WitnessState

__all__ = [
    "CanonicalJSONError",
    "Checkpoint",
    "ConsistencyProof",
    "Event",
    "EventError",
    "EventLog",
    "InclusionProof",
    "LogEntry",
    "LogError",
    "ProofError",
    "Signer",
    "VerifierKey",
    "VerifyReport",
    "Witness",
    "WitnessRefusedError",
    "WitnessState",
    "canonical_json",
    "cosign",
    "export_log",
    "open_checkpoint",
    "read_signer",
    "read_verifier_keys",
    "sign_checkpoint",
    "validate_event",
    "verify_consistency",
    "verify_export",
    "verify_inclusion",
    "verify_store",
]
