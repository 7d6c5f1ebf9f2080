"""A real HTTP hop between the client and the live server that can lose an answer on purpose.

It forwards every request to the server and answers with the server's response, except that a
request the test picks is forwarded and then its connection is closed unanswered: the server did
the work, the client never heard. That is the case an Idempotency-Key exists for.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    status_code: int
    answered: bool


@dataclass
class Proxy:
    upstream: str
    url: str = ""
    seen: list[Seen] = field(default_factory=list)
    lose_answer: Callable[[str, str, int], bool] = lambda method, path, number: False
    """Called with method, path and how many requests came before; True drops the answer."""
    answer_instead: Callable[[str, str, int], int | None] = lambda method, path, number: None
    """A status to answer with at once (with ``Retry-After: 1``), not forwarding: an overloaded
    load balancer in front of the server."""


def handler_for(proxy: Proxy) -> type[BaseHTTPRequestHandler]:
    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def forward(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            instead = proxy.answer_instead(self.command, self.path, len(proxy.seen))
            if instead is not None:
                proxy.seen.append(Seen(self.command, self.path, headers, instead, False))
                self.send_response(instead)
                self.send_header("retry-after", "1")
                self.send_header("content-length", "0")
                self.end_headers()
                return
            response = httpx.request(
                self.command, proxy.upstream + self.path, headers=headers, content=body, timeout=120
            )
            lose = proxy.lose_answer(self.command, self.path, len(proxy.seen))
            proxy.seen.append(
                Seen(self.command, self.path, headers, response.status_code, not lose)
            )
            if lose:
                self.close_connection = True
                return
            self.send_response(response.status_code)
            for key, value in response.headers.items():
                if key.lower() not in HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("content-length", str(len(response.content)))
            self.end_headers()
            self.wfile.write(response.content)

        do_GET = do_POST = do_PUT = do_PATCH = forward

    return Forward


@contextmanager
def proxy_to(upstream: str) -> Iterator[Proxy]:
    proxy = Proxy(upstream)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(proxy))
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
