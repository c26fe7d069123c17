"""Keep pages light for readers on slow mobile connections.

Four jobs, each run by a MkDocs hook:

* ``slim_page``: drop the indentation and blank lines that Material's templates leave
  around every navigation item (a third to a half of a page's raw HTML), outside
  ``<pre>``, ``<code>``, ``<textarea>``, ``<script>`` and ``<style>``; whitespace that
  contains a line break still separates words, so the text reads the same. Content
  images also get ``loading="lazy"`` so a long chapter only fetches the ones in view.
* ``optimize_images``: raster images from ``docs/`` are scaled down to what a screen
  needs and recompressed at build time, results cached by content hash.
* ``purge_theme_css``: Material's stylesheets style every feature and extension it
  offers (content tabs, blog, cards, search, twenty named colours ...), most of which
  a guide never uses. After the build, rules whose selectors name a class, or a
  ``data-md-color-*`` value, that appears in no page and in no script of the site are
  dropped, and each result gets a new, content-hashed name that every page links to.
  Classes inside ``:not()``, ``:is()`` and the like never drop a rule, and scripts
  count as users of every name they spell out.
* ``bundle_site_css``: our own small stylesheets (``extra_css``: fonts, region
  colours, components) reach the reader as one file instead of four or five
  requests; the separate files stay for anything else that reads them (the PDF).
  Comments and extra whitespace are dropped (``compact_css``); ``compact_site_js``
  does the same, conservatively, for the site's copies of our own scripts.
* ``subset_web_fonts``: the committed web fonts hold only the characters Bahasa
  Indonesia needs (``scripts/subset_fonts.py`` writes them from the full Latin files,
  which stay for the PDF). A character outside the subset falls back to the reader's
  system font for that character only.
"""
from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from typing import Iterable

ROOT = Path(__file__).resolve().parent.parent
FONT_DIR = ROOT / "overrides" / "assets" / "fonts"

# ASCII, no-break space, the Latin-1 signs a guide uses (§ © « ® ° ± · » × é ÷), and
# typographic dashes, quotes, bullet, ellipsis, arrows and minus.
WEB_FONT_UNICODES = (
    list(range(0x20, 0x7F))
    + [0xA0, 0xA7, 0xA9, 0xAB, 0xAE, 0xB0, 0xB1, 0xB7, 0xBB, 0xD7, 0xE9, 0xF7]
    + [0x2013, 0x2014, 0x2018, 0x2019, 0x201A, 0x201C, 0x201D, 0x201E, 0x2022, 0x2026]
    + [0x2190, 0x2191, 0x2192, 0x2193, 0x2212, 0xFFFD]
)
WEB_FONT_FEATURES = ["kern", "liga"]  # what Material's CSS asks for (font-feature-settings)

# The faces the site declares (overrides/assets/css/fonts.css). Material asks for 300 and
# 700; 300 falls back to 400, and 600 (used by our labels) to 700, so neither is shipped.
WEB_FONTS = ("source-sans-3-latin-400-normal.woff2", "source-sans-3-latin-400-italic.woff2",
             "source-sans-3-latin-700-normal.woff2", "source-code-pro-latin-400-normal.woff2")

MAX_IMAGE_WIDTH = 1600  # px: a full-width content image on a 2x screen
JPEG_QUALITY = 82
RASTER = {".png", ".jpg", ".jpeg"}

_KEEP = re.compile(r"(<(pre|code|textarea|script|style)\b.*?</\2\s*>)", re.S | re.I)
_BREAK_RUN = re.compile(r"[ \t\r\f\v]*\n\s*")
_IMG = re.compile(r"<img\b(?![^>]*\bloading=)", re.I)


# ------------------------------------------------------------------ HTML


def collapse_whitespace(html: str) -> str:
    """Every run of whitespace containing a line break becomes one line break,
    except inside elements where whitespace is content."""
    parts = _KEEP.split(html)
    out = []
    # split() with two groups yields: text, whole kept element, tag name, text, ...
    for i in range(0, len(parts), 3):
        out.append(_BREAK_RUN.sub("\n", parts[i]))
        if i + 1 < len(parts):
            out.append(parts[i + 1])
    return "".join(out)


