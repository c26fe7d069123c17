"""What keeps pages light: whitespace, lazy images, image recompression, font subsets."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from guidebook import pageweight


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def _text(html: str) -> str:
    p = _Text()
    p.feed(html)
    return re.sub(r"\s+", " ", "".join(p.parts)).strip()


PAGE = """<html>
  <body>
      <nav>
        <ul>

          <li><a href="a/">Satu</a>
          </li>
      </ul></nav>
    <article class="md-content__inner md-typeset">
      <p>Kata   pertama
         kata kedua</p>
      <img src="foto.jpg" alt="Foto">
      <pre><code>baris 1
    baris 2 menjorok

baris 4</code></pre>
      <textarea>
  isi
</textarea>
      <script>
        var  a = 1;
      </script>
    </article>
    <img src="logo.svg" alt="Logo">
  </body>
</html>"""


def test_collapse_keeps_text_and_preformatted_content():
    slim = pageweight.slim_page(PAGE)
    assert len(slim) < len(PAGE)
    assert _text(slim) == _text(PAGE)
    rest = slim
    for kept in ("<pre><code>baris 1\n    baris 2 menjorok\n\nbaris 4</code></pre>",
                 "<textarea>\n  isi\n</textarea>", "<script>\n        var  a = 1;\n      </script>"):
        assert kept in slim
        rest = rest.replace(kept, "<kept>")
    assert "\n\n" not in rest
    assert not re.search(r"\n[ \t]+<", rest)
    assert "Kata   pertama\nkata kedua" in slim  # spaces without a line break are left alone


def test_only_article_images_load_lazily():
    slim = pageweight.slim_page(PAGE)
    assert '<img loading="lazy" src="foto.jpg"' in slim
    assert '<img src="logo.svg"' in slim
    already = pageweight.lazy_content_images('<article class="md-content__inner"><img loading="eager" src="x">')
    assert 'loading="lazy"' not in already


def test_large_images_are_scaled_and_recompressed(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    docs, site, cache = tmp_path / "docs", tmp_path / "site", tmp_path / "cache"
    (docs / "aset").mkdir(parents=True)
    (site / "aset").mkdir(parents=True)
    import random

    rng = random.Random(1)
    img = Image.new("RGB", (3000, 2000))
    img.putdata([(rng.randrange(256), 120, 90) for _ in range(3000 * 2000)])
    img.save(docs / "aset" / "foto.jpg", quality=98)
    Image.new("RGB", (400, 300), (10, 120, 90)).save(docs / "aset" / "kecil.png")
    for name in ("foto.jpg", "kecil.png"):
        (site / "aset" / name).write_bytes((docs / "aset" / name).read_bytes())
    report = dict((p, (a, b)) for p, a, b in pageweight.optimize_images(site, docs, cache))
    before, after = report["aset/foto.jpg"]
    assert after < before
    with Image.open(site / "aset" / "foto.jpg") as out:
        assert out.size == (pageweight.MAX_IMAGE_WIDTH, 1067)
    with Image.open(site / "aset" / "kecil.png") as out:
        assert out.size == (400, 300)  # never enlarged
    assert (docs / "aset" / "foto.jpg").stat().st_size == before  # the source is untouched
    # The second build takes the cached result.
    cached = list(cache.iterdir())
    assert len(cached) == 2
    (site / "aset" / "foto.jpg").write_bytes((docs / "aset" / "foto.jpg").read_bytes())
    pageweight.optimize_images(site, docs, cache)
    assert (site / "aset" / "foto.jpg").stat().st_size == after


def test_committed_web_fonts_are_the_indonesian_subsets():
    from fontTools.ttLib import TTFont

    for name in pageweight.WEB_FONTS:
        full = TTFont(pageweight.FONT_DIR / name)
        web = TTFont(pageweight.FONT_DIR / pageweight.web_font_name(name))
        expected = set(pageweight.WEB_FONT_UNICODES) & set(full.getBestCmap())
        assert set(web.getBestCmap()) == expected, name
        assert ord("a") in expected and 0x2014 in expected  # letters and the em dash
        assert (pageweight.FONT_DIR / pageweight.web_font_name(name)).stat().st_size < \
            0.7 * (pageweight.FONT_DIR / name).stat().st_size


def test_site_declares_and_preloads_only_the_web_subsets(built_site):
    css = (built_site / "assets/css/fonts.css").read_text(encoding="utf-8")
    urls = re.findall(r'url\("\.\./fonts/([^"]+)"\)', css)
    assert sorted(urls) == sorted(pageweight.web_font_name(n) for n in pageweight.WEB_FONTS)
    assert "font-display: swap" not in css  # a late font must not move the text
    screen, _, paper = css.partition("@media print")
    assert "italic" not in screen and "source-code-pro" not in screen  # print-only faces
    assert "source-sans-3-id-400-italic" in paper and "source-code-pro-id-400-normal" in paper
    html = (built_site / "tahapan/inisiatif/index.html").read_text(encoding="utf-8")
    preloads = re.findall(r'<link rel="preload" href="([^"]+)" as="font"[^>]*crossorigin>', html)
    assert len(preloads) == 2 and all((built_site / "tahapan/inisiatif" / p).resolve().is_file() for p in preloads)
    assert not re.search(r"\n[ \t]*\n", html)  # whitespace collapsed


def test_purge_keeps_only_the_colours_the_pages_use():
    css = ("[data-md-color-primary=pink]{--x:1}[data-md-color-scheme=slate]{--y:2}"
           "[data-md-color-switching] *{transition:none}[data-md-color-primary=pink] .used{color:red}")
    out = pageweight.purge_css(css, {"used", "data-md-color-scheme=slate"})
    assert out == "[data-md-color-scheme=slate]{--y:2}[data-md-color-switching] *{transition:none}"


def test_purge_drops_rules_for_unused_classes_only():
    css = (".used{color:red}.unused{color:blue}.used .unused,.used>p{margin:0}"
           "a:not(.unused){color:green}@media print{.unused{display:none}.used{display:block}}"
           "@media screen{.unused{top:0}}@font-face{font-family:X;src:url(x.woff2)}"
           ":root{--x:1}.used:is(.unused,.other){left:0}")
    out = pageweight.purge_css(css, {"used"})
    assert ".used{color:red}" in out and ".unused{color:blue}" not in out
    assert ".used>p{margin:0}" in out and ".used .unused" not in out
    assert "a:not(.unused){color:green}" in out  # a class inside :not() never drops a rule
    assert "@media print{.used{display:block}}" in out and "@media screen" not in out
    assert "@font-face" in out and ":root{--x:1}" in out and ".used:is(.unused,.other)" in out


def test_built_site_links_the_purged_theme_stylesheet(built_site):
    (css,) = built_site.glob(pageweight.THEME_CSS)
    material = sorted(Path(__import__("material").__file__).parent.glob("templates/" + pageweight.THEME_CSS))
    assert css.name not in {m.name for m in material}  # a new, content-hashed name
    assert css.stat().st_size < 0.8 * material[0].stat().st_size
    for page in built_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for m in material:
            assert m.name not in html, page
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert f"assets/stylesheets/{css.name}" in home
    (palette,) = built_site.glob(pageweight.PALETTE_CSS)
    assert f"assets/stylesheets/{palette.name}" in home


def test_our_stylesheets_reach_the_reader_as_one_file(built_site):
    home = (built_site / "index.html").read_text(encoding="utf-8")
    chapter = (built_site / "glosarium" / "index.html").read_text(encoding="utf-8")
    (bundle,) = re.findall(r'href="(assets/css/klik\.[0-9a-f]{8}\.css)"', home)
    assert f'href="../{bundle}"' in chapter
    for page in (home, chapter):
        assert "assets/css/fonts.css" not in page and "stylesheets/region.css" not in page
    css = (built_site / bundle).read_text(encoding="utf-8")
    for part in ("assets/css/fonts.css", "assets/css/klik.css", "assets/stylesheets/region.css"):
        text = (built_site / part).read_text(encoding="utf-8")  # the parts stay (the PDF reads them)
        assert pageweight.compact_css(pageweight._rebase_urls(text, part, "assets/css/x.css")) in css, part
    for url in re.findall(r'url\("([^"]+)"\)', css):
        assert (built_site / "assets/css" / url).resolve().is_file(), url


def test_rebased_urls_point_at_the_same_files():
    css = 'a{background:url(../img/x.png)} b{src:url("data:font/woff2;base64,AA")} c{x:url(/abs.png)}'
    out = pageweight._rebase_urls(css, "assets/stylesheets/y.css", "assets/css/x.css")
    assert 'url("../img/x.png")' in out and "data:font" in out and "url(/abs.png)" in out
    out = pageweight._rebase_urls("a{b:url(i.png)}", "assets/stylesheets/y.css", "assets/css/x.css")
    assert out == 'a{b:url("../stylesheets/i.png")}'


STYLE_PROPS = ["display", "position", "color", "background-color", "font-size", "font-weight", "font-family",
               "margin-top", "margin-left", "padding-top", "padding-left", "border-top-width", "width",
               "height", "visibility", "text-decoration-line", "list-style-type", "opacity", "transform"]
COMPUTED = """props => Array.from(document.querySelectorAll('body *')).map(el => {
  const s = getComputedStyle(el); return el.tagName + '.' + el.className + ' ' + props.map(p => s[p]).join('|'); })"""


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}])
def test_purged_stylesheet_renders_every_element_like_the_original(built_site, viewport):
    """Each element's computed style is the same with Material's full stylesheet."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from guidebook.bench.weight import in_own_thread

    material = Path(__import__("material").__file__).parent / "templates"
    originals = {}  # built file name -> Material's original file
    for pattern in (pageweight.THEME_CSS, pageweight.PALETTE_CSS):
        (built,) = built_site.glob(pattern)
        originals[built.name] = next(material.glob(pattern))
    pages = ["/", "/glosarium/", "/sumber/"]
    heavy = max((p for p in built_site.rglob("index.html") if p.parent != built_site),
                key=lambda p: p.stat().st_size)
    pages.append("/" + heavy.parent.relative_to(built_site).as_posix() + "/")
    in_own_thread(lambda: _compare_styles(built_site, originals, pages, viewport, sync_api))


