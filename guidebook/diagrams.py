"""Diagrams drawn at build time as SVG from the guide data.

No JavaScript and no external files: the same inline SVG shows on the website, in
the offline copy and in the PDF (WeasyPrint draws inline SVG). This module only
computes geometry; the markup lives in ``templates/cycle_diagram.svg`` and
``templates/diagram_*.svg`` so every label from the data goes through Jinja
autoescaping. Two families: the cycle (Labinov) and stacked, phone-first diagrams
(clinic service flow, clinic calendar, IID score mix).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

ARROW_GAP = 6.0  # space between a box edge and the arrow that touches it


@dataclass(frozen=True)
class Box:
    """One step of the cycle, drawn as a rounded rectangle centred on (x, y)."""

    x: float
    y: float
    w: float
    h: float
    order: int
    name: str
    lines: tuple[str, ...]

    @property
    def left(self) -> float:
        return self.x - self.w / 2

    @property
    def top(self) -> float:
        return self.y - self.h / 2


@dataclass(frozen=True)
class Hub:
    """The optional step that accompanies all others, drawn as a circle in the centre."""

    x: float
    y: float
    r: float
    name: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class CycleLayout:
    width: float
    height: float
    boxes: tuple[Box, ...]
    arrows: tuple[Line, ...]  # box i -> box i+1, and the last back to the first
    hub: Hub | None
    spokes: tuple[Line, ...]  # hub -> every box (dashed)


def wrap(text: str, width: int) -> tuple[str, ...]:
    """Greedy word wrap; a word longer than ``width`` gets a line of its own."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return tuple(lines)


def _exit_distance(ux: float, uy: float, half_w: float, half_h: float) -> float:
    """Distance from a rectangle's centre to its edge along the unit vector (ux, uy)."""
    limits = [half_w / abs(ux) if ux else math.inf, half_h / abs(uy) if uy else math.inf]
    return min(limits)


def cycle_layout(steps: Sequence[Mapping[str, Any]], *, radius: float = 205.0,
                 box_w: float = 168.0, box_h: float = 72.0, hub_r: float = 76.0,
                 margin: float = 12.0, wrap_at: int = 20) -> CycleLayout:
    """Place the steps clockwise on a circle, starting at the top.

    ``steps`` are records with ``order``, ``name``, ``focus`` and an optional
    ``extra: true``; at most one extra step is drawn as the hub in the centre.
    """
    ring = sorted((s for s in steps if not s.get("extra")), key=lambda s: s["order"])
    extras = [s for s in steps if s.get("extra")]
    if len(ring) < 3:
        raise ValueError("a cycle needs at least three steps")
    if len(extras) > 1:
        raise ValueError("only one step can accompany all the others (extra: true)")

    centres = []
    for i in range(len(ring)):
        angle = math.radians(-90 + 360 * i / len(ring))
        centres.append((radius * math.cos(angle), radius * math.sin(angle)))
    min_x = min(x for x, _ in centres) - box_w / 2 - margin
    min_y = min(y for _, y in centres) - box_h / 2 - margin
    max_x = max(x for x, _ in centres) + box_w / 2 + margin
    max_y = max(y for _, y in centres) + box_h / 2 + margin

    def shift(x: float, y: float) -> tuple[float, float]:
        return round(x - min_x, 1), round(y - min_y, 1)

    boxes = tuple(
        Box(*shift(x, y), box_w, box_h, s["order"], s["name"], wrap(s["focus"], wrap_at))
        for (x, y), s in zip(centres, ring)
    )

    arrows = []
    for a, b in zip(boxes, boxes[1:] + boxes[:1]):
        dx, dy = b.x - a.x, b.y - a.y
        dist = math.hypot(dx, dy)
        ux, uy = dx / dist, dy / dist
        start = _exit_distance(ux, uy, a.w / 2, a.h / 2) + ARROW_GAP
        end = dist - _exit_distance(ux, uy, b.w / 2, b.h / 2) - ARROW_GAP
        arrows.append(Line(round(a.x + ux * start, 1), round(a.y + uy * start, 1),
                           round(a.x + ux * end, 1), round(a.y + uy * end, 1)))

    hub = None
    spokes: list[Line] = []
    if extras:
        hx, hy = shift(0.0, 0.0)
        hub = Hub(hx, hy, hub_r, extras[0]["name"], wrap(extras[0]["focus"], wrap_at - 6))
        for box in boxes:
            dx, dy = box.x - hx, box.y - hy
            dist = math.hypot(dx, dy)
            ux, uy = dx / dist, dy / dist
            end = dist - _exit_distance(ux, uy, box.w / 2, box.h / 2) - ARROW_GAP
            spokes.append(Line(round(hx + ux * (hub_r + ARROW_GAP), 1), round(hy + uy * (hub_r + ARROW_GAP), 1),
                               round(hx + ux * end, 1), round(hy + uy * end, 1)))

    return CycleLayout(round(max_x - min_x, 1), round(max_y - min_y, 1), boxes, tuple(arrows), hub, tuple(spokes))


