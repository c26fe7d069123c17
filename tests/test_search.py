"""Search: Indonesian morphology, glossary acronyms, ranking, filters, the search
box in a real browser, the lazy download, and the offline copy.

The query tests run on the guide plus a few test pages of our own (added to a
copy of the project), so they do not depend on chapter prose that may change.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import http.server
import json
import re
import threading
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from conftest import ROOT, copy_project
from guidebook import search
from guidebook.build import BuildError, build_site
from guidebook.data import load_guide_data

sync_api = pytest.importorskip("playwright.sync_api")

TEST_PART = "Uji pencarian"
TEST_PAGES = {
    # affixed forms only: "penilaian", "pengembangan" (never "nilai", "kembang")
    "penilaian.md": ("Tata cara penilaian",
                     "Penilaian usulan dilakukan setelah pengembangan purwarupa selesai."),
    # root forms only
    "dasar.md": ("Kata dasar",
                 "Tim memberi nilai untuk setiap gagasan. Program ini menjaga tumbuh kembang usaha warga."),
    # acronyms only
    "akronim.md": ("Singkatan saja",
                   "Laporan IID disusun OPD pengampu, ditetapkan dengan SK, lalu dibahas tim RB."),
    # expansions only
    "kepanjangan.md": ("Kepanjangan saja",
                       "Laporan Indeks Inovasi Daerah disusun perangkat daerah pengampu, ditetapkan "
                       "dengan surat keputusan, lalu dibahas tim reformasi birokrasi."),
    # the word only in the title ...
    "kalibrasi.md": ("Kalibrasi alat ukur",
                     "Bagian ini menjelaskan cara memeriksa timbangan dan meteran sebelum dipakai "
                     "di lapangan, supaya angka yang dicatat petugas dapat dipercaya."),
    # ... and only in passing, in a body of similar length
    "sebutan.md": ("Catatan lapangan",
                   "Petugas mencatat hasil pengukuran setiap pagi; sesekali kalibrasi juga "
                   "dicatat di buku yang sama sebelum dikirim ke kantor."),
    "tersembunyi.md": ("Halaman tanpa pencarian", "Kata zirkonium hanya ada di halaman ini."),
}
# A glossary term added in the test project: acronyms come from the data, not code.
NEW_TERM = """  - id: rb
    term: RB
    expansion: reformasi birokrasi
    acronym: true
    definition: Upaya pembenahan cara kerja birokrasi pemerintah.
"""


def make_search_project(dest: Path) -> Path:
    proj = copy_project(dest)
    pages = proj / "docs" / "uji-cari"
    pages.mkdir()
    for name, (title, body) in TEST_PAGES.items():
        extra = "search:\n  exclude: true\n" if name == "tersembunyi.md" else ""
        (pages / name).write_text(f"---\ndescription: Halaman uji pencarian tentang {title.lower()}.\n{extra}---\n\n"
                                  f"# {title}\n\n{body}\n", encoding="utf-8")
    config = proj / "mkdocs.yml"
    items = "".join(f"      - uji-cari/{name}\n" for name in TEST_PAGES)
    text, count = re.subn(r"^nav:\n", f"nav:\n  - {TEST_PART}:\n{items}", config.read_text(encoding="utf-8"),
                          count=1, flags=re.M)
    assert count == 1, "mkdocs.yml has no block-style nav"
    config.write_text(text, encoding="utf-8")
    glossary = proj / "guide_data" / "glossary.yml"
    glossary.write_text(glossary.read_text(encoding="utf-8").replace("terms:\n", "terms:\n" + NEW_TERM, 1),
                        encoding="utf-8")
    return proj


@pytest.fixture(scope="session")
def search_site(tmp_path_factory) -> Path:
    proj = make_search_project(tmp_path_factory.mktemp("search") / "proj")
    return build_site(proj, proj / "site", offline=False)


# ------------------------------------------------------------- serving


class _Quiet(http.server.SimpleHTTPRequestHandler):
    csp = False
    published = load_guide_data(ROOT).region.site.url  # the sitemap's addresses

    def log_message(self, *args):
        pass

    def do_GET(self):
        """Serve the sitemap with local addresses, as if published here, so that
        Material's instant navigation (which follows the sitemap) is active."""
        if urlparse(self.path).path != "/sitemap.xml":
            return super().do_GET()
        local = f"http://{self.headers['Host']}/"
        body = Path(self.translate_path("/sitemap.xml")).read_bytes().replace(self.published.encode(), local.encode())
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self):
        if self.csp:
            self.send_header("Content-Security-Policy", self._policy())
        super().end_headers()

    def _policy(self) -> str:
        """What the site will ship: 'self', Pagefind's wasm, hashes of Material's inline scripts."""
        hashes = ""
        path = Path(self.translate_path(self.path))
        path = path / "index.html" if path.is_dir() else path
        if path.suffix == ".html" and path.is_file():
            for body in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", path.read_text(encoding="utf-8"), re.S):
                digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
                hashes += f" 'sha256-{digest}'"
        return (f"default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; "
                "style-src 'self' 'unsafe-inline'; img-src 'self' data:")


