"""Argo CD as a deploy source, against ``GET /api/v1/applications/{name}`` with
``status.history`` in its documented format, served by httpx.MockTransport: sync history becomes
deploys of the mapped service, every application when none is named, and an unknown application
is a clear error."""

from __future__ import annotations

from asyncio import run
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from nightowl.connectors.argocd import ArgoCD, ArgoCDConfig
from nightowl.errors import ConnectorError

T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)

OLD, NEW = "a" * 40, "b" * 40

APP = {
    "metadata": {"name": "checkout-prod", "namespace": "argocd"},
    "spec": {
        "source": {
            "repoURL": "https://github.com/acme/deploy.git",
            "path": "checkout",
            "targetRevision": "HEAD",
        }
    },
    "status": {
        "sync": {"status": "Synced", "revision": NEW},
        "health": {"status": "Healthy"},
        "history": [
            {
                "id": 7,
                "revision": OLD,
                "deployedAt": "2026-11-19T09:00:00Z",
                "deployStartedAt": "2026-11-19T08:59:50Z",
                "source": {
                    "repoURL": "https://github.com/acme/deploy.git",
                    "path": "checkout",
                    "targetRevision": "HEAD",
                },
                "initiatedBy": {"automated": True},
            },
            {
                "id": 8,
                "revision": NEW,
                "deployedAt": "2026-11-20T02:45:00Z",
                "deployStartedAt": "2026-11-20T02:44:41Z",
                "source": {
                    "repoURL": "https://github.com/acme/deploy.git",
                    "path": "checkout",
                    "targetRevision": "v2.0.0",
                },
                "initiatedBy": {"username": "alice"},
            },
        ],
    },
}


def argocd_api(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/api/v1/applications/checkout-prod":
        return httpx.Response(200, json=APP)
    if request.url.path == "/api/v1/applications":
        return httpx.Response(200, json={"metadata": {}, "items": [APP]})
    return httpx.Response(
        404,
        json={"error": "not found", "code": 5, "message": 'applications.argoproj.io "x" not found'},
    )


def argocd(**options: object) -> ArgoCD:
    config = ArgoCDConfig.model_validate({"url": "https://argocd.example", "token": "t", **options})
    return ArgoCD("argo", config, transport=httpx.MockTransport(argocd_api))


def test_argocd_history_becomes_deploys_of_the_mapped_service() -> None:
    deploys = run(
        argocd(applications={"checkout": "checkout-prod"}).deploys(
            "checkout", T0 - timedelta(days=2), T0
        )
    )
    assert [(d.version, d.previous_version, d.author) for d in deploys] == [
        (OLD[:12], None, "automated"),
        (NEW[:12], OLD[:12], "alice"),
    ]
    assert deploys[1].commit == NEW
    assert "v2.0.0" in (deploys[1].summary or "")


def test_argocd_lists_every_application_when_none_is_named() -> None:
    deploys = run(argocd().deploys(None, T0 - timedelta(hours=1), T0))
    assert [(d.service, d.version) for d in deploys] == [("checkout-prod", NEW[:12])]


def test_argocd_unknown_application_is_a_clear_error() -> None:
    with pytest.raises(ConnectorError, match="answered 404 Not Found: not found"):
        run(
            argocd(applications={"checkout": "gone"}).deploys(
                "checkout", T0 - timedelta(hours=1), T0
            )
        )
