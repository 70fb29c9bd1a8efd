"""``nightowl cve scan`` on files: findings with the fixed version and the proposed change; with
``--registry`` (or a configured watcher's registries), the verified lock-file edit the watcher
proposes, read from a real HTTP server on loopback answering PyPI's documented JSON."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from nightowl.cli.main import app
from tests.watchers.cve.registries import FakeRegistries
from tests.watchers.cve.test_lockbump import LOCKS

OSV = Path(__file__).parents[1] / "watchers" / "cve" / "data" / "osv"


def test_scan_json_lists_findings_with_fix_and_diff(tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("requests==2.28.0\n")
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "web.yaml").write_text("      image: bitnami/nginx:1.25.2\n")
    result = CliRunner().invoke(
        app,
        [
            "cve",
            "scan",
            "--osv",
            str(OSV),
            "--lockfile",
            str(req),
            "--manifests",
            str(tmp_path / "k8s"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    found = {f["package"]["name"]: f for f in body["findings"]}
    assert set(found) == {"nginx", "requests"}
    assert found["nginx"]["fixed_version"] == "1.25.3"
    assert "+      image: bitnami/nginx:1.25.3" in found["nginx"]["change"]["diff"]
    assert found["requests"]["advisory"]["severity"] == "medium"
    assert body["records"] == 6


def test_scan_table_and_a_missing_directory_is_one_clear_line(tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("pyyaml==5.3.1\n")
    shown = CliRunner().invoke(
        app,
        ["cve", "scan", "--osv", str(OSV), "--lockfile", str(req), "--diff"],
        env={"COLUMNS": "250"},
    )
    assert shown.exit_code == 0, shown.output
    assert "CVE-2020-14343" in shown.stdout
    assert "+pyyaml==5.4" in shown.stdout
    missing = CliRunner().invoke(
        app, ["cve", "scan", "--osv", str(tmp_path / "nope")], env={"COLUMNS": "250"}
    )
    assert missing.exit_code == 1
    assert "does not exist" in missing.output
    assert "Traceback" not in missing.output
    nothing = CliRunner().invoke(app, ["cve", "scan", "--lockfile", str(req)])
    assert nothing.exit_code == 1
    assert "give --osv DIR" in nothing.output


@pytest.fixture
def pypi() -> Iterator[tuple[str, FakeRegistries]]:
    """PyPI's documented answers (``FakeRegistries``) served over HTTP on a loopback port."""
    fake = FakeRegistries()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer = fake(httpx.Request("GET", "https://pypi.test" + self.path))
            self.send_response(answer.status_code)
            self.send_header("Content-Type", answer.headers.get("content-type", "text/plain"))
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", fake
    finally:
        server.shutdown()
        server.server_close()


def test_with_a_registry_the_lock_gets_the_watchers_verified_edit(
    tmp_path: Path, pypi: tuple[str, FakeRegistries]
) -> None:
    url, fake = pypi
    lock = tmp_path / "poetry.lock"
    shutil.copy(LOCKS / "poetry.lock", lock)
    scan = ["cve", "scan", "--osv", str(OSV), "--lockfile", str(lock), "--json"]

    def pyyaml(*extra: str) -> dict[str, object]:
        result = CliRunner().invoke(app, [*scan, *extra])
        assert result.exit_code == 0, result.output
        (found,) = [
            f for f in json.loads(result.stdout)["findings"] if f["package"]["name"] == "pyyaml"
        ]
        return dict(found)

    assert pyyaml()["change"] is None  # no registry: the command for a human, in the note
    bumped = pyyaml("--registry", f"pypi={url}")
    change = bumped["change"]
    assert isinstance(change, dict)
    assert change["how"] == "lock pyyaml 5.3.1 → 5.4 (hashes from PyPI)"
    assert '+version = "5.4"' in change["diff"]
    assert fake.calls == ["https://pypi.test/pypi/pyyaml/5.4/json"]
    # the same through a configured watcher's options.registries
    config = tmp_path / "nightowl.yaml"
    config.write_text(json.dumps({"data_dir": str(tmp_path / "data"), "watchers": [{
        "name": "cve", "kind": "cve",
        "options": {"osv": str(OSV), "registries": {"pypi": url}},
    }]}))  # fmt: skip
    configured = pyyaml("--watcher", "cve", "--config", str(config))
    assert configured["change"] == change
    bad = CliRunner().invoke(app, [*scan, "--registry", "pipy=http://x"])
    assert bad.exit_code == 1
    assert "KEY one of pypi, npm, go_sum, go_proxy" in bad.output
