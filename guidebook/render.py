"""HTML fragments rendered from the guide data, shared by the web pages and the PDF.

Every fragment comes from a Jinja template in ``guidebook/templates/`` with
autoescaping on, so nothing from the data reaches a page unescaped. Links inside
fragments are made relative to the page that shows them (``page_url``), so they
work on the site, in the offline copy and, once rewritten, in the PDF.
"""
from __future__ import annotations

import posixpath
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import jinja2
from markupsafe import Markup, escape

from .data import GuideData
from .diagrams import cycle_description, cycle_layout
from .fmt import FILTERS, long_date  # noqa: F401  (long_date is part of this module's API)

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

# Where the pages that fragments link to live (source paths under docs/).
PAGES = {
    "sources": "sumber.md",
    "glossary": "glosarium.md",
    "stage": "tahapan/{id}.md",  # one page per stage, named after its id
    "origin": "tentang.md",  # the origin credit's sources are listed there, not in sumber.md
}

# Diagram lines are drawn in a grey that reads on light and dark page backgrounds.
DIAGRAM_LINE = "#6b7280"

CONFIDENCE = {
    "C": ("terkonfirmasi", "Dinyatakan sumber resmi atau berita yang mengutip BSKDN/pemerintah daerah."),
    "C2": ("sumber daerah", "Hanya dari sumber daerah atau sumber sekunder."),
    "U": ("belum terverifikasi", "Belum terverifikasi: periksa dengan dokumen resmi tahun berjalan sebelum dipakai."),
}


def page_href(from_src: str | None, target_src: str, anchor: str = "") -> str:
    """Relative URL from the page built from ``from_src`` to ``target_src``.

    Both are source paths under ``docs/`` (``tahapan/inisiatif.md``); MkDocs'
    directory URLs turn ``a/b.md`` into ``a/b/`` and ``a/index.md`` into ``a/``.
    """
    def url_of(src: str) -> str:
        stem = src[:-3] if src.endswith(".md") else src
        if stem == "index" or stem.endswith("/index"):
            stem = stem[: -len("index")]
        else:
            stem += "/"
        return stem

    here = (url_of(from_src).rstrip("/") if from_src else "") or "."
    rel = posixpath.relpath(url_of(target_src) or ".", here)
    rel = "" if rel == "." else rel
    if rel and not rel.endswith("/"):
        rel += "/"
    return (rel or "./") + (f"#{anchor}" if anchor else "")


NUMBER_WORDS = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh")


def number_words(n: int) -> str:
    """Small whole numbers in words, as Indonesian prose writes them (EYD); digits above ten."""
    return NUMBER_WORDS[n] if isinstance(n, int) and 0 <= n < len(NUMBER_WORDS) else str(n)


def source_id_list(items) -> tuple[str, ...]:
    """Source ids from ids or source records (``region.origin.sources`` holds records)."""
    return tuple(s["id"] if isinstance(s, Mapping) else s for s in items)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,  # every template, whatever its name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["slug"] = slug
    env.filters["terbilang"] = number_words
    env.filters.update(FILTERS)  # angka, batas, tanggal, persen, md, lcfirst (guidebook.fmt)
    env.globals["CONFIDENCE"] = CONFIDENCE
    return env


def render_template(name: str, **context: Any) -> Markup:
    """Render one fragment; blank lines are dropped so Markdown keeps it one HTML block."""
    html = _env().get_template(name).render(**context)
    return Markup("\n".join(line for line in html.splitlines() if line.strip()))


def render_markdown(name: str, **context: Any) -> Markup:
    """Render a Markdown template (headings the table of contents picks up, with HTML
    blocks between them); blank lines are kept because Markdown needs them."""
    return Markup(_env().get_template(name).render(**context))


def render_document(name: str, **context: Any) -> str:
    """Render a whole document (the PDF book) as is: blank lines inside <pre> matter."""
    return _env().get_template(name).render(**context)


