"""The tools as a reader uses them, in Debian's chromium: the IID calculator (agreeing with
Python), persistence, export/import, the stage checklist, keyboard use and accessibility."""
from __future__ import annotations

import functools
import http.server
import json
import random
import re
import threading
import zipfile
from pathlib import Path

import pytest

from guidebook import iid
from guidebook.data import load_guide_data

sync_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parent.parent
VECTORS = json.loads((ROOT / "tests/fixtures/iid_vectors.json").read_text(encoding="utf-8"))
CALC = "/alat/kalkulator-iid/"
CHECK = "/alat/daftar-periksa/"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site_url(built_site):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(built_site)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


@pytest.fixture(scope="module")
def chromium(browser):
    return browser


@pytest.fixture
def page(chromium):
    """A fresh browser profile (empty localStorage) per test; fails on any script error."""
    context = chromium.new_context(accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(f"{m.text} [{m.location.get('url', '')}]") if m.type == "error" else None)
    pg.on("dialog", lambda d: d.accept())
    yield pg
    context.close()
    # From file:// (the offline copy) Chromium fetches web fonts in CORS mode, which an
    # opaque origin cannot pass: the text falls back to system fonts; nothing else may fail.
    font_from_file = re.compile(r"(Access to font at 'file:|Failed to load resource: net::ERR_FAILED \[file:.*\.woff2\])")
    assert [e for e in errors if not font_from_file.match(e)] == []


@pytest.fixture(scope="module")
def data():
    return load_guide_data()


def open_calculator(page, site_url):
    page.goto(site_url + CALC)
    page.wait_for_selector("[data-testid=iid]")


def shown(page) -> tuple[str, str]:
    return page.text_content("[data-testid=iid]"), page.text_content("[data-testid=predikat]")


def fmt(x: float) -> str:
    return f"{iid.round2(x):.2f}".replace(".", ",")


def export(page) -> dict:
    with page.expect_download() as info:
        page.get_by_role("button", name="Ekspor jawaban (.json)").click()
    return json.loads(Path(info.value.path()).read_text(encoding="utf-8"))


def answer_all(page, edition, level: int, aspect: str) -> None:
    scope = aspect.lower()
    for ind in edition["indicators"]:
        if ind["aspect"] != aspect:
            continue
        for part in ind.get("parts") or [None]:
            base = f"klik-iid-{scope}-{ind['no']}" + (f"-{part['id']}" if part else "")
            page.check(f"#{base}-{level}")


# ------------------------------------------------ Python and JavaScript agree


def random_answers(edition, rng: random.Random) -> dict:
    level_max = int(iid.parameters(edition)["level_max"])

    def pick(aspect):
        out = {}
        for ind in edition["indicators"]:
            if ind["aspect"] != aspect or rng.random() < 0.3:
                continue
            parts = ind.get("parts") or ()
            out[str(ind["no"])] = ({p["id"]: rng.randint(0, level_max) for p in parts if rng.random() < 0.8}
                                   if parts else rng.randint(0, level_max))
        return out

    n = rng.choice([0, 1, 3, 9, 10, 11, 40, 230])
    return {"edition": edition["year"], "spd": pick("SPD"),
            "innovations": [{"name": f"I{k}", "rejected": rng.random() < 0.15, "answers": pick("SID")}
                            for k in range(n)]}


def test_python_and_javascript_agree_on_shared_vectors(page, site_url, data):
    open_calculator(page, site_url)
    rng = random.Random(20240805)
    cases = [v["answers"] for v in VECTORS["valid"]]
    cases += [random_answers(e, rng) for e in iid.full_editions(data) for _ in range(12)]
    js = page.evaluate("""async (cases) => {
        const payload = await (await fetch('../iid-data.json')).json();
        if (JSON.stringify(payload) !== JSON.stringify(window.KlikIIDData)) throw new Error('data differ');
        const editions = {};
        payload.editions.forEach(e => { editions[String(e.year)] = e; });
        return cases.map(raw => {
            const res = KlikIID.normaliseAnswers(editions, raw);
            return res.issues.length ? {issues: res.issues} : KlikIID.compute(editions[String(raw.edition)], res.answers);
        });
    }""", cases)
    for raw, got in zip(cases, js):
        answers, issues = iid.normalise_answers(data.index["editions"], raw)
        assert issues == [] and "issues" not in got
        want = iid.compute(data.get("editions", answers["edition"]), answers)
        for key in ("n", "divisor", "sid_sum", "sid_average", "count_score", "sid", "total", "iid",
                    "iid_rounded", "predicate"):
            assert got[key] == want[key], key  # identical doubles, not merely close
        assert got["spd"]["score"] == want["spd"]["score"]
        assert got["spd"]["missing"] == want["spd"]["missing"]
        assert [i["score"] for i in got["innovations"]] == [i["score"] for i in want["innovations"]]
        assert [i["missing"] for i in got["innovations"]] == [i["missing"] for i in want["innovations"]]
    for vector, got in zip(VECTORS["valid"], js):
        assert got["predicate"] == vector["expected"]["predicate"]
        assert got["iid_rounded"] == pytest.approx(vector["expected"]["iid_rounded"], abs=1e-9)


