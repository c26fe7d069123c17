"""What only a browser shows: requests made by a loaded page."""
from __future__ import annotations

import functools
import http.server
import threading
from urllib.parse import urlparse

import pytest

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="session")
def server(built_site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(built_site))
    handler.log_message = lambda *a, **k: None
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


@pytest.mark.parametrize("path", ["/", "/tahapan/inisiatif/", "/glosarium/", "/sumber/"])
def test_page_requests_nothing_from_other_hosts(server, browser, path):
    page = browser.new_page()
    foreign = []
    page.on("request", lambda req: foreign.append(req.url)
            if urlparse(req.url).hostname not in ("127.0.0.1", None) and not req.url.startswith("data:") else None)
    page.goto(server + path)
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "id"
    page.close()
    assert foreign == []