def _blocking_fonts(route):
    css = route.fetch().text().replace("font-display: optional", "font-display: block")
    route.fulfill(body=css, content_type="text/css")


def _serve_file(path):
    return lambda route: route.fulfill(body=path.read_bytes(), content_type="text/css")


def _compare_styles(built_site, originals, pages, viewport, sync_api):
    from guidebook.bench.server import serve
    from guidebook.bench.weight import launch

    with serve(built_site) as url, sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            for scheme in ("light", "dark"):
                results = {}
                for variant in ("purged", "original"):
                    ctx = browser.new_context(viewport=viewport, color_scheme=scheme)
                    if variant == "original":
                        for name, original in originals.items():
                            ctx.route(f"**/{name}", _serve_file(original))
                    # Fonts are `optional`: a face that arrives late is skipped on that load, and
                    # under load that is a race. Here every face blocks, so both variants use them.
                    ctx.route("**/assets/css/*.css", _blocking_fonts)
                    page = ctx.new_page()
                    results[variant] = []
                    for path in pages:
                        page.goto(url + path, wait_until="networkidle")
                        page.evaluate("document.fonts.ready.then(() => true)")
                        results[variant].append(page.evaluate(COMPUTED, STYLE_PROPS))
                    ctx.close()
                for path, a, b in zip(pages, results["purged"], results["original"]):
                    diff = [(x.split(" ")[0], [f"{STYLE_PROPS[i]}: {u} != {v}" for i, (u, v) in
                                                enumerate(zip(x.split(" ", 1)[1].split("|"), y.split(" ", 1)[1].split("|")))
                                                if u != v]) for x, y in zip(a, b) if x != y]
                    assert len(a) == len(b) and not diff, (scheme, path, diff[:5])
        finally:
            browser.close()


