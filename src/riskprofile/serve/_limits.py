"""Limits on what a request may hold, checked before any of it is used.

- The body: at most ``max_body_bytes`` (413, checked on ``Content-Length`` and while the
  body is read, so a lying or missing header cannot get round it), nested at most
  ``max_depth`` levels (a linear scan outside strings, before the JSON parser recurses),
  and no lone UTF-16 surrogate escape (``"\ud800"``: JSON allows it, but it is no text
  any UTF-8 writer can write back, not even into the 422 that names it).
- Each field: text at most ``max_text_chars`` characters (the data model's own limit:
  a 10 MB goods description used to take 12 s and give 21 MB of JSON), lists at most
  ``max_items`` items; a request over either is refused with 422 naming the field
  (its JSON path), its size and the limit.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

__all__ = ["BodyLimit", "Limits", "field_problems", "lone_surrogate", "nesting_depth"]

_ESCAPE = re.compile(rb"\\(?:\\|u([dD][89a-fA-F][0-9a-fA-F]{2}))")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class Limits:
    """What one request may hold (see the module docstring)."""

    max_body_bytes: int = 16 * 1024 * 1024
    max_depth: int = 32
    max_text_chars: int = 10_000
    max_items: int = 50_000
    max_documents: int = 10_000


def nesting_depth(data: bytes) -> int:
    """The deepest nesting of JSON arrays and objects in ``data``, outside strings."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def lone_surrogate(data: bytes) -> int | None:
    """The byte offset of the first ``\\uD800``-``\\uDFFF`` escape in JSON text that is not
    half of a pair (a high surrogate followed at once by a low one), or None."""
    pending: int | None = None  # a high surrogate waiting for its low half
    end = -1
    for found in _ESCAPE.finditer(data):
        unit = found.group(1)
        if pending is not None and (found.start() != end or unit is None or unit[1] in b"89abAB"):
            return pending
        if unit is None:  # an escaped backslash
            pending = None
        elif unit[1] in b"89abAB":
            pending, end = found.start(), found.end()
        elif pending is None:
            return found.start()
        else:
            pending = None
    return pending


def field_problems(value: Any, limits: Limits, path: str = "") -> list[dict[str, Any]]:
    """Every text or list in ``value`` over the limits, with its JSON path (at most 20)."""
    out: list[dict[str, Any]] = []
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack and len(out) < 20:
        where, item = stack.pop()
        if isinstance(item, str):
            if len(item) > limits.max_text_chars:
                out.append(
                    {
                        "field": where or None,
                        "value": item[:40] + "...",
                        "reason": f"{len(item):,} characters, more than the limit of "
                        f"{limits.max_text_chars:,}",
                    }
                )
        elif isinstance(item, list):
            if len(item) > limits.max_items:
                out.append(
                    {
                        "field": where or None,
                        "value": None,
                        "reason": f"{len(item):,} items, more than the limit of "
                        f"{limits.max_items:,}",
                    }
                )
                continue
            stack.extend((f"{where}[{i}]", v) for i, v in reversed(list(enumerate(item))))
        elif isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                if isinstance(key, str) and len(key) > limits.max_text_chars:
                    out.append(
                        {
                            "field": where or None,
                            "value": key[:40] + "...",
                            "reason": "a key longer than the text limit",
                        }
                    )
                    continue
                stack.append((f"{where}.{key}" if where else str(key), child))
    return out


class BodyLimit:
    """ASGI middleware: refuse a body over the size or depth limit before the app reads
    it (413 and 422, a JSON ``detail`` that says which limit)."""

    def __init__(self, app: App, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limits.max_body_bytes
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await _refuse(send, 400, "Content-Length is not a number")
                    return
                if declared > limit:
                    await _refuse(
                        send,
                        413,
                        f"the body is {declared:,} bytes, more than the limit of {limit:,}",
                    )
                    return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _refuse(send, 413, f"the body is more than the limit of {limit:,} bytes")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        where = lone_surrogate(body)
        if where is not None:
            await _refuse(send, 422, f"a lone UTF-16 surrogate escape at byte {where}: not "
                          "text (send the character, or both halves of its pair)")  # fmt: skip
            return
        if nesting_depth(body) > self.limits.max_depth:
            await _refuse(
                send, 422, f"the body is nested deeper than {self.limits.max_depth} levels"
            )
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def _refuse(send: Send, status: int, reason: str) -> None:
    import json

    payload = json.dumps({"detail": [{"field": None, "value": None, "reason": reason}]})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload.encode()})
