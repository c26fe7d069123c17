"""Search that understands Indonesian: a Pagefind index of the built site.

Three steps, all at build time, nothing extra for readers to download:

1. ``mark_page`` (an MkDocs hook) marks each page's article as the only text to
   index and tags it with its part of the guide (its top-level nav section),
   which becomes a Pagefind filter.
2. ``index_site`` reads the built pages and, in memory only, appends to each
   article a block of index-only words before handing the page to Pagefind:

   * the dictionary roots of its words (PySastrawi) plus every other form of
     those roots used anywhere in the guide, so "nilai" finds "penilaian" and
     "penilaian" finds a page that only says "nilai", even where the prefix
     changes the first sound (peN- + kembang = pengembangan), which Pagefind's
     own stemmer misses;
   * the other names of each glossary term the page uses (term, expansion,
     synonyms from ``glossary.yml``), so "OPD" finds "perangkat daerah".

   The served HTML never contains these words, and they weigh less than the
   page's own text. The block starts with ``MARK`` and lists groups
   ``heads -> extras``: the words the page really uses, then the words that
   should find them. The search box cuts each result's text at ``MARK`` and,
   when a query only matched an extra, highlights the page's own head words.
3. ``measure_first_search`` reports the bytes a reader downloads for a first
   search (for ``make bench``).
"""
from __future__ import annotations

import html
import logging
import re
import shutil
import time
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Mapping

from . import timing
from .data import GuideData, load_guide_data

log = logging.getLogger("mkdocs.plugins.klik.search")

LANGUAGE = "id"
BUNDLE_DIR = "pagefind"      # inside the site: where Pagefind writes its files
FILTER_PART = "part"         # Pagefind filter: the part of the guide a page is in
# Index-only block: MARK, then groups "head | head -> extra extra", joined by GROUP.
# None of these is a word, so none is indexed; each counts as one word position.
MARK, ALTERNATIVE, ARROW, GROUP = "\u2042", "|", "\u2192", "\u00b7"   # ⁂ | → ·
ALIAS_WEIGHT = 0.5           # below body text (1.0) and headings (2.0 to 7.0)
# Not worth indexing inside an article (besides what an author marks with
# data-pagefind-ignore): heading permalinks, footnote back links, the edit
# button, citation marks ("[12]") and a chapter's reference list (the sources
# page lists them all).
EXCLUDE_CLASSES = ("headerlink", "footnote-backref", "md-content__button", "md-source-file",
                   "klik-cite", "klik-references")
EXCLUDE_SELECTORS = tuple("." + c for c in EXCLUDE_CLASSES)
MIN_WORD = 3                 # shorter tokens are particles and abbreviations
# Pagefind also writes its ready-made UIs; our box uses only its search API.
UNUSED_BUNDLE_FILES = ("pagefind-ui.*", "pagefind-modular-ui.*", "pagefind-component-ui.*",
                       "pagefind-highlight.js", "wasm.unknown.pagefind")

ARTICLE_OPEN = re.compile(r'<article class="md-content__inner md-typeset"')
WORD = re.compile(r"[^\W\d_]+")
DESCRIPTION_META = re.compile(r'<meta name="description"')


class SearchIndexError(Exception):
    """The index could not be built; the message is for the editor (Indonesian)."""


# ------------------------------------------------------------ page marking


def page_part(page) -> str:
    """The page's part of the guide: its top-level nav section, else its own title.

    New top-level sections get their own filter without any change here.
    """
    ancestors = list(page.ancestors)
    top = ancestors[-1] if ancestors else page
    return str(top.title or page.title or "").strip()


def mark_page(output: str, page) -> str:
    """Mark Material's article as the page's searchable body, tagged with its part.

    A page opts out with ``search: {exclude: true}`` in its front matter.
    """
    meta = page.meta or {}
    if isinstance(meta.get("search"), dict) and meta["search"].get("exclude"):
        return output
    attrs = (f' data-pagefind-body data-pagefind-filter="{FILTER_PART}[data-part]"'
             f' data-part="{html.escape(page_part(page), quote=True)}"')
    return ARTICLE_OPEN.sub(lambda m: m.group(0) + attrs, output, count=1)


