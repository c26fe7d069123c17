"""The working tools on the site (``docs/alat/``): the IID calculator, the stage
checklists and the fill-in templates.

Two jobs: the page macros that render the tools' HTML from the data, and the build
step that writes the generated files (calculator JSON, worksheet PDFs, DOCX) into the
site and lists them in the downloads manifest.
"""
from __future__ import annotations

import html
import json
import logging
import posixpath
import re
from pathlib import Path
from typing import Callable, Mapping

from markupsafe import Markup

from . import downloads, iid, worksheets
from .data import GuideData
from .render import CONFIDENCE, render_template

log = logging.getLogger("mkdocs.plugins.klik.tools")

CALCULATOR_DATA = "alat/iid-data.json"      # for downloads and other programs
CALCULATOR_SCRIPT = "alat/iid-data.js"       # the same data for the page: loads from file:// too
PAGES = {"calculator": "alat/kalkulator-iid.md", "checklist": "alat/daftar-periksa.md",
         "templates": "alat/templat.md", "sources": "sumber.md"}
STORAGE_KEYS = {"calculator": "klik-iid:v1", "checklist": "klik-daftar-periksa:v1"}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def _page_dir(page_src: str | None, directory_urls: bool) -> str:
    """The folder a page is served from: ``a/b.md`` is ``a/b/`` with directory URLs
    (the site) and ``a/`` without them (the offline copy, ``a/b.html``)."""
    stem = (page_src or "index.md")[:-3]
    if stem == "index" or stem.endswith("/index") or not directory_urls:
        return posixpath.dirname(stem) or "."
    return stem


def site_href(page_src: str | None, site_path: str, directory_urls: bool = True) -> str:
    """Relative link from the page built from ``page_src`` to a file in the site."""
    return posixpath.relpath(site_path, _page_dir(page_src, directory_urls))


def doc_href(page_src: str | None, target_src: str, anchor: str = "", directory_urls: bool = True) -> str:
    """Relative link between pages (source paths under docs/), in either URL style."""
    stem = target_src[:-3]
    if directory_urls:
        target = (stem[: -len("index")] if stem == "index" or stem.endswith("/index") else stem + "/") or "./"
    else:
        target = stem + ".html"
    rel = posixpath.relpath(target.rstrip("/") or ".", _page_dir(page_src, directory_urls))
    if directory_urls and target.endswith("/"):
        rel = "./" if rel == "." else rel + "/"
    return rel + (f"#{anchor}" if anchor else "")


def md_heading(level: int, text: str, anchor: str) -> str:
    """A Markdown heading whose text is safe: HTML-escaped, Markdown punctuation escaped."""
    safe = _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))
    return f"\n\n{'#' * level} {safe} {{ #{anchor} }}\n\n"


# ------------------------------------------------------------------ macros


def calculator_shell(page_src: str | None, directory_urls: bool = True) -> Markup:
    return render_template(
        "iid_calculator.html", data_href=site_href(page_src, CALCULATOR_SCRIPT, directory_urls),
        sources_href=doc_href(page_src, PAGES["sources"], "", directory_urls),
        storage_key=STORAGE_KEYS["calculator"])


def checklist(data: GuideData, page_src: str | None, directory_urls: bool = True) -> Markup:
    docs = data.root / "docs"
    parts = [str(render_template("checklist_toolbar.html", storage_key=STORAGE_KEYS["checklist"]))]
    for stage in sorted(data.items("stages"), key=lambda s: s["order"]):
        stage_page = f"tahapan/{stage['id']}.md"
        stage_href = doc_href(page_src, stage_page, "", directory_urls) if (docs / stage_page).is_file() else ""
        # one block per stage (heading included) so print keeps them together; md_in_html
        # keeps the Markdown heading in the page's table of contents
        parts.append('\n\n<div class="klik-checklist__block" markdown>')
        parts.append(md_heading(2, f"{stage['order']}. {stage['name']}", f"periksa-{stage['id']}"))
        parts.append(str(render_template("checklist_stage.html", stage=stage, stage_href=stage_href)))
        parts.append("\n\n</div>\n\n")
    return Markup("".join(parts))


def template_list(data: GuideData, page_src: str | None, cite: Callable, directory_urls: bool = True) -> Markup:
    parts = []
    for template in worksheets.templates(data):
        names = worksheets.output_names(template)
        downloads = {kind: site_href(page_src, path, directory_urls) for kind, path in names.items()}
        parts.append(md_heading(2, template["title"], f"templat-{template['id']}"))
        parts.append(str(worksheets.web_fragment(data, template, cite, downloads)))
    return Markup("".join(parts))


def tool_macros(data: GuideData, page_src: Callable[[], str | None], cite: Callable,
                config: Mapping | None = None) -> dict[str, Callable]:
    """Macros for pages: ``{{ kalkulator_iid() }}``, ``{{ daftar_periksa() }}``, ``{{ daftar_templat() }}``.

    ``config`` (MkDocs') is read when a page renders: the offline copy turns directory
    URLs off after the macros are defined."""
    def directory_urls() -> bool:
        return bool((config or {}).get("use_directory_urls", True))

    return {
        "kalkulator_iid": lambda: calculator_shell(page_src(), directory_urls()),
        "daftar_periksa": lambda: checklist(data, page_src(), directory_urls()),
        "daftar_templat": lambda: template_list(data, page_src(), cite, directory_urls()),
    }


# ------------------------------------------------------------------- build


def calculator_json(data: GuideData) -> str:
    """The calculator's data file; ``<``, ``>`` and ``&`` escaped so it is inert anywhere."""
    text = json.dumps(iid.calculator_payload(data, CONFIDENCE), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")) + "\n"


def write_outputs(data: GuideData, site_dir: Path, epoch: int | None = None) -> list[tuple[str, str, str]]:
    """Everything the tools add to the built site, registered as downloads
    (``guidebook.downloads`` writes the manifest and the downloads page afterwards)."""
    site_dir = Path(site_dir)
    target = site_dir / CALCULATOR_DATA
    target.parent.mkdir(parents=True, exist_ok=True)
    text = calculator_json(data)
    target.write_text(text, encoding="utf-8")
    # `<`, `>`, `&`, U+2028/9 are escaped, so the JSON is also a safe JavaScript literal
    (site_dir / CALCULATOR_SCRIPT).write_text(f"window.KlikIIDData = {text.strip()};\n", encoding="utf-8")
    entries = [(CALCULATOR_DATA, "Data kalkulator IID: bobot, parameter, dan predikat tiap edisi", "data")]
    entries += worksheets.write_outputs(data, site_dir, epoch)
    for path, title, kind in entries:
        downloads.register(site_dir, path, title=title, kind=kind)
    return entries
