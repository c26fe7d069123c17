"""The site's Content-Security-Policy: only its own origin may supply code and assets.

Every page carries the policy in a ``<meta http-equiv>`` (from
``overrides/partials/csp.html``), so it holds on any host, GitHub Pages included;
``_headers`` carries the same policy as an HTTP header for hosts that read that
file (Netlify, Cloudflare Pages; README shows the line for nginx and Apache).

Material inlines a few small scripts (scope and palette setup, tab restore). Rather
than allowing ``'unsafe-inline'``, ``finalize`` hashes every inline script of the
built site after the build and lists those hashes in the policy, so an injected
script never runs. ``'wasm-unsafe-eval'`` lets Pagefind compile its WebAssembly
search index; it does not allow ``eval`` of JavaScript.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from pathlib import Path

# directive -> sources, before the hashes are added
BASE_POLICY: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'wasm-unsafe-eval'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],   # Material's CSS draws its icons from data: SVGs
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}
# Only meaningful as an HTTP header (browsers ignore it in a <meta>).
HEADER_ONLY: dict[str, list[str]] = {"frame-ancestors": ["'self'"]}
HEADERS_FILE = "_headers"
EXTRA_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}

META_RE = re.compile(r'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(">)')
SCRIPT_RE = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
STYLE_RE = re.compile(r"<style\b[^>]*>(?P<body>.*?)</style>", re.S | re.I)
STYLE_ATTR_RE = re.compile(r"""\sstyle=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""", re.I)
ARTICLE_RE = re.compile(r'<article class="md-content__inner.*?</article>', re.S)
IFRAME_WORKER_TAG = re.compile(r'<script src="[^"]*iframe-worker/shim\.js"')
CONFIG_RE = re.compile(r'<script id="__config" type="application/json">(.*?)</script>', re.S)
BOOTSTRAP_RE = re.compile(r"<script>(postMessage=\$\{(\w)\};importScripts=\$\{(\w)\};.*?)<\\/script>", re.S)
DATA_TYPES = re.compile(r"""\btype=["']?(application/(ld\+)?json|text/template)""", re.I)


def render(policy: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in policy.items())


def meta_policy() -> str:
    """The policy before the build: what the partial writes into every page."""
    return render(BASE_POLICY)


def _hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def inline_hashes(page_html: str) -> tuple[set[str], set[str], set[str]]:
    """Hashes of the inline scripts, <style> elements and style="" attributes of one page.

    Scripts inside the page content (<article>) are never trusted: the build refuses
    them (safety.content_problems), and should one slip through, it stays blocked.
    """
    scripts = {_hash(m["body"]) for m in SCRIPT_RE.finditer(ARTICLE_RE.sub("", page_html))
               if "src=" not in m["attrs"].lower() and not DATA_TYPES.search(m["attrs"])}
    styles = {_hash(m["body"]) for m in STYLE_RE.finditer(page_html)}
    attrs = {_hash(html.unescape(m["dq"] if m["dq"] is not None else m["sq"]))
             for m in STYLE_ATTR_RE.finditer(page_html)}
    return scripts, styles, attrs


def _js_function(source: str, name: str) -> str:
    """The source text of ``function name(...){...}`` in minified JS (as toString() gives it)."""
    start = source.index(f"function {name}(")
    depth = 0
    for i in range(source.index("{", start), len(source)):
        depth += {"{": 1, "}": -1}.get(source[i], 0)
        if depth == 0:
            return source[start:i + 1]
    raise ValueError(name)


def iframe_worker_bootstrap(shim_js: str, worker_url: str) -> str:
    """The inline script iframe-worker writes into its frame in the offline copy.

    From ``file://`` Material's search worker runs in an iframe (``iframe-worker``),
    which bootstraps it with an inline script built from its own functions and the
    worker's URL. The frame inherits this policy, so that script is hashed too.
    """
    m = BOOTSTRAP_RE.search(shim_js)
    if m is None:
        raise ValueError("iframe-worker: bootstrap script not found (package changed?)")
    text = m.group(1)
    for name in (m.group(2), m.group(3)):
        text = text.replace("${" + name + "}", _js_function(shim_js, name))
    return re.sub(r"\$\{\w\}", lambda _: worker_url, text)


def _iframe_worker_shim() -> str:
    from .offline import IFRAME_WORKER, TOOLING

    return (TOOLING / IFRAME_WORKER).read_text(encoding="utf-8")


def site_policy(site_dir: Path) -> dict[str, list[str]]:
    """The base policy plus the hash of every inline script and style of the built site.

    One policy for all pages: Material's instant navigation keeps the first page's
    policy while it swaps in the next page and runs that page's inline scripts.
    """
    scripts: set[str] = set()
    styles: set[str] = set()
    attrs: set[str] = set()
    shim = None
    for page in sorted(Path(site_dir).rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        s, st, a = inline_hashes(text)
        if IFRAME_WORKER_TAG.search(text) and CONFIG_RE.search(text):
            shim = shim or _iframe_worker_shim()
            s.add(_hash(iframe_worker_bootstrap(shim, json.loads(CONFIG_RE.search(text).group(1))["search"])))
        scripts |= s
        styles |= st
        attrs |= a
    policy = {k: list(v) for k, v in BASE_POLICY.items()}
    policy["script-src"] += sorted(scripts)
    if attrs:
        policy["style-src"] += ["'unsafe-hashes'"]  # lets hashes match style="" attributes, nothing more
    policy["style-src"] += sorted(styles | attrs)
    return policy


def finalize(site_dir: Path | str) -> str:
    """Write the full policy into every built page and into ``_headers``; return it."""
    site_dir = Path(site_dir)
    policy = site_policy(site_dir)
    meta = render(policy)
    for page in sorted(site_dir.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        new = META_RE.sub(lambda m: m.group(1) + html.escape(meta, quote=False) + m.group(3), text, count=1)
        if new != text:
            page.write_text(new, encoding="utf-8")
    header = render({**policy, **HEADER_ONLY})
    lines = ["# HTTP headers for hosts that read this file (Netlify, Cloudflare Pages).",
             "# Generated by guidebook/csp.py; the same policy is in every page's <meta>.",
             "/*", f"  Content-Security-Policy: {header}"]
    lines += [f"  {k}: {v}" for k, v in EXTRA_HEADERS.items()]
    (site_dir / HEADERS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return meta
