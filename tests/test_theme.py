"""Region colours reach the theme readably; the link preview is a PNG drawn from data."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, strategies as st

from guidebook import theme
from guidebook.build import BuildError, build_site
from guidebook.data import load_guide_data
from guidebook.social import render_social_card

hex_colors = st.integers(0, 0xFFFFFF).map(lambda n: f"#{n:06x}")


def test_contrast_matches_wcag_reference_values():
    assert theme.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert theme.contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert theme.contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the classic AA grey
    assert theme.SLATE_BG == "#1e2129"  # Material's dark page at --md-hue 225deg


@given(hex_colors, hex_colors)
def test_dark_mode_links_are_always_readable(primary, accent):
    p = theme.palette({"primary": primary, "accent": accent})
    assert theme.contrast(p.dark_link, theme.SLATE_BG) >= theme.AA_TEXT
    assert theme.contrast(p.dark_accent, theme.SLATE_BG) >= theme.AA_TEXT


@given(hex_colors)
def test_suggested_fix_is_readable(color):
    problem = theme.contrast_problem(color, theme.WHITE)
    if problem:
        suggestion = re.search(r"misalnya (#[0-9a-f]{6})", problem[1]).group(1)
        assert theme.contrast(suggestion, theme.WHITE) >= theme.AA_TEXT


def test_region_css_carries_the_colours(built_site):
    colors = load_guide_data().region.colors
    css = (built_site / "assets/stylesheets/region.css").read_text(encoding="utf-8")
    p = theme.palette(colors)
    assert f"--md-primary-fg-color: {colors.primary}" in css
    assert re.search(r'\[data-md-color-scheme="slate"\] \{[^}]*--md-typeset-a-color: ' + p.dark_link, css)


def test_unreadable_region_colour_stops_the_strict_build_with_an_indonesian_warning(project, caplog):
    region = project / "guide_data/region.yml"
    text = region.read_text(encoding="utf-8")
    primary = load_guide_data(project).region.colors.primary
    region.write_text(text.replace(f'primary: "{primary}"', 'primary: "#8fd3ff"'), encoding="utf-8")
    with pytest.raises(BuildError):
        build_site(project, project / "site")
    assert re.search(r"region\.yml, kunci `colors\.primary`: warna #8fd3ff kurang kontras .*"
                     r"\(rasio kontras \d,\d\d:1, padahal minimal 4,5:1 .*\)\.\n\s+Perbaikan: pilih warna yang lebih gelap, misalnya #", caplog.text, re.S), caplog.text
    assert not (project / "site").exists()


def test_link_preview_is_a_png_in_the_region_colours(built_site):
    region = load_guide_data().region
    html = (built_site / "index.html").read_text(encoding="utf-8")
    url = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
    assert url.startswith(region.site.url) and url.endswith(".png")
    from PIL import Image

    card = Image.open(built_site / url[len(region.site.url):])
    assert card.format == "PNG" and card.size == (1200, 630)
    rgb = card.convert("RGB")
    assert rgb.getpixel((8, 8)) == tuple(int(region.colors.primary[i:i + 2], 16) for i in (1, 3, 5))
    assert rgb.getpixel((600, 625)) == tuple(int(region.colors.accent[i:i + 2], 16) for i in (1, 3, 5))
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert re.search(r'<link rel="icon" href="[^"]*\.svg"', html), "the favicon stays SVG"


def test_link_preview_is_deterministic_and_fits_long_names():
    region = load_guide_data().region
    assert render_social_card(region).tobytes() == render_social_card(region).tobytes()
    from guidebook.data import freeze, thaw

    long = thaw(region)
    long["book"]["title"] = "Panduan " * 30
    long["clinic"]["title"] = "Klinik " * 40
    card = render_social_card(freeze(long)).convert("RGB")
    from PIL import Image, ImageChops

    from guidebook.social import MARGIN

    text_area = card.crop((0, 0, 1200, 630 - 24))  # above the accent band
    background = Image.new("RGB", text_area.size, region.colors.primary)
    left, top, right, bottom = ImageChops.difference(text_area, background).getbbox()
    assert left >= MARGIN - 8 and right <= 1200 - MARGIN + 8, "text wraps inside the margins"
