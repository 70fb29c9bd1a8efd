"""A real OpenSSH server for tests: ``/usr/sbin/sshd`` on a free loopback port, under a temp dir.

It runs in the foreground (``-D``) with its own host key, ``authorized_keys`` and config
(``UsePAM no``, ``StrictModes no``, public keys only), as the current user, and is stopped by PID.
``serve_sshd`` yields an ``SshServer`` with the client key and a ``known_hosts`` file to use.
"""

from __future__ import annotations

import getpass
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SSHD = "/usr/sbin/sshd"


@dataclass(frozen=True)
class SshServer:
    """A running OpenSSH server for the tests: where it listens, the user and key to log in with,
    the known_hosts file that trusts it, and its pid.
    """

    host: str
    port: int
    user: str
    client_key: Path
    known_hosts: Path
    pid: int
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)


def serve_sshd(directory: Path) -> Iterator[SshServer]:
    """Start sshd under ``directory``; yields once it accepts connections; stops it by PID."""
    if not Path(SSHD).exists() or shutil.which("ssh-keygen") is None:
        raise RuntimeError(f"{SSHD} or ssh-keygen is missing: apt-get install openssh-server")
    directory.mkdir(parents=True, exist_ok=True)
    host_key, client_key = directory / "host_ed25519", directory / "client_ed25519"
    _keygen(host_key)
    _keygen(client_key)
    authorized = directory / "authorized_keys"
    authorized.write_text(client_key.with_suffix(".pub").read_text())
    port, log = _free_port(), directory / "sshd.log"
    config = directory / "sshd_config"
    config.write_text(
        "\n".join(
            [
                f"Port {port}",
                "ListenAddress 127.0.0.1",
                f"HostKey {host_key}",
                f"AuthorizedKeysFile {authorized}",
                f"PidFile {directory / 'sshd.pid'}",
                "UsePAM no",
                "StrictModes no",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "LogLevel VERBOSE",
                "",
            ]
        )
    )
    known = directory / "known_hosts"
    known.write_text(f"[127.0.0.1]:{port} {host_key.with_suffix('.pub').read_text()}")
    Path("/run/sshd").mkdir(exist_ok=True)  # privilege separation directory sshd insists on
    proc = subprocess.Popen(
        [SSHD, "-D", "-e", "-f", str(config), "-o", f"PidFile={directory / 'sshd.pid'}"],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_listening(port, proc, log)
        yield SshServer("127.0.0.1", port, getpass.getuser(), client_key, known, proc.pid, log)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_listening(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"sshd exited {proc.returncode}: {log.read_text()[-500:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"sshd did not listen on port {port} within 10 s: {log.read_text()[-500:]}")
