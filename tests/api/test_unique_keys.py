"""app.api.unique_keys: a key repeated in one object is found, wherever it hides, by both
checks (`loads` on FastAPI's path, `check_unique_keys` after the fast lane's parse); a
body without one passes, whatever its colons, escapes or encoding, read as json reads it."""

from __future__ import annotations

import json
import sys

import orjson
import pytest

from app.api.unique_keys import LOCATE_MAX, RepeatedKey, check_unique_keys, loads

REPEATED = {
    "top level": (b'{"type": "a", "type": "b"}', 'repeats the key "type" in one object, again at line 1, column 15'),
    "nested": (b'{"a": {"x": 1,\n   "x": 1}}', 'repeats the key "x" in one object, again at line 2, column 4'),
    "in an array": (b'[{"a": 1}, {"b": 2, "b": 3}]', 'repeats the key "b" in one object, again at line 1, column 21'),
    "same value": (b'{"a": 1, "a" : 1}', 'repeats the key "a" in one object, again at line 1, column 10'),
    "escaped spelling": (b'{"\\u0074ype": "a", "type": "b"}', 'repeats the key "type" in one object, again at line 1, column 20'),
    "hidden by an escaped colon": (b'{"a": "\\u003a", "a": 1}', 'repeats the key "a" in one object, again at line 1, column 17'),
    "a colon in the dropped value": (b'{"a": "x:y", "a": "z"}', 'repeats the key "a" in one object, again at line 1, column 14'),
    "an integer orjson cannot write": (b'{"n": 123456789012345678901234567890, "n": 1}', 'repeats the key "n" in one object, again at line 1, column 39'),
    "UTF-16": ('{"k": 1, "k": 2}'.encode("utf-16"), 'repeats the key "k" in one object, again at line 1, column 10'),
    "an empty key": (b'{"": 1, "": 2}', 'repeats the key "" in one object, again at line 1, column 9'),
    "a long key": (b'{"' + b"k" * 100 + b'": 1, "' + b"k" * 100 + b'": 2}',
                   f'repeats the key "{"k" * 64}…" in one object, again at line 1, column 109'),
}


@pytest.mark.parametrize("case", list(REPEATED))
def test_a_repeated_key_is_named_with_where_it_comes_again(case):
    raw, says = REPEATED[case]
    with pytest.raises(RepeatedKey) as refused:
        check_unique_keys(raw, json.loads(raw))
    assert str(refused.value) == says
    with pytest.raises(RepeatedKey) as refused:
        loads(raw)
    assert str(refused.value) == says


@pytest.mark.parametrize("raw", [
    b'{"a": "x:y", "b": {"c": ":::"}, "d": [{"a": 1}, {"a": 2}]}',
    b'{"a": "\\u003a\\u003A", "b": "\\\\u003a"}',
    b'{"n": 123456789012345678901234567890, "m": NaN, "s": "\\ud800"}',
    '{"k": 1, "l": {"k": 2}}'.encode("utf-32"),
    b'\xef\xbb\xbf{"bom": 1}',
    b'[]', b'"a:b"', b'1', b'{}',
])
def test_a_body_without_a_repeat_passes(raw):
    check_unique_keys(raw, json.loads(raw))
    assert repr(loads(raw)) == repr(json.loads(raw))  # repr: NaN is not equal to itself


@pytest.mark.parametrize("raw", [b'{"a": 1', b'{"a": 1} x', b"", b'{"a": "\x01"}', b'{"a": 1,}'])
def test_a_body_json_cannot_read_fails_as_in_json(raw):
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(raw)
    with pytest.raises(json.JSONDecodeError) as got:
        loads(raw)
    assert (got.value.msg, got.value.pos, got.value.doc) == (expected.value.msg, expected.value.pos, expected.value.doc)


def test_the_fast_lane_parser_is_checked_alike():
    raw = b'{"type": "closed", "note": "10:30", "type": "withdrawn"}'
    with pytest.raises(RepeatedKey):
        check_unique_keys(raw, orjson.loads(raw))
    check_unique_keys(b'{"type": "closed", "note": "10:30"}', orjson.loads(b'{"type": "closed", "note": "10:30"}'))


def test_a_long_or_deep_body_is_refused_without_its_place():
    """Locating reads the body again in Python: past LOCATE_MAX, or deeper than that reader
    goes, the key is named alone."""
    long = b'{"notes": "' + b"x" * LOCATE_MAX + b'", "notes": ""}'
    depth = sys.getrecursionlimit() * 2 // 3  # within json's C reader, past its Python one (two frames a level)
    deep = b"[" * depth + b'{"a": 1, "a": 2}' + b"]" * depth
    for raw in (long, deep):
        with pytest.raises(RepeatedKey, match=r'^repeats the key "(notes|a)" in one object$'):
            loads(raw)