def client_config() -> dict:
    """What the search box needs to know about the index (JSON in the header)."""
    return {"bundle": BUNDLE_DIR + "/", "filter": FILTER_PART,
            "mark": MARK, "alternative": ALTERNATIVE, "arrow": ARROW, "group": GROUP}


# --------------------------------------------------------------- morphology


@lru_cache(maxsize=1)
def _stemmer():
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=None)
def root_of(word: str) -> str:
    """Dictionary root of one lower-case word ("pengembangan" -> "kembang")."""
    root = _stemmer().stem(word)
    return root if WORD.fullmatch(root or "") else word


@lru_cache(maxsize=1)
def _snowball():
    import snowballstemmer

    return snowballstemmer.stemmer("indonesian")


@lru_cache(maxsize=None)
def pagefind_stem(word: str) -> str:
    """The stem Pagefind indexes (Snowball Indonesian): "penilaian" -> "ilai"."""
    return _snowball().stemWord(word)


def pagefind_finds(query: str, words: Iterable[str]) -> bool:
    """Whether Pagefind alone matches ``query`` to one of ``words``.

    It compares stems and lets a query stem match the start of a longer one.
    """
    stem = pagefind_stem(query)
    return any(pagefind_stem(w).startswith(stem) for w in words)


def words_of(text: str) -> list[str]:
    return [w for w in WORD.findall(text.lower()) if len(w) >= MIN_WORD]


def word_families(pages: Iterable[Iterable[str]]) -> dict[str, frozenset[str]]:
    """root -> every form of it used in the guide (the root itself included)."""
    families: dict[str, set[str]] = {}
    for words in pages:
        for word in set(words):
            families.setdefault(root_of(word), set()).add(word)
    return {root: frozenset(forms | {root}) for root, forms in families.items()}


@dataclass(frozen=True)
class Alias:
    """Words a page uses (``heads``) and other words that should find it (``extras``)."""

    heads: tuple[str, ...]
    extras: tuple[str, ...]


def morphology_aliases(words: Iterable[str], families: Mapping[str, frozenset[str]]) -> list[Alias]:
    """For each root the page uses: its forms here -> the root and its forms elsewhere.

    Forms that Pagefind's own stemmer already matches are left out.
    """
    present = set(words)
    by_root: dict[str, list[str]] = {}
    for word in present:
        by_root.setdefault(root_of(word), []).append(word)
    aliases = []
    for root in sorted(by_root):
        forms = by_root[root]
        extras = {w for w in families.get(root, frozenset({root})) - present
                  if not pagefind_finds(w, forms)}
        if extras:
            aliases.append(Alias(tuple(sorted(by_root[root])), tuple(sorted(extras))))
    return aliases


# ------------------------------------------------------- glossary synonyms


@dataclass(frozen=True)
class NameGroup:
    """All names of one glossary term: acronym, expansion, synonyms."""

    names: tuple[str, ...]
    patterns: tuple[re.Pattern, ...]

    def found_in(self, text: str) -> set[str]:
        return {n for n, p in zip(self.names, self.patterns) if p.search(text)}


def _name_pattern(name: str) -> re.Pattern:
    body = r"\s+".join(re.escape(part) for part in name.split())
    # "SK", "OPD", "IGA": only in capitals, or ordinary words ("iga") would match.
    flags = 0 if name.isupper() else re.IGNORECASE
    return re.compile(rf"(?<!\w){body}(?!\w)", flags)


def name_groups(data: GuideData) -> tuple[NameGroup, ...]:
    groups = []
    for term in data.items("terms"):
        names = [term.term, term.get("expansion"), *term.get("synonyms", ())]
        names = list(dict.fromkeys(n.strip() for n in names if n and n.strip()))
        if len(names) > 1:
            groups.append(NameGroup(tuple(names), tuple(_name_pattern(n) for n in names)))
    return tuple(groups)


