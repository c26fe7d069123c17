"""Readable colours from the region's palette (WCAG 2.2 contrast), for light and dark mode.

A region picks one primary and one accent colour in ``region.yml``. The header puts
white text on the primary colour; links and the active navigation item use it as
text on white (light mode) or on Material's dark "slate" background. One colour
rarely passes all three, so the link and hover colours are derived here: the
region's colour, lightened or darkened just enough to reach 4.5:1.
"""
from __future__ import annotations

from .data import DataIssue

WHITE = "#ffffff"
SLATE_BG = "#1e2129"   # Material's slate --md-default-bg-color at its default hue
MIN_TEXT = 4.5         # WCAG 2.2 SC 1.4.3, normal-size text


def _rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(min(255, max(0, v))):02x}" for v in rgb)


def luminance(color: str) -> float:
    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_on(color: str, background: str, minimum: float = MIN_TEXT) -> str:
    """``color`` mixed towards white or black, as little as needed, to reach ``minimum`` on ``background``."""
    if contrast(color, background) >= minimum:
        return color.lower()
    target = (255, 255, 255) if luminance(background) < 0.5 else (0, 0, 0)
    base = _rgb(color)
    for step in range(1, 101):
        t = step / 100
        mixed = _hex(tuple(c + (o - c) * t for c, o in zip(base, target)))
        # a small margin: browsers round channel values differently
        if contrast(mixed, background) >= minimum + 0.05:
            return mixed
    return _hex(target)


def region_palette(colors) -> dict[str, str]:
    """The colours region.css needs, from ``region.colors``."""
    primary, accent = colors["primary"], colors["accent"]
    return {
        "primary": primary,
        "accent": accent,
        "link_light": readable_on(primary, WHITE),
        "accent_light": readable_on(accent, WHITE),
        "link_dark": readable_on(primary, SLATE_BG),
        "accent_dark": readable_on(accent, SLATE_BG),
    }


def palette_problems(colors) -> list[DataIssue]:
    """What cannot be fixed automatically: the header's white text on the primary colour."""
    ratio = contrast(WHITE, colors["primary"])
    if ratio >= MIN_TEXT:
        return []
    return [DataIssue("guide_data/region.yml", None, "colors.primary",
                      f"warna {colors['primary']} terlalu terang untuk teks putih di kepala halaman "
                      f"(kontras {ratio:.1f}:1, minimal {MIN_TEXT}:1).",
                      f"pilih warna yang lebih gelap, misalnya {readable_on(colors['primary'], WHITE)}.")]
