"""Loopback ports for the lab's servers: free when asked, and a server can bind one at once."""

from __future__ import annotations

import socket

from nightowl_lab.harness.ports import free_port


def test_a_free_port_can_be_bound_and_listened_on_at_once() -> None:
    port = free_port()
    assert 1024 < port < 65536
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", port))
        server.listen(1)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            assert client.getpeername()[1] == port