def synonym_aliases(text: str, groups: Iterable[NameGroup]) -> list[Alias]:
    """For each glossary term the text names: the names used -> the other names."""
    aliases = []
    for group in groups:
        found = group.found_in(text)
        if found:
            aliases.append(Alias(tuple(n for n in group.names if n in found),
                                 tuple(n for n in group.names if n not in found)))
    return aliases


def alias_block(aliases: Iterable[Alias]) -> str:
    """The index-only text (empty when there is nothing to add)."""
    groups = [f" {ALTERNATIVE} ".join(a.heads) + f" {ARROW} " + " ".join(a.extras) for a in aliases]
    return f"{MARK} " + f" {GROUP} ".join(groups) if groups else ""


# ------------------------------------------------------------ reading pages


class _ArticleText(HTMLParser):
    """Text of the element carrying data-pagefind-body, and where it closes.

    Skips what Pagefind does not index either, so roots come only from indexed text.
    """

    SKIP_TAGS = {"script", "style", "template", "svg", "noscript", "nav", "footer", "form"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tag: str | None = None       # the body element's tag, once found
        self.depth = 0
        self.skip: str | None = None      # tag of the element being skipped
        self.skip_depth = 0
        self.end: tuple[int, int] | None = None
        self.parts: list[str] = []

    def _skipped(self, tag: str, attrs) -> bool:
        if tag in self.SKIP_TAGS:
            return True
        attrs = dict(attrs)
        return "data-pagefind-ignore" in attrs or bool(
            set((attrs.get("class") or "").split()) & set(EXCLUDE_CLASSES))

    def handle_starttag(self, tag, attrs):
        if self.end is not None:
            return
        if self.tag is None:
            if any(name == "data-pagefind-body" for name, _ in attrs):
                self.tag, self.depth = tag, 1
            return
        if tag == self.tag:
            self.depth += 1
        if self.skip is not None:
            self.skip_depth += tag == self.skip
        elif self._skipped(tag, attrs):
            self.skip, self.skip_depth = tag, 1

    def handle_endtag(self, tag):
        if self.tag is None or self.end is not None:
            return
        if self.skip is not None and tag == self.skip:
            self.skip_depth -= 1
            if self.skip_depth == 0:
                self.skip = None
        if tag == self.tag:
            self.depth -= 1
            if self.depth == 0:
                self.end = self.getpos()

    def handle_data(self, data):
        if self.tag is not None and self.end is None and self.skip is None:
            self.parts.append(data)


@dataclass
class SourcePage:
    path: Path            # relative to the site folder
    html: str
    text: str             # the article's text
    end: int              # offset of the article's closing tag in html


def read_page(site_dir: Path, path: Path) -> SourcePage | None:
    source = path.read_text(encoding="utf-8")
    if "data-pagefind-body" not in source:
        return None
    parser = _ArticleText()
    parser.feed(source)
    parser.close()
    if parser.end is None:
        return None
    line, col = parser.end
    offset = sum(len(l) + 1 for l in source.split("\n")[: line - 1]) + col  # as HTMLParser counts
    return SourcePage(path.relative_to(site_dir), source, " ".join(parser.parts), offset)


def augment(page: SourcePage, aliases: list[Alias]) -> str:
    """The page as Pagefind sees it: description as metadata, index-only words."""
    block = alias_block(aliases)
    if block:
        block = f'<div data-pagefind-weight="{ALIAS_WEIGHT}">{html.escape(block, quote=False)}</div>'
    source = page.html[: page.end] + block + page.html[page.end:]
    return DESCRIPTION_META.sub('<meta data-pagefind-meta="description[content]" name="description"',
                                source, count=1)


# ----------------------------------------------------------------- indexing


@dataclass(frozen=True)
class IndexStats:
    pages: int
    extra_words: int      # index-only words (extras) added over all pages
    seconds: float
    bundle_bytes: int
    reused: bool = False  # the same documents were indexed before: the bundle came from the cache

    def summary(self) -> str:
        return (f"Indeks pencarian: {self.pages} halaman, {self.extra_words} kata bantu "
                f"(akar kata dan sinonim), {self.bundle_bytes / 1024:.0f} KB, {self.seconds:.1f} detik"
                + (" (dipakai ulang dari cache)." if self.reused else "."))


def index_site(site_dir: Path, data: GuideData, root: Path | None = None) -> IndexStats:
    """Write the Pagefind bundle into ``site_dir/pagefind`` or raise SearchIndexError.

    With ``root`` (the project), an unchanged index is reused from ``.cache/``.
    """
    start = time.perf_counter()
    site_dir = Path(site_dir)
    bundle = site_dir / BUNDLE_DIR
    pages = [p for p in (read_page(site_dir, f) for f in sorted(site_dir.rglob("*.html"))
                         if not f.is_relative_to(bundle)) if p]
    if not pages:
        raise SearchIndexError(
            "Tidak ada halaman yang ditandai untuk pencarian (atribut data-pagefind-body). "
            "Perbaikan: pastikan guidebook/hooks.py memanggil search.mark_page di on_post_page "
            "dan templat Material masih memakai <article class=\"md-content__inner md-typeset\">.")
    page_words = [words_of(p.text) for p in pages]
    families = word_families(page_words)
    groups = name_groups(data)
    documents, extra_count = [], 0
    for page, words in zip(pages, page_words):
        aliases = morphology_aliases(words, families) + synonym_aliases(page.text, groups)
        extra_count += sum(len(a.extras) for a in aliases)
        documents.append((page.path, augment(page, aliases)))
    reused = _pagefind_cached(documents, bundle, root) if root is not None else _pagefind(documents, bundle)
    size = sum(f.stat().st_size for f in bundle.rglob("*") if f.is_file())
    return IndexStats(len(pages), extra_count, time.perf_counter() - start, size, reused)


def _pagefind(documents: list[tuple[Path, str]], bundle: Path) -> bool:
    _run_pagefind(documents, bundle)
    for pattern in UNUSED_BUNDLE_FILES:
        for unused in bundle.glob(pattern):
            unused.unlink()
    return False


def _pagefind_cached(documents: list[tuple[Path, str]], bundle: Path, root: Path) -> bool:
    """``_pagefind`` through the content-hash cache (``guidebook/cache.py``).

    The key is everything Pagefind reads: the exact documents it indexes, its
    version and our options. The bundle is kept as one uncompressed tar file;
    return whether it came from the cache.
    """
    import tarfile
    from importlib.metadata import version

    from . import cache

    parts = [version("pagefind"), LANGUAGE, *EXCLUDE_SELECTORS, "|", *UNUSED_BUNDLE_FILES, "|"]
    for rel, source in documents:
        parts += [rel.as_posix(), source]
    archive = bundle.parent / f".{bundle.name}.tar"

    def produce(target: Path):
        _pagefind(documents, bundle)
        with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as tar:
            for f in sorted(p for p in bundle.rglob("*") if p.is_file()):
                info = tar.gettarinfo(str(f), arcname=f.relative_to(bundle).as_posix())
                info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
                with open(f, "rb") as fh:
                    tar.addfile(info, fh)
        return None, []

    try:
        _, reused = cache.cached_file("search", parts, archive, produce, root=root)
        if reused:
            shutil.rmtree(bundle, ignore_errors=True)
            bundle.mkdir(parents=True)
            with tarfile.open(archive) as tar:
                tar.extractall(bundle, filter="data")
    finally:
        archive.unlink(missing_ok=True)
    return reused


def _run_pagefind(documents: list[tuple[Path, str]], bundle: Path) -> None:
    """Index the augmented pages with the Pagefind command line.

    The pages go to a scratch folder that mirrors the site, so result URLs are
    the site's; the command has written every file when it exits.
    """
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory(prefix=".site.search-", dir=bundle.parent.parent) as scratch:
        for rel, source in documents:
            target = Path(scratch) / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(source, encoding="utf-8")
        command = [sys.executable, "-m", "pagefind", "--site", scratch, "--output-path", str(bundle),
                   "--force-language", LANGUAGE, "--quiet"]
        for selector in EXCLUDE_SELECTORS:
            command += ["--exclude-selectors", selector]
        done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0 or not (bundle / "pagefind-entry.json").is_file():
        raise SearchIndexError("Pagefind gagal membangun indeks pencarian:\n"
                               + (done.stderr or done.stdout).strip())


def _in_own_thread(work):
    """Run ``work`` in a fresh thread: Playwright's sync API refuses to start
    inside a running event loop (a test that already drives a browser)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


_preview: dict[str, Path] = {}  # `make serve`: the first build's index, kept for its rebuilds


def index_built_site(config, *, preview: bool = False) -> None:
    """MkDocs ``on_post_build``: index what was just built (also for ``mkdocs serve``).

    A build with Material's own search plugin (the offline copy) keeps lunr. In a live
    preview (``preview``) only the first build is indexed; rebuilds after an edit put
    that index back (about a second saved on every save; results for the edited page
    may lag until the next ``make serve`` or ``make build``).
    """
    import tempfile

    from mkdocs.exceptions import Abort

    if "material/search" in config.plugins:
        return
    target = Path(config["site_dir"]) / "pagefind"
    kept = _preview.get(str(target))
    if preview and kept is not None and kept.is_dir():
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(kept, target)
        log.info("Indeks pencarian: pratinjau memakai indeks dari awal `make serve` "
                 "(hasil untuk halaman yang baru disunting diperbarui oleh `make build`)")
        return
    root = Path(config.config_file_path).parent
    try:
        with timing.stage("search") as figures:
            stats = index_site(Path(config["site_dir"]), load_guide_data(root), root)
            figures.update(pages=stats.pages, bundle_bytes=stats.bundle_bytes, cached=stats.reused)
    except SearchIndexError as exc:
        raise Abort(str(exc)) from None
    log.info(stats.summary())
    if preview:
        import atexit

        holder = Path(tempfile.mkdtemp(prefix="klik-pratinjau-pagefind-"))
        atexit.register(shutil.rmtree, holder, True)
        kept = holder / "pagefind"
        shutil.copytree(target, kept)
        _preview[str(target)] = kept


# -------------------------------------------------------------- measuring


TYPING_DELAY_MS = 120  # a quick typist; slower typing searches less often


def measure_first_search(site_dir: Path, query: str = "inovasi", page_path: str = "/") -> dict:
    """What a reader downloads for a first search, from a cold cache.

    Serves ``site_dir`` on localhost, opens ``page_path`` in Debian's chromium,
    types ``query`` into the search box key by key (the box searches whenever
    typing pauses) and counts what the server sent from the first key on.
    Returns ``{"files", "bytes", "bytes_gzip", "page_load_search_files", "paths"}``:
    ``bytes`` as served, ``bytes_gzip`` if the host gzips text (Pagefind's index
    and wasm files are gzipped already), ``page_load_search_files`` the number
    of Pagefind files fetched by the page load alone (should be 0).
    """
    return _in_own_thread(lambda: _measure(Path(site_dir).resolve(), query, page_path))


def _measure(site_dir: Path, query: str, page_path: str) -> dict:
    import functools
    import gzip
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    served: list[tuple[str, int, int]] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            super().do_GET()
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            if path.is_file():
                body = path.read_bytes()
                served.append((self.path.split("?")[0], len(body), len(gzip.compress(body))))

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(site_dir)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    bundle = f"/{BUNDLE_DIR}/"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=["--no-sandbox", "--disable-background-networking"])
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}{page_path}")
            page.wait_for_load_state("networkidle")
            at_load = sum(1 for path, _, _ in served if path.startswith(bundle))
            mark = len(served)
            page.keyboard.press("/")
            page.keyboard.type(query, delay=TYPING_DELAY_MS)
            page.wait_for_function(
                "q => document.querySelector('#klik-search-status').textContent.includes(q)", arg=query)
            page.wait_for_load_state("networkidle")
            browser.close()
    finally:
        server.shutdown()
    fetched = [s for s in served[mark:] if s[0].startswith(bundle)]
    return {"files": len(fetched), "bytes": sum(s[1] for s in fetched),
            "bytes_gzip": sum(min(s[1], s[2]) for s in fetched),
            "page_load_search_files": at_load, "paths": [s[0] for s in fetched]}
