"""The printed handbook's structure and HTML, independent of the PDF engine.

In: every web page's content as MkDocs rendered it (after macros) and the site
navigation. Out: one HTML document with cover, imprint, table of contents,
introduction, numbered parts and chapters and back matter, written with our own
template (``templates/book/book.html``), never with the theme's page HTML.
``guidebook/pdf.py`` turns it into a PDF.

How the navigation becomes a book:

* the home page (``index.md``) is the introduction, in the front matter;
* the glossary and the source list (``render.PAGES``) are the back matter, in
  navigation order;
* a top-level page is a chapter; a top-level section is a part whose opening
  is the section's index page, and every other page below it (at any depth) is
  a chapter of that part. Chapters are numbered through the whole book;
* a page with ``pdf: false`` in its front matter is left out (the downloads
  page, for example). Links to pages outside the book point to the website.

Every id in a page is prefixed with the page's anchor, so ids stay unique and a
link to ``../sumber/#sumber-x`` becomes ``#p-sumber--sumber-x``.
"""
from __future__ import annotations

import copy
import posixpath
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit, urljoin

import segno
from markupsafe import Markup

from . import htmltree as ht
from .render import PAGES, render_document, slug

HOME = "index.md"
INTRO_TITLE = "Pengantar"  # the home page's heading is the book title, already on the cover
BACK_MATTER = (PAGES["glossary"], PAGES["sources"])
_BASE = "http://book.invalid/"  # resolves relative links; never fetched
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
_HEADINGS = {f"h{i}" for i in range(1, 7)}
_IDREF_ATTRS = ("for", "aria-labelledby", "aria-describedby", "aria-controls", "headers")
_RESOURCE_ATTRS = {"img": "src", "source": "src", "video": "src", "audio": "src", "iframe": "src",
                   "embed": "src", "object": "data", "track": "src", "input": "src"}
PAGE_SIZES = {
    # size -> margins (top, outer, bottom, inner), body font size, card columns, page height and
    # the tallest a figure may be (so it fits on a page below its heading)
    "A4": {"margin": ("22mm", "20mm", "24mm", "25mm"), "font": "10.5pt", "columns": 3, "height": "297mm",
           "figure": "195mm"},
    "A5": {"margin": ("16mm", "13mm", "18mm", "17mm"), "font": "9.5pt", "columns": 1, "height": "210mm",
           "figure": "135mm"},
}


class BookError(Exception):
    """The pages cannot become a book; the message says which page and how to fix it."""


@dataclass(frozen=True)
class WebPage:
    src: str                 # source path under docs/: "tahapan/inisiatif.md"
    url: str                 # site-relative URL: "tahapan/inisiatif/"
    title: str
    html: str                # the page's rendered Markdown (no theme around it)
    description: str = ""
    in_book: bool = True     # False: front matter says `pdf: false`


@dataclass(frozen=True)
class NavNode:
    title: str
    src: str | None = None               # a page, or None for a section
    children: tuple["NavNode", ...] = ()


@dataclass
class Section:
    anchor: str
    title: str


@dataclass
class Unit:
    """One opening in the book: the introduction, a part, a chapter or back matter."""

    kind: str                            # "intro" | "part" | "chapter" | "back"
    anchor: str                          # id of its title heading
    title_text: str
    title_html: Markup = Markup("")
    depth: int = 0                       # 1 for a chapter inside a part
    number: int | None = None
    page: WebPage | None = None
    body: Markup = Markup("")
    sections: list[Section] = field(default_factory=list)
    web_url: str | None = None
    qr: str | None = None

    @property
    def label(self) -> str:
        if self.kind == "chapter":
            return f"Bab {self.number}"
        if self.kind == "part":
            return f"Bagian {roman(self.number or 0)}"
        return ""

    @property
    def level(self) -> int:
        """Heading (and bookmark) level of the unit's title."""
        return 1 + self.depth

    @property
    def front(self) -> bool:
        return self.kind == "intro"


def roman(n: int) -> str:
    out = []
    for value, numeral in _ROMAN:
        count, n = divmod(n, value)
        out.append(numeral * count)
    return "".join(out)


def page_anchor(src: str) -> str:
    stem = src[:-3] if src.endswith(".md") else src
    return "p-" + (slug(stem) or "halaman")


# ------------------------------------------------------------------ planning


def _pages_in(node: NavNode):
    if node.src:
        yield node.src
    for child in node.children:
        yield from _pages_in(child)


