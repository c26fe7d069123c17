"""The bench's table and its check of every figure against the targets of issue 9."""
from __future__ import annotations

STAGE_LABELS = {
    "data": "data + validasi", "html": "MkDocs (HTML)", "lengkap": "build lengkap", "pdf": "PDF",
    "bare-pdf": "WeasyPrint polos", "search": "indeks pencarian", "worksheets": "lembar kerja",
    "docx": "DOCX", "templates": "templat", "downloads": "unduhan", "offline": "salinan luring",
    "ulang": "build ulang (tanpa perubahan)", "masukan": "cek masukan (hash)", "ubah-bab": "build ulang (1 bab diubah)",
}
OPTIONAL_LABELS = {"pdf": "PDF", "search": "indeks pencarian", "tools": "templat/DOCX/lembar kerja"}


def _kb(n) -> str:  # kB = 1,000 bytes, as the budget of issue 9 is read
    return "-" if n is None else f"{n / 1000:,.1f}"


def _mb(n) -> str:
    return "-" if n is None else f"{n / 1_000_000:,.1f}"


def _table(head: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [head] + rows) for i in range(len(head))]
    line = "  ".join("-" * w for w in widths)
    fmt = lambda r: "  ".join(str(c).ljust(w) if i == 0 or i == 1 else str(c).rjust(w)  # noqa: E731
                              for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([fmt(head), line] + [fmt(r) for r in rows])


def _stage_rows(name: str, guide: dict, optional: dict) -> list[list[str]]:
    rows = []
    stages = guide["stages"]
    for key, st in stages.items():
        label = STAGE_LABELS.get(key, key)
        if not st.get("ok"):
            rows.append([name, label, st.get("skipped") or "GAGAL", "", "", ""])
            continue
        rate = st.get("pages_per_s")
        extra = []
        if key == "html":
            extra.append(f"{st.get('pages', 0)} hlm HTML")
            if "mkdocs_s" in st:
                extra.append(f"MkDocs saja {st['mkdocs_s']:.2f} s")
        if key in ("pdf", "bare-pdf") and st.get("pages"):
            extra.append(f"{st['pages']} hlm PDF")
        if st.get("estimated"):
            extra.append("perkiraan: " + st["estimated"])
        if key in ("ulang", "ubah-bab") and "ratio_to_cold" in st:
            extra.append(f"{st['ratio_to_cold'] * 100:.0f}% dari build dingin")
        if key == "ulang" and "up_to_date_runs" in st:
            extra.append(f"situs sudah mutakhir pada {st['up_to_date_runs']} dari {st['n']} ulangan")
        if key == "ubah-bab" and "worksheets_made" in st:
            extra.append(f"lembar kerja/DOCX dibuat ulang: {st['worksheets_made']}")
        if key in ("search", "pdf") and "cached" in st:
            extra.append("dari cache" if st["cached"] else "dibuat")
        rows.append([name, label, f"{st['median_s']:.3f}", f"{st.get('peak_mb', 0):.0f}",
                     "-" if rate is None else f"{rate:g}", "; ".join(extra)])
    logged_as = {"pdf": ("pdf",), "search": ("search",),
                 "tools": ("worksheets", "docx", "templates", "downloads", "tools")}
    for stage, module in optional.items():
        if module is None:
            rows.append([name, OPTIONAL_LABELS[stage], "belum ada", "", "", ""])
        elif not any(k in stages for k in logged_as.get(stage, (stage,))) and not (
                stage == "pdf" and "lengkap" in stages):
            rows.append([name, OPTIONAL_LABELS[stage], "tak terukur", "", "",
                         f"{module} belum memakai guidebook.timing.stage()"])
    return rows


def render(results: dict) -> str:
    m = results["machine"]
    out = [f"make bench: {m['cores']} inti CPU, beban rata-rata {m['load_avg'][0]:.1f} -> "
           f"{m.get('load_avg_end', [0])[0]:.1f}, Python {m['python']}, commit {m.get('commit')}",
           f"Median dari {results['settings']['runs']} ulangan per tahap; memori = puncak RSS satu proses.", ""]
    rows = []
    for name, guide in results["guides"].items():
        rows += _stage_rows(name, guide, results["optional_stages"])
    out.append(_table(["panduan", "tahap", "median s", "puncak MB", "hlm/s", "keterangan"], rows))

    rows = []
    for name, guide in results["guides"].items():
        s = guide.get("sizes", {})
        pdf = s.get("pdf", {})
        rows.append([name, str(s.get("html_pages", "-")), _mb(s.get("bytes")), _kb(s.get("html_gz_median")),
                     _kb(s.get("html_raw_median")),
                     f"{_mb(pdf.get('bytes'))} ({pdf.get('pages')} hlm)" if pdf else "belum ada",
                     _kb(s.get("search_bytes")) if "search_bytes" in s else "belum ada"])
    out += ["", "Ukuran keluaran", _table(["panduan", "halaman", "situs MB", "HTML gz kB (median)",
                                           "HTML mentah kB", "PDF MB", "indeks cari kB"], rows)]

    rows = []
    for name, guide in results["guides"].items():
        for path, w in (guide.get("weight") or {}).items():
            t = w["by_type"]
            rows.append([name, f"{w['role']} {path}", _kb(w["transferred_bytes"]), str(w["requests"]),
                         str(len(w["foreign_requests"])), _kb(t.get("html")), _kb(t.get("css")), _kb(t.get("js")),
                         _kb(t.get("font")), _kb(w.get("content_image_bytes"))])
        fs = guide.get("first_search")
        if fs:
            if "bytes_gzip" in fs:
                rows.append([name, "pencarian pertama", _kb(fs["bytes_gzip"]), str(fs.get("files", "-")),
                             "0", "", "", "", "", f"saat muat: {fs.get('page_load_search_files', '-')} berkas"])
            else:
                rows.append([name, "pencarian pertama: " + (fs.get("skipped") or fs.get("error", ""))[:80],
                             "", "", "", "", "", "", "", ""])
        if guide.get("weight_error"):
            rows.append([name, "GAGAL: " + guide["weight_error"][:80], "", "", "", "", "", "", "", ""])
    if rows:
        out += ["", "Bobot halaman (Chromium, cache kosong, gzip; kB = 1.000 bita terkirim, tanpa gambar isi)",
                _table(["panduan", "halaman", "total kB", "permintaan", "host lain", "HTML", "CSS", "JS",
                        "fon", "gambar isi"], rows)]

    ng = results.get("nav_growth")
    sc = results.get("scaling")
    if sc:
        a, b = sc["chapters"]
        lines = [f"Skala {a} -> {b} bab:"]
        if "html_ratio" in sc:
            lines.append(f"  detik per halaman HTML: {sc['html_s_per_page'][0] * 1000:.1f} ms -> "
                         f"{sc['html_s_per_page'][1] * 1000:.1f} ms ({sc['html_ratio']:.2f}x)")
        if "pdf_ratio" in sc:
            lines.append(f"  detik per halaman PDF: {sc['pdf_s_per_page'][0]:.3f} -> {sc['pdf_s_per_page'][1]:.3f} "
                         f"({sc['pdf_ratio']:.2f}x)")
        if ng:
            lines.append(f"  HTML per halaman (median {ng['pages_compared']} halaman yang sama): "
                         f"mentah {_kb(ng['raw_median'][0])} -> {_kb(ng['raw_median'][1])} kB "
                         f"({ng['raw_growth'] * 100:+.1f}%), gzip {_kb(ng['gz_median'][0])} -> "
                         f"{_kb(ng['gz_median'][1])} kB ({ng['gz_growth'] * 100:+.1f}%)")
            if "home_transfer" in ng:
                lines.append(f"  beranda terkirim: {_kb(ng['home_transfer'][0])} -> {_kb(ng['home_transfer'][1])} kB "
                             f"({ng['home_transfer_growth'] * 100:+.1f}%); navigasi di DOM "
                             f"{ng['home_nav_chars'][0]:,} -> {ng['home_nav_chars'][1]:,} karakter")
        out += [""] + lines

    lh = results.get("lighthouse")
    if lh:
        out.append("")
        if "skipped" in lh:
            out.append(f"Lighthouse: dilewati ({lh['skipped']})")
        else:
            rows = []
            for path, r in lh.items():
                if "error" in r:
                    rows.append([path, "GAGAL", "", "", "", r["error"][:60]])
                    continue
                s = r["median"]
                rows.append([path, f"{s['performance']:.0f}", f"{s['accessibility']:.0f}",
                             f"{s['best-practices']:.0f}", f"{s['seo']:.0f}",
                             ", ".join(sorted({i['audit'] for i in r['lost'] if i['score'] < 0.9}))[:90] or "-"])
            out += [f"Lighthouse (seluler, median dari {len(next(iter(lh.values())).get('runs', []))} kali; target >=95 / 100 / >=95 / >=95)",
                    _table(["halaman", "kinerja", "aksesibilitas", "praktik", "SEO", "kehilangan poin"], rows)]
            bi = [b for r in lh.values() if isinstance(r, dict) for b in r.get("benchmark_index", []) if b]
            if bi:
                out.append(f"Indeks benchmark CPU Lighthouse: {min(bi):.0f}-{max(bi):.0f} "
                           "(makin rendah makin sibuk mesinnya; skor kinerja ikut turun)")

    pv = results.get("live_preview")
    if pv:
        out.append("")
        if "error" in pv:
            out.append(f"Pratinjau langsung: GAGAL ({pv['error'][:200]})")
        else:
            out.append(f"Pratinjau langsung (make serve, {pv['chapter']}): median {pv['median_s']:.2f} s "
                       f"dari simpan sampai tampil ({', '.join(f'{t:.2f}' for t in pv['runs_s'])})")

    rows = [[t["target"], t["value"], t["limit"], {True: "ya", False: "TIDAK", None: "-"}[t["ok"]]]
            for t in results.get("targets", [])]
    out += ["", "Target issue 9", _table(["target", "hasil", "batas", "tercapai"], rows)]
    return "\n".join(out)


def targets(results: dict, limits: dict) -> list[dict]:
    """Every target of issue 9 with the measured value (None = not measurable yet)."""
    out = []

    def add(target: str, value, limit: str, ok):
        out.append({"target": target, "value": value, "limit": limit, "ok": ok})

    guides = results["guides"]
    synth = sorted((g for g in guides.values() if g.get("chapters")), key=lambda g: g["chapters"])
    real = guides.get("nyata")

    # 2. caching
    for name, g in guides.items():
        r = g["stages"].get("ulang", {})
        if "ratio_to_cold" in r:
            add(f"2. build ulang tanpa perubahan ({name})", f"{r['ratio_to_cold'] * 100:.0f}% dari build dingin",
                f"<= {limits['rebuild_ratio'] * 100:.0f}%", r["ratio_to_cold"] <= limits["rebuild_ratio"])
        e = g["stages"].get("ubah-bab", {})
        if "worksheets_made" in e:
            add(f"2. satu bab diubah ({name})", f"{e['worksheets_made']:g} lembar kerja/DOCX dibuat ulang; "
                f"{e['ratio_to_cold'] * 100:.0f}% dari build dingin" if "ratio_to_cold" in e else
                f"{e['worksheets_made']:g} lembar kerja/DOCX dibuat ulang", "0 dibuat ulang", e["worksheets_made"] == 0)
    # 3. and 4. PDF against bare WeasyPrint
    for name, g in guides.items():
        pdf, bare = g["stages"].get("pdf", {}), g["stages"].get("bare-pdf", {})
        if pdf.get("ok") and bare.get("ok"):
            ratio = pdf["median_s"] / bare["median_s"]
            add(f"3. tahap PDF / WeasyPrint polos ({name})", f"{ratio:.2f}x", f"<= {limits['pdf_vs_bare']}x",
                ratio <= limits["pdf_vs_bare"])
            if pdf.get("weasyprint_seconds") is not None:
                over = (pdf["median_s"] - pdf["weasyprint_seconds"]) / bare["median_s"]
                add(f"4. tambahan di luar WeasyPrint ({name})", f"{over * 100:.1f}%",
                    f"<= {limits['overhead'] * 100:.0f}%", over <= limits["overhead"])
            else:
                add(f"4. tambahan di luar WeasyPrint ({name})", "tahap PDF belum melaporkan weasyprint_seconds",
                    f"<= {limits['overhead'] * 100:.0f}%", None)
    if not any(g["stages"].get("pdf", {}).get("ok") for g in guides.values()):
        add("3./4./5. PDF", "belum ada (guidebook/pdf.py)", "-", None)
    # 5. scaling and memory
    sc = results.get("scaling", {})
    if "pdf_ratio" in sc:
        add(f"5. detik per halaman PDF, {sc['chapters'][1]} vs {sc['chapters'][0]} bab", f"{sc['pdf_ratio']:.2f}x",
            f"<= {limits['pdf_scaling']}x", sc["pdf_ratio"] <= limits["pdf_scaling"])
    if synth and synth[-1]["stages"].get("pdf", {}).get("ok"):
        g = synth[-1]
        peak = max(g["stages"]["pdf"].get("peak_mb", 0), g["stages"].get("lengkap", {}).get("peak_mb", 0))
        add(f"5. memori proses PDF ({g['chapters']} bab)", f"{peak:.0f} MB", f"<= {limits['pdf_process_mb']} MB",
            peak <= limits["pdf_process_mb"])
    if "html_ratio" in sc:
        add(f"(info) detik per halaman HTML, {sc['chapters'][1]} vs {sc['chapters'][0]} bab",
            f"{sc['html_ratio']:.2f}x", "-", None)
    # 6. reader weight
    for name, g in guides.items():
        for path, w in (g.get("weight") or {}).items():
            kb = w["transferred_bytes"] / 1000
            add(f"6. bobot {w['role']} {path} ({name})", f"{kb:.1f} kB, {w['requests']} permintaan",
                f"<= {limits['weight_kb']} kB", kb <= limits["weight_kb"])
            add(f"6. permintaan ke host lain {path} ({name})", str(len(w["foreign_requests"])), "0",
                not w["foreign_requests"])
    ng = results.get("nav_growth")
    if ng:
        add(f"6. HTML per halaman {sc['chapters'][0]} -> {sc['chapters'][1]} bab (gzip)",
            f"{ng['gz_growth'] * 100:+.1f}% (mentah {ng['raw_growth'] * 100:+.1f}%)", "tidak tumbuh", None)
        if "home_transfer_growth" in ng:
            add(f"6. bobot beranda {sc['chapters'][0]} -> {sc['chapters'][1]} bab",
                f"{ng['home_transfer_growth'] * 100:+.1f}%", "tidak tumbuh", None)
    # 7. live preview
    pv = results.get("live_preview")
    if pv and "median_s" in pv:
        add("7. pratinjau langsung", f"{pv['median_s']:.2f} s", f"< {limits['preview_s']} s",
            pv["median_s"] < limits["preview_s"])
    # 8. Lighthouse
    lh = results.get("lighthouse") or {}
    for path, r in lh.items():
        if isinstance(r, dict) and "median" in r:
            for cat, lim in limits["lighthouse"].items():
                add(f"8. Lighthouse {cat} {path}", f"{r['median'][cat]:.0f}", f">= {lim}", r["median"][cat] >= lim)
    return out