def test_page_assets_load_only_on_the_page_that_asks(project):
    from guidebook.build import build_site

    (project / "docs" / "alat").mkdir(exist_ok=True)
    (project / "docs" / "alat" / "uji.css").write_text(".klik-uji{color:red}", encoding="utf-8")
    (project / "docs" / "alat" / "uji.js").write_text("window.klikUji = 1;", encoding="utf-8")
    page = project / "docs" / "glosarium.md"
    text = page.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    page.write_text("---\npage_css: [alat/uji.css]\npage_js: [alat/uji.js]\n" + text[4:], encoding="utf-8")
    site = build_site(project, project / "site")
    html = (site / "glosarium" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="stylesheet" href="../alat/uji.css">' in html
    assert '<script src="../alat/uji.js" defer></script>' in html
    assert html.index("../alat/uji.css") < html.index("</head>") < html.index("../alat/uji.js")
    other = (site / "index.html").read_text(encoding="utf-8")
    assert "uji.css" not in other and "uji.js" not in other


def test_serve_skips_the_stylesheet_purge(monkeypatch):
    monkeypatch.setitem(pageweight._command, "name", "serve")
    assert not pageweight.publishing()
    monkeypatch.setitem(pageweight._command, "name", "build")
    assert pageweight.publishing()


def test_compact_css_drops_comments_and_spaces_but_not_strings():
    css = '/* judul */\n.a  >  .b {\n  content: "dua  spasi /* bukan komentar */";\n  background: url("x y.svg");\n}\n@media (max-width: 10em) {\n  /* dalam */\n  .c { color: red }\n}\n'
    out = pageweight.compact_css(css)
    assert "judul" not in out and "dalam" not in out and "\n  " not in out
    assert '"dua  spasi /* bukan komentar */"' in out and 'url("x y.svg")' in out
    assert ".a > .b {" in out and "@media (max-width: 10em) {" in out and ".c { color: red }" in out


def test_compact_js_drops_whole_line_comments_only():
    js = ('/* Pemuat.\n * baris kedua\n */\n(function () {\n  // komentar\n  var a = "// bukan komentar";\n'
          '  var b = 1; // sesudah kode tetap\n  /* singkat */\n  /* awal */ var c = 2;\n\n  return a + b + c;\n})();\n')
    out = pageweight.compact_js(js)
    assert out == ('(function () {\nvar a = "// bukan komentar";\nvar b = 1; // sesudah kode tetap\n'
                   '/* awal */ var c = 2;\nreturn a + b + c;\n})();\n')
    template = "var t = `\n  baris\n`;\n// x\n"
    assert pageweight.compact_js(template) == "var t = `\n  baris\n`;\n"


def test_served_scripts_and_bundle_are_compact(built_site):
    bundle = next((built_site / "assets/css").glob("klik.*.css")).read_text(encoding="utf-8")
    assert "/*" not in bundle
    search_js = (built_site / "assets/js/search.js").read_text(encoding="utf-8")
    assert not [line for line in search_js.splitlines() if line.strip().startswith("//") or not line.strip()]