def test_python_and_javascript_reject_the_same_bad_answers(page, site_url):
    open_calculator(page, site_url)
    js = page.evaluate("""async (cases) => {
        const payload = await (await fetch('../iid-data.json')).json();
        const editions = {};
        payload.editions.forEach(e => { editions[String(e.year)] = e; });
        return cases.map(raw => KlikIID.normaliseAnswers(editions, raw).issues.map(i => [i.code, i.path]));
    }""", [v["answers"] for v in VECTORS["invalid"]])
    for vector, got in zip(VECTORS["invalid"], js):
        # JavaScript lists number-like keys in numeric order, so compare as sets of (code, path)
        assert sorted(got, key=json.dumps) == sorted(vector["codes"], key=json.dumps), vector["name"]


# -------------------------------------------------------------- calculator UI


def test_no_answers_give_the_lowest_and_all_highest_the_highest_predicate(page, site_url, data):
    open_calculator(page, site_url)
    edition = data.get("editions", int(page.input_value("#klik-iid-edisi")))
    bands = sorted(edition["predicates"], key=lambda b: b["min"])
    assert shown(page) == ("IID 0,00", bands[0]["name"])

    level_max = int(iid.parameters(edition)["level_max"])
    # the fewest innovations that reach the top band when every answer is the highest level
    needed = next(n for n in range(1, 500)
                  if iid.compute(edition, iid.best_answers(edition, n))["predicate"] == bands[-1]["name"])
    answer_all(page, edition, level_max, "SPD")
    page.get_by_role("button", name="Tambah inovasi").click()
    answer_all(page, edition, level_max, "SID")
    for _ in range(needed - 1):
        page.get_by_role("button", name="Gandakan inovasi ini").click()
    want = iid.compute(edition, iid.best_answers(edition, needed))
    assert shown(page) == (f"IID {fmt(want['iid_rounded'])}", bands[-1]["name"])
    assert page.text_content("[data-testid=n]") == str(needed)
    assert page.text_content("[data-testid=count]") == fmt(want["count_score"])

    exported = export(page)
    answers, issues = iid.normalise_answers(data.index["editions"], exported)
    assert issues == [] and len(answers["innovations"]) == needed
    assert iid.compute(edition, answers)["iid_rounded"] == want["iid_rounded"]
    # announced to screen readers once the answers settle
    page.wait_for_function("(name) => document.querySelector('[aria-live=polite].klik-iid-sr').textContent"
                           ".includes('predikat ' + name)", arg=bands[-1]["name"])
    assert page.text_content("[aria-live=polite].klik-iid-sr").startswith(
        f"Hasil simulasi: IID {fmt(want['iid_rounded'])}")


def test_rejected_innovation_counts_in_n_with_score_zero(page, site_url, data):
    open_calculator(page, site_url)
    page.get_by_role("button", name="Tambah inovasi").click()
    page.check("#klik-iid-sid-16-3")
    page.get_by_role("button", name="Tambah inovasi").click()
    page.check("#klik-iid-sid-16-3")
    page.get_by_label("Ditolak saat verifikasi").check()
    exported = export(page)
    assert [i["rejected"] for i in exported["innovations"]] == [False, True]
    answers, _ = iid.normalise_answers(data.index["editions"], exported)
    want = iid.compute(data.get("editions", exported["edition"]), answers)
    assert want["n"] == 2 and want["innovations"][1]["score"] == 0
    assert page.text_content("[data-testid=n]") == "2"
    assert page.text_content("[data-testid=sid-sum]") == fmt(want["sid_sum"])
    assert shown(page)[0] == f"IID {fmt(want['iid_rounded'])}"


