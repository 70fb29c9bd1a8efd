"""Loopback ports for the servers the lab starts (Postgres, Alertmanager, nightowl, fakes)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A TCP port of 127.0.0.1 that is free right now (from the high, ephemeral range).

    Free when asked, not reserved: another process may take it before the server binds, which is
    why the harnesses that start a server wait for it to answer on the port.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