def plan_book(nav: list[NavNode], pages: dict[str, WebPage]) -> list[Unit]:
    """Front matter, parts and chapters, back matter: in that order, without bodies yet."""
    intro: list[Unit] = []
    main: list[Unit] = []
    back: list[Unit] = []
    placed: set[str] = set()
    parts = chapters = 0

    def role(src: str | None) -> str | None:
        if not src or src in placed or src not in pages or not pages[src].in_book:
            return None
        if src == HOME:
            return "intro"
        if src in BACK_MATTER:
            return "back"
        return "chapter"

    anchors: set[str] = set()

    def unique(anchor: str) -> str:
        n, base = 1, anchor
        while anchor in anchors:  # "a-b.md" and "a/b.md" would share one
            n += 1
            anchor = f"{base}-{n}"
        anchors.add(anchor)
        return anchor

    def unit(src: str, kind: str, depth: int = 0, number: int | None = None) -> Unit:
        placed.add(src)
        page = pages[src]
        return Unit(kind=kind, anchor=unique(page_anchor(src)), title_text=page.title,
                    depth=depth, number=number, page=page)

    def side(src: str) -> bool:
        """Place the introduction and back matter wherever they sit in the nav."""
        kind = role(src)
        if kind == "intro":
            intro.append(unit(src, "intro"))
            intro[-1].title_text = INTRO_TITLE
        elif kind == "back":
            back.append(unit(src, "back"))
        return kind in ("intro", "back")

    for node in nav:
        srcs = list(_pages_in(node))
        for src in srcs:
            side(src)
        if node.src:
            if role(node.src) == "chapter":
                chapters += 1
                main.append(unit(node.src, "chapter", 0, chapters))
            continue
        first = node.children[0].src if node.children else None
        index = first if first and posixpath.basename(first) == "index.md" and role(first) else None
        members = [s for s in srcs if s != index and role(s) == "chapter"]
        if not members:
            if index:
                chapters += 1
                main.append(unit(index, "chapter", 0, chapters))
            continue
        parts += 1
        if index:
            main.append(unit(index, "part", 0, parts))
        else:
            main.append(Unit(kind="part", anchor=unique(f"bagian-{parts}"), title_text=node.title,
                             title_html=Markup.escape(node.title), number=parts))
        for src in members:
            chapters += 1
            main.append(unit(src, "chapter", 1, chapters))
    return intro + main + back


# ------------------------------------------------------------------ rewriting


@dataclass
class _Target:
    """Where a web page landed in the book (for rewriting links to it)."""

    anchor: str
    ids: set[str]
    title_id: str | None
    front: bool

    def resolve(self, fragment: str) -> str:
        fragment = unquote(fragment)
        if fragment and fragment != self.title_id and f"{self.anchor}--{fragment}" in self.ids:
            return f"{self.anchor}--{fragment}"
        return self.anchor


def _classes(el: ET.Element) -> list[str]:
    return (el.get("class") or "").split()


def _add_class(el: ET.Element, *names: str) -> None:
    el.set("class", " ".join(dict.fromkeys(_classes(el) + list(names))))


def _in_svg(el: ET.Element, parents: dict) -> bool:
    while el is not None:
        if isinstance(el.tag, str) and el.tag.startswith("{"):
            return True
        el = parents.get(el)
    return False


def _ancestors(el: ET.Element, parents: dict):
    el = parents.get(el)
    while el is not None:
        yield el
        el = parents.get(el)


def _page_key(url: str) -> str:
    """The same page whether a link says ``a/``, ``a/index.html`` or (without directory URLs) ``a.html``."""
    return url[: -len("index.html")] if url.endswith("index.html") else url


def _glue_before(el: ET.Element, parents: dict) -> None:
    """A no-break space before ``el`` keeps a citation mark on the line of its word."""
    parent = parents.get(el)
    if parent is None:
        return
    index = list(parent).index(el)
    if index:
        prev = parent[index - 1]
        if prev.tail and prev.tail[-1].isspace():
            prev.tail = prev.tail.rstrip() + "\u00a0"
    elif parent.text and parent.text[-1].isspace():
        parent.text = parent.text.rstrip() + "\u00a0"


def _short_url(url: str) -> str:
    return re.sub(r"^(?:https?://)?(?:www\.)?", "", url.strip()).rstrip("/").lower()


