"""RFC 8785 (JSON Canonicalization Scheme) bytes of event values, with clear errors.

The serialisation itself is the ``rfc8785`` package. Before handing a value over we walk it
once, so that a value outside the JSON data model of RFC 8785 §3.1 (I-JSON, RFC 7493) is
reported with its path (``event.payload.mass``) instead of a bare library error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import rfc8785

from valueloop.core.errors import UserInputError

MAX_SAFE_INTEGER = 2**53 - 1
"""Largest integer every JSON reader holds exactly: RFC 7493 §2.2 (I-JSON), which RFC 8785
§3.1 builds on, allows integers in [-(2**53)+1, 2**53-1]."""

INTEGER_NOTATION_LIMIT = 1e21
"""ECMAScript Number::toString (RFC 8785 §3.2.2.3) writes whole numbers below 10**21 without an
exponent."""

JsonValue = None | bool | int | float | str | Sequence[Any] | Mapping[str, Any]


class CanonicalJSONError(UserInputError):
    """A value that has no RFC 8785 canonical form (NaN, infinity, a non-string key...)."""


def canonical_json(value: Any, *, where: str = "event") -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of ``value``.

    Parameters
    ----------
    value
        JSON data: ``None``, ``bool``, ``int``, finite ``float``, ``str``, lists/tuples and
        mappings with string keys.
    where
        Name of the value in error messages (the path of a bad item starts with it).

    Returns
    -------
    bytes
        Canonical JSON: sorted keys (UTF-16 code units), no whitespace, ECMAScript numbers.

    Raises
    ------
    CanonicalJSONError
        For NaN or infinite floats, integers beyond 2**53 - 1 in magnitude (and whole floats
        that would be written as such integers), non-string keys,
        strings that are not valid Unicode (lone surrogates) and any other Python type.
    """
    _check(value, where)
    return rfc8785.dumps(value)


def _check(value: Any, path: str) -> None:
    # bool before int: bool is a subclass of int and is a JSON literal, not a number
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise CanonicalJSONError(
                f"integer {value} is beyond 2^53 - 1 and would lose precision in JSON",
                item=path, allowed="integers within ±9007199254740991, or a string")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CanonicalJSONError(f"{value} has no JSON form", item=path,
                                     allowed="finite numbers")
        if value.is_integer() and MAX_SAFE_INTEGER < abs(value) < INTEGER_NOTATION_LIMIT:
            # ECMAScript prints such a float as an integer literal, which reads back as an
            # integer beyond the I-JSON range: the canonical form would not round-trip
            raise CanonicalJSONError(
                f"{value!r} would be written as an integer beyond 2^53 - 1", item=path,
                allowed="numbers that are not whole, or whole below 2^53, or a string")
        return
    if isinstance(value, str):
        _check_text(value, path)
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalJSONError(f"key {key!r} is a {type(key).__name__}", item=path,
                                         allowed="string keys")
            _check_text(key, f"{path} (key)")
            _check(item, f"{path}.{key}")
        return
    if isinstance(value, list | tuple):
        for position, item in enumerate(value):
            _check(item, f"{path}[{position}]")
        return
    raise CanonicalJSONError(f"a {type(value).__name__} is not JSON data", item=path,
                             allowed="null, true/false, numbers, strings, arrays, objects")


def _check_text(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalJSONError("string holds a lone surrogate, not valid Unicode",
                                 item=path, allowed="valid Unicode text") from None