def lazy_content_images(html: str) -> str:
    """``loading="lazy"`` on images inside the article (not the header logo)."""
    start = html.find('<article class="md-content__inner')
    if start < 0:
        return html
    end = html.find("</article>", start)
    end = len(html) if end < 0 else end
    return html[:start] + _IMG.sub('<img loading="lazy"', html[start:end]) + html[end:]


def slim_page(html: str) -> str:
    return collapse_whitespace(lazy_content_images(html))


# ---------------------------------------------------------------- images


def _optimized(data: bytes, suffix: str) -> bytes:
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as img:
        img = ImageOps.exif_transpose(img)  # keep the orientation, drop the EXIF block
        if img.width > MAX_IMAGE_WIDTH:
            height = round(img.height * MAX_IMAGE_WIDTH / img.width)
            img = img.resize((MAX_IMAGE_WIDTH, height), Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        if suffix in (".jpg", ".jpeg"):
            img.convert("RGB").save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        else:
            img.save(buf, "PNG", optimize=True)
    out = buf.getvalue()
    return out if len(out) < len(data) else data


def optimize_images(site_dir: Path, docs_dir: Path, cache_dir: Path) -> list[tuple[str, int, int]]:
    """Shrink the raster images copied from ``docs_dir`` into ``site_dir``.

    Returns (path, bytes before, bytes after) for each image. A cache entry is keyed by
    the source bytes and the settings, so unchanged images cost one hash per build.
    """
    site_dir, docs_dir = Path(site_dir), Path(docs_dir)
    settings = f"{MAX_IMAGE_WIDTH}-{JPEG_QUALITY}".encode()
    report = []
    for src in sorted(p for p in docs_dir.rglob("*") if p.suffix.lower() in RASTER and p.is_file()):
        rel = src.relative_to(docs_dir)
        target = site_dir / rel
        if not target.is_file():
            continue  # excluded from the site
        data = src.read_bytes()
        key = hashlib.sha256(settings + data).hexdigest()
        cached = Path(cache_dir) / f"{key}{src.suffix.lower()}"
        if cached.is_file():
            out = cached.read_bytes()
        else:
            out = _optimized(data, src.suffix.lower())
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_bytes(out)
        if out != data:
            target.write_bytes(out)
        report.append((rel.as_posix(), len(data), len(out)))
    return report


# ------------------------------------------------------------ theme CSS

THEME_CSS = "assets/stylesheets/main.*.min.css"  # Material's one big stylesheet
PALETTE_CSS = "assets/stylesheets/palette.*.min.css"  # its colour schemes and named colours
_command: dict[str, str | None] = {"name": None}


def note_command(command: str | None) -> None:
    """Remember the MkDocs command (``build``, ``serve``; None when called from Python)."""
    _command["name"] = command


def publishing() -> bool:
    """True unless this is ``mkdocs serve``, whose rebuilds should stay fast."""
    return _command["name"] != "serve"
_CLASS_ATTR = re.compile(r'class="([^"]*)"')
_COLOR_ATTR = re.compile(r'(data-md-color-[a-z]+)="([^"]*)"')
_JS_WORD = re.compile(r"[A-Za-z_][\w-]*")


def used_classes(site_dir: Path) -> set[str]:
    """Every class in the built pages, and every word in the site's scripts (class
    names that Material's JavaScript adds at run time are spelled out in it)."""
    used: set[str] = set()
    for page in Path(site_dir).rglob("*.html"):
        html = page.read_text(encoding="utf-8", errors="replace")
        for attr in _CLASS_ATTR.findall(html):
            used.update(attr.split())
        used.update(f"{name}={value}" for name, value in _COLOR_ATTR.findall(html))
    for script in Path(site_dir).rglob("*.js"):
        used.update(_JS_WORD.findall(script.read_text(encoding="utf-8", errors="replace")))
    return used


def _selector_classes(tokens) -> Iterable[str]:
    """Names a selector requires: its classes (not those inside functional pseudo-classes
    such as ``:not()``) and ``[data-md-color-x=value]`` as ``data-md-color-x=value``."""
    previous = None
    for token in tokens:
        if token.type == "ident" and previous is not None and previous.type == "literal" and previous.value == ".":
            yield token.value
        elif token.type == "[] block":
            parts = [t for t in token.content if t.type not in ("whitespace", "comment")]
            if (len(parts) == 3 and parts[0].type == "ident" and parts[0].value.startswith("data-md-color-")
                    and parts[1].type == "literal" and parts[1].value == "="
                    and parts[2].type in ("ident", "string")):
                yield f"{parts[0].value}={parts[2].value}"
        previous = token


def _split_selectors(prelude) -> list[list]:
    groups: list[list] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            groups.append([])
        else:
            groups[-1].append(token)
    return groups


def purge_css(css: str, used: set[str]) -> str:
    """``css`` without the selectors that need a class outside ``used``."""
    import tinycss2

    def rules(nodes) -> list[str]:
        out = []
        for node in nodes:
            if node.type == "qualified-rule":
                kept = [group for group in _split_selectors(node.prelude)
                        if all(c in used for c in _selector_classes(group))]
                if kept:
                    prelude = ",".join(tinycss2.serialize(g).strip() for g in kept)
                    out.append(prelude + "{" + tinycss2.serialize(node.content) + "}")
            elif node.type == "at-rule" and node.content is not None and node.lower_at_keyword in (
                    "media", "supports", "layer", "container"):
                inner = rules(tinycss2.parse_blocks_contents(node.content, skip_comments=True,
                                                             skip_whitespace=True))
                if inner:
                    out.append(f"@{node.at_keyword}{tinycss2.serialize(node.prelude)}{{{''.join(inner)}}}")
            elif node.type in ("at-rule", "qualified-rule"):
                out.append(tinycss2.serialize([node]))
        return out

    return "".join(rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)))