def _serve(directory: Path, csp: bool = False):
    handler = type("Handler", (_Quiet,), {"csp": csp})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_port}"


@pytest.fixture(scope="module")
def site_url(search_site):
    srv, url = _serve(search_site)
    yield url
    srv.shutdown()


@pytest.fixture
def page(browser):
    pg = browser.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    pg.close()
    assert errors == []


def run_query(pg, query: str, everything: bool = False) -> list[dict]:
    """Type ``query`` into the search box like a reader; return the results shown
    (with ``everything``, after pressing "more" until all are shown)."""
    if not pg.evaluate("document.getElementById('__search').checked"):
        pg.keyboard.press("/")
    field = pg.locator("#klik-search-input")
    field.fill("")
    field.press_sequentially(query)
    pg.wait_for_function("q => document.querySelector('#klik-search-status').textContent.includes('\u201c' + q + '\u201d')",
                         arg=query)
    while everything and pg.is_visible("[data-klik-search-more]"):
        count = pg.locator("#klik-search-results li").count()
        pg.click("[data-klik-search-more]")
        pg.wait_for_function("n => document.querySelectorAll('#klik-search-results li').length > n", arg=count)
    return pg.evaluate("""() => [...document.querySelectorAll('#klik-search-results a')].map(a => ({
        href: a.getAttribute('href'),
        title: a.querySelector('.klik-search__title').textContent,
        part: (a.querySelector('.klik-search__part') || {}).textContent || '',
        excerpt: (a.querySelector('.klik-search__excerpt') || {}).textContent || '',
        marks: [...a.querySelectorAll('mark')].map(m => m.textContent)}))""")


def hrefs(results) -> list[str]:
    return [urlparse(r["href"]).path for r in results]


def page_url_of(name: str) -> str:
    return f"/uji-cari/{name.removesuffix('.md')}/"


# ---------------------------------------------------------- build-side checks


