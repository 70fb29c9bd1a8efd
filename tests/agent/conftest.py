"""Fixtures of the agent tests: no network beyond loopback, scripted models, LLM settings.

Real model calls are blocked: any connection (or name lookup) to a host that is not loopback fails
in every test of this package, so a test that forgot to script its model cannot reach a provider.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nightowl_lab.harness.llm_server import ScriptedLLM

from nightowl.settings import Settings
from tests.conftest import make_settings

LOCAL = ("localhost", "127.0.0.1", "::1")


def _loopback(host: object) -> bool:
    try:
        return ipaddress.ip_address(str(host)).is_loopback
    except ValueError:
        return str(host) in LOCAL


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    connect, connect_ex, getaddrinfo = (
        socket.socket.connect,
        socket.socket.connect_ex,
        socket.getaddrinfo,
    )

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
            raise ConnectionRefusedError(
                f"tests may not reach {address[0]}: real LLM calls are blocked"
            )

    def guarded_connect(sock: socket.socket, address: Any) -> None:
        check(sock, address)
        return connect(sock, address)

    def guarded_connect_ex(sock: socket.socket, address: Any) -> int:
        check(sock, address)
        return connect_ex(sock, address)

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not _loopback(host.decode() if isinstance(host, bytes) else host):
            raise socket.gaierror(f"tests may not resolve {host}: real LLM calls are blocked")
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)


@pytest.fixture
def llm_server() -> Iterator[ScriptedLLM]:
    with ScriptedLLM() as server:
        yield server


def llm_settings(data_dir: Path, base_url: str, **llm: Any) -> Settings:
    """The test settings (checkout-bad-deploy replay, suggest) with an openai-compatible LLM."""
    scenario = llm.pop("scenario", "checkout-bad-deploy")
    sections = llm.pop("sections", {})
    return make_settings(
        data_dir,
        scenario=scenario,
        llm={"provider": "openai-compatible", "model": "scripted", "base_url": base_url, **llm},
        **sections,
    )
