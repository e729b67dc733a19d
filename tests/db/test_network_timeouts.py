"""A silent network path to PostgreSQL fails a request in bounded time instead of holding a worker."""

from __future__ import annotations

import socket

import pytest

from app.db.engine import make_engine
from app.settings import Settings
from tests.conftest import PG_SKIP_REASON, postgres_admin_url

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("seconds", [30, 12])
def test_pooled_connections_carry_keepalives_and_a_tcp_user_timeout(seconds):
    """What the kernel does with the socket: keepalive probes and a cap on unacknowledged data."""
    url = postgres_admin_url()
    if url is None:
        pytest.skip(PG_SKIP_REASON)
    engine = make_engine(Settings(database_url=url, db_network_timeout=seconds))
    try:
        with engine.connect() as connection:
            fd = connection.connection.driver_connection.pgconn.socket
            sock = socket.socket(fileno=socket.dup(fd))
            try:
                assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) == seconds * 1000
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == seconds // 3
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL) == seconds // 6
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT) == 3
            finally:
                sock.close()
    finally:
        engine.dispose()


def test_the_network_timeout_is_validated():
    with pytest.raises(ValueError, match="db_network_timeout"):
        Settings(db_network_timeout=1)