def test_served_pages_mark_the_article_and_never_carry_index_only_words(search_site):
    marked = 0
    for html_file in search_site.rglob("*.html"):
        html = html_file.read_text(encoding="utf-8")
        assert search.MARK not in html, html_file
        marked += "data-pagefind-body" in html
    entry = json.loads((search_site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    pages = sum(lang["page_count"] for lang in entry["languages"].values())
    assert pages == marked and pages >= len(TEST_PAGES) - 1
    chapter = (search_site / "uji-cari" / "penilaian" / "index.html").read_text(encoding="utf-8")
    assert f'data-part="{TEST_PART}"' in chapter
    hidden = (search_site / "uji-cari" / "tersembunyi" / "index.html").read_text(encoding="utf-8")
    assert "data-pagefind-body" not in hidden


def test_aliases_cover_roots_both_ways_and_skip_what_pagefind_already_matches():
    pages = [["penilaian", "pengembangan"], ["nilai", "kembang"], ["layanan"], ["pelayanan"]]
    families = search.word_families(pages)
    affixed = {a.heads: a.extras for a in search.morphology_aliases(pages[0], families)}
    assert affixed[("penilaian",)] == ("nilai",)
    assert affixed[("pengembangan",)] == ("kembang",)
    rooted = {a.heads: a.extras for a in search.morphology_aliases(pages[1], families)}
    assert rooted[("nilai",)] == ("penilaian",)
    assert rooted[("kembang",)] == ("pengembangan",)
    # Pagefind's stemmer already joins "layanan" and "pelayanan": nothing to add.
    assert search.morphology_aliases(pages[2], families) == []


def test_glossary_names_find_each_other_case_wisely():
    groups = search.name_groups(load_guide_data(ROOT))
    found = {a.heads: a.extras for a in search.synonym_aliases("Usulan dari OPD dan SK kepala dinas.", groups)}
    assert "perangkat daerah" in found[("OPD",)] and "surat keputusan" in found[("SK",)]
    found = search.synonym_aliases("Laporan indeks inovasi daerah setiap tahun.", groups)
    assert any("IID" in a.extras for a in found)
    # an acronym written in capitals is not an ordinary lower-case word ("iga" = rib)
    assert not any("Innovative Government Award" in a.extras
                   for a in search.synonym_aliases("sup iga sapi", groups))


def test_a_failed_index_fails_the_build_and_keeps_the_old_site(project, monkeypatch):
    site = build_site(project, project / "site", offline=False)
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    monkeypatch.setattr(search, "mark_page", lambda output, page: output)
    with pytest.raises(BuildError) as exc:
        build_site(project, project / "site", offline=False)
    assert "data-pagefind-body" in str(exc.value) and "Perbaikan" in str(exc.value)
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before
    assert not list(project.glob(".site.*"))


# ------------------------------------------------------------ in the browser


def test_a_page_load_fetches_no_search_files(site_url, page):
    requested: list[str] = []
    page.on("request", lambda req: requested.append(urlparse(req.url).path))
    for path in ("/", "/tahapan/inisiatif/", page_url_of("penilaian.md")):
        page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
    assert requested and not [p for p in requested if p.startswith("/pagefind/")]
    page.locator("#klik-search-input").focus()  # starting to search loads it
    page.wait_for_load_state("networkidle")
    assert any(p.startswith("/pagefind/") for p in requested)


@pytest.mark.parametrize("query, page_name", [
    ("nilai", "penilaian.md"),          # root finds affixed, prefix changes the sound
    ("kembang", "penilaian.md"),        # kembang -> pengembangan
    ("penilaian", "dasar.md"),          # affixed finds a page that only says "nilai"
    ("pengembangan", "dasar.md"),
])
def test_root_and_affixed_forms_find_each_other(site_url, page, query, page_name):
    page.goto(site_url + "/")
    results = run_query(page, query, everything=True)
    found = [r for r in results if urlparse(r["href"]).path == page_url_of(page_name)]
    assert found, f"{query!r} did not find {page_name}: {hrefs(results)}"
    # The excerpt shows the page's own word, highlighted, never the index-only words.
    assert found[0]["marks"], found[0]
    assert search.MARK not in found[0]["excerpt"] and search.ARROW not in found[0]["excerpt"]


@pytest.mark.parametrize("query, page_name", [
    ("IID", "kepanjangan.md"), ("Indeks Inovasi Daerah", "akronim.md"),
    ("OPD", "kepanjangan.md"), ("perangkat daerah", "akronim.md"),
    ("SK", "kepanjangan.md"), ("surat keputusan", "akronim.md"),
    ("RB", "kepanjangan.md"), ("reformasi birokrasi", "akronim.md"),   # term added in the test data
])
def test_acronyms_and_expansions_find_each_other(site_url, page, query, page_name):
    page.goto(site_url + "/")
    results = run_query(page, query, everything=True)
    assert page_url_of(page_name) in hrefs(results), f"{query!r}: {hrefs(results)}"


def test_a_title_match_ranks_above_a_passing_mention(site_url, page):
    page.goto(site_url + "/")
    found = hrefs(run_query(page, "kalibrasi", everything=True))
    assert found.index(page_url_of("kalibrasi.md")) < found.index(page_url_of("sebutan.md")), found


def test_an_excluded_page_is_not_found(site_url, page):
    page.goto(site_url + "/")
    assert run_query(page, "zirkonium") == []
    assert "Tidak ada hasil" in page.text_content("#klik-search-status")


def test_results_point_to_existing_pages_and_headings(site_url, page, search_site):
    page.goto(site_url + "/")
    seen = set()
    for query in ("inovasi", "daerah", "tahap", "data", "nilai", "IID", "kalibrasi"):
        run_query(page, query, everything=True)
        seen.update(page.eval_on_selector_all("#klik-search-results a", "els => els.map(a => a.href)"))
    assert len(seen) > 5
    for href in seen:
        url = urlparse(href)
        target = search_site / unquote(url.path).lstrip("/")
        target = target / "index.html" if url.path.endswith("/") else target
        assert target.is_file(), href
        if url.fragment:
            assert f'id="{url.fragment}"' in target.read_text(encoding="utf-8"), href


def test_filters_narrow_results_to_one_part(site_url, page):
    page.goto(site_url + "/")
    everything = run_query(page, "inovasi", everything=True)
    assert len({r["part"] for r in everything}) > 1
    page.click(f".klik-search__part-choice:has-text('{TEST_PART}')")
    page.wait_for_function("n => document.querySelectorAll('#klik-search-results li').length < n",
                           arg=len(everything))
    parts = page.eval_on_selector_all("#klik-search-results .klik-search__part", "els => els.map(e => e.textContent)")
    assert parts and set(parts) == {TEST_PART}


def test_keyboard_only_search_also_with_instant_navigation(site_url, page):
    page.goto(site_url + "/")
    instant = "navigation.instant" in page.evaluate("JSON.parse(document.getElementById('__config').textContent).features")
    page.evaluate("window.__sameDocument = true")
    page.keyboard.press("s")
    assert page.evaluate("document.activeElement.id") == "klik-search-input"
    assert page.get_attribute("#klik-search-input", "aria-label")
    run_query(page, "kalibrasi")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('#klik-search-results') !== null")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(page_url_of("kalibrasi.md"))))
    page.wait_for_selector("article h1:has-text('Kalibrasi alat ukur')")
    if instant:  # Material swapped the page in place, under the same header
        assert page.evaluate("window.__sameDocument") is True
    assert not page.evaluate("document.getElementById('__search').checked")
    # the box still works on the swapped page, and Escape closes it
    page.wait_for_timeout(400)  # Material closes the search box 125 ms after a location change
    assert run_query(page, "penilaian")
    page.keyboard.press("Escape")
    assert not page.evaluate("document.getElementById('__search').checked")


def test_phone_layout_opens_from_the_header_button(browser, site_url):
    pg = browser.new_page(viewport={"width": 390, "height": 844})
    pg.goto(site_url + "/tahapan/")
    panel_width = "document.querySelector('.klik-search .md-search__inner').getBoundingClientRect().width"
    assert pg.evaluate(panel_width) == 0
    pg.click("[data-klik-search-open]")
    pg.wait_for_function(f"() => {panel_width} >= 390")
    assert pg.evaluate("document.activeElement.id") == "klik-search-input"
    assert pg.get_attribute("[data-klik-search-open]", "aria-expanded") == "true"
    assert run_query(pg, "nilai")
    assert pg.is_visible("#klik-search-results a")
    pg.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_box_passes_axe_when_open(site_url, browser, scheme):
    page = browser.new_page(color_scheme=scheme)
    page.goto(site_url + "/")
    run_query(page, "inovasi")
    # evaluated by the test driver: a <script> tag would be (rightly) refused by the site's CSP
    page.evaluate((ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8"))
    violations = page.evaluate("""async () => (await axe.run('#klik-search', {resultTypes: ['violations']}))
        .violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))""")
    page.close()
    assert violations == []


def test_search_works_under_the_sites_content_security_policy(search_site, browser):
    srv, url = _serve(search_site, csp=True)
    pg = browser.new_page()
    try:
        pg.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation',"
                           " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
        pg.goto(url + "/")
        assert page_url_of("penilaian.md") in hrefs(run_query(pg, "nilai", everything=True))
        assert pg.evaluate("window.__csp") == []
    finally:
        pg.close()
        srv.shutdown()


def test_measure_first_search_reports_bytes(search_site):
    measured = search.measure_first_search(search_site, "penilaian")
    assert measured["page_load_search_files"] == 0
    assert any(p.endswith("pagefind.js") for p in measured["paths"])
    assert any("/fragment/" in p for p in measured["paths"])
    assert 0 < measured["bytes_gzip"] <= measured["bytes"]


# ------------------------------------------------------------ offline copy


def test_offline_zip_opens_from_file_navigates_and_searches(built_site, browser, tmp_path):
    data = load_guide_data(ROOT)
    archive = built_site / "unduh" / f"{data.region.book.slug}-offline.zip"
    assert archive.is_file()
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp_path)
        names = zf.namelist()
    folder = tmp_path / archive.stem
    index = folder / "index.html"
    assert index.is_file()
    assert any(n.endswith("iframe-worker/shim.js") for n in names)
    for html_file in folder.rglob("*.html"):
        assert "unpkg.com" not in html_file.read_text(encoding="utf-8"), html_file

    # Tall enough for the whole navigation: in the offline copy Material does not size the
    # sidebar to the window (no inner scrolling), so lower links can sit below the fold.
    ctx = browser.new_context(viewport={"width": 1280, "height": 1600})
    foreign: list[str] = []

    def only_files(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    ctx.route("**/*", only_files)
    pg = ctx.new_page()
    pg.goto(index.as_uri())
    pg.click(".md-sidebar--primary a[href$='glosarium.html']")
    pg.wait_for_url(re.compile(r"glosarium\.html$"))
    pg.keyboard.press("/")
    pg.keyboard.type("inovasi")
    pg.wait_for_selector(".md-search-result__item")
    first = pg.locator(".md-search-result__link").first
    target = first.get_attribute("href")
    first.click()
    pg.wait_for_url(lambda u: u.startswith("file:") and urlparse(u).path.endswith(".html"))
    assert urlparse(target).path.split("/")[-1] in pg.url
    ctx.close()
    assert foreign == []
