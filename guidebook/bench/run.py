"""``make bench``: time every build stage and weigh the pages a reader downloads.

For the real guide and synthetic guides of 10, 50 and 200 chapters, each stage runs in
a fresh process, at least three times; the table shows the median and the peak memory:

* ``data``: load and validate ``guide_data/``;
* ``html``: the site build with the PDF switched off (``KLIK_PDF=0``);
* ``lengkap``: the whole build, as ``make build`` runs it, when a PDF, search or
  download stage exists (``guidebook/pdf.py``, ``search.py``, ...); the stages it
  reports through ``guidebook.timing`` are shown on their own rows;
* ``bare-pdf``: one plain WeasyPrint render of the book HTML the PDF stage handed over
  (``timing.book_html``), the yardstick for the PDF targets;
* ``ulang``: the same build again with nothing changed (what caching saves);
* ``ubah-bab``: a rebuild after one chapter was edited (an editor's usual build).

Then page weight in Chromium (home page and the heaviest chapter, cold cache, served
with gzip), Lighthouse on the real guide, and the live-preview delay of ``make serve``.
Results go to ``bench/results.json``; a stage whose module does not exist yet is
reported as ``belum ada``. Timings are never asserted by tests.
"""
from __future__ import annotations

import datetime as dt
import gzip
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..data import ROOT
from ..timing import ENV_BOOK, ENV_LOG, read_log
from . import report
from .synthetic import SECTION, copy_project, make_synthetic_guide

RESULTS = ROOT / "bench" / "results.json"
WORKDIR = ROOT / ".cache" / "bench"
DEFAULT_GUIDES = ("nyata", "10", "50", "200")

# Optional build stages: stage -> modules that provide it (the first found counts).
OPTIONAL = {
    "pdf": ("guidebook.pdf",),
    "search": ("guidebook.search",),
    "tools": ("guidebook.worksheets", "guidebook.tools"),
}
# Names the stages use with guidebook.timing.stage(); anything else logged is shown too.
LOGGED_ORDER = ("pdf", "search", "worksheets", "docx", "templates", "downloads", "offline")

TARGETS = {
    "weight_kb": 100, "preview_s": 2.0, "rebuild_ratio": 0.15, "pdf_vs_bare": 0.6, "overhead": 0.10,
    "pdf_scaling": 1.2, "pdf_process_mb": 400,
    "lighthouse": {"performance": 95, "accessibility": 100, "best-practices": 95, "seo": 95},
}


# ------------------------------------------------------------------ helpers


def optional_stages(root: Path = ROOT) -> dict[str, str | None]:
    """stage -> providing module, or None when it does not exist (yet)."""
    found = {}
    for stage, modules in OPTIONAL.items():
        found[stage] = None
        for mod in modules:
            spec = importlib.util.find_spec(mod)
            if spec is not None and spec.origin and spec.origin.endswith(".py"):
                found[stage] = mod
                break
    return found


