"""GitHub as a deploy source, against responses in its documented formats (REST
``GET /repos/{owner}/{repo}/deployments``, ``/compare/{base}...{head}`` and ``/commits/{sha}``),
served by httpx.MockTransport: the service cannot run here."""

from __future__ import annotations

import base64
from asyncio import run
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from nightowl.connectors.github import GitHub, GitHubConfig
from nightowl.errors import ConnectorError

T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
OLD, NEW = "a" * 40, "b" * 40


def deployment(id_: int, sha: str, ref: str, at: str, login: str) -> dict[str, object]:
    return {
        "url": f"https://api.github.com/repos/acme/checkout/deployments/{id_}",
        "id": id_,
        "node_id": "MDEwOkRlcGxveW1lbnQx",
        "sha": sha,
        "ref": ref,
        "task": "deploy",
        "payload": {},
        "original_environment": "production",
        "environment": "production",
        "description": "Deploy request from CI",
        "creator": {"login": login, "id": 1, "type": "User"},
        "created_at": at,
        "updated_at": at,
    }


def commit(sha: str, message: str) -> dict[str, object]:
    return {
        "sha": sha,
        "commit": {"author": {"name": "Dev", "date": "2026-11-20T02:00:00Z"}, "message": message},
    }


def github_api(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path == "/repos/acme/checkout/deployments":
        assert request.url.params["environment"] == "production"
        assert request.headers["Authorization"] == "Bearer ghp_test"
        return httpx.Response(200, json=[
            deployment(2, NEW, "v2.0.0", "2026-11-20T02:40:00Z", "alice"),
            deployment(1, OLD, "main", "2026-11-18T10:00:00Z", "bob"),
        ])  # fmt: skip
    if path == f"/repos/acme/checkout/compare/{OLD}...{NEW}":
        return httpx.Response(200, json={
            "status": "ahead", "ahead_by": 4, "behind_by": 0, "total_commits": 4,
            "commits": [commit(f"{i}" * 40, f"change {i}\n\nbody") for i in range(1, 5)],
            "files": [],
        })  # fmt: skip
    if path == f"/repos/acme/checkout/commits/{OLD}":
        return httpx.Response(200, json=commit(OLD, "initial import"))
    return httpx.Response(
        404, json={"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
    )


def github(handler: object = github_api, **options: object) -> GitHub:
    config = GitHubConfig.model_validate({"repo": "acme/checkout", "token": "ghp_test", **options})
    return GitHub("gh", config, transport=httpx.MockTransport(handler))  # type: ignore[arg-type]


def test_github_deployments_with_versions_authors_and_change_summaries() -> None:
    deploys = run(github().deploys("checkout", T0 - timedelta(days=3), T0))
    assert [(d.version, d.previous_version, d.author) for d in deploys] == [
        (OLD[:12], None, "bob"),
        ("v2.0.0", OLD[:12], "alice"),
    ]
    assert deploys[0].summary == "initial import"
    assert deploys[1].summary == "4 commit(s): change 2; change 3; change 4 (+1 more)"
    assert deploys[1].commit == NEW
    assert deploys[1].at == datetime(2026, 11, 20, 2, 40, tzinfo=UTC)
    assert deploys[1].source == "github:acme/checkout"


def test_github_window_service_and_time_zone() -> None:
    new_york = timezone(timedelta(hours=-5))
    window = (T0 - timedelta(hours=1)).astimezone(new_york), T0.astimezone(new_york)
    assert [d.version for d in run(github().deploys(None, *window))] == ["v2.0.0"]
    assert run(github().deploys("payments", *window)) == []


def test_github_errors_name_the_url_and_message() -> None:
    with pytest.raises(ConnectorError) as caught:
        run(github(lambda r: httpx.Response(401, json={"message": "Bad credentials"})).check())
    assert str(caught.value) == (
        "connector 'gh': https://api.github.com/repos/acme/checkout/deployments answered 401 "
        "Unauthorized: Bad credentials"
    )


CODEOWNERS = "# owners\n* @acme/platform\n/services/payments/ @acme/pay @ana\n/services/legacy/\n"


def contents(path: str, text: str) -> dict[str, object]:
    """``GET /repos/{owner}/{repo}/contents/{path}`` for a file, as documented: base64 wrapped
    at 60 characters a line, as GitHub sends it."""
    encoded = base64.b64encode(text.encode()).decode()
    wrapped = "\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60)) + "\n"
    return {
        "type": "file", "encoding": "base64", "size": len(text), "name": path.rsplit("/", 1)[-1],
        "path": path, "content": wrapped, "sha": "3d21ec53a331a6f037a91c368710b99387d012c1",
        "url": f"https://api.github.com/repos/acme/shop/contents/{path}",
        "git_url": "https://api.github.com/repos/acme/shop/git/blobs/3d21ec5",
        "html_url": f"https://github.com/acme/shop/blob/main/{path}",
        "download_url": f"https://raw.githubusercontent.com/acme/shop/main/{path}",
        "_links": {"self": f"https://api.github.com/repos/acme/shop/contents/{path}"},
    }  # fmt: skip


def codeowners_api(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/repos/acme/shop/contents/.github/CODEOWNERS":
        return httpx.Response(200, json=contents(".github/CODEOWNERS", CODEOWNERS))
    return httpx.Response(404, json={"message": "Not Found"})


def shop(**options: object) -> GitHub:
    config = GitHubConfig.model_validate({"repo": "acme/shop", **options})
    return GitHub("gh", config, transport=httpx.MockTransport(codeowners_api))


def test_codeowners_names_each_services_owners_with_the_line_that_says_so() -> None:
    paths = {"payments": "services/payments", "checkout": "services/checkout",
             "legacy": "services/legacy"}  # fmt: skip
    found = run(shop(owned_paths=paths).owners())
    assert [(o.service, o.owner, o.team) for o in found] == [
        ("checkout", "acme/platform", True),
        ("payments", "acme/pay", True),
        ("payments", "ana", False),
    ]  # legacy: its rule has no owners
    assert found[1].provenance == "acme/shop:.github/CODEOWNERS line 3 (/services/payments/)"


def test_without_owned_paths_the_repositorys_service_is_owned_at_the_root() -> None:
    assert [(o.service, o.owner) for o in run(shop().owners())] == [("shop", "acme/platform")]
    assert run(shop(codeowners=None).owners()) == []


def test_a_missing_codeowners_file_or_a_bad_answer_is_a_connector_error() -> None:
    with pytest.raises(ConnectorError, match="404 Not Found"):
        run(shop(codeowners="docs/CODEOWNERS").owners())
    config = GitHubConfig.model_validate({"repo": "acme/shop"})
    odd = GitHub(
        "gh", config, transport=httpx.MockTransport(lambda r: httpx.Response(200, json=[]))
    )
    with pytest.raises(ConnectorError, match="without base64 content"):
        run(odd.owners())
