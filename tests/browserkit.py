"""Helpers for the browser tests: serve a built site, drive Debian's chromium, use the keyboard.

Used by test_a11y.py, test_browser.py and test_hostile.py; new browser tests (search,
calculator, checklists) should use them too:

    from browserkit import tab_until, focused, press

    page.goto(server + "/alat/")
    tab_until(page, "input[type=search]")       # fails with the focus path if never reached
    press(page, "Enter")
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-default-apps", "--disable-domain-reliability"]


# ------------------------------------------------------------------ serving


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site like a static host: at / and under the site URL's path
    (404.html uses absolute /<path>/ links), with 404.html for missing pages."""

    prefix = "/"
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".js": "text/javascript", ".mjs": "text/javascript",
                      ".svg": "image/svg+xml", ".woff2": "font/woff2", ".json": "application/json"}

    def translate_path(self, path: str) -> str:
        if self.prefix != "/" and path.startswith(self.prefix):
            path = "/" + path[len(self.prefix):]
        return super().translate_path(path)

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.exists():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, *args, **kwargs):  # keep test output quiet
        pass


@contextlib.contextmanager
def serve(site_dir: Path, site_url: str = ""):
    """Serve ``site_dir`` on a free 127.0.0.1 port; yields the base URL (no trailing slash)."""
    prefix = urlsplit(site_url).path or "/"
    handler = functools.partial(type("Handler", (SiteHandler,), {"prefix": prefix}), directory=str(site_dir))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}"
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


def route_as_published(context, site_dir: Path, site_url: str) -> None:
    """Answer every request to the published address (``site_url``) from ``site_dir``.

    Pages then run at their real origin and path, with nothing sent over the network;
    Material's instant navigation only works there (it matches the sitemap's URLs
    by host and path, without a port).
    """
    import mimetypes

    base_path = urlsplit(site_url).path

    def handle(route):
        path = urlsplit(route.request.url).path
        rel = path[len(base_path):] if path.startswith(base_path) else None
        target = None
        if rel is not None:
            f = (Path(site_dir) / rel.lstrip("/")).resolve()
            for c in ([f / "index.html"] if rel == "" or rel.endswith("/") else [f, f / "index.html"]):
                if c.is_file() and c.is_relative_to(Path(site_dir).resolve()):
                    target = c
                    break
        if target is None:
            route.fulfill(status=404, path=str(Path(site_dir) / "404.html"), content_type="text/html")
            return
        ctype = SiteHandler.extensions_map.get(target.suffix) or mimetypes.guess_type(target.name)[0]
        route.fulfill(status=200, path=str(target), content_type=ctype or "application/octet-stream")

    context.route(site_url.rstrip("/") + "/**", handle)


def page_paths(site_dir: Path) -> list[str]:
    """URL path of every built HTML page (discovered, never a fixed list)."""
    from guidebook.links import built_pages, page_url

    return [page_url(rel) for rel in built_pages(site_dir)]


@contextlib.contextmanager
def launch():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# ------------------------------------------------------------- page watchers

WATCH_SCRIPT = """
window.__klik = {csp: [], dialogs: 0};
document.addEventListener('securitypolicyviolation', e => window.__klik.csp.push(
  {directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, source: e.sourceFile, line: e.lineNumber}));
"""


def watch(page) -> dict:
    """Record what a page does wrong: CSP violations, console errors, page errors, dialogs.

    Call before ``goto``. ``report["csp"]`` is read from the page (see ``csp_violations``).
    """
    report = {"console": [], "errors": [], "dialogs": []}
    page.add_init_script(WATCH_SCRIPT)
    page.on("console", lambda m: report["console"].append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: report["errors"].append(str(e)))

    def on_dialog(dialog):
        report["dialogs"].append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()
    page.on("dialog", on_dialog)
    return report


def csp_violations(page) -> list[dict]:
    return page.evaluate("window.__klik ? window.__klik.csp : []")


# ------------------------------------------------------------------ keyboard

FOCUSED_JS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const r = e.getBoundingClientRect();
  const s = getComputedStyle(e);
  return {tag: e.tagName.toLowerCase(), id: e.id, cls: e.className && e.className.baseVal === undefined ? e.className : '',
          text: (e.innerText || e.value || '').trim().slice(0, 60), href: e.getAttribute('href'),
          label: e.getAttribute('aria-label') || e.getAttribute('title'),
          visible: r.width > 0 && r.height > 0 && s.visibility !== 'hidden',
          outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0, shadow: s.boxShadow !== 'none'};
}"""


def focused(page) -> dict | None:
    """The element that has keyboard focus, described (None when it is the page itself)."""
    return page.evaluate(FOCUSED_JS)


def describe(el: dict | None) -> str:
    if el is None:
        return "(halaman)"
    bits = [el["tag"] + (f"#{el['id']}" if el["id"] else "") + (f".{el['cls'].split()[0]}" if el["cls"] else "")]
    if el.get("text"):
        bits.append(repr(el["text"]))
    if el.get("href"):
        bits.append(f"href={el['href']}")
    return " ".join(bits)


def press(page, key: str) -> dict | None:
    page.keyboard.press(key)
    return focused(page)


def tab_until(page, selector: str, max_presses: int = 80, backwards: bool = False) -> list[dict]:
    """Press Tab until the focused element matches ``selector``; return the path taken.

    Fails with the whole focus path when ``max_presses`` presses never reach it, so
    a broken focus order is easy to see.
    """
    path = []
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(max_presses):
        page.keyboard.press(key)
        path.append(focused(page))
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return path
    raise AssertionError(f"Tab tidak pernah mencapai {selector!r} setelah {max_presses} kali; urutan fokus:\n  "
                         + "\n  ".join(describe(e) for e in path))


def focus_order(page, presses: int) -> list[dict]:
    return [press(page, "Tab") for _ in range(presses)]
