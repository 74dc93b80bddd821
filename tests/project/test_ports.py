"""The loopback ports that tests and benchmarks give their own servers."""

import errno
import socket
from pathlib import Path

from bench.common import free_port


def test_a_free_port_is_never_a_clients_own_source_port():
    """A server's port outside the ephemeral range: a client that probes it
    before the server listens gets "connection refused", never a connection
    to itself that reads back its own request."""
    low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    ports = {free_port() for _ in range(50)}
    assert all(1024 <= port < low for port in ports)
    assert len(ports) > 1
    for port in ports:
        with socket.socket() as client:
            client.bind(("127.0.0.1", 0))
            assert low <= client.getsockname()[1] <= high
            assert client.connect_ex(("127.0.0.1", port)) == errno.ECONNREFUSED