class _PageDoc:
    """One page's parsed HTML, its title heading taken out and its ids prefixed."""

    def __init__(self, unit: Unit):
        self.unit = unit
        page = unit.page
        self.root = ht.parse_fragment(page.html)
        parents = ht.parent_map(self.root)
        for a in [a for a in self.root.iter("a") if "headerlink" in _classes(a)]:
            ht.remove(a, parents)
        self._footnotes(ht.parent_map(self.root))
        parents = ht.parent_map(self.root)
        self.title_id = None
        h1 = next(self.root.iter("h1"), None)
        if h1 is not None:
            self.title_id = h1.get("id")
            if unit.kind != "intro":
                unit.title_html = Markup(ht.inner_html(h1).strip())
                unit.title_text = ht.text_content(h1) or unit.title_text
            ht.remove(h1, parents)
        if not unit.title_html:
            unit.title_html = Markup.escape(unit.title_text)
        prefix = unit.anchor
        self.ids: set[str] = set()
        parents = ht.parent_map(self.root)
        for el in self.root.iter():
            if not isinstance(el.tag, str) or _in_svg(el, parents):
                continue
            if el.get("id"):
                el.set("id", f"{prefix}--{el.get('id')}")
                self.ids.add(el.get("id"))
            for attr in _IDREF_ATTRS:
                if el.get(attr):
                    el.set(attr, " ".join(f"{prefix}--{i}" for i in el.get(attr).split()))

    def _footnotes(self, parents: dict) -> None:
        """Markdown footnotes become print footnotes at the bottom of their page."""
        notes: dict[str, ET.Element] = {}
        for div in [d for d in self.root.iter("div") if "footnote" in _classes(d)]:
            for li in div.iter("li"):
                for back in [a for a in li.iter("a") if "footnote-backref" in _classes(a)]:
                    ht.remove(back, ht.parent_map(li))
                body = li[0] if len(li) == 1 and li[0].tag == "p" and not (li.text or "").strip() else li
                note = ET.Element("span", {"class": "footnote"})
                note.text = body.text
                note.extend(list(body))
                if len(note):
                    note[-1].tail = (note[-1].tail or "").rstrip(" \u00a0\n")
                else:
                    note.text = (note.text or "").rstrip(" \u00a0\n")
                notes[li.get("id", "")] = note
            ht.remove(div, parents)
        for sup in list(self.root.iter("sup")):
            a = sup.find("a")
            if a is None or "footnote-ref" not in _classes(a):
                continue
            note = notes.get((a.get("href") or "").lstrip("#"))
            if note is None:
                continue
            tail = sup.tail
            sup.clear()
            sup.tag, sup.tail = "span", tail
            sup.set("class", "footnote")
            sup.text = note.text
            sup.extend(copy.deepcopy(list(note)))

    def rewrite(self, targets: dict[str, _Target], site_url: str) -> None:
        unit, page = self.unit, self.unit.page
        parents = ht.parent_map(self.root)
        # headings: shift under the unit's title; the page's h2 are its sections
        shift = unit.level - 1
        for el in list(self.root.iter()):
            if el.tag not in _HEADINGS or _in_svg(el, parents):
                continue
            level = max(int(el.tag[1]), 2)
            if not el.get("id"):
                el.set("id", f"{unit.anchor}--judul-{len(self.ids) + 1}")
                self.ids.add(el.get("id"))
            el.tag = f"h{min(level + shift, 6)}"
            if level == 2 and not self._minor(el, parents):
                _add_class(el, f"bm{unit.level + 1}")
                unit.sections.append(Section(el.get("id"), ht.text_content(el)))
        for sup in self.root.iter("sup"):
            if "klik-cite" in _classes(sup):
                _glue_before(sup, parents)
        for el in list(self.root.iter()):
            tag = el.tag if isinstance(el.tag, str) else ""
            if tag == "a" and el.get("href") is not None:
                self._link(el, parents, targets, site_url)
            attr = _RESOURCE_ATTRS.get(tag)
            if attr and el.get(attr):
                self._resource(el, attr)
            if tag in ("img", "source"):
                el.attrib.pop("srcset", None)
                el.attrib.pop("loading", None)

    @staticmethod
    def _minor(heading: ET.Element, parents: dict) -> bool:
        """Headings left out of the TOC and bookmarks: inside cards, or over a reference list."""
        if any("klik-card" in _classes(a) for a in _ancestors(heading, parents)):
            return True
        siblings = list(parents[heading])
        following = siblings[siblings.index(heading) + 1:]
        return bool(following) and "klik-references" in _classes(following[0])

    def _resource(self, el: ET.Element, attr: str) -> None:
        value = el.get(attr).strip()
        parts = urlsplit(value)
        if parts.scheme == "data":
            return
        if parts.scheme or parts.netloc:
            raise BookError(
                f"Halaman docs/{self.unit.page.src} memuat berkas dari luar situs: {value}\n"
                "Buku PDF (dan situs) tidak boleh mengambil apa pun dari host lain. "
                "Perbaikan: simpan berkas itu di dalam folder docs/ dan tautkan dengan jalur relatif.")
        resolved = urlsplit(urljoin(_BASE + self.unit.page.url, value))
        el.set(attr, unquote(resolved.path.lstrip("/")))

    def _link(self, a: ET.Element, parents: dict, targets: dict[str, _Target], site_url: str) -> None:
        href = a.get("href").strip()
        parts = urlsplit(href)
        if parts.scheme in ("mailto", "tel"):
            return
        if parts.scheme or parts.netloc:
            return self._external(a, href, parents)
        resolved = urlsplit(urljoin(_BASE + self.unit.page.url, href))
        path = unquote(resolved.path.lstrip("/"))
        target = targets.get(_page_key(path))
        if target is None:  # a page left out of the book, or a file: the web version
            web = site_url + path + (f"#{resolved.fragment}" if resolved.fragment else "")
            a.set("href", web)
            return self._external(a, web, parents)
        a.set("href", "#" + target.resolve(resolved.fragment))
        around = list(_ancestors(a, parents))
        if any("klik-cite" in _classes(e) or e.tag in _HEADINGS for e in around) \
                or "footnote-ref" in _classes(a):
            return
        _add_class(a, "xref", *(["xref--front"] if target.front else []))

    def _external(self, a: ET.Element, url: str, parents: dict) -> None:
        _add_class(a, "external")
        if _short_url(ht.text_content(a)) == _short_url(url):
            _add_class(a, "url")
            return
        parent = parents[a]
        note = ET.Element("span", {"class": "link-note"})
        inline = any(e.tag in ("table", "figure", *_HEADINGS) or "footnote" in _classes(e)
                     for e in _ancestors(a, parents))
        if inline:  # footnotes cannot float out of these: print the URL after the link
            note.set("class", "link-inline")
            note.text = " ("
            url_el = ET.SubElement(note, "span", {"class": "url"})
            url_el.text = url
            url_el.tail = ")"
        else:
            url_el = ET.SubElement(note, "span", {"class": "url"})
            url_el.text = url
        note.tail, a.tail = a.tail, None
        parent.insert(list(parent).index(a) + 1, note)

    def html(self) -> Markup:
        return Markup(ht.inner_html(self.root))


