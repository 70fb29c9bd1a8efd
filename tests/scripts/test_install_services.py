"""scripts/install-services.sh, run for real in dry-run mode with a $PATH the test builds: it says
what it finds and leaves alone, installs only what is missing, and would only ever disable the
services of packages it installs itself — never one that was there before."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "scripts" / "install-services.sh"
ALL = ("initdb", "prometheus", "prometheus-alertmanager", "victoria-metrics", "sshd", "chromium")


def executable(directory: Path, name: str, body: str = "exit 0") -> None:
    path = directory / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


def run(
    tmp_path: Path, present: tuple[str, ...], dry_run: bool = True
) -> subprocess.CompletedProcess[str]:
    """The script with only bash, id and ``present``'s binaries (and any test-made tool) on $PATH."""
    tools = tmp_path / "bin"
    tools.mkdir(exist_ok=True)
    for tool in ("bash", "id"):
        found = shutil.which(tool)
        assert found is not None
        if not (tools / tool).exists():
            (tools / tool).symlink_to(found)
    for name in present:
        executable(tools, name)
    env = {"PATH": str(tools), "INSTALL_SERVICES_EXTRA_DIRS": str(tmp_path / "none")}
    if dry_run:
        env["INSTALL_SERVICES_DRY_RUN"] = "1"
    return subprocess.run(
        [str(tools / "bash"), str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30
    )


def test_what_is_present_is_named_and_left_alone(tmp_path: Path) -> None:
    result = run(tmp_path, present=("initdb", "prometheus", "chromium"))

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "install-services: present, left alone: postgresql (initdb found)" in lines
    assert "install-services: present, left alone: prometheus (prometheus found)" in lines
    install = [line for line in lines if "would run: apt-get install" in line]
    assert install == [
        "install-services: would run: apt-get install -y -qq --no-install-recommends "
        "prometheus-alertmanager victoria-metrics openssh-server"
    ]


def test_only_services_of_packages_it_installs_would_be_disabled(tmp_path: Path) -> None:
    result = run(tmp_path, present=("initdb", "prometheus"))

    disabled = [line for line in result.stdout.splitlines() if "disable" in line]
    assert disabled == [
        f"install-services: would disable and stop {svc} (installed by this run)"
        for svc in ("prometheus-alertmanager", "victoria-metrics", "ssh")
    ]
    assert "stop postgresql" not in result.stdout
    assert "stop prometheus " not in result.stdout


def test_a_service_unit_that_exists_already_is_never_touched(tmp_path: Path) -> None:
    """Alertmanager installed by hand (its binary off $PATH, its unit in /etc/systemd): the package
    is installed for the binary, but the existing service is left as it was."""
    tools = tmp_path / "bin"
    tools.mkdir()
    executable(
        tools,
        "systemctl",
        '[ "$1 $3" = "list-unit-files prometheus-alertmanager.service" ] && '
        'echo "prometheus-alertmanager.service enabled enabled"; exit 0',
    )

    result = run(tmp_path, present=("initdb", "prometheus", "victoria-metrics", "sshd", "chromium"))

    assert "a prometheus-alertmanager service exists already: it is left alone" in result.stdout
    assert "would disable" not in result.stdout
    assert "apt-get install -y -qq --no-install-recommends prometheus-alertmanager" in result.stdout


def test_a_package_dpkg_already_has_is_not_ours_to_disable(tmp_path: Path) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    executable(tools, "dpkg-query", '[ "$3" = victoria-metrics ] && printf installed; exit 0')

    result = run(tmp_path, present=("initdb", "prometheus", "prometheus-alertmanager", "sshd"))

    assert "would disable and stop victoria-metrics" not in result.stdout
    assert (
        "apt-get install -y -qq --no-install-recommends victoria-metrics chromium" in result.stdout
    )


def test_nothing_missing_installs_nothing(tmp_path: Path) -> None:
    result = run(tmp_path, present=ALL)

    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == "install-services: nothing to install"
    assert "would run" not in result.stdout


def test_without_root_it_says_what_to_install_and_changes_nothing(tmp_path: Path) -> None:
    """Run for real (no dry run) as a user whose ``id -u`` is 1000: it stops before any change."""
    tools = tmp_path / "bin"
    tools.mkdir()
    executable(tools, "id", "echo 1000")

    result = run(tmp_path, present=ALL[:-1], dry_run=False)

    assert result.returncode == 1
    assert "Install them with: sudo apt-get install chromium" in result.stderr
