"""The region's colours as the site uses them, checked for readable contrast.

A region chooses two colours in ``region.yml``. Material draws the header text in
white on the primary colour, links in the primary colour and hovered links in the
accent colour, on a white page (light mode) or a dark grey one (dark mode). Those
pairs must reach WCAG AA (4.5:1 for normal text). For dark mode the link colours are
derived here, lightened until they are readable, so a region never has to choose a
second palette; for the colours the region chose itself, ``contrast_problems`` says
in Indonesian what is unreadable and how to fix it.
"""
from __future__ import annotations

import colorsys
from dataclasses import dataclass
from typing import Mapping

AA_TEXT = 4.5
WHITE = "#ffffff"
BLACK = "#000000"
# Material's dark ("slate") page: hsl(var(--md-hue) 15% 14%) with --md-hue 225deg.
SLATE_HUE, SLATE_SAT, SLATE_LIGHT = 225 / 360, 0.15, 0.14


def _rgb(color: str) -> tuple[float, float, float]:
    c = color.lstrip("#")
    return tuple(int(c[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _hex(rgb) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, v)) * 255):02x}" for v in rgb)


SLATE_BG = _hex(colorsys.hls_to_rgb(SLATE_HUE, SLATE_LIGHT, SLATE_SAT))


def luminance(color: str) -> float:
    """WCAG 2 relative luminance of a ``#rrggbb`` colour."""
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio, from 1 (same) to 21 (black on white)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_on(color: str, background: str, minimum: float = AA_TEXT) -> str:
    """``color`` itself if readable on ``background``, else the nearest tint (towards
    white on a dark background, towards black on a light one) that is."""
    if contrast(color, background) >= minimum:
        return color
    target = _rgb(WHITE if luminance(background) < 0.5 else BLACK)
    start = _rgb(color)
    for step in range(1, 101):
        t = step / 100
        mixed = _hex(tuple(s + (e - s) * t for s, e in zip(start, target)))
        if contrast(mixed, background) >= minimum:
            return mixed
    return _hex(target)


@dataclass(frozen=True)
class Palette:
    primary: str
    accent: str
    header_text: str
    dark_link: str
    dark_accent: str


def palette(colors: Mapping[str, str]) -> Palette:
    return Palette(
        primary=colors["primary"],
        accent=colors["accent"],
        header_text=WHITE,
        dark_link=readable_on(colors["primary"], SLATE_BG),
        dark_accent=readable_on(colors["accent"], SLATE_BG),
    )


def _id_number(value: float, places: int = 2) -> str:
    """A decimal as written in Indonesian (comma as the decimal mark)."""
    return f"{value:.{places}f}".replace(".", ",")


def contrast_problem(color: str, background: str = WHITE) -> tuple[str, str] | None:
    """(why ``color`` is unreadable as text on ``background``, how to fix it), or None."""
    ratio = contrast(color, background)
    if ratio >= AA_TEXT:
        return None
    why = (f"rasio kontras {_id_number(ratio)}:1, padahal minimal {_id_number(AA_TEXT, 1)}:1 "
           "menurut WCAG AA, sehingga teks sulit dibaca")
    fix = (f"pilih warna yang lebih {'gelap' if luminance(background) >= 0.5 else 'terang'}, "
           f"misalnya {readable_on(color, background)}")
    return why, fix


def contrast_problems(colors: Mapping[str, str], where: str = "guide_data/region.yml") -> list[str]:
    """Indonesian messages for each colour pair of the region that is below AA."""
    checks = [
        ("colors.primary", colors["primary"], "teks putih di kepala halaman dan tautan di halaman putih"),
        ("colors.accent", colors["accent"], "tautan yang disorot (warna aksen) di halaman putih"),
    ]
    problems = []
    for key, color, what in checks:
        problem = contrast_problem(color, WHITE)
        if problem:
            why, fix = problem
            problems.append(f"{where}, kunci `{key}`: warna {color} kurang kontras untuk {what} ({why}).\n"
                            f"    Perbaikan: {fix}.")
    return problems
