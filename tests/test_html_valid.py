"""Every built page (and our own CSS and SVG) passes the W3C Nu HTML Checker (vnu.jar).

One Java run checks all files at once (the checker takes seconds to start). Errors
are allowed only where they come from Material's own templates, listed below with
the reason we cannot change them without copying those templates.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from conftest import ROOT

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# (message pattern, extract pattern, why we cannot fix it)
ALLOWED = [
    (r"Attribute “autocomplete” is only allowed when the input type is",
     r'<input class="md-toggle"[^>]*type="checkbox"',
     "Material's base.html gives its hidden drawer and search checkboxes autocomplete=\"off\" "
     "(so Firefox does not restore them open after a reload); only a copy of base.html could drop it."),
    (r"Bad value “” for attribute “tabindex” on element “label”",
     r'<label class="md-nav__link[^"]*" for="__nav_[^"]*" id="__nav_[^"]*_label" tabindex="">',
     "Material's partials/nav-item.html writes tabindex=\"\" on section labels when "
     "navigation.sections is on; only a copy of nav-item.html could omit it."),
    (r"The value of the “for” attribute of the “label” element must be the ID of a non-hidden form control",
     r'<label class="md-nav__title" for="__toc">',
     "Material's partials/toc.html always labels its table of contents for the __toc checkbox, "
     "which partials/nav-item.html leaves out on section index pages (navigation.indexes); "
     "only copies of both partials could change it."),
]


def _allowed(message: dict) -> int | None:
    for i, (msg, extract, _) in enumerate(ALLOWED):
        if re.search(msg, message.get("message", "")) and re.search(extract, message.get("extract", "")):
            return i
    return None


@pytest.fixture(scope="session")
def vnu_messages(built_site):
    java = shutil.which("java")
    if java is None:
        pytest.fail("Java tidak ditemukan. Jalankan `make test` sebagai root (memasang default-jre-headless) "
                    "atau: apt-get install -y default-jre-headless")
    if not VNU.exists():
        pytest.fail(f"{VNU} tidak ada: jalankan `npm ci` (make test melakukannya).")
    files = sorted(str(p) for p in built_site.rglob("*.html"))
    own_css = [p for p in built_site.rglob("*.css") if "assets/stylesheets/main." not in p.as_posix()
               and "assets/stylesheets/palette." not in p.as_posix()]
    files += sorted(str(p) for p in own_css) + sorted(str(p) for p in built_site.rglob("*.svg"))
    out = subprocess.run([java, "-Xss8m", "-jar", str(VNU), "--format", "json", "--exit-zero-always",
                          "--errors-only", "--also-check-css", "--also-check-svg", *files],
                         capture_output=True, text=True, timeout=600)
    try:
        messages = json.loads(out.stderr)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"vnu.jar tidak memberi JSON: {out.stderr[:2000]}")
    return files, messages


def test_every_page_is_valid_html(vnu_messages, built_site):
    files, messages = vnu_messages
    assert sum(f.endswith(".html") for f in files) >= 10
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error") and _allowed(m) is None]
    lines = [f"{m.get('url', '?').replace('file:' + str(built_site) + '/', '')}, baris {m.get('lastLine', '?')}: "
             f"{m.get('message')}\n      {m.get('extract', '').strip()[:160]}" for m in errors]
    assert not errors, f"{len(errors)} galat HTML (W3C Nu HTML Checker):\n" + "\n".join(lines)


def test_every_allow_list_entry_is_still_needed(vnu_messages):
    """An entry that matches nothing any more is removed, so the list stays short and true."""
    _, messages = vnu_messages
    used = {_allowed(m) for m in messages}
    stale = [ALLOWED[i][0] for i in range(len(ALLOWED)) if i not in used]
    assert not stale, f"pengecualian yang tidak terpakai lagi, hapus dari ALLOWED: {stale}"
