"""A request the HTTP parser refuses is answered as problem+json too, by the real server.

uvicorn answers what httptools cannot parse itself, before any ASGI app sees it, with
`text/plain` "Invalid HTTP request received.": two Content-Length headers, both
Content-Length and Transfer-Encoding (request smuggling's shape), a control character
in a header value, a header line without a colon, a URL too long to parse. A client (or a proxy's error page)
that reads every 4xx as RFC 9457 got plain text.
"""

from __future__ import annotations

import json
import socket

import pytest

from tests.live import live_server

MALFORMED = {
    "two Content-Lengths": b"POST /v1/plan HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
    "Content-Length and Transfer-Encoding": b"POST /v1/plan HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "a control character in a header": b"GET /v1/interviews HTTP/1.1\r\nHost: x\r\nAccept-Language: de\x01\r\n\r\n",
    "a header without a colon": b"GET /v1/interviews HTTP/1.1\r\nHost: x\r\nBogus\r\n\r\n",
    "a negative Content-Length": b"POST /v1/plan HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    "a URL of 10,000 parameters": b"GET /v1/interviews?" + b"&".join(b"p%d=v" % n for n in range(10_000)) + b" HTTP/1.1\r\nHost: x\r\n\r\n",
}


def _exchange(url: str, raw: bytes) -> tuple[str, dict[str, str], bytes]:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(raw)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return status, headers, body


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_request_the_parser_refuses_is_a_problem(database_url, tmp_path):
    with live_server(database_url, log_dir=tmp_path) as server:
        for case, raw in MALFORMED.items():
            status, headers, body = _exchange(server.url, raw)
            assert status.startswith("HTTP/1.1 400 "), (case, status)
            assert headers["content-type"] == "application/problem+json", (case, headers, body)
            assert int(headers["content-length"]) == len(body) and headers["connection"] == "close", (case, headers)
            assert headers.get("x-request-id"), (case, headers)
            problem = json.loads(body)
            assert problem["status"] == 400 and problem["errors"] is None, (case, problem)
            assert problem["type"].endswith("/bad-request") and problem["title"] == "Bad request", (case, problem)
            assert "HTTP" in problem["detail"], (case, problem)
