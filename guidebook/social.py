"""The link-preview image (``og:image``) drawn from the region's data at build time.

WhatsApp and Facebook show no SVG previews, so the card is a PNG: the region's
primary colour, an accent band, the clinic's acronym, the book's title, the clinic
and the region, set in the site's own fonts (Pillow's FreeType reads the committed
WOFF2 files directly). Nothing is downloaded and the same data gives the same bytes.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image, ImageDraw, ImageFont

from .data import Record
from .theme import AA_TEXT, WHITE, contrast

SIZE = (1200, 630)  # the size Facebook, WhatsApp and LinkedIn crop least
MARGIN = 72
FONT_DIR = Path(__file__).resolve().parent.parent / "overrides" / "assets" / "fonts"
FONTS = {
    "bold": FONT_DIR / "source-sans-3-latin-700-normal.woff2",
    "semibold": FONT_DIR / "source-sans-3-latin-600-normal.woff2",
    "regular": FONT_DIR / "source-sans-3-latin-400-normal.woff2",
}
DARK_TEXT = "#1a1a1a"


def _font(weight: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS[weight]), size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int, max_lines: int) -> list[str]:
    """Greedy word wrap to ``width`` pixels; the last allowed line ends in an ellipsis
    when the text does not fit."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and font.getlength(line + " " + words[0]) <= width:
            line += " " + words.pop(0)
        lines.append(line)
    if words:
        last = lines[-1]
        while last and font.getlength(last + " …") > width:
            last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
        lines[-1] = last + " …"
    return lines


def render_social_card(region: Record) -> Image.Image:
    primary, accent = region.colors.primary, region.colors.accent
    ink = WHITE if contrast(WHITE, primary) >= AA_TEXT else DARK_TEXT
    img = Image.new("RGB", SIZE, primary)
    draw = ImageDraw.Draw(img)
    width = SIZE[0] - 2 * MARGIN
    draw.rectangle((0, SIZE[1] - 24, SIZE[0], SIZE[1]), fill=accent)

    y = MARGIN - 10
    acronym = _font("bold", 112)
    draw.text((MARGIN, y), region.clinic.acronym, font=acronym, fill=ink)
    y += 138
    title = _font("bold", 56)
    for line in _wrap(region.book.title, title, width, 2):
        draw.text((MARGIN, y), line, font=title, fill=ink)
        y += 66
    y += 8
    clinic = _font("regular", 36)
    for line in _wrap(region.clinic.title, clinic, width, 2):
        draw.text((MARGIN, y), line, font=clinic, fill=ink)
        y += 46
    tagline = _font("regular", 30)
    for line in _wrap(region.clinic.tagline, tagline, width, 2 if y < 360 else 1):
        draw.text((MARGIN, y), line, font=tagline, fill=ink)
        y += 40

    footer = _font("semibold", 32)
    place = f"{region.region.full_name}, {region.region.province}"
    host = urlsplit(region.site.url).netloc + urlsplit(region.site.url).path.rstrip("/")
    bottom = SIZE[1] - 24 - MARGIN + 8
    draw.text((MARGIN, bottom - 44), _wrap(place, footer, width, 1)[0], font=footer, fill=ink)
    draw.text((MARGIN, bottom), _wrap(host, _font("regular", 28), width, 1)[0],
              font=_font("regular", 28), fill=ink)
    return img


def write_social_card(region: Record, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    render_social_card(region).save(out, format="PNG", optimize=True)
    return out
