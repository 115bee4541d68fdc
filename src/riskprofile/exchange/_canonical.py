"""RFC 8785 (JSON Canonicalization Scheme) for the JSON values messages use.

Messages hold strings, integers, booleans, null, arrays and objects only: quantities and
scores travel as decimal strings. Floats are refused rather than formatted, because a
float's ES6 text form is where implementations disagree, and a signature must not.

>>> canonicalize({"b": [1, True, None], "a": "é"})
b'{"a":"\\xc3\\xa9","b":[1,true,null]}'
"""

from __future__ import annotations

from typing import Any

__all__ = ["MAX_SAFE_INTEGER", "canonicalize"]

MAX_SAFE_INTEGER = 2**53 - 1
"""Larger integers are not exact in an ES6 number, so RFC 8785 cannot carry them."""

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
            "\t": "\\t"}  # fmt: skip


def _string(text: str) -> str:
    out = ['"']
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char < " ":
            out.append(f"\\u{ord(char):04x}")
        elif "\ud800" <= char <= "\udfff":
            raise ValueError("a lone surrogate cannot be written as UTF-8 JSON")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _utf16_key(key: str) -> tuple[int, ...]:
    # RFC 8785 sorts member names by their UTF-16 code units, not code points.
    data = key.encode("utf-16-be")
    return tuple(int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2))


def _write(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise ValueError(f"integer {value} is outside the exact range of RFC 8785")
        out.append(str(int(value)))
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out)
        out.append("]")
    elif isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise ValueError(f"object keys must be strings, not {type(key).__name__}")
        out.append("{")
        for index, key in enumerate(sorted(value, key=_utf16_key)):
            if index:
                out.append(",")
            out.append(_string(key))
            out.append(":")
            _write(value[key], out)
        out.append("}")
    elif isinstance(value, float):
        raise ValueError("floats are not allowed in messages: use a decimal string")
    else:
        raise ValueError(f"{type(value).__name__} is not a JSON value")


def canonicalize(value: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of ``value`` (no floats; integers within
    ±(2**53 - 1)). Raises ``ValueError`` for anything else."""
    out: list[str] = []
    _write(value, out)
    return "".join(out).encode("utf-8")