def _qr_data_uri(url: str, title: str) -> str:
    qr = segno.make(url, error="m")
    return qr.svg_data_uri(scale=1, border=2, title=title, dark="#000", light="#fff")


def build_units(nav: list[NavNode], pages: dict[str, WebPage], site_url: str) -> list[Unit]:
    """Plan the book and rewrite every page's HTML for print."""
    units = plan_book(nav, pages)
    docs = [_PageDoc(u) for u in units if u.page is not None]
    targets = {_page_key(d.unit.page.url): _Target(d.unit.anchor, d.ids, d.title_id, d.unit.front)
               for d in docs}
    for doc in docs:
        doc.rewrite(targets, site_url)
        doc.unit.body = doc.html()
    for u in units:
        if u.page is not None and u.kind in ("part", "chapter"):
            u.web_url = site_url + u.page.url
            what = "bab" if u.kind == "chapter" else "bagian"
            u.qr = _qr_data_uri(u.web_url, f"Kode QR menuju versi web {what} ini: {u.web_url}")
    return units


# ------------------------------------------------------------------ assembly


@dataclass(frozen=True)
class BookMeta:
    """What the cover, imprint and PDF metadata say; all from region.yml."""

    region: object           # the region.yml Record
    date_iso: str            # build date, YYYY-MM-DD
    date_text: str           # the same, in Indonesian words
    commit: str | None       # git commit the book was built from
    page_size: str           # "A4" | "A5"
    logo_src: str            # site-relative path of the logo

    @property
    def keywords(self) -> str:
        r = self.region
        return ", ".join(dict.fromkeys([
            "inovasi daerah", "Indeks Inovasi Daerah", "IID", "klinik inovasi",
            r.clinic.acronym, r.clinic.name, r.region.full_name]))


def toc_entries(units: list[Unit]) -> list[dict]:
    rows = []
    for u in units:
        rows.append({"anchor": u.anchor, "label": u.label, "title": u.title_html, "kind": u.kind,
                     "depth": u.depth, "front": u.front})
        for s in u.sections:
            rows.append({"anchor": s.anchor, "label": "", "title": s.title, "kind": "section",
                         "depth": u.depth + 1, "front": u.front})
    return rows


def assemble(units: list[Unit], meta: BookMeta, stylesheets: list[str]) -> str:
    """The whole book as one HTML document (relative URLs are site paths)."""
    size = PAGE_SIZES[meta.page_size]
    return render_document(
        "book/book.html", units=units, toc=toc_entries(units), meta=meta,
        region=meta.region, book=meta.region.book, size=size, size_name=meta.page_size,
        stylesheets=stylesheets,
        home_qr=_qr_data_uri(meta.region.site.url, "Kode QR menuju versi web panduan ini"))
