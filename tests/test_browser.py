"""What only a browser shows: requests made by a loaded page, the CSP at work."""
from __future__ import annotations

from urllib.parse import urlparse

import pytest

from browserkit import csp_violations, route_as_published, watch

pytest.importorskip("playwright.sync_api")

# One page of every layout.
LAYOUTS = {
    "beranda": "/",
    "bab": "/tahapan/inisiatif/",
    "glosarium": "/glosarium/",
    "sumber": "/sumber/",
    "404": "/halaman-yang-tidak-ada/",
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_page_requests_nothing_from_other_hosts_and_breaks_no_csp_rule(server, browser, layout):
    page = browser.new_page()
    report = watch(page)
    foreign = []
    local = urlparse(server).hostname
    page.on("request", lambda req: foreign.append(req.url)
            if urlparse(req.url).scheme not in ("data", "blob") and urlparse(req.url).hostname != local else None)
    response = page.goto(server + LAYOUTS[layout])
    page.wait_for_load_state("networkidle")
    assert response.status == (404 if layout == "404" else 200)
    assert page.locator("html").get_attribute("lang") == "id"
    # the stylesheets and scripts really loaded (a broken asset path would hide here)
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") in ("sticky", "fixed")
    assert page.evaluate("document.documentElement.classList.contains('js')"), "bundle Material tidak berjalan"
    violations = csp_violations(page)
    page.close()
    assert foreign == [], f"{layout}: permintaan ke host lain: {foreign}"
    assert violations == [], f"{layout}: pelanggaran CSP: {violations}"
    console = report["console"]
    if layout == "404":  # the browser logs the page's own 404 status, nothing else may fail
        console = [m for m in console if "status of 404" not in m] + \
                  [m for m in console if "status of 404" in m][1:]
    assert report["errors"] == [] and console == [], report


def test_instant_navigation_and_palette_work_under_the_csp(browser, built_site, site_url):
    """At its published address (answered locally), where Material's instant navigation runs."""
    context = browser.new_context()
    route_as_published(context, built_site, site_url)
    page = context.new_page()
    report = watch(page)
    foreign = []
    page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith((site_url, "data:")) else None)
    page.goto(site_url)
    page.wait_for_load_state("networkidle")
    page.evaluate("window.__sameDocument = true")
    page.click("nav.md-nav--primary a.md-nav__link[href$='glosarium/']")
    page.wait_for_url("**/glosarium/")
    page.wait_for_function("() => document.querySelector('h1') && document.querySelector('h1').textContent.includes('Glosarium')")
    assert page.evaluate("window.__sameDocument === true"), "navigasi instan tidak berjalan (halaman dimuat ulang)"
    before = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    page.click("form[data-md-component=palette] label:not([hidden])")
    page.wait_for_function(f"() => document.body.getAttribute('data-md-color-scheme') !== '{before}'")
    violations = csp_violations(page)
    context.close()
    assert violations == [], violations
    assert report["errors"] == [] and report["dialogs"] == [], report
    assert foreign == [], foreign


def test_csp_blocks_code_injected_into_a_page(server, browser):
    page = browser.new_page()
    report = watch(page)
    page.goto(server + "/")
    page.evaluate("""() => {
        document.body.insertAdjacentHTML('beforeend', '<img src="x" onerror="window.__ran = 1">');
        const s = document.createElement('script'); s.textContent = 'window.__ran = 2'; document.body.append(s);
    }""")
    page.wait_for_timeout(300)
    ran = page.evaluate("window.__ran")
    blocked = {v["directive"] for v in csp_violations(page)}
    page.close()
    assert ran is None, "kode sisipan dijalankan"
    assert {"script-src-attr", "script-src-elem"} <= blocked, blocked
    assert report["dialogs"] == []
