"""Diagrams drawn at build time as SVG from the guide data.

No JavaScript and no external files: the same inline SVG shows on the website, in
the offline copy and in the PDF (WeasyPrint draws inline SVG). This module only
computes geometry; the markup lives in ``templates/cycle_diagram.svg`` so every
label from the data goes through Jinja autoescaping.
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
