"""``/docs``: Swagger UI served from this process (no CDN), behind a login, under the UI's CSP —
over HTTP, and in Debian's Chromium with every request outside the server refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from nightowl_lab.harness.live import CHROMIUM_ARGS, chromium_path

from nightowl.api.headers import CSP
from tests.ui.test_pages import HTML, login
from tests.ui.world import API_TOKENS, PASSWORDS, World


@pytest.fixture
def anonymous(world: World) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=world.url, follow_redirects=False) as client:
        yield client


def test_strangers_get_the_login_form_and_no_document(
    anonymous: httpx.Client, world: World
) -> None:
    page = anonymous.get("/docs", headers=HTML)
    document = anonymous.get("/docs/openapi.json")

    assert page.status_code == 303
    assert page.headers["location"] == "/ui/login?next=/docs"
    assert document.status_code == 401


def test_the_page_loads_swagger_ui_from_this_server_only(
    anonymous: httpx.Client, world: World
) -> None:
    login(anonymous, "victor", next_path="/docs")

    page = anonymous.get("/docs")

    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CSP
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources
    assert all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    assert "<script>" not in page.text  # no inline script: the CSP would block it
    for source in sources:
        asset = anonymous.get(source)
        assert asset.status_code == 200, source
        assert len(asset.content) > 100, source
    assert "SwaggerUIBundle" in anonymous.get("/docs/assets/swagger-ui-bundle.js").text


def test_the_document_is_the_apis_own_for_a_session_or_a_token(
    anonymous: httpx.Client, world: World
) -> None:
    by_token = anonymous.get(
        "/docs/openapi.json", headers={"Authorization": f"Bearer {API_TOKENS['victor']}"}
    )
    login(anonymous, "victor")
    by_session = anonymous.get("/docs/openapi.json")

    assert by_token.status_code == by_session.status_code == 200
    assert by_session.json() == by_token.json() == world.api.openapi()
    assert "/api/v1/incidents" in by_session.json()["paths"]


@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")
def test_swagger_ui_renders_offline_in_a_browser(world: World) -> None:
    from playwright.sync_api import expect, sync_playwright

    outside: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=list(CHROMIUM_ARGS))
        page: Any = browser.new_context().new_page()

        def only_this_server(route: Any) -> None:
            if route.request.url.startswith(world.url):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", only_this_server)
        page.goto(f"{world.url}/docs")
        page.fill("input[name=username]", "victor")
        page.fill("input[name=password]", PASSWORDS["victor"])
        page.click("button[type=submit]")
        page.wait_for_url(f"{world.url}/docs")

        expect(page.locator(".swagger-ui .info .title")).to_contain_text("nightowl")
        expect(page.locator(".opblock-summary-path").first).to_be_visible()
        browser.close()

    assert outside == []
