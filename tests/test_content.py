"""What an editor of the guide's content would check: the chapters, not the machinery.

Every chapter carries a title and a one-sentence description; chapters end with a
checklist and their references; every acronym a reader meets is explained in the
glossary; no placeholder text; the region is named only in its own pages.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from guidebook.data import load_guide_data

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
DATA = ROOT / "guide_data"

# Back matter and the home page: lists, answers and credits rather than chapters, so
# they need no "Daftar periksa" of their own.
BACK_MATTER = {"index.md", "glosarium.md", "sumber.md", "faq.md", "tentang.md", "adaptasi.md", "aksesibilitas.md",
               "daerah/regulasi.md", "daerah/kontak.md", "unduh.md"}
# Working tools (calculator, checklists, templates): pages to use, not chapters to read.
TOOL_PAGES = ("alat/",)
# The only places that may name the region (see README: what a fork edits).
REGION_PAGES = ("daerah/", "tentang.md")

# Capitalised tokens that are not acronyms needing a gloss: Roman numerals.
NOT_ACRONYMS = {"II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII"}
# Bibliographic text (titles and publishers of cited works, as published) is not the
# guide's own prose; code is not prose either.
SKIP_CLASSES = {"klik-cite", "klik-references", "klik-sources", "md-source", "headerlink",
                "klik-downloads"}  # the generated file list: names, formats, sizes (KB, MB)
SKIP_TAGS = {"code", "pre", "script", "style"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

PLACEHOLDERS = [
    (re.compile(r"lorem\s+ipsum", re.I), "lorem ipsum"),
    (re.compile(r"\b(TODO|TBD|FIXME)\b"), "TODO/TBD/FIXME"),
    (re.compile(r"isi\s+di\s+sini", re.I), "isi di sini"),
    (re.compile(r"\bx{3,}\b", re.I), "xxx"),
    (re.compile(r"\[(judul|nama|angka|isi)[^\]]*\]", re.I), "[isian kosong]"),
]


def markdown_pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    assert match, f"{path.relative_to(ROOT)}: tidak ada front matter YAML di baris pertama"
    return yaml.safe_load(match.group(1)) or {}


class ArticleText(HTMLParser):
    """Collects the visible text of a page's article, minus the skipped parts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipping)
        self.in_article = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID_TAGS:
            return
        classes = set((dict(attrs).get("class") or "").split())
        parent_skip = self.stack[-1][1] if self.stack else False
        skip = parent_skip or tag in SKIP_TAGS or bool(classes & SKIP_CLASSES)
        if tag == "article":
            self.in_article += 1
        self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        if tag in VOID_TAGS:
            return
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == "article":
                self.in_article -= 1
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.in_article and not (self.stack and self.stack[-1][1]):
            self.parts.append(data)


def article_text(page: Path) -> str:
    parser = ArticleText()
    parser.feed(page.read_text(encoding="utf-8"))
    return " ".join(parser.parts)


def built_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("index.html") if p.parent.name != "404")


def glossary_tokens() -> set[str]:
    known = set(NOT_ACRONYMS)
    for term in load_guide_data().items("terms"):
        for name in [term.term, *term.get("synonyms", ())]:
            known.update(re.findall(r"[A-Za-z]+", name))
    return known


# --------------------------------------------------------------- the tests


def test_every_page_has_a_title_and_a_one_sentence_description():
    for page in markdown_pages():
        meta = front_matter(page)
        rel = page.relative_to(DOCS)
        assert isinstance(meta.get("title"), str) and meta["title"].strip(), f"{rel}: `title` kosong"
        desc = meta.get("description")
        assert isinstance(desc, str) and desc.strip(), f"{rel}: `description` kosong"
        sentences = re.findall(r"[.!?](?:\s|$)", desc.strip())
        assert len(sentences) == 1 and desc.strip()[-1] in ".!?", f"{rel}: `description` harus tepat satu kalimat: {desc!r}"


def test_no_placeholder_text_in_docs_or_data():
    files = markdown_pages() + sorted(DATA.rglob("*.yml"))
    found = []
    for path in files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for pattern, label in PLACEHOLDERS:
                if pattern.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{n}: {label}: {line.strip()}")
    assert not found, "Teks pengganti tertinggal:\n" + "\n".join(found)


def test_region_is_named_only_in_its_own_pages():
    name = load_guide_data().region.region.name
    pattern = re.compile(rf"\b{re.escape(name)}\b", re.I)
    offenders = []
    for page in markdown_pages():
        rel = page.relative_to(DOCS).as_posix()
        if rel.startswith(REGION_PAGES):
            continue
        for n, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
            # Source ids are identifiers no reader sees; the source's own title may name a place.
            if pattern.search(re.sub(r"sumber\([^)]*\)", "", line)):
                offenders.append(f"docs/{rel}:{n}")
    assert not offenders, (f"Nama daerah `{name}` ditulis langsung di luar docs/daerah/ dan docs/tentang.md; "
                           "pakai variabel {{ region... }}: " + ", ".join(offenders))


