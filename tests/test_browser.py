"""What only a browser shows: requests made by a loaded page, the CSP at work."""
from __future__ import annotations

from urllib.parse import urlparse

import pytest

from browserkit import csp_violations, watch

pytest.importorskip("playwright.sync_api")

# One page of every layout. Paths come from the built site's own files where they can.
LAYOUTS = {
    "beranda": "/",
    "bab": "/tahapan/inisiatif/",
    "glosarium": "/glosarium/",
    "sumber": "/sumber/",
    "404": "/halaman-yang-tidak-ada/",
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_page_requests_nothing_from_other_hosts(server, browser, layout):
    page = browser.new_page()
    foreign = []
    local = urlparse(server).hostname
    page.on("request", lambda req: foreign.append(req.url)
            if urlparse(req.url).scheme not in ("data", "blob") and urlparse(req.url).hostname != local else None)
    response = page.goto(server + LAYOUTS[layout])
    page.wait_for_load_state("networkidle")
    if layout == "404":
        assert response.status == 404
        assert page.locator("h1").first.inner_text().strip() == "404 - Not found" or page.locator("h1").count()
    else:
        assert response.ok
    assert page.locator("html").get_attribute("lang") == "id"
    # the stylesheets really loaded (a page without CSS would hide a broken asset path)
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") in ("sticky", "fixed")
    page.close()
    assert foreign == [], f"{layout}: permintaan ke host lain: {foreign}"
