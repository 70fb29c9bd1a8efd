"""Shared data of the CVE watcher tests: OSV records written to the OSV schema
(https://ossf.github.io/osv-schema/), copied from or shaped like real osv.dev records, and
scanner reports in trivy's, grype's and osv-scanner's documented JSON formats."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def osv_dir() -> Path:
    return DATA / "osv"


@pytest.fixture
def reports() -> Path:
    return DATA / "reports"
