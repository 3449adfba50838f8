"""Pieces several Catena-X exports share: passport UUIDs, addresses, document references."""

from __future__ import annotations

import uuid
from typing import Any

from valueloop.passport.copper import Address, Party

PASSPORT_NAMESPACE = uuid.UUID("6f0d3c5e-5a55-4f55-9a53-76616c75656c")
"""Namespace of our name-based UUIDs (a random UUID fixed once; our convention)."""


def passport_uuid(identifier: str) -> str:
    """Catena-X wants ``urn:uuid:``; we derive a stable UUID v5 from the ISO/IEC 15459 id."""
    return f"urn:uuid:{uuid.uuid5(PASSPORT_NAMESPACE, identifier)}"


def address(value: Address) -> dict[str, Any]:
    """A Catena-X (BPDM) address. The schema's country is an ISO 3166-2 subdivision or empty,
    and its post code is lower case; the technical keys say street, city, regular post code."""
    return {"thoroughfare": {"technicalKey": "STREET", "value": value.street,
                             "number": value.house_number},
            "locality": {"technicalKey": "CITY", "value": value.locality},
            "country": {"shortName": value.subdivision or ""},
            "postCode": {"technicalKey": "REGULAR", "value": value.postal_code.lower()}}


def party_contact(party: Party) -> dict[str, Any]:
    return {"email": party.email} if party.email else {}


def document(header: str, content: str, content_type: str = "URL") -> dict[str, str]:
    return {"header": header, "contentType": content_type, "content": content}
