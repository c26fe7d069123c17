"""Accessibility repairs to rendered page content that Markdown extensions leave out.

pymdownx.tasklist draws each checklist box as ``<label><input type=checkbox></label>``
with the item's text outside the label, so the checkbox has no accessible name
(WCAG 2.2 SC 4.1.2; axe-core rule ``label``). ``name_task_checkboxes`` gives each
box the text of its item as ``aria-label``.
"""
from __future__ import annotations

import html as htmllib
import re

_TASK = re.compile(
    r'(<li class="task-list-item">(?:<p>)?<label class="task-list-control"><input type="checkbox")'
    r'((?:(?! aria-label=)[^>])*?)(/?>)(.*?)(?=<li\b|</li>|<ul\b|<ol\b|</p>)', re.S)
_TAGS = re.compile(r"<[^>]+>")


def name_task_checkboxes(page_html: str) -> str:
    def add_label(m: re.Match) -> str:
        text = " ".join(htmllib.unescape(_TAGS.sub(" ", m.group(4))).split())
        if not text:
            return m.group(0)
        return f'{m.group(1)}{m.group(2)} aria-label="{htmllib.escape(text[:200], quote=True)}"{m.group(3)}{m.group(4)}'
    return _TASK.sub(add_label, page_html)
