"""`followup serve --workers 2` spreads a burst of connections over both workers.

With uvicorn's one shared listening socket, asyncio accepts every pending
connection in one go, so a burst (a proxy opening its pool, a load generator)
lands on one worker and the other idles: bench/load.py saw all 16 of wrk's
connections on one worker. app.server gives each worker its own SO_REUSEPORT
listener; this test opens 32 connections at once and finds, in /proc, which
worker process holds the server side of each.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.live import cli_env, followup_command, live_server, stop

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(sys.platform != "linux", reason="SO_REUSEPORT balancing and /proc are Linux's"),
]
CONNECTIONS = 32
#: Each of 2 workers gets a connection with probability 1/2: fewer than 4 of 32 happens once in ~400,000 runs.
AT_LEAST = 4


def _sockets(port: int, state: str) -> set[str]:
    """Inodes of the IPv4 sockets on local `port` in a TCP state (/proc/net/tcp: 01 established, 0A listening)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == state:
            inodes.add(fields[9])
    return inodes


def _wait_for_listeners(port: int, count: int, seconds: float = 30) -> int:
    """The server answers once its first worker is up; a burst must wait for the others."""
    deadline = time.monotonic() + seconds
    while len(listening := _sockets(port, "0A")) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return len(listening)


def _holders(inodes: set[str]) -> Counter:
    """How many of these sockets each process holds (by pid)."""
    held: Counter = Counter()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:  # gone, or not ours
            continue
        held[pid] += sum(1 for link in links if link.startswith("socket:[") and link[8:-1] in inodes)
    return +held


def _open_and_ask(url: str) -> list[socket.socket]:
    host, port = url.removeprefix("http://").split(":")
    clients = [socket.create_connection((host, int(port)), timeout=10) for _ in range(CONNECTIONS)]
    for client in clients:
        client.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
    for client in clients:
        assert client.recv(4096).startswith(b"HTTP/1.1 200"), "every connection is served"
    return clients


@pytest.mark.timeout(120)
def test_a_burst_of_connections_is_spread_over_both_workers(sqlite_template, tmp_path):
    database = tmp_path / "followup.db"
    shutil.copyfile(sqlite_template, database)
    with live_server(f"sqlite:///{database}", workers=2, log_dir=tmp_path) as server:
        port = int(server.url.rsplit(":", 1)[1])
        assert _wait_for_listeners(port, 2) == 2, "each worker listens on a socket of its own"
        clients = _open_and_ask(server.url)
        try:
            per_worker = _holders(_sockets(port, "01"))
        finally:
            for client in clients:
                client.close()
    assert sum(per_worker.values()) == CONNECTIONS, per_worker
    assert len(per_worker) == 2, f"connections per worker process: {dict(per_worker)}"
    assert min(per_worker.values()) >= AT_LEAST, f"connections per worker process: {dict(per_worker)}"


@pytest.mark.timeout(120)
def test_a_second_server_on_a_taken_port_fails_instead_of_sharing_it(sqlite_template, tmp_path):
    """SO_REUSEPORT must not let a forgotten instance quietly take half the connections."""
    database = tmp_path / "followup.db"
    shutil.copyfile(sqlite_template, database)
    url = f"sqlite:///{database}"
    with live_server(url, workers=2, log_dir=tmp_path) as server:
        port = server.url.rsplit(":", 1)[1]
        second = subprocess.Popen(
            followup_command("serve", "--host", "127.0.0.1", "--port", port, "--workers", "2"),
            env=cli_env(url), cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            start_new_session=True,
        )
        try:
            _, stderr = second.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            stop(second)  # it serves: stop it and its workers
            pytest.fail("a second server started on a port that is already in use")
        assert second.returncode != 0
        assert "address already in use" in stderr.lower(), stderr[-2000:]
        assert httpx.get(server.url + "/healthz", timeout=5).status_code == 200, "the first server still serves"
