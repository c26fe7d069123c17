"""Build-time SVG diagrams from the guide data: service flow, clinic calendar, score mix.

Python lays out the geometry (positions, wrapped lines); Jinja templates in
``templates/diagram_*.svg`` write the markup with autoescaping, so no text from the
data reaches the SVG unescaped. Colours are presentation attributes taken from
``region.yml`` (what print and WeasyPrint use); the site stylesheet overrides them
through classes for dark mode. No script, no external resource.

Every diagram is ``role="img"`` with a ``<title>`` and a ``<desc>`` that says in
words what the picture shows; the page also carries the same facts as text or table.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from markupsafe import Markup

from .fmt import angka, month_label, month_year, persen
from .render import render_template

WIDTH = 400  # viewBox width; the stylesheet scales it to the column (phone: ~0.9x)
CHAR_EM = 0.5  # average advance of a Source Sans 3 glyph, in em, for line wrapping
BOLD_EM = 0.55  # the same for bold text
FONT_STACK = "'Source Sans 3', 'Source Sans Pro', 'Helvetica Neue', Arial, sans-serif"


def wrap(text: str, width_px: float, font_px: float, em: float = CHAR_EM) -> list[str]:
    """Greedy word wrap by estimated glyph width (SVG text does not wrap itself)."""
    limit = max(8, int(width_px / (font_px * em)))
    lines: list[str] = []
    line = ""
    for word in str(text).split():
        while len(word) > limit:  # a very long token: cut it rather than overflow
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:limit])
            word = word[limit:]
        candidate = f"{line} {word}".strip()
        if len(candidate) <= limit:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines or [""]


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


def _svg(template: str, **ctx) -> Markup:
    return render_template(template, font=FONT_STACK, width=WIDTH, **ctx)


# ------------------------------------------------------------------ service flow


def service_flow(services: Sequence, palette: Palette, *, uid: str, title: str, desc: str,
                 meta_of) -> Markup:
    """Numbered boxes top to bottom, one per service in its ``order``, with arrows
    between them and a return path from the last box to the first (the yearly cycle).

    ``meta_of(service)`` gives the small second line (stages, indicators).
    """
    left, right_gutter, pad = 44, 30, 10
    box_w = WIDTH - left - right_gutter
    name_px, meta_px = 16, 13
    gap = 24
    y = 8
    boxes = []
    for s in services:
        name_lines = wrap(s.name, box_w - 2 * pad, name_px, BOLD_EM)
        meta_lines = wrap(meta_of(s), box_w - 2 * pad, meta_px)
        h = pad + len(name_lines) * 20 + len(meta_lines) * 17 + pad - 2
        boxes.append({"id": s.id, "order": s.order, "y": y, "h": h,
                      "name_lines": name_lines, "meta_lines": meta_lines})
        y += h + gap
    height = y - gap + 8
    loop_x = WIDTH - right_gutter / 2
    ret = None
    if len(boxes) > 1:
        first, last = boxes[0], boxes[-1]
        ret = {"x": loop_x, "x0": left + box_w, "y_start": last["y"] + last["h"] / 2,
                "y_end": first["y"] + first["h"] / 2}
    return _svg("diagram_flow.svg", uid=uid, title=title, desc=desc, boxes=boxes, left=left, box_w=box_w,
                pad=pad, gap=gap, height=height, ret=ret, p=palette)


# ---------------------------------------------------------------------- calendar


def calendar(rows: Sequence[dict], first_month: int, window: tuple[int, int], palette: Palette, *,
             uid: str, title: str, desc: str, window_label: str) -> Markup:
    """A twelve-month strip per activity, the reporting window shaded across all rows.

    ``rows``: dicts with ``name``, ``range_label``, ``start`` and ``end`` (running
    month numbers, see ``fmt.month_index``) and ``national`` (a national stage, drawn
    in the accent colour). ``first_month``: the first column.
    """
    margin = 8
    col_w = (WIDTH - 2 * margin) / 12
    months = []
    for i in range(12):
        idx = first_month + i
        months.append({"x": margin + i * col_w, "label": month_label(idx),
                       "year": month_year(idx) if i == 0 or idx % 12 == 0 else None})
    legend_y = 14
    header_y = 72
    top = header_y + 10
    y = top + 8
    name_px = 15
    laid = []
    for r in rows:
        lines = wrap(f"{r['name']} ({r['range_label']})", WIDTH - 2 * margin, name_px)
        bar_y = y + len(lines) * 19 + 2
        s_col, e_col = r["start"] - first_month, r["end"] - first_month
        laid.append({"lines": lines, "y": y, "bar_y": bar_y, "x": margin + s_col * col_w + 1,
                     "w": (e_col - s_col + 1) * col_w - 2, "national": r.get("national", False)})
        y = bar_y + 14 + 16
    height = y - 6
    w0, w1 = window
    band = {"x": margin + (w0 - first_month) * col_w, "w": (w1 - w0 + 1) * col_w}
    return _svg("diagram_calendar.svg", uid=uid, title=title, desc=desc, months=months, col_w=col_w,
                margin=margin, rows=laid, height=height, band=band, top=top, header_y=header_y,
                legend_y=legend_y, window_label=window_label, p=palette)


# ------------------------------------------------------------------- score mix


def score_mix(parts: Iterable[tuple[str, float]], total: float, palette: Palette, *,
              uid: str, title: str, desc: str) -> Markup:
    """One stacked bar of the maximum score by component, with a legend row each.

    ``parts``: (label, maximum) in bar order.
    """
    margin = 8
    bar_w = WIDTH - 2 * margin
    x = margin
    shades = [(palette.primary, 1.0), (palette.accent, 1.0), (palette.primary, 0.5)]
    segs = []
    for i, (label, value) in enumerate(parts):
        w = bar_w * value / total if total else 0
        colour, opacity = shades[i % len(shades)]
        segs.append({"x": x, "w": w, "fill": colour, "opacity": opacity, "label": label,
                     "value": angka(value), "share": persen(value, total),
                     "legend_y": 86 + i * 26, "cls": f"k-seg{i % len(shades)}"})
        x += w
    height = 86 + len(segs) * 26 + 22
    return _svg("diagram_score.svg", uid=uid, title=title, desc=desc, segs=segs, margin=margin,
                bar_w=bar_w, total=angka(total), height=height, p=palette)