def test_every_acronym_a_reader_sees_is_in_the_glossary(built_site):
    known = glossary_tokens()
    missing: dict[str, set[str]] = {}
    for page in built_pages(built_site):
        text = article_text(page)
        text = re.sub(r"\S*\d\S*/\S*", " ", text)  # document numbers like 400.10.11/2704/SJ
        for token in re.findall(r"\b[A-Z][A-Z]+\b", text):
            if token not in known:
                missing.setdefault(token, set()).add(page.parent.relative_to(built_site).as_posix() or "/")
    assert not missing, "Akronim belum ada di guide_data/glossary.yml: " + "; ".join(
        f"{t} (di {', '.join(sorted(pages))})" for t, pages in sorted(missing.items()))


def test_glossary_has_an_expansion_for_every_acronym():
    for term in load_guide_data().items("terms"):
        if term.get("acronym"):
            assert term.get("expansion"), f"glossary.yml: `{term.id}` ditandai akronim tetapi tidak punya `expansion`"
            assert term.get("sources"), f"glossary.yml: `{term.id}` tidak menyebut sumber"


def built_page_for(site: Path, rel: str) -> Path:
    """docs/a/b.md -> site/a/b/index.html; docs/a/index.md -> site/a/index.html."""
    stem = rel[:-3]
    stem = stem[: -len("index")] if stem == "index" or stem.endswith("/index") else stem + "/"
    return site / stem / "index.html"


def headings(page: Path, level: int = 2) -> list[str]:
    raw = re.findall(rf"<h{level}[^>]*>(.*?)</h{level}>", page.read_text(encoding="utf-8"), re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", h)).replace("¶", "").strip() for h in raw]


def test_chapters_end_with_a_checklist_then_their_references(built_site):
    for source in markdown_pages():
        rel = source.relative_to(DOCS).as_posix()
        if rel in BACK_MATTER or rel.startswith(TOOL_PAGES):
            continue
        page = built_page_for(built_site, rel)
        html_text = page.read_text(encoding="utf-8")
        assert headings(page)[-2:] == ["Daftar periksa", "Rujukan"], f"{rel}: bab harus diakhiri 'Daftar periksa' lalu 'Rujukan'"
        checklist = html_text.split('id="daftar-periksa"', 1)[1].split('id="rujukan"', 1)[0]
        assert checklist.count("task-list-item") >= 3, f"{rel}: daftar periksa perlu paling sedikit tiga butir tugas"
        references = html_text.split('id="rujukan"', 1)[1]
        assert 'class="klik-references"' in references, f"{rel}: bagian Rujukan kosong; tulis {{{{ rujukan() }}}}"


def test_every_citation_on_a_page_appears_in_its_reference_list(built_site):
    """Citations made inside data fragments (taxonomy, regulations, cards) count too."""
    checked = 0
    for page in built_pages(built_site):
        text = page.read_text(encoding="utf-8")
        if 'class="klik-references"' not in text:
            continue
        body, refs = text.rsplit('class="klik-references"', 1)
        cited = set(re.findall(r'class="klik-cite">.*?</sup>', body, re.S))
        cited_ids = set()
        for sup in cited:
            cited_ids.update(re.findall(r"#sumber-([a-z0-9_-]+)", sup))
        ref_list = refs.split("</ol>", 1)[0]
        # an entry links to the page that lists the source, or is that listing itself
        listed = set(re.findall(r'(?:#|id=")sumber-([a-z0-9_-]+)', ref_list))
        assert cited_ids == listed, f"{page.relative_to(built_site)}: rujukan tidak cocok: kurang {cited_ids - listed}, lebih {listed - cited_ids}"
        checked += 1
    assert checked >= 10


def test_every_source_can_be_looked_up():
    for source in load_guide_data().items("sources"):
        assert source.get("url") or source.get("note"), (
            f"sources.yml: `{source.id}` tidak punya `url`; tambahkan alamatnya, atau `note` yang menjelaskan cara menemukannya")


def test_worked_example_practises_the_word_minimum(built_site):
    """The illustrative rancang bangun in the proposal chapter meets the minimum it teaches
    (the minimum comes from the newest edition's requirements)."""
    minimum = load_guide_data().items("editions")[-1].requirements.design_min_words.value
    page = (built_site / "proposal" / "index.html").read_text(encoding="utf-8")
    block = page.split('class="klik-rancang-bangun"', 1)[1].split("</div>", 1)[0]
    words = re.findall(r"\w+(?:-\w+)*", html.unescape(re.sub(r"<[^>]+>", " ", block)))
    assert len(words) >= minimum, f"contoh rancang bangun hanya {len(words)} kata, kurang dari {minimum}"


def test_illustrative_example_is_marked_as_fiction(built_site):
    page = (built_site / "proposal" / "index.html").read_text(encoding="utf-8")
    before = page.split('class="klik-example"', 1)[0]
    assert 'class="admonition example"' in before[-3000:], "contoh rekaan harus didahului admonition penjelas"
    assert "rekaan" in before[-3000:].lower()


@pytest.mark.parametrize("stage", ["inisiatif", "uji-coba", "penerapan"])
def test_stage_pages_render_their_checklist_from_data(built_site, stage):
    page = built_site / "tahapan" / stage / "index.html"
    text = html.unescape(page.read_text(encoding="utf-8"))
    for item in load_guide_data().get("stages", stage).checklist:
        assert item.text in text, f"tahapan/{stage}: butir daftar periksa `{item.id}` tidak tampil"