def cycle_description(steps: Sequence[Mapping[str, Any]]) -> str:
    """The text alternative of a cycle diagram: every step in order, then the hub."""
    ring = sorted((s for s in steps if not s.get("extra")), key=lambda s: s["order"])
    extras = [s for s in steps if s.get("extra")]
    parts = [f"{s['order']}. {s['name']} ({s['focus'].lower()})" for s in ring]
    text = ("Diagram siklus. Tahap berurutan searah jarum jam: " + ", ".join(parts)
            + f", lalu kembali ke tahap {ring[0]['order']}.")
    if extras:
        text += f" Di tengah: {extras[0]['name']} ({extras[0]['focus'].lower()}), yang menyertai semua tahap."
    return text


# ------------------------------------------------- stacked diagrams (mobile first)
#
# The clinic's service flow, its yearly calendar and the IID score mix are drawn one
# item per row in a narrow viewBox (FLOW_WIDTH), so they stay readable when a phone
# scales them to its width. Colours are presentation attributes from region.yml (what
# print and WeasyPrint use: neither resolves CSS variables inside SVG); the site
# stylesheet overrides them through classes for dark mode.

FLOW_WIDTH = 400
CHAR_EM = 0.5  # average advance of a Source Sans 3 glyph, in em, for line wrapping
BOLD_EM = 0.55  # the same for bold text
FONT_STACK = "'Source Sans 3', 'Source Sans Pro', 'Helvetica Neue', Arial, sans-serif"


def wrap_px(text: str, width_px: float, font_px: float, em: float = CHAR_EM) -> tuple[str, ...]:
    """``wrap`` for a width in pixels at a font size, by estimated glyph width."""
    return wrap(str(text), max(8, int(width_px / (font_px * em)))) or ("",)


@dataclass(frozen=True)
class Palette:
    primary: str
    accent: str
    text: str = "#1f2328"
    muted: str = "#57606a"
    surface: str = "#ffffff"
    grid: str = "#d0d7de"

    @classmethod
    def of(cls, region) -> "Palette":
        return cls(primary=region.colors.primary, accent=region.colors.accent)


