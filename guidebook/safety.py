"""Keep text from data and front matter inert, and code out of page content.

MkDocs renders its theme without autoescaping, and Material prints the site name,
description, page titles and front matter as they are. A fork that accepts
contributions must not let a ``<script>`` in ``region.yml`` or in a page's title
run in readers' browsers. So:

* ``escape_config`` and ``escape_page_texts`` turn those strings into escaped
  ``Markup`` (Jinja does not escape ``Markup`` twice, so ``| e`` stays right);
* ``content_problems`` refuses scripts, inline event handlers and ``javascript:``
  links inside page content (scripts belong in files under ``overrides/assets``);
  the Content-Security-Policy (``csp.py``) then trusts only the theme's own scripts.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from markupsafe import Markup, escape

from .data import DataIssue

CONFIG_TEXTS = ("site_name", "site_description", "site_author", "copyright", "repo_name")
PAGE_META_TEXTS = ("title", "description")
DATA_BLOCK_TYPES = ("application/json", "application/ld+json")
FORBIDDEN_TAGS = ("iframe", "object", "embed", "base", "frame", "frameset", "applet")
URL_ATTRS = ("href", "src", "action", "formaction", "data", "xlink:href", "poster", "srcset")
BAD_SCHEME = re.compile(r"^\s*(javascript|vbscript|data:text/html)", re.I)


def _escaped(value):
    return value if isinstance(value, Markup) or not isinstance(value, str) else escape(value)


def escape_config(config) -> None:
    """Escape the texts from region.yml that the theme prints (call after ``site.apply_region``)."""
    for key in CONFIG_TEXTS:
        if config.get(key):
            config[key] = _escaped(config[key])


def escape_page_texts(page) -> None:
    """Escape a page's title and front matter texts (call once the page is rendered)."""
    for key in PAGE_META_TEXTS:
        if isinstance(page.meta.get(key), str):
            page.meta[key] = _escaped(page.meta[key])
    if isinstance(page.title, str):
        page.title = _escaped(page.title)


class _ContentScanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        attrs_d = {k.lower(): (v or "") for k, v in attrs}
        if tag == "script" and attrs_d.get("type", "").lower() not in DATA_BLOCK_TYPES:
            self.found.append((line, "elemen <script>"))
        if tag in FORBIDDEN_TAGS:
            self.found.append((line, f"elemen <{tag}>"))
        if tag == "meta" and "http-equiv" in attrs_d:
            self.found.append((line, "elemen <meta http-equiv>"))
        for name, value in attrs_d.items():
            if name.startswith("on"):
                self.found.append((line, f"atribut {name}= pada <{tag}>"))
            elif name in URL_ATTRS and BAD_SCHEME.match(value):
                self.found.append((line, f"tautan `{value[:40]}` pada <{tag} {name}>"))

    handle_startendtag = handle_starttag


def content_problems(page_html: str, src_uri: str, root: Path, docs_dir: str = "docs") -> list[DataIssue]:
    """Code in a page's rendered content, from its Markdown or from data it prints."""
    scanner = _ContentScanner()
    scanner.feed(page_html)
    scanner.close()
    rel = f"{docs_dir}/{src_uri}"
    return [DataIssue(rel, None, "", f"isi halaman memuat {what}, yang dapat menjalankan kode di peramban pembaca.",
                      "hapus bagian itu dari halaman atau dari data yang dicetaknya; skrip untuk alat interaktif "
                      "diletakkan sebagai berkas di overrides/assets/ dan didaftarkan di mkdocs.yml.")
            for _, what in scanner.found]
