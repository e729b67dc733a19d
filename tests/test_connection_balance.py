"""app.connection_balance: the workers' shared table and the loop that accepts by it.

The whole effect (an even split between the processes of `followup serve
--workers 2`) is tested live in tests/e2e/test_workers.py; these tests pin
the parts: which worker stands back, for how long, and what a dead worker's
slot counts for.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from app import connection_balance
from app.connection_balance import BalancedEventLoop, ConnectionTable

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the table is an mmap'd file locked with flock")

#: Long enough that "not yet accepted" cannot be a slow machine's accident.
YIELD = 0.5


@pytest.fixture
def table_file(tmp_path: Path) -> Path:
    path = tmp_path / "connections"
    path.write_bytes(bytes(4 * 8))
    return path


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_each_worker_takes_a_slot_of_its_own_and_sees_the_others_counts(table_file):
    first, second = ConnectionTable(table_file), ConnectionTable(table_file)
    assert first._slot != second._slot
    first.opened()
    first.opened()
    second.opened()
    assert first.holds_more_than_least()
    assert not second.holds_more_than_least()
    first.closed()
    assert not first.holds_more_than_least(), "equal counts: nobody stands back"
    second.closed()
    second.closed()  # a count never goes below zero
    assert second.held == 0


def test_a_dead_workers_slot_neither_holds_anyone_back_nor_stays_taken(table_file):
    dead = _dead_pid()
    with open(table_file, "r+b") as raw:
        raw.write(connection_balance._SLOT.pack(dead, 0))
    live = ConnectionTable(table_file)
    assert live._slot == 0, "the dead worker's slot is reclaimed"
    with open(table_file, "r+b") as raw:
        raw.seek(8)
        raw.write(connection_balance._SLOT.pack(dead, 0))
    live.opened()
    assert not live.holds_more_than_least(), "a dead worker's zero is no reason to wait"


def test_a_worker_that_stops_frees_its_slot(table_file):
    first, second = ConnectionTable(table_file), ConnectionTable(table_file)
    second.opened()
    first.leave()
    assert not second.holds_more_than_least()
    assert ConnectionTable(table_file)._slot == first._slot


def test_no_table_no_balancing(tmp_path):
    assert ConnectionTable.join(tmp_path / "absent") is None


def test_a_full_table_leaves_the_worker_unbalanced_not_failing(tmp_path):
    path = tmp_path / "connections"
    path.write_bytes(bytes(8))
    ConnectionTable(path)
    assert ConnectionTable.join(path) is None


class _Recorder(asyncio.Protocol):
    def __init__(self, made: list[asyncio.Transport]) -> None:
        self.made = made

    def connection_made(self, transport):  # type: ignore[override]
        self.made.append(transport)


def _serve_and_probe(table: ConnectionTable, scenario) -> None:
    """Run `scenario(listener, made)` on a BalancedEventLoop serving a loopback listener."""
    loop = BalancedEventLoop(table)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    made: list[asyncio.Transport] = []

    async def main() -> None:
        server = await loop.create_server(lambda: _Recorder(made), sock=listener)
        try:
            await scenario(listener, made)
        finally:
            for transport in made:
                transport.close()
            server.close()
            await server.wait_closed()

    try:
        loop.run_until_complete(main())
    finally:
        loop.close()


def test_a_busier_worker_leaves_a_new_connection_to_the_other_for_a_moment(table_file, monkeypatch):
    monkeypatch.setattr(connection_balance, "ACCEPT_YIELD_SECONDS", YIELD)
    mine, other = ConnectionTable(table_file), ConnectionTable(table_file)
    mine.opened()  # this worker holds one connection, the other none

    async def scenario(listener: socket.socket, made: list) -> None:
        address = listener.getsockname()
        with socket.create_connection(address):
            await asyncio.sleep(YIELD / 5)
            assert made == [], "left for the worker with fewer connections"
            taken, _ = listener.accept()  # which takes it, as that worker would
            taken.close()
            await asyncio.sleep(YIELD * 1.5)
            assert made == [], "taken by the other worker: nothing left to accept"
        with socket.create_connection(address):
            await asyncio.sleep(YIELD / 5)
            assert made == []
            await asyncio.sleep(YIELD * 1.5)
            assert len(made) == 1, "nobody else took it: accepted after standing back"

    _serve_and_probe(mine, scenario)
    assert other.held == 0


def test_a_worker_holding_no_more_than_the_others_accepts_at_once(table_file, monkeypatch):
    monkeypatch.setattr(connection_balance, "ACCEPT_YIELD_SECONDS", YIELD)
    mine, other = ConnectionTable(table_file), ConnectionTable(table_file)
    other.opened()

    async def scenario(listener: socket.socket, made: list) -> None:
        with socket.create_connection(listener.getsockname()), socket.create_connection(listener.getsockname()):
            for _ in range(100):
                if len(made) == 2:
                    break
                await asyncio.sleep(0.01)
            assert len(made) == 2

    _serve_and_probe(mine, scenario)


def test_closing_the_loop_frees_the_workers_slot(table_file):
    loop = BalancedEventLoop(ConnectionTable(table_file))
    other = ConnectionTable(table_file)
    other.opened()
    loop.close()
    assert ConnectionTable(table_file)._slot == 0


def test_a_supervisor_that_cannot_write_the_table_still_serves(tmp_path, monkeypatch, caplog):
    unwritable = tmp_path / "no-such-folder" / "connections"
    monkeypatch.setattr(connection_balance, "table_path", lambda pid: unwritable)
    with connection_balance.table_for_workers(2) as path:
        assert path is None
    assert "will not be balanced" in caplog.text


def test_the_supervisors_table_has_a_slot_for_each_worker_and_goes_away(tmp_path, monkeypatch):
    monkeypatch.setattr(connection_balance, "table_path", lambda pid: tmp_path / f"connections-{pid}")
    with connection_balance.table_for_workers(2) as path:
        workers = [ConnectionTable.join(path) for _ in range(2)]
        assert all(workers) and workers[0]._slot != workers[1]._slot
    assert not path.exists()


def test_an_empty_table_file_leaves_the_worker_unbalanced_not_failing(tmp_path):
    path = tmp_path / "connections"
    path.write_bytes(b"")
    assert ConnectionTable.join(path) is None