class Renderer:
    """The fragments one page can ask for. ``page_src`` is its source path under docs/."""

    def __init__(self, data: GuideData, page_src: str | None = None, on_cite=None):
        self.data = data
        self.page_src = page_src
        self._on_cite = on_cite  # told of every citation, so a page's reference list is complete
        self._numbers = {sid: i for i, sid in enumerate(data.index["sources"], start=1)}
        self._origin = {s.id for s in data.region.origin.sources}

    def href(self, target_src: str, anchor: str = "") -> str:
        return page_href(self.page_src, target_src, anchor)

    def _ctx(self, **extra: Any) -> dict:
        return {"data": self.data, "region": self.data.region, "href": self.href,
                "source_href": self.source_href, "source_number": self.source_number,
                "cite": self.cite, "lists_source_here": self.lists_source_here, **extra}

    # -- citations
    def source_number(self, source_id: str) -> int:
        return self._numbers[source_id]

    def source_page(self, source_id: str) -> str:
        """The page that lists a source in full: the origin credit's sources stay on the
        "about" page, so a fork's source list names only its own region."""
        return PAGES["origin"] if source_id in self._origin else PAGES["sources"]

    def source_href(self, source_id: str) -> str:
        return self.href(self.source_page(source_id), f"sumber-{source_id}")

    def lists_source_here(self, source_id: str) -> bool:
        return self.source_page(source_id) == self.page_src

    def cite(self, *source_ids: str | Mapping) -> Markup:
        """Inline citation marks like [3], with the confidence shown where it is not C.

        Takes source ids, or source records (``region.origin.sources``)."""
        source_ids = source_id_list(source_ids)
        missing = [s for s in source_ids if s not in self.data.index["sources"]]
        if missing or not source_ids:
            raise KeyError(f"sumber tidak dikenal: {', '.join(missing) or '(kosong)'}; "
                           "tambahkan ke guide_data/sources.yml atau perbaiki id-nya")
        sources = [self.data.get("sources", s) for s in source_ids]
        if self._on_cite is not None:
            self._on_cite(source_ids)
        return render_template("cite.html", **self._ctx(sources=sources)).replace("\n", "")

    def confidence(self, level: str) -> Markup:
        return render_template("confidence.html", level=level).replace("\n", "")

    # -- blocks
    def stage_cards(self) -> Markup:
        return render_template("stage_cards.html", **self._ctx(stages=self.data.items("stages")))

    def stage_detail(self, stage_id: str) -> Markup:
        return render_template("stage_detail.html", **self._ctx(stage=self.data.get("stages", stage_id)))

    def glossary_table(self) -> Markup:
        terms = sorted(self.data.items("terms"), key=lambda t: t.term.lower())
        return render_template("glossary.html", **self._ctx(terms=terms))

    def source_list(self) -> Markup:
        listed = [s for s in self.data.items("sources") if self.source_page(s.id) == PAGES["sources"]]
        return render_template("sources.html", **self._ctx(sources=listed))

    def reference_list(self, source_ids: list[str]) -> Markup:
        ordered = sorted(source_ids, key=self.source_number)  # same order as the full source list
        sources = [self.data.get("sources", s) for s in ordered]
        return render_template("references.html", **self._ctx(sources=sources))

    def regulation_list(self) -> Markup:
        return render_template("regulations.html", **self._ctx(regulations=self.data.items("regulations")))

    def stage_checklist(self, stage_id: str) -> Markup:
        """A stage's checklist as Markdown task-list lines, so it prints like every chapter's list."""
        stage = self.data.get("stages", stage_id)
        lines = []
        for item in stage.checklist:
            hint = f" ({escape(item.hint)})" if item.get("hint") else ""
            lines.append(f"- [ ] {escape(item.text)}{hint}")
        return Markup("\n".join(lines))

    def stage_href(self, stage_id: str) -> str:
        return self.href(PAGES["stage"].format(id=stage_id))

    def labinov_cycle(self, with_cards: bool = True) -> Markup:
        """The LAN Laboratorium Inovasi cycle: an SVG diagram, then one card per phase."""
        labinov = self.data.labinov
        phases = tuple(sorted(labinov.phases, key=lambda p: p.order))
        ring = [p for p in phases if not p.get("extra")]
        hub = next((p for p in phases if p.get("extra")), None)
        # Ids stay unique when the PDF joins every page into one document.
        uid = "siklus-" + slug(labinov.method.short_name) + "-" + slug(self.page_src or "x")
        diagram = render_template(
            "cycle_diagram.svg", layout=cycle_layout(phases), uid=uid,
            title=f"Siklus {labinov.method.name} ({labinov.method.short_name})",
            description=cycle_description(phases), box_color=self.data.region.colors.primary,
            hub_color=self.data.region.colors.accent, line_color=DIAGRAM_LINE)
        return render_template("labinov.html", **self._ctx(
            method=labinov.method, phases=phases, ring=ring, hub=hub, diagram=diagram, uid=uid,
            with_cards=with_cards, stage_href=self.stage_href))
    def region_contacts(self) -> Markup:
        return render_template("region_contacts.html", **self._ctx(contacts=self.data.region.get("contacts", ())))

    def local_regulations(self) -> Markup:
        return render_template("local_regulations.html",
                               **self._ctx(regulations=self.data.region.get("local_regulations", ())))

    def taxonomy(self, group: str) -> Markup:
        return render_template("taxonomy.html", **self._ctx(group=group, items=self.data.items(group)))