def test_answers_survive_a_reload(page, site_url):
    open_calculator(page, site_url)
    page.check("#klik-iid-spd-8-3")
    page.check("#klik-iid-spd-2-tepat-waktu-2")
    page.get_by_role("button", name="Tambah inovasi").click()
    page.get_by_label("Nama inovasi").fill("Layanan <i>keliling</i>")
    page.check("#klik-iid-sid-35-1")
    before = shown(page)
    page.reload()
    page.wait_for_selector("[data-testid=iid]")
    assert shown(page) == before
    assert page.is_checked("#klik-iid-spd-8-3") and page.is_checked("#klik-iid-spd-2-tepat-waktu-2")
    assert page.is_checked("#klik-iid-sid-35-1")
    assert page.input_value("#klik-iid-nama-inovasi") == "Layanan <i>keliling</i>"
    assert page.locator(".klik-iid-innovation i").count() == 0  # the name stayed text


def test_export_then_import_restores_answers(page, site_url, tmp_path):
    open_calculator(page, site_url)
    page.check("#klik-iid-spd-1-2")
    page.get_by_role("button", name="Tambah inovasi").click()
    page.get_by_label("Nama inovasi").fill("Satu")
    page.check("#klik-iid-sid-17-3")
    page.get_by_role("button", name="Gandakan inovasi ini").click()
    before = shown(page)
    saved = export(page)
    page.get_by_role("button", name="Hapus semua jawaban edisi ini").click()
    assert shown(page)[0] == "IID 0,00"
    assert not page.is_checked("#klik-iid-spd-1-2")
    path = tmp_path / "jawaban.json"
    path.write_text(json.dumps(saved), encoding="utf-8")
    page.set_input_files("#klik-iid-berkas-impor", str(path))
    page.wait_for_function("() => document.querySelector('.klik-iid-message').textContent.includes('diimpor')")
    assert shown(page) == before
    assert page.is_checked("#klik-iid-spd-1-2")
    assert export(page) == saved


def test_import_rejects_a_bad_file_in_indonesian(page, site_url):
    open_calculator(page, site_url)
    page.check("#klik-iid-spd-1-3")
    before = shown(page)
    bad = json.dumps({"edition": 2024, "spd": {"99": 2, "1": 7}}).encode()
    page.set_input_files("#klik-iid-berkas-impor", files=[{"name": "rusak.json", "mimeType": "application/json",
                                                           "buffer": bad}])
    alert = page.get_by_role("alert")
    alert.wait_for()
    text = alert.text_content()
    assert "rusak.json" in text and "tidak ada dalam edisi 2024" in text and "di luar rentang" in text
    assert shown(page) == before  # nothing replaced
    page.set_input_files("#klik-iid-berkas-impor", files=[{"name": "bukan.json", "mimeType": "application/json",
                                                           "buffer": b"{bukan json"}])
    page.wait_for_function("() => document.querySelector('[role=alert]').textContent.includes('bukan JSON')")


def test_calculator_keeps_working_offline_once_loaded(page, site_url):
    open_calculator(page, site_url)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.context.set_offline(True)
    page.get_by_role("button", name="Tambah inovasi").click()
    page.check("#klik-iid-sid-35-3")
    page.get_by_role("button", name="Gandakan inovasi ini").click()
    assert page.text_content("[data-testid=n]") == "2" and shown(page)[0] != "IID 0,00"
    assert requests == []
    page.context.set_offline(False)


def test_tools_work_from_files_without_a_server(page, built_site):
    """The offline copy opens pages from file://, where fetch() is not allowed."""
    page.goto((built_site / "alat/kalkulator-iid/index.html").as_uri())
    page.wait_for_selector("[data-testid=iid]")
    page.get_by_role("button", name="Tambah inovasi").click()
    page.check("#klik-iid-sid-16-2")
    assert page.text_content("[data-testid=sid-sum]") == "6,00"
    page.goto((built_site / "alat/daftar-periksa/index.html").as_uri())
    page.wait_for_selector("[data-role=toolbar]:not([hidden])")