def purge_theme_css(site_dir: Path, cache_dir: Path) -> list[tuple[str, int, int]]:
    """Replace Material's stylesheets by what the site uses; (new name, bytes before, after)."""
    site_dir = Path(site_dir)
    used = used_classes(site_dir)
    used_key = "\n".join(sorted(used)).encode()
    renames, report = {}, []
    for pattern in (THEME_CSS, PALETTE_CSS):
        found = sorted(site_dir.glob(pattern))
        if len(found) != 1:
            continue
        original = found[0]
        css = original.read_text(encoding="utf-8")
        key = hashlib.sha256(css.encode() + b"\0" + used_key).hexdigest()
        cached = Path(cache_dir) / f"{key}.css"
        if cached.is_file():
            purged = cached.read_text(encoding="utf-8")
        else:
            purged = purge_css(css, used)
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_text(purged, encoding="utf-8")
        stem = original.name.split(".")[0]
        name = f"{stem}.{hashlib.sha256(purged.encode()).hexdigest()[:8]}.min.css"
        (original.parent / name).write_text(purged, encoding="utf-8")
        if name != original.name:
            renames[original.name] = name
            original.unlink()
        original.with_name(original.name + ".map").unlink(missing_ok=True)  # maps the old file
        report.append((name, len(css.encode()), len(purged.encode())))
    if renames:
        _rewrite_pages(site_dir, lambda html: _replace_all(html, renames))
    return report


def _replace_all(html: str, renames: dict[str, str]) -> str:
    for old, new in renames.items():
        html = html.replace(old, new)
    return html


def _rewrite_pages(site_dir: Path, change) -> None:
    for page in Path(site_dir).rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        changed = change(html)
        if changed != html:
            page.write_text(changed, encoding="utf-8")


# ------------------------------------------------------------- our own CSS

_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


def _rebase_urls(css: str, source: str, target: str) -> str:
    """Relative ``url()``s of a stylesheet at ``source`` made relative to ``target``."""
    import posixpath

    def fix(m: re.Match) -> str:
        url = m.group(2)
        if re.match(r"^([a-z][a-z0-9+.-]*:|/|#)", url, re.I):
            return m.group(0)
        absolute = posixpath.normpath(posixpath.join(posixpath.dirname(source), url))
        return f'url("{posixpath.relpath(absolute, posixpath.dirname(target) or ".")}")'

    return _CSS_URL.sub(fix, css)


