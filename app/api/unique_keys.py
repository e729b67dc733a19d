"""A JSON object that holds one key twice is refused, like any body that cannot be read.

RFC 8259 leaves such an object's meaning to the parser, I-JSON (RFC 7493 2.3) forbids
it, and both parsers here (json on FastAPI's path, orjson on the fast lane) kept the
last value silently: `{"type": "a", "type": "b"}` was read as `b`, though the client
(or a proxy, or a signature check) may have read `a`.

Measured per request (bench figures in the commit): json with `object_pairs_hook`
costs one Python call per object, about 0.5 µs: nothing on an event or an interview
of a few KiB, +40% on a 1 MiB body of 10,000 small objects, nothing on one of long
strings. So FastAPI's path, which parses with json anyway, parses with the hook
(`loads`). The fast lane parses with orjson, five times faster than json; the hook
would triple its parse, so there a count of colons vouches for the body and the hook
runs only when it cannot (`check_unique_keys`).
"""

from __future__ import annotations

import json
from json.decoder import JSONObject
from json.scanner import py_make_scanner
from typing import Any

import orjson

from app.echo import clipped

#: The longest body whose repeated key is located (line and column): the pure-Python
#: reader that finds it takes ~16 ms for 64 KiB, ~250 ms for 1 MiB.
LOCATE_MAX = 64 * 1024


class RepeatedKey(Exception):
    """An object of the body holds one key twice; the text says which and where."""


class _Repeat(Exception):
    def __init__(self, key: str, offset: int | None = None) -> None:
        super().__init__(key)
        self.key, self.offset = key, offset


def _refuse_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    kept = dict(pairs)
    if len(kept) < len(pairs):
        seen: set[str] = set()
        raise _Repeat(next(key for key, _ in pairs if key in seen or seen.add(key)))
    return kept


_REFUSING = json.JSONDecoder(object_pairs_hook=_refuse_repeats)


def loads(raw: bytes) -> Any:
    """`json.loads(raw)` (its errors, encodings and values), refusing a repeated key
    (RepeatedKey). The decoder is built once: `json.loads` with a hook builds one per call."""
    text = raw.decode(json.detect_encoding(raw), "surrogatepass")
    try:
        return _REFUSING.decode(text)
    except _Repeat as repeat:
        found = (_located(text) if len(text) <= LOCATE_MAX else None) or repeat
        raise RepeatedKey(_described(text, found)) from None


def check_unique_keys(raw: bytes, document: Any) -> None:
    """Raise RepeatedKey when an object of `raw`, already parsed to `document`, repeats a key.

    Every key of `raw` adds one `:` outside strings, and orjson writes each kept key
    with one `:` and each string's `:` as they are: when `raw` and `document` written
    again hold as many, no key was dropped. Only when they do not, or cannot be
    compared (a `\\u003.` escape, which may be a colon; a body in UTF-16 or 32; a value
    orjson cannot write), is the body read again, by `loads`, to know for sure.
    """
    if not _same_colons(raw, document):
        loads(raw)


def _same_colons(raw: bytes, document: Any) -> bool:
    if b"\x00" in raw[:4] or b"\\u003" in raw:  # UTF-16/32 (JSON's first character is ASCII); a maybe-colon
        return False
    try:
        written = orjson.dumps(document)
    except orjson.JSONEncodeError:  # an integer past 64 bits, a lone surrogate
        return False
    return raw.count(b":") == written.count(b":")


def _located(text: str) -> _Repeat | None:
    """The first repeated key with the offset of its second occurrence, read by json's
    pure-Python scanner: each object notes where its values end, and the next key
    starts at the first `"` after one. Slower than the C reader, so run only on a body
    known to repeat a key; None when it nests deeper than the Python reader can go."""
    decoder = json.JSONDecoder()

    def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None):  # noqa: ANN001 - json's own signature
        ends = [s_and_end[1]]  # just after "{", then after each value

        def scanning(string: str, index: int) -> tuple[Any, int]:
            value, end = scan_once(string, index)
            ends.append(end)
            return value, end

        def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
            seen: set[str] = set()
            for number, (key, _) in enumerate(pairs):
                if key in seen:
                    raise _Repeat(key, text.index('"', ends[number]))
                seen.add(key)
            return dict(pairs)

        return JSONObject(s_and_end, strict, scanning, object_hook, pairs_hook, memo)

    decoder.parse_object = parse_object  # type: ignore[assignment]
    decoder.scan_once = py_make_scanner(decoder)
    try:
        decoder.decode(text)
    except _Repeat as repeat:
        return repeat
    except RecursionError:
        return None
    return None


def _described(text: str, repeat: _Repeat) -> str:
    key = json.dumps(clipped(repeat.key), ensure_ascii=False)
    if repeat.offset is None:
        return f"repeats the key {key} in one object"
    return f"repeats the key {key} in one object, again at {line_and_column(text, repeat.offset)}"


def line_and_column(text: str, offset: int) -> str:
    """`line L, column C` of a character offset, both counted from 1."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"
