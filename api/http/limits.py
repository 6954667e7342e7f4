"""The edge every request passes: oversized or deeply nested bodies refused
before anything reads them, and no response about health data kept by a
browser or a proxy. A plain ASGI middleware (Starlette's BaseHTTPMiddleware
costs a task and a stream per request)."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.docs_assets import STATIC_URL
from api.http import errors

MAX_BODY_BYTES = 1_000_000   # a case file of a very long career fits in well under this
MAX_JSON_DEPTH = 32          # the deepest real document nests 4 levels


def json_depth(body: bytes) -> int:
    """How deeply a JSON text nests, without parsing it (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        char = chr(byte)
        if in_string:
            escaped, in_string = (not escaped and char == "\\"), in_string and (escaped or char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _utf8(body: bytes) -> bool:
    """UTF-8 JSON holds no NUL byte (JSON escapes control characters); UTF-16
    and UTF-32, which a JSON parser would also accept, hold one in every
    ASCII character."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in body


TOO_LARGE = (413, "Content Too Large", f"the body may be at most {MAX_BODY_BYTES} bytes")
TOO_DEEP = (400, "Bad Request", f"JSON may nest at most {MAX_JSON_DEPTH} levels")
NOT_UTF8 = (400, "Bad Request", "a JSON body must be UTF-8")


class LimitBodies:
    """Reads the whole body first (refusing it with a problem+json when too
    large or too deep), then hands it to the app; marks every response but
    the static assets' `Cache-Control: no-store` unless it says otherwise."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send_on = send
        if not scope["path"].startswith(STATIC_URL):
            async def send_on(message: Message) -> None:
                if message["type"] == "http.response.start":
                    # health data: never kept by a browser or a proxy between them
                    MutableHeaders(scope=message).setdefault("Cache-Control", "no-store")
                await send(message)

        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            await errors.problem(*TOO_LARGE)(scope, receive, send_on)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > MAX_BODY_BYTES:
                await errors.problem(*TOO_LARGE)(scope, receive, send_on)
                return
        body = b"".join(chunks)
        if body and b"json" in headers.get(b"content-type", b"").lower() and not _utf8(body):
            # the depth scan reads bytes: a UTF-16 body would slip past it
            await errors.problem(*NOT_UTF8)(scope, receive, send_on)
            return
        if body and json_depth(body) > MAX_JSON_DEPTH:
            await errors.problem(*TOO_DEEP)(scope, receive, send_on)
            return
        read = False

        async def replay() -> Message:
            nonlocal read
            if read:
                return await receive()
            read = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send_on)
