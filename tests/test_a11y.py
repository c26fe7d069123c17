"""Accessibility: axe-core (WCAG 2.2 A/AA) on every built page in both colour schemes,
keyboard-only use, and the accessibility statement."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from browserkit import describe, focused, page_paths, press, tab_until, watch
from conftest import ROOT

pytest.importorskip("playwright.sync_api")

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCHEMES = {"light": "default", "dark": "slate"}  # emulated preference -> Material scheme

RUN_AXE = """async tags => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}));
}"""


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} tidak ada: jalankan `npm ci` (make test melakukannya).")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def axe_report(built_site, server, browser, axe_source):
    """axe-core over every built page, light and dark: [(scheme, path, applied scheme, violations)]."""
    report = []
    for scheme in SCHEMES:
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        for path in page_paths(built_site):
            page.goto(server + path, wait_until="load")
            try:  # Material's script applies the emulated colour scheme after load
                page.wait_for_function(f"() => document.body.getAttribute('data-md-color-scheme') === '{SCHEMES[scheme]}'",
                                       timeout=5000)
            except Exception:
                pass  # reported by test_axe_audited_every_page_in_both_schemes
            page.evaluate(axe_source)  # evaluated by the test driver: the page's CSP stays on
            applied = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
            report.append((scheme, path, applied, page.evaluate(RUN_AXE, WCAG_TAGS)))
        context.close()
    return report


def test_axe_audited_every_page_in_both_schemes(axe_report, built_site):
    pages = page_paths(built_site)
    assert len(pages) >= 10 and "/404.html" in pages
    assert {(s, p) for s, p, _, _ in axe_report} == {(s, p) for s in SCHEMES for p in pages}
    wrong = [(s, p, a) for s, p, a, _ in axe_report if a != SCHEMES[s]]
    assert not wrong, f"skema warna tidak diterapkan: {wrong}"


def test_no_wcag_violations_on_any_page(axe_report):
    failures = []
    for scheme, path, _, violations in axe_report:
        for v in violations:
            nodes = "\n".join(f"      {n['target']}: {n['summary'].splitlines()[-1].strip()}" for n in v["nodes"][:5])
            more = f"\n      ... dan {len(v['nodes']) - 5} elemen lain" if len(v["nodes"]) > 5 else ""
            failures.append(f"{path} [{scheme}] aturan {v['id']} ({v['impact']}): {v['help']}\n{nodes}{more}")
    assert not failures, "Pelanggaran WCAG 2.2 A/AA (axe-core):\n" + "\n".join(failures)


# --------------------------------------------------------------- keyboard


@pytest.fixture
def kb_page(browser, server):
    context = browser.new_context()
    page = context.new_page()
    report = watch(page)
    yield page, server, report
    context.close()
    assert report["errors"] == [], report["errors"]


def test_first_tab_reaches_the_skip_link_and_it_jumps_to_the_content(kb_page):
    page, server, _ = kb_page
    page.goto(server + "/tahapan/inisiatif/")
    page.wait_for_load_state("networkidle")  # Material's script is running
    first = press(page, "Tab")
    assert first and "md-skip" in first["cls"], f"Tab pertama ke {describe(first)}, bukan tautan lewati"
    assert first["visible"] and (first["outline"] or first["shadow"]), "tautan lewati tidak terlihat saat difokus"
    press(page, "Enter")
    page.wait_for_function("() => location.hash.length > 1")
    target = page.evaluate("location.hash.slice(1)")
    assert target and page.evaluate("id => !!document.querySelector('article').querySelector('#' + CSS.escape(id))",
                                    target), f"lewati ke isi menuju #{target}, di luar isi halaman"
    after = press(page, "Tab")
    assert page.evaluate("() => !!document.activeElement.closest('article, .md-content')"), \
        f"setelah lewati ke isi, Tab berikutnya ke {describe(after)}, bukan ke isi halaman"


def test_tab_reaches_the_navigation_and_the_content(kb_page):
    page, server, _ = kb_page
    page.goto(server + "/tahapan/")
    page.wait_for_load_state("networkidle")
    path = tab_until(page, "nav.md-nav--primary a.md-nav__link[href]")
    assert all(e is None or e["visible"] or "md-option" in e["cls"] for e in path)
    tab_until(page, "article a[href]:not(.headerlink):not(.md-content__button)")
    el = focused(page)
    assert el["visible"] and (el["outline"] or el["shadow"]), f"fokus tidak terlihat pada {describe(el)}"


def test_navigation_link_opens_with_enter(kb_page):
    page, server, _ = kb_page
    page.goto(server + "/")
    page.wait_for_load_state("networkidle")
    tab_until(page, "nav.md-nav--primary a.md-nav__link[href$='glosarium/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/glosarium/")


def test_palette_toggle_works_by_keyboard(kb_page):
    page, server, _ = kb_page
    page.goto(server + "/tahapan/uji-coba/")
    page.wait_for_load_state("networkidle")
    scheme = lambda: page.evaluate("document.body.getAttribute('data-md-color-scheme')")  # noqa: E731
    assert scheme() == "default"
    tab_until(page, "input[name=__palette]")
    # the input is visually hidden: the focus ring is drawn on its visible label
    ring = page.evaluate("""() => { const l = document.activeElement.nextElementSibling;
        const s = getComputedStyle(l); return !l.hidden && s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 }""")
    assert ring, "tombol mode terang/gelap tidak menampakkan fokus"
    press(page, "Enter")
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")
    assert page.evaluate("document.activeElement.name") == "__palette", "fokus hilang setelah mengganti mode"
    press(page, "Enter")
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'default'")
    press(page, "Enter")
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")
    page.reload()
    assert scheme() == "slate", "pilihan mode tidak diingat setelah halaman dimuat ulang"


# ------------------------------------------------------ accessibility statement


def test_accessibility_statement_is_in_the_nav_and_links_to_the_issue_tracker(built_site):
    from guidebook.data import load_guide_data

    region = load_guide_data(ROOT).region
    html = (built_site / "aksesibilitas" / "index.html").read_text(encoding="utf-8")
    assert "Pernyataan aksesibilitas" in html and "WCAG 2.2" in html
    assert f'href="{region.site.repo_url.rstrip("/")}/issues"' in html
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a[^>]+href="aksesibilitas/"', home), "halaman aksesibilitas tidak ada di navigasi"
    source = (ROOT / "docs" / "aksesibilitas.md").read_text(encoding="utf-8")
    assert "region.site.repo_url" in source
    for value in (region.region.name, region.site.repo_url):
        assert value not in source, f"{value!r} ditulis langsung; pakai variabel region"


def test_build_rejects_images_without_alt_text(project):
    from guidebook.build import BuildError, build_site

    page = project / "docs" / "tahapan" / "uji-coba.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n![](../daerah/aset/logo.svg)\n", encoding="utf-8")
    with pytest.raises(BuildError) as exc:
        build_site(project, project / "site")
    msg = str(exc.value)
    assert re.search(r"docs/tahapan/uji-coba\.md, baris \d+: gambar `daerah/aset/logo\.svg` "
                     r"tidak punya teks alternatif", msg), msg
    assert "Perbaikan:" in msg
