"""The API docs render offline, under the Content-Security-Policy, from local files only."""

import pytest

pytestmark = [pytest.mark.browser]


def test_api_docs_render_without_the_network(live_server, page):
    outside = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith(live_server.url) and not request.url.startswith("data:")
            else None
        ),
    )
    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".swagger-ui .title").wait_for()
    assert "Contento API" in page.locator(".swagger-ui .title").inner_text()
    page.locator(".opblock").first.wait_for()
    assert outside == []
