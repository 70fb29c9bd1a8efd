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


def test_ports_come_from_below_the_range_outgoing_connections_take_theirs_from() -> None:
    """An outgoing connection's local port comes from the ephemeral range, so a port handed out
    from below it cannot be taken by one between the asking and the binding."""
    from nightowl_lab.harness.ports import LOWEST, _ephemeral_start

    start = _ephemeral_start()
    ports = {free_port() for _ in range(20)}
    if start - LOWEST < 1_000:  # no readable range here: any free port
        assert all(1024 < p < 65536 for p in ports)
        return
    assert all(LOWEST <= p < start for p in ports)
    assert len(ports) > 1  # spread, so that parallel test workers rarely ask for the same one


def test_a_port_a_server_holds_is_never_handed_out() -> None:
    from nightowl_lab.harness import ports

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind(("127.0.0.1", 0))
        held.listen(1)
        taken = held.getsockname()[1]
        assert not ports._bindable(taken)


def test_a_process_is_never_handed_one_port_twice() -> None:
    """A harness asks for all its ports before it binds any: each must differ."""
    ports = [free_port() for _ in range(300)]
    assert len(set(ports)) == len(ports)