def test_tools_work_in_the_offline_copy(page, built_site, tmp_path, data):
    """The offline zip has no directory URLs (alat/kalkulator-iid.html): links still resolve."""
    archives = sorted((built_site / "unduh").glob("*-offline.zip"))
    if not archives:
        pytest.skip("this build has no offline copy (guidebook/offline.py not merged)")
    with zipfile.ZipFile(archives[0]) as zf:
        zf.extractall(tmp_path)
    root = tmp_path / archives[0].stem
    page.goto((root / "alat/kalkulator-iid.html").as_uri())
    page.wait_for_selector("[data-testid=iid]")
    page.get_by_role("button", name="Tambah inovasi").click()
    page.check("#klik-iid-sid-16-3")
    assert page.text_content("[data-testid=sid-sum]") == "9,00"
    source = page.locator(".klik-iid-params a").first.get_attribute("href")
    assert (root / "alat" / source.split("#")[0]).resolve().is_file()
    page.goto((root / "alat/templat.html").as_uri())
    for href in page.locator(".klik-template__downloads a").evaluate_all("els => els.map(e => e.getAttribute('href'))"):
        assert (root / "alat" / href).resolve().is_file(), href


def test_keyboard_answers_update_the_score(page, site_url):
    open_calculator(page, site_url)
    page.focus("#klik-iid-spd-1-kosong")
    page.keyboard.press("ArrowDown")  # "Tidak ada data dukung" (0)
    page.keyboard.press("ArrowDown")  # level 1
    assert page.is_checked("#klik-iid-spd-1-1")
    assert page.text_content("[data-score-for=spd-1]").startswith("Skor: 1 dari 3")
    page.keyboard.press("Tab")  # leaves the group, as radio groups should
    assert page.evaluate("document.activeElement.name") != "klik-iid-spd-1"


def test_missing_answer_button_takes_focus_to_the_indicator(page, site_url):
    open_calculator(page, site_url)
    page.get_by_role("button", name="Tambah inovasi").click()
    page.get_by_role("button", name="Tambah inovasi").click()  # now editing the second
    page.locator(".klik-iid-missing summary").click()
    page.locator(".klik-iid-missing li", has_text="Inovasi 1").get_by_role("button", name="17.").click()
    assert page.input_value("#klik-iid-inovasi-aktif") == "0"
    assert page.evaluate("document.activeElement.name") == "klik-iid-sid-17"


def test_instant_navigation_initialises_each_tool_once(page, site_url, data):
    """Material swaps pages in place for links listed in its sitemap; the built sitemap names
    the published address, so point it at this server to get real instant navigation."""
    published = data.region["site"]["url"]

    def local_sitemap(route):
        response = route.fetch()
        route.fulfill(response=response, body=response.text().replace(published, site_url + "/"))

    page.route("**/sitemap.xml", local_sitemap)
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url.rsplit("/", 1)[-1]) if r.url.endswith((".js", ".json")) else None)
    page.goto(site_url + "/")
    page.wait_for_load_state("networkidle")
    assert "klik-iid.js" not in scripts  # other pages carry only the loader
    page.locator(".md-nav__link", has_text="Kalkulator IID").first.click()
    page.wait_for_selector("[data-testid=iid]")
    page.locator(".md-nav__link", has_text="Daftar periksa tahapan").first.click()
    page.wait_for_selector("[data-role=toolbar]:not([hidden])")
    page.get_by_label(data.items("stages")[0]["checklist"][0]["text"]).check()
    page.locator(".md-nav__link", has_text="Kalkulator IID").first.click()
    page.wait_for_selector("[data-testid=iid]")
    assert page.locator("[data-klik-iid] .klik-iid-result").count() == 1
    page.check("#klik-iid-spd-1-3")
    assert page.text_content("[data-testid=spd]").startswith("3,00")
    # one page load, each script fetched once, the calculator data once
    assert len([n for n in scripts if n.startswith("bundle.")]) == 1  # the theme, loaded once
    for name in ("klik-tools.js", "klik-iid-core.js", "klik-iid.js", "klik-checklist.js", "iid-data.js"):
        assert scripts.count(name) == 1, (name, scripts)


def test_print_summary_fits_one_page(page, site_url, data):
    open_calculator(page, site_url)
    page.get_by_role("button", name="Tambah inovasi").click()
    for _ in range(9):
        page.get_by_role("button", name="Gandakan inovasi ini").click()
    pdf = page.pdf(format="A4")
    import io

    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Simulasi, bukan hasil resmi" in text and "Inovasi 1 (salinan 9)" in text


# ------------------------------------------------------------------ checklist


