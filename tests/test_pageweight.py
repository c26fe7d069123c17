"""What keeps pages light: whitespace, lazy images, image recompression, font subsets."""
from __future__ import annotations

import re
from html.parser import HTMLParser

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
    html = (built_site / "tahapan/inisiatif/index.html").read_text(encoding="utf-8")
    preloads = re.findall(r'<link rel="preload" href="([^"]+)" as="font"[^>]*crossorigin>', html)
    assert len(preloads) == 2 and all((built_site / "tahapan/inisiatif" / p).resolve().is_file() for p in preloads)
    assert not re.search(r"\n[ \t]*\n", html)  # whitespace collapsed