def bundle_site_css(site_dir: Path, extra_css: list[str]) -> str | None:
    """Join the ``extra_css`` files into one ``assets/css/klik.<hash>.css`` and link it
    from every page in place of the separate links. Returns the bundle's path."""
    site_dir = Path(site_dir)
    paths = [p for p in extra_css if isinstance(p, str) and not re.match(r"^[a-z]+:|^/", p)
             and (site_dir / p).is_file()]
    if len(paths) < 2:
        return None
    body = "\n".join(compact_css(_rebase_urls((site_dir / p).read_text(encoding="utf-8"), p, "assets/css/x.css"))
                     for p in paths) + "\n"
    bundle = f"assets/css/klik.{hashlib.sha256(body.encode()).hexdigest()[:8]}.css"
    (site_dir / bundle).parent.mkdir(parents=True, exist_ok=True)
    (site_dir / bundle).write_text(body, encoding="utf-8")
    links = [re.compile(r'<link rel="stylesheet" href="((?:\.\./)*)' + re.escape(p) + r'">\n?') for p in paths]

    def relink(html: str) -> str:
        first = links[0].search(html)
        if not first or not all(link.search(html) for link in links):
            return html  # a page that does not carry the usual links stays as it is
        html = links[0].sub(f'<link rel="stylesheet" href="{first.group(1)}{bundle}">\n', html, count=1)
        for link in links[1:]:
            html = link.sub("", html, count=1)
        return html

    _rewrite_pages(site_dir, relink)
    return bundle


def compact_css(css: str) -> str:
    """``css`` without comments and with every run of whitespace as one space (strings
    and ``url()`` tokens are kept as they are): what a reader does not need to download."""
    import tinycss2

    def squeeze(tokens) -> None:
        for token in tokens:
            if token.type == "whitespace":
                token.value = " "
            for attr in ("prelude", "content", "arguments"):
                inner = getattr(token, attr, None)
                if isinstance(inner, list):
                    squeeze(inner)

    nodes = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    squeeze(nodes)
    return "\n".join(tinycss2.serialize([node]).strip() for node in nodes)


def compact_js(source: str) -> str:
    """Our own scripts without their comment lines, blank lines and indentation.

    Deliberately modest (no parser): only whole-line ``//`` comments and ``/* ... */``
    blocks that start a line and end one are dropped; a comment after code stays. Line
    breaks stay, so automatic semicolon insertion reads the code as before. A script
    with a template literal (a backtick) keeps its indentation, which may be text."""
    keep_indent = "`" in "\n".join(l for l in source.splitlines() if not l.strip().startswith(("//", "*", "/*")))
    out, in_block = [], False
    for line in source.splitlines():
        text = line.strip()
        if in_block:
            if "*/" in text:
                in_block = False
                rest = text.split("*/", 1)[1].strip()
                if rest:  # code after the comment on the same line: keep the line whole
                    out.append(line if keep_indent else text)
            continue
        if not text or text.startswith("//"):
            continue
        if text.startswith("/*"):
            if "*/" not in text[2:]:
                in_block = True
                continue
            if text.endswith("*/") and text.count("*/") == 1:
                continue
        out.append(line if keep_indent else text)
    return "\n".join(out) + "\n"


def compact_site_js(site_dir: Path, extra_javascript) -> list[tuple[str, int, int]]:
    """Compact the site's copies of our ``extra_javascript`` files (the sources in
    ``overrides/`` keep their comments); (path, bytes before, after)."""
    report = []
    for item in extra_javascript:
        rel = str(getattr(item, "path", item))
        target = Path(site_dir) / rel
        if re.match(r"^[a-z]+:|^/", rel) or not rel.endswith(".js") or not target.is_file():
            continue
        source = target.read_text(encoding="utf-8")
        compact = compact_js(source)
        target.write_text(compact, encoding="utf-8")
        report.append((rel, len(source.encode()), len(compact.encode())))
    return report


# ----------------------------------------------------------------- fonts


def web_font_name(original: str) -> str:
    """``source-sans-3-latin-400-normal.woff2`` -> ``source-sans-3-id-400-normal.woff2``."""
    return original.replace("-latin-", "-id-")


def subset_web_fonts(font_dir: Path = FONT_DIR) -> list[tuple[str, int, int]]:
    """Write the Indonesian web subset beside each full Latin font; (name, before, after)."""
    from fontTools import subset

    report = []
    for src in (Path(font_dir) / name for name in WEB_FONTS):
        options = subset.Options()
        options.flavor = "woff2"
        options.layout_features = WEB_FONT_FEATURES
        font = subset.load_font(str(src), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=WEB_FONT_UNICODES)
        subsetter.subset(font)
        out = src.with_name(web_font_name(src.name))
        subset.save_font(font, str(out), options)
        report.append((out.name, src.stat().st_size, out.stat().st_size))
    return report