def test_checklist_progress_survives_a_reload(page, site_url, data):
    page.goto(site_url + CHECK)
    page.wait_for_selector("[data-role=toolbar]:not([hidden])")
    stages = sorted(data.items("stages"), key=lambda s: s["order"])
    total = sum(len(s["checklist"]) for s in stages)
    first, last = stages[0], stages[-1]
    page.get_by_label(first["checklist"][0]["text"]).check()
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the next item, by keyboard
    page.get_by_label(last["checklist"][-1]["text"]).check()
    assert page.text_content("[data-role=total]") == f"Semua tahap: 3 dari {total} butir selesai."
    page.reload()
    page.wait_for_selector("[data-role=toolbar]:not([hidden])")
    assert page.is_checked(f"#periksa-{first['id']}-{first['checklist'][0]['id']}")
    assert page.is_checked(f"#periksa-{first['id']}-{first['checklist'][1]['id']}")
    assert page.text_content(f"[data-progress={first['id']}]") == f"2 dari {len(first['checklist'])} butir selesai"
    page.get_by_role("button", name="Kosongkan semua centang").click()
    assert page.text_content("[data-role=total]") == f"Semua tahap: 0 dari {total} butir selesai."


# -------------------------------------------------------------- accessibility


@pytest.mark.parametrize("path,selectors", [
    (CALC, [".klik-iid"]),
    (CHECK, [".klik-checklist", ".klik-checklist__stage"]),
    ("/alat/templat/", [".klik-template"]),
])
def test_tools_have_no_axe_violations(page, site_url, path, selectors):
    """Only the tools' own markup: the theme and shared fragments have their own checks."""
    page.goto(site_url + path)
    page.wait_for_load_state("networkidle")
    if path == CALC:
        page.get_by_role("button", name="Tambah inovasi").click()
    page.evaluate("document.querySelectorAll('.md-content details').forEach(d => d.open = true)")
    # evaluated by the test driver, not as a <script> tag: the page's CSP stays on
    page.evaluate((ROOT / "node_modules/axe-core/axe.min.js").read_text(encoding="utf-8"))
    result = page.evaluate("async (sels) => await axe.run({include: sels.map(s => [s])}, "
                           "{resultTypes: ['violations']})", selectors)
    problems = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert problems == []


# ------------------------------------------------------------ CSP and markup

STRICT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "font-src 'self'; connect-src 'self'")


def test_tools_work_under_a_self_only_content_security_policy(chromium, built_site):
    """The tools need no inline script, no inline style and no eval; the only violations
    allowed are the theme's own inline snippets (another check handles those)."""

    class Strict(_Quiet):
        def end_headers(self):
            self.send_header("Content-Security-Policy", STRICT_CSP)
            super().end_headers()

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Strict, directory=str(built_site)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.add_init_script("""window.__csp = [];
            document.addEventListener('securitypolicyviolation', e =>
                window.__csp.push([e.violatedDirective, e.blockedURI, e.sourceFile || '']));""")
        base = f"http://127.0.0.1:{srv.server_port}"
        page.goto(base + CALC)
        page.wait_for_selector("[data-testid=iid]")
        page.get_by_role("button", name="Tambah inovasi").click()
        page.check("#klik-iid-sid-16-3")
        assert page.text_content("[data-testid=iid]") != "IID 0,00"
        own = [v for v in page.evaluate("window.__csp") if "klik-" in v[2] or v[1] not in ("inline",)]
        assert own == []
        page.goto(base + CHECK)
        page.wait_for_selector("[data-role=toolbar]:not([hidden])")
        assert [v for v in page.evaluate("window.__csp") if "klik-" in v[2] or v[1] not in ("inline",)] == []
    finally:
        context.close()
        srv.shutdown()


def test_tool_sources_never_insert_markup_or_run_inline_code(built_site):
    js_dir = ROOT / "overrides/assets/javascripts"
    for path in js_dir.glob("klik-*.js"):
        code = path.read_text(encoding="utf-8")
        for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                       "setTimeout(\"", ".style."):
            assert banned not in code, f"{path.name}: {banned}"
    for name in ("alat/kalkulator-iid", "alat/daftar-periksa", "alat/templat"):
        html = (built_site / name / "index.html").read_text(encoding="utf-8")
        article = html[html.index("<article"):html.index("</article>")]
        assert "<script" not in article
        assert not re.search(r"\son[a-z]+\s*=", article)
        assert "style=" not in article
