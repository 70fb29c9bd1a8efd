"""Loopback ports for the servers the lab starts (Postgres, Alertmanager, nightowl, fakes).

The ports are taken from *below* the kernel's ephemeral range (``ip_local_port_range``, 32768–60999
on Linux by default). A port is free when asked, not reserved, and a port of the ephemeral range
can be taken in between by any outgoing connection — the kernel gives each one a local port from
that range, and a test run makes thousands — so a server started moments later failed to bind
("address already in use": the sandbox's router, once in a CI run). Below the range, only another
server binding that very port explicitly can take it.

A port handed out is not handed out again by the same process: a harness asks for all its ports
before it starts any server (the guide's five, a sandbox's dozen), and two picks of one port —
both free when asked — would leave the second server unable to bind, or answering on the first's
port (a CI run of the guide met nightowl's URL answered by a Go server's "404 page not found").
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST = 10_000
"""The lowest port handed out: above the well-known and most registered services' ports."""
_HANDED_OUT: set[int] = set()
"""Ports this process has handed out (see the module's docstring)."""


def free_port() -> int:
    """A TCP port of 127.0.0.1 that is free right now, below the ephemeral range where the
    machine has one (else any the kernel picks).

    Free when asked, not reserved: another server may bind it before ours does, which is why the
    harnesses that start a server wait for it to answer on the port.
    """
    top = _ephemeral_start()
    if top - LOWEST >= 1_000:
        span = top - LOWEST
        start = random.randrange(span)
        for step in range(span):
            port = LOWEST + (start + step) % span
            if port not in _HANDED_OUT and _bindable(port):
                _HANDED_OUT.add(port)
                return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        any_port: int = sock.getsockname()[1]
        return any_port


def _ephemeral_start() -> int:
    """The first port of the kernel's ephemeral range (0 where it cannot be read)."""
    try:
        return int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def _bindable(port: int) -> bool:
    """Whether 127.0.0.1:``port`` can be bound now (without SO_REUSEADDR: a port still in
    TIME_WAIT counts as taken)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True
