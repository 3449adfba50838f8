"""RFC 8785 canonical JSON: the RFC's own examples, and our errors for values it cannot hold."""

from __future__ import annotations

import json
import math
import struct
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from valueloop.log.canonical import CanonicalJSONError, canonical_json

# RFC 8785 Appendix B: IEEE 754 bit patterns and their serialization (the finite rows).
APPENDIX_B = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "expected"), APPENDIX_B)
def test_rfc8785_appendix_b_numbers(bits: str, expected: str) -> None:
    value = struct.unpack(">d", bytes.fromhex(bits))[0]
    assert rfc8785.dumps([value]) == f"[{expected}]".encode()  # the serializer we ship on
    if value.is_integer() and 2**53 <= abs(value) < 1e21:
        # written as an integer literal beyond I-JSON's range: it would read back as a
        # different number type, so events may not carry it (our rule, RFC 7493 §2.2)
        with pytest.raises(CanonicalJSONError, match="integer beyond 2\\^53 - 1"):
            canonical_json([value])
    else:
        assert canonical_json([value]) == f"[{expected}]".encode()


@pytest.mark.parametrize("bits", ["7fffffffffffffff", "7ff0000000000000"])
def test_rfc8785_appendix_b_nan_and_infinity_are_errors_naming_the_field(bits: str) -> None:
    value = struct.unpack(">d", bytes.fromhex(bits))[0]
    with pytest.raises(CanonicalJSONError, match=r"event\.payload\.mass: .*finite numbers"):
        canonical_json({"payload": {"mass": value}})


def test_rfc8785_section_3_2_2_example_and_its_utf8_bytes() -> None:
    # §3.2.2 input and output; §3.2.4 gives the output bytes in hexadecimal
    text = ('{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
            ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
            ' "literals": [null, true, false]}')
    expected_hex = (
        "7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72 75 65 2c 66 61 6c 73 65 5d"
        " 2c 22 6e 75 6d 62 65 72 73 22 3a 5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33"
        " 33 2c 31 65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37 5d 2c 22 73 74"
        " 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30 30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c"
        " 5c 22 2f 22 7d")
    result = canonical_json(json.loads(text))
    assert result == bytes.fromhex(expected_hex.replace(" ", ""))
    assert result.decode() == ('{"literals":[null,true,false],"numbers":[333333333.3333333,'
                               '1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')


def test_rfc8785_section_3_2_3_sorting_by_utf16_code_units() -> None:
    source = {"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet "
              "With Dagesh", "1": "One", "\U0001f600": "Emoji: Grinning Face",
              "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis"}
    keys = list(json.loads(canonical_json(source)))
    # the RFC's order: the emoji (surrogates D83D DE00) sorts before U+FB33 in UTF-16
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


@pytest.mark.parametrize(("value", "message"), [
    ({"a": math.inf}, r"event\.a: inf has no JSON form"),
    ({"a": {1: "x"}}, r"event\.a: key 1 is a int .*string keys"),
    ({"a": {True: "x"}}, r"key True is a bool"),
    ({"a": [0, 2**53]}, r"event\.a\[1\]: integer 9007199254740992 is beyond 2\^53 - 1"),
    ({"a": -(2**60)}, r"is beyond 2\^53 - 1"),
    ({"a": b"raw"}, r"a bytes is not JSON data"),
    ({"a": {"x"}}, r"a set is not JSON data"),
    ({"a": "\ud800"}, r"lone surrogate"),
])
def test_values_outside_json_raise_our_error(value: Any, message: str) -> None:
    with pytest.raises(CanonicalJSONError, match=message):
        canonical_json(value)


def test_largest_safe_integer_is_kept_exactly() -> None:
    assert canonical_json({"n": 2**53 - 1}) == b'{"n":9007199254740991}'


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False).filter(
        lambda x: not (x.is_integer() and 2**53 <= abs(x) < 1e21)) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_accepted_float_reads_back_to_the_same_canonical_form(value: float) -> None:
    try:
        once = canonical_json(value)
    except CanonicalJSONError:
        assert value.is_integer() and abs(value) >= 2**53
        return
    assert canonical_json(json.loads(once)) == once


@given(JSON)
def test_canonical_form_is_a_fixed_point_and_ignores_key_order(value: Any) -> None:
    once = canonical_json(value)
    assert canonical_json(json.loads(once)) == once
    if isinstance(value, dict):
        assert canonical_json(dict(reversed(list(value.items())))) == once
