"""Page weight as a reader's browser sees it: Debian's Chromium, cold cache, gzip.

For one page load this counts every request, the bytes that crossed the network
(headers included, compressed as sent), which host each went to, and splits off the
page's own content images (``<img>`` inside the article), which the 100 KB budget
leaves out.
"""
from __future__ import annotations

from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORTS = {"seluler": {"width": 412, "height": 823}, "desktop": {"width": 1280, "height": 900}}

CONTENT_IMAGES = """() => Array.from(document.querySelectorAll('article img, .md-content img'))
  .map(img => img.currentSrc || img.src)"""


def in_own_thread(work):
    """Run ``work()`` in a fresh thread: Playwright's sync API refuses to start where an
    event loop already runs (another Playwright session in a test run, an MkDocs server)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def measure_page(browser, url: str, viewport: dict) -> dict:
    """One cold load of ``url``: requests, transferred bytes, foreign hosts."""
    context = browser.new_context(viewport=viewport, service_workers="block")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    requests: dict[str, dict] = {}

    def sent(ev):
        requests.setdefault(ev["requestId"], {})["url"] = ev["request"]["url"]

    def received(ev):
        r = requests.setdefault(ev["requestId"], {})
        r["type"] = ev["response"].get("mimeType", "")
        r["status"] = ev["response"].get("status")

    def finished(ev):
        requests.setdefault(ev["requestId"], {})["bytes"] = int(ev.get("encodedDataLength", 0))

    def failed(ev):
        requests.setdefault(ev["requestId"], {})["failed"] = ev.get("errorText", "gagal")

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.loadingFailed", failed)
    page.goto(url, wait_until="networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_load_state("networkidle")
    images = set(page.evaluate(CONTENT_IMAGES))
    html_nav = page.evaluate("""() => {
      const nav = document.querySelector('nav.md-nav--primary');
      return {html: document.documentElement.outerHTML.length, nav: nav ? nav.outerHTML.length : 0};
    }""")
    context.close()

    host = urlparse(url).hostname
    rows, foreign = [], []
    for r in requests.values():
        u = r.get("url", "")
        if not u or u.startswith("data:"):
            continue
        if urlparse(u).hostname != host:
            foreign.append(u)
        rows.append({"url": u, "type": r.get("type", ""), "bytes": r.get("bytes", 0),
                     "status": r.get("status"), "content_image": u in images,
                     **({"failed": r["failed"]} if "failed" in r else {})})
    total = sum(r["bytes"] for r in rows if not r["content_image"])
    return {
        "url": url,
        "requests": len(rows),
        "transferred_bytes": total,
        "content_image_bytes": sum(r["bytes"] for r in rows if r["content_image"]),
        "foreign_requests": foreign,
        "by_type": _by_type(rows),
        "files": sorted(rows, key=lambda r: -r["bytes"]),
        "dom_chars": html_nav["html"],
        "nav_chars": html_nav["nav"],
    }


def _by_type(rows: list[dict]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rows:
        if r["content_image"]:
            continue
        t = r["type"]
        kind = ("html" if "html" in t else "css" if "css" in t else "js" if "javascript" in t
                else "font" if "font" in t or r["url"].endswith((".woff2", ".woff")) else
                "image" if t.startswith("image/") else "json" if "json" in t else "other")
        out[kind] = out.get(kind, 0) + r["bytes"]
    return out


def measure(base_url: str, paths: list[str]) -> dict[str, dict]:
    """Weight of each path (relative to ``base_url``), the heavier of mobile and desktop."""
    return in_own_thread(lambda: _measure(base_url, paths))


def _measure(base_url: str, paths: list[str]) -> dict[str, dict]:
    from playwright.sync_api import sync_playwright

    out: dict[str, dict] = {}
    with sync_playwright() as p:
        browser = launch(p)
        try:
            for path in paths:
                url = base_url.rstrip("/") + "/" + path.lstrip("/")
                runs = {name: measure_page(browser, url, vp) for name, vp in VIEWPORTS.items()}
                worst = max(runs.values(), key=lambda r: r["transferred_bytes"])
                out[path] = {**worst, "viewport": next(k for k, v in runs.items() if v is worst),
                             "by_viewport": {k: v["transferred_bytes"] for k, v in runs.items()}}
        finally:
            browser.close()
    return out