def worker(stage: str, root: Path, site_dir: Path | None = None, env: dict | None = None) -> dict:
    """Run one measured stage in a fresh Python process."""
    fd, result = tempfile.mkstemp(prefix="klik-bench-", suffix=".json")
    os.close(fd)
    full_env = dict(os.environ, **(env or {}))
    # the bench measures the build cache too: always on, inside the project (cold runs delete it)
    full_env.pop("KLIK_CACHE_DIR", None)
    full_env["KLIK_CACHE"] = "1"
    full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "guidebook.bench.worker", stage, str(root), result,
                           str(site_dir or "")], cwd=ROOT, env=full_env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    try:
        out = json.loads(Path(result).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        out = {"ok": False, "error": "pekerja tidak menulis hasil"}
    finally:
        Path(result).unlink(missing_ok=True)
    out["wall_s"] = round(wall, 3)
    if not out.get("ok"):
        out["stderr"] = (proc.stderr or "")[-3000:]
    return out


def summarize(runs: list[dict], key: str = "seconds") -> dict:
    ok = [r for r in runs if r.get("ok", True) and r.get(key) is not None]
    if not ok:
        return {"ok": False, "error": next((r.get("error") for r in runs if r.get("error")), "gagal"),
                "runs": runs}
    values = [r[key] for r in ok]
    return {"ok": True, "median_s": round(statistics.median(values), 4), "min_s": round(min(values), 4),
            "max_s": round(max(values), 4), "n": len(values),
            "peak_mb": max(r.get("peak_mb", 0) for r in ok), "runs_s": [round(v, 4) for v in values]}


def clean_outputs(project: Path, site_dir: Path, keep_cache: bool = False) -> None:
    shutil.rmtree(site_dir, ignore_errors=True)
    if not keep_cache:
        shutil.rmtree(project / ".cache", ignore_errors=True)


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def _page_path(site: Path, html: Path) -> str:
    rel = html.relative_to(site).as_posix()
    return "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


def site_sizes(site: Path, book_slug: str | None) -> dict:
    files = [p for p in site.rglob("*") if p.is_file()]
    pages = [p for p in files if p.suffix == ".html"]
    per_page = {}
    for p in pages:
        data = p.read_bytes()
        per_page[_page_path(site, p)] = {"raw": len(data), "gz": _gz(data)}
    out = {
        "files": len(files), "bytes": sum(p.stat().st_size for p in files),
        "html_pages": len(pages), "html_bytes": sum(v["raw"] for v in per_page.values()),
        "html_raw_median": statistics.median([v["raw"] for v in per_page.values()]) if pages else 0,
        "html_gz_median": statistics.median([v["gz"] for v in per_page.values()]) if pages else 0,
        "per_page": per_page,
    }
    pagefind = site / "pagefind"
    if pagefind.is_dir():
        out["search_bytes"] = sum(p.stat().st_size for p in pagefind.rglob("*") if p.is_file())
    unduh = site / "unduh"
    if unduh.is_dir():
        by_ext: dict[str, int] = {}
        for p in unduh.rglob("*"):
            if p.is_file():
                by_ext[p.suffix.lstrip(".") or "lain"] = by_ext.get(p.suffix.lstrip(".") or "lain", 0) + p.stat().st_size
        out["downloads_bytes"] = by_ext
        pdfs = sorted(unduh.glob("*.pdf"), key=lambda p: p.stat().st_size, reverse=True)
        handbook = unduh / f"{book_slug}.pdf" if book_slug and (unduh / f"{book_slug}.pdf").is_file() else (
            pdfs[0] if pdfs else None)
        if handbook is not None:
            from pypdf import PdfReader

            out["pdf"] = {"file": handbook.name, "bytes": handbook.stat().st_size,
                          "pages": len(PdfReader(str(handbook)).pages)}
    return out


def heaviest_chapter(sizes: dict) -> str | None:
    pages = {k: v for k, v in sizes["per_page"].items() if k not in ("/", "/404.html")}
    return max(pages, key=lambda k: pages[k]["gz"]) if pages else None


def book_slug(project: Path) -> str | None:
    import yaml

    try:
        region = yaml.safe_load((project / "guide_data" / "region.yml").read_text(encoding="utf-8"))
        return region.get("book", {}).get("slug")
    except (OSError, yaml.YAMLError, AttributeError):
        return None


def _logged_stages(logs: list[list[dict]]) -> dict[str, dict]:
    """Per logged stage: median over runs of its total seconds, peak memory, extras."""
    names: list[str] = []
    for log in logs:
        for e in log:
            if e["stage"] not in names:
                names.append(e["stage"])
    names.sort(key=lambda n: (LOGGED_ORDER.index(n) if n in LOGGED_ORDER else len(LOGGED_ORDER), n))
    out = {}
    for name in names:
        totals, peaks, extras = [], [], {}
        for log in logs:
            entries = [e for e in log if e["stage"] == name]
            if not entries:
                continue
            totals.append(sum(e["seconds"] for e in entries))
            peaks.append(max(max(e.get("self_mb", 0), e.get("children_mb", 0)) for e in entries))
            for e in entries:
                for k, v in e.items():
                    if k not in ("stage", "seconds", "pid", "self_mb", "children_mb") and isinstance(v, (int, float)):
                        extras.setdefault(k, []).append(v)
        out[name] = {"ok": True, "median_s": round(statistics.median(totals), 4), "n": len(totals),
                     "peak_mb": max(peaks), "runs_s": totals,
                     **{k: statistics.median(v) for k, v in extras.items()}}
    return out


# ------------------------------------------------------------------ stages


def bench_guide(name: str, project: Path, runs: int, optional: dict, skip_full: bool, log) -> dict:
    """All timed stages of one guide."""
    site = project / "site"
    work = project / ".bench"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    result: dict = {"stages": {}}
    stages = result["stages"]

    log(f"[{name}] data")
    stages["data"] = summarize([worker("data", project) for _ in range(runs)])

    def builds(label: str, env: dict, cold: bool, book: bool = False) -> tuple[dict, list[list[dict]]]:
        runs_out, logs = [], []
        for i in range(runs):
            log(f"[{name}] {label} {i + 1}/{runs}")
            if cold:
                clean_outputs(project, site)
            log_file = work / f"{label}-{i}.jsonl"
            log_file.unlink(missing_ok=True)
            run_env = dict(env, **{ENV_LOG: str(log_file)})
            if book and i == 0:
                run_env[ENV_BOOK] = str(work / "book")
            runs_out.append(worker("build", project, site, run_env))
            logs.append(read_log(log_file))
        return summarize(runs_out), logs

    html, html_logs = builds("html", {"KLIK_PDF": "0"}, cold=True)
    logged_html = _logged_stages(html_logs)
    stages["html"] = html
    if html.get("ok") and logged_html:
        # MkDocs alone: the build minus the optional stages it ran anyway (search, tools).
        stages["html"]["mkdocs_s"] = round(html["median_s"] - sum(v["median_s"] for v in logged_html.values()), 4)
    result["sizes_html"] = site_sizes(site, book_slug(project)) if site.is_dir() else {}

    # KLIK_PDF switches the PDF only: search and download stages run in every build.
    if optional.get("pdf") and not skip_full:
        full, full_logs = builds("lengkap", {"KLIK_PDF": "1"}, cold=True, book=True)
        stages["lengkap"] = full
        for stage_name, figures in _logged_stages(full_logs).items():
            stages[stage_name] = figures
        result["sizes"] = site_sizes(site, book_slug(project)) if site.is_dir() else {}
        if not stages.get("pdf") and html.get("ok") and full.get("ok"):
            # The PDF stage does not report itself yet: the difference of the two builds.
            stages["pdf"] = {"ok": True, "median_s": round(full["median_s"] - html["median_s"], 4),
                             "peak_mb": full["peak_mb"], "estimated": "selisih build lengkap - build HTML"}
        if (work / "book" / "book.html").is_file():
            bare = []
            for i in range(runs):
                log(f"[{name}] bare-pdf {i + 1}/{runs}")
                bare.append(worker("bare-pdf", project, site, {ENV_BOOK: str(work / "book")}))
            stages["bare-pdf"] = summarize(bare)
            if stages["bare-pdf"].get("ok"):
                stages["bare-pdf"]["pages"] = next(r["pages"] for r in bare if r.get("ok"))
        rebuild_env = {"KLIK_PDF": "1"}
    else:
        if optional.get("pdf"):
            stages["lengkap"] = {"ok": False, "skipped": "dilewati (--quick)"}
        stages.update(logged_html)
        result["sizes"] = result["sizes_html"]
        rebuild_env = {"KLIK_PDF": "0"}

    # Unchanged rebuild: the previous build's site/ and .cache/ stay in place.
    rebuild, rebuild_logs = builds("ulang", rebuild_env, cold=False)
    stages["ulang"] = rebuild
    if rebuild.get("ok"):  # runs that found site/ already up to date (build.up_to_date)
        rebuild["up_to_date_runs"] = sum(any(e["stage"] == "masukan" and e.get("up_to_date") for e in lg)
                                         for lg in rebuild_logs)
    cold = stages.get("lengkap") if stages.get("lengkap", {}).get("ok") else html
    if rebuild.get("ok") and cold.get("ok"):
        stages["ulang"]["ratio_to_cold"] = round(rebuild["median_s"] / cold["median_s"], 3)

    # An editor's rebuild: one chapter edited each time (worksheets and DOCX come from the cache).
    chapter = project / "docs" / _preview_chapter(project)
    original = chapter.read_text(encoding="utf-8")
    runs_out, edit_logs = [], []
    edits = 1 if guide_chapters(project) >= 200 else runs  # each one re-renders the whole PDF
    try:
        for i in range(edits):
            log(f"[{name}] ubah-bab {i + 1}/{edits}")
            chapter.write_text(original + f"\nKalimat uji bench nomor {i + 1}.\n", encoding="utf-8")
            log_file = work / f"ubah-bab-{i}.jsonl"
            log_file.unlink(missing_ok=True)
            runs_out.append(worker("build", project, site, dict(rebuild_env, **{ENV_LOG: str(log_file)})))
            edit_logs.append(read_log(log_file))
    finally:
        chapter.write_text(original, encoding="utf-8")
    stages["ubah-bab"] = summarize(runs_out)
    if stages["ubah-bab"].get("ok"):
        cached = [sum(e.get("cached", 0) for e in lg if e["stage"] == "worksheets") for lg in edit_logs]
        made = [sum(e.get("files", 0) - e.get("cached", 0) for e in lg if e["stage"] == "worksheets")
                for lg in edit_logs]
        stages["ubah-bab"].update(chapter=chapter.relative_to(project).as_posix(),
                                  worksheets_cached=statistics.median(cached), worksheets_made=max(made))
        if cold.get("ok"):
            stages["ubah-bab"]["ratio_to_cold"] = round(stages["ubah-bab"]["median_s"] / cold["median_s"], 3)

    sizes = result["sizes"]
    pages = result["sizes_html"].get("html_pages", 0)
    if html.get("ok") and pages:
        stages["html"]["pages"] = pages
        stages["html"]["pages_per_s"] = round(pages / html["median_s"], 1)
        stages["html"]["s_per_page"] = html["median_s"] / pages
    pdf_info = sizes.get("pdf")
    if pdf_info and stages.get("pdf", {}).get("ok"):
        stages["pdf"]["pages"] = pdf_info["pages"]
        stages["pdf"]["pages_per_s"] = round(pdf_info["pages"] / stages["pdf"]["median_s"], 2)
        stages["pdf"]["s_per_page"] = stages["pdf"]["median_s"] / pdf_info["pages"]
    if stages.get("bare-pdf", {}).get("ok"):
        b = stages["bare-pdf"]
        b["pages_per_s"] = round(b["pages"] / b["median_s"], 2)
    return result


def guide_chapters(project: Path) -> int:
    """Chapters of a synthetic guide (0 for the real one)."""
    return len([p for p in (project / "docs" / SECTION).glob("*.md") if p.name != "index.md"])


def weigh(site: Path, sizes: dict) -> dict:
    from .server import serve
    from .weight import measure

    paths = ["/"]
    heavy = heaviest_chapter(sizes)
    if heavy:
        paths.append(heavy)
    with serve(site) as url:
        measured = measure(url, paths)
    for path, m in measured.items():
        m["role"] = "beranda" if path == "/" else "bab terberat"
        m["files"] = [{k: v for k, v in f.items() if k != "url"} | {"path": f["url"].split(url, 1)[-1]}
                      for f in m["files"]]
    return measured


def first_search(module: str, site: Path, log, name: str) -> dict:
    """Bytes a reader downloads for a first search, measured by the search stage itself."""
    import importlib

    measure = getattr(importlib.import_module(module), "measure_first_search", None)
    if measure is None:
        return {"skipped": f"{module}.measure_first_search belum ada"}
    log(f"[{name}] pencarian pertama (Chromium)")
    try:
        return measure(site)
    except Exception as exc:  # noqa: BLE001
        return {"error": f"{type(exc).__name__}: {exc}"[:1000]}


def nav_growth(small: dict, large: dict) -> dict:
    """Per-page HTML of the pages both guides share, and the weight of the same page."""
    a, b = small["sizes_html"]["per_page"], large["sizes_html"]["per_page"]
    common = sorted(set(a) & set(b) - {"/404.html"})
    if not common:
        return {}
    raw_a = statistics.median([a[p]["raw"] for p in common])
    raw_b = statistics.median([b[p]["raw"] for p in common])
    gz_a = statistics.median([a[p]["gz"] for p in common])
    gz_b = statistics.median([b[p]["gz"] for p in common])
    out = {"pages_compared": len(common), "raw_median": [raw_a, raw_b], "gz_median": [gz_a, gz_b],
           "raw_growth": round(raw_b / raw_a - 1, 4), "gz_growth": round(gz_b / gz_a - 1, 4)}
    wa, wb = small.get("weight", {}).get("/"), large.get("weight", {}).get("/")
    if wa and wb:
        out["home_transfer"] = [wa["transferred_bytes"], wb["transferred_bytes"]]
        out["home_transfer_growth"] = round(wb["transferred_bytes"] / wa["transferred_bytes"] - 1, 4)
        out["home_nav_chars"] = [wa["nav_chars"], wb["nav_chars"]]
    return out


# ------------------------------------------------------------------ main


def machine_info() -> dict:
    def version(pkg: str) -> str | None:
        from importlib.metadata import PackageNotFoundError, version as v

        try:
            return v(pkg)
        except PackageNotFoundError:
            return None

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return {"cores": os.cpu_count(), "load_avg": list(os.getloadavg()), "python": platform.python_version(),
            "platform": platform.platform(), "commit": commit.stdout.strip() or None,
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "versions": {p: version(p) for p in ("mkdocs", "mkdocs-material", "weasyprint", "pagefind")}}


def run_bench(guides=DEFAULT_GUIDES, runs: int = 3, quick: bool = False, lighthouse: bool = True,
              preview: bool = True, weight: bool = True, lighthouse_runs: int = 5,
              workdir: Path = WORKDIR, results_path: Path = RESULTS, log=print, prepare=None) -> dict:
    """Run everything and write ``results_path``; ``prepare(name, project)``, if given,
    may change each project copy before it is measured (the tests use it)."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    optional = optional_stages()
    results: dict = {"machine": machine_info(), "settings": {"runs": runs, "quick": quick, "guides": list(guides)},
                     "optional_stages": optional, "guides": {}}
    for key in guides:
        name = "nyata" if key == "nyata" else f"sintetis-{int(key)}"
        project = workdir / name
        if key == "nyata":
            shutil.rmtree(project, ignore_errors=True)
            copy_project(project)
            chapters = None
        else:
            log(f"[{name}] membuat panduan sintetis {int(key)} bab")
            make_synthetic_guide(int(key), project)
            chapters = int(key)
        if prepare:
            prepare(name, project)
        skip_full = quick and chapters is not None and chapters >= 200
        guide = bench_guide(name, project, runs, optional, skip_full, log)
        guide["chapters"] = chapters
        if weight and (project / "site").is_dir():
            log(f"[{name}] bobot halaman (Chromium)")
            try:
                guide["weight"] = weigh(project / "site", guide["sizes"])
            except Exception as exc:  # noqa: BLE001 - reported in the results, the bench goes on
                guide["weight_error"] = f"{type(exc).__name__}: {exc}"
        if optional.get("search") and (project / "site").is_dir():
            guide["first_search"] = first_search(optional["search"], project / "site", log, name)
        results["guides"][name] = guide

    synth = sorted((g for g in results["guides"].values() if g["chapters"]), key=lambda g: g["chapters"])
    if len(synth) >= 2:
        small, large = synth[0], synth[-1]
        results["scaling"] = {"chapters": [small["chapters"], large["chapters"]]}
        for stage in ("html", "pdf"):
            s, l = small["stages"].get(stage, {}), large["stages"].get(stage, {})
            if s.get("s_per_page") and l.get("s_per_page"):
                results["scaling"][f"{stage}_s_per_page"] = [s["s_per_page"], l["s_per_page"]]
                results["scaling"][f"{stage}_ratio"] = round(l["s_per_page"] / s["s_per_page"], 3)
        results["nav_growth"] = nav_growth(small, large)

    real = results["guides"].get("nyata") or (synth[0] if synth else None)
    real_project = workdir / ("nyata" if "nyata" in results["guides"] else f"sintetis-{synth[0]['chapters']}") \
        if real else None
    if lighthouse and real:
        from . import lighthouse as lh

        why = lh.missing()
        if why:
            results["lighthouse"] = {"skipped": why}
        else:
            from .server import serve

            paths = ["/"] + [p for p in [heaviest_chapter(real["sizes"])] if p]
            log(f"Lighthouse ({lighthouse_runs}x per halaman): {', '.join(paths)}")
            with serve(real_project / "site") as url:
                results["lighthouse"] = lh.audit_pages(url, paths, runs=lighthouse_runs)
    if preview and real_project:
        from . import preview as pv

        chapter = _preview_chapter(real_project)
        log(f"Pratinjau langsung (mkdocs serve): {chapter}")
        try:
            results["live_preview"] = pv.measure(real_project, chapter, runs=max(runs, 1))
        except Exception as exc:  # noqa: BLE001
            results["live_preview"] = {"error": f"{type(exc).__name__}: {exc}"[-2000:]}

    results["machine"]["load_avg_end"] = list(os.getloadavg())
    results["targets"] = report.targets(results, TARGETS)
    results_path = Path(results_path)
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    return results


def _preview_chapter(project: Path) -> str:
    """The first chapter in the navigation that is not the home page."""
    import yaml

    config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))

    def walk(items):
        for item in items or []:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            if isinstance(value, list):
                yield from walk(value)
            elif isinstance(value, str) and value.endswith(".md"):
                yield value

    for md in walk(config.get("nav")):
        if md != "index.md" and not md.endswith("/index.md"):
            return md
    return "index.md"


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Ukur kecepatan build dan bobot halaman (make bench).")
    parser.add_argument("--guides", default=",".join(DEFAULT_GUIDES),
                        help="daftar panduan: nyata dan/atau jumlah bab sintetis (bawaan: nyata,10,50,200)")
    parser.add_argument("--runs", type=int, default=3, help="jumlah ulangan per tahap (minimal 3 untuk laporan)")
    parser.add_argument("--quick", action="store_true", help="lewati build lengkap (PDF) panduan 200 bab")
    parser.add_argument("--no-lighthouse", action="store_true")
    parser.add_argument("--no-preview", action="store_true")
    parser.add_argument("--no-weight", action="store_true")
    parser.add_argument("--lighthouse-runs", type=int, default=5,
                        help="Lighthouse per halaman (median; skornya bergoyang dengan beban mesin)")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    guides = [g.strip() for g in args.guides.split(",") if g.strip()]
    for g in guides:
        if g != "nyata" and not g.isdigit():
            parser.error(f"panduan tidak dikenal: {g}")
    start = time.perf_counter()
    results = run_bench(guides, runs=args.runs, quick=args.quick, lighthouse=not args.no_lighthouse,
                        preview=not args.no_preview, weight=not args.no_weight,
                        lighthouse_runs=args.lighthouse_runs, results_path=Path(args.out),
                        log=lambda msg: print(msg, file=sys.stderr, flush=True))
    print(report.render(results))
    print(f"\nHasil lengkap: {args.out} ({time.perf_counter() - start:.0f} detik)")
    return 0