def flow_layout(items: Sequence[Mapping[str, Any]], meta_of) -> dict:
    """Numbered boxes top to bottom, one per item in ``order``, with arrows between
    them and a return path from the last box to the first (a yearly cycle).

    ``items`` have ``order`` and ``name``; ``meta_of(item)`` gives the small line
    under the name. Returns the template context of ``diagram_flow.svg``.
    """
    left, right_gutter, pad, gap = 44, 30, 10, 24
    box_w = FLOW_WIDTH - left - right_gutter
    name_px, meta_px = 16, 13
    y = 8
    boxes = []
    for item in sorted(items, key=lambda i: i["order"]):
        name_lines = wrap_px(item["name"], box_w - 2 * pad, name_px, BOLD_EM)
        meta_lines = wrap_px(meta_of(item), box_w - 2 * pad, meta_px)
        h = pad + len(name_lines) * 20 + len(meta_lines) * 17 + pad - 2
        boxes.append({"order": item["order"], "y": y, "h": h, "name_lines": name_lines, "meta_lines": meta_lines})
        y += h + gap
    ret = None
    if len(boxes) > 1:
        ret = {"x": FLOW_WIDTH - right_gutter / 2, "x0": left + box_w,
               "y_start": boxes[-1]["y"] + boxes[-1]["h"] / 2, "y_end": boxes[0]["y"] + boxes[0]["h"] / 2}
    return {"width": FLOW_WIDTH, "height": y - gap + 8, "boxes": boxes, "left": left, "box_w": box_w,
            "pad": pad, "ret": ret, "font": FONT_STACK}


def calendar_layout(rows: Sequence[Mapping[str, Any]], first_month: int, window: tuple[int, int],
                    month_label, month_year) -> dict:
    """A twelve-month strip per row, the reporting window shaded across all rows.

    ``rows`` have ``name``, ``range_label``, ``start`` and ``end`` (running month
    numbers, see ``fmt.month_index``) and ``national`` (a national stage, drawn in
    the accent colour). Returns the template context of ``diagram_calendar.svg``.
    """
    margin = 8
    col_w = (FLOW_WIDTH - 2 * margin) / 12
    months = [{"x": margin + i * col_w, "label": month_label(first_month + i),
               "year": month_year(first_month + i) if i == 0 or (first_month + i) % 12 == 0 else None}
              for i in range(12)]
    legend_y, header_y = 14, 72
    top = header_y + 10
    y = top + 8
    name_px = 15
    laid = []
    for r in rows:
        lines = wrap_px(f"{r['name']} ({r['range_label']})", FLOW_WIDTH - 2 * margin, name_px)
        bar_y = y + len(lines) * 19 + 2
        s_col, e_col = r["start"] - first_month, r["end"] - first_month
        laid.append({"lines": lines, "y": y, "bar_y": bar_y, "x": margin + s_col * col_w + 1,
                     "w": (e_col - s_col + 1) * col_w - 2, "national": r.get("national", False)})
        y = bar_y + 14 + 16
    w0, w1 = window
    return {"width": FLOW_WIDTH, "height": y - 6, "months": months, "col_w": col_w, "margin": margin,
            "rows": laid, "top": top, "header_y": header_y, "legend_y": legend_y, "font": FONT_STACK,
            "band": {"x": margin + (w0 - first_month) * col_w, "w": (w1 - w0 + 1) * col_w}}


def stacked_bar_layout(parts: Sequence[tuple[str, float]], total: float, palette: Palette, fmt, share) -> dict:
    """One bar of ``total`` split into ``parts`` (label, value), a legend row each.

    ``fmt`` formats a number and ``share`` a part of a whole (Indonesian notation).
    Returns the template context of ``diagram_score.svg``.
    """
    margin = 8
    bar_w = FLOW_WIDTH - 2 * margin
    shades = [(palette.primary, 1.0), (palette.accent, 1.0), (palette.primary, 0.5)]
    x = margin
    segs = []
    for i, (label, value) in enumerate(parts):
        w = bar_w * value / total if total else 0
        colour, opacity = shades[i % len(shades)]
        segs.append({"x": x, "w": w, "fill": colour, "opacity": opacity, "label": label, "value": fmt(value),
                     "share": share(value, total), "legend_y": 86 + i * 26, "cls": f"k-seg{i % len(shades)}"})
        x += w
    return {"width": FLOW_WIDTH, "height": 86 + len(segs) * 26 + 22, "segs": segs, "margin": margin,
            "bar_w": bar_w, "total": fmt(total), "font": FONT_STACK}
