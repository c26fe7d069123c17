"""Command line IID simulation: ``scripts/assess.py jawaban.yml`` prints the breakdown.

Reads an answers file in YAML or JSON (the calculator's export works as is), checks it
against the edition data with Indonesian errors (file, line, key, fix), and prints
every score, subtotal and the predicate, with the confidence of each parameter used.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import iid
from .data import ROOT, DataError, DataIssue, key_path, load_guide_data, parse_yaml
from .render import CONFIDENCE


def fmt(x: float) -> str:
    return f"{iid.round2(x):.2f}".replace(".", ",")


def num(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def load_answers(path: Path, data) -> tuple[dict | None, list[DataIssue]]:
    """Parse and check an answers file; issues carry the file's line numbers."""
    rel = str(path)
    raw, lines, issues = parse_yaml(path, rel)  # lines: key path (keys as written) -> line
    if issues or raw is None:
        return None, issues
    # every edition file, partial ones included, so a partial year gets its own message
    editions = ({e["year"]: e for e in data.files["iid"].values()} if "iid" in data.files
                else dict(data.index["editions"]))
    answers, problems = iid.normalise_answers(editions, raw)
    out = []
    for p in problems:
        line = lines.get(p.path)
        probe = p.path
        while line is None and probe:
            probe = probe[:-1]
            line = lines.get(probe)
        out.append(DataIssue(rel, line, key_path(p.path), p.problem, p.fix))
    return answers, sorted(out, key=lambda i: i.line or 0)


def breakdown(edition, answers: dict) -> str:
    """The printed report (Indonesian)."""
    r = iid.compute(edition, answers)
    p = iid.parameters(edition)
    by_no = {i["no"]: i for i in edition["indicators"]}
    out = [f"Simulasi Indeks Inovasi Daerah: {edition['title']}",
           "SIMULASI, BUKAN HASIL RESMI. Nilai resmi ditetapkan melalui pengukuran IID.", ""]

    def level_text(ind, answer):
        if answer is None:
            return "belum"
        if ind.get("parts"):
            return " / ".join(str(answer.get(part["id"], "-")) for part in ind["parts"])
        return str(answer)

    out.append(f"Aspek SPD ({iid.ASPECTS['SPD']})")
    out.append(f"  {'No':>3}  {'Indikator':<52} {'Bobot':>5} {'Level':>7} {'Skor':>6}")
    for row in r["spd"]["indicators"]:
        ind = by_no[row["no"]]
        out.append(f"  {row['no']:>3}  {ind['name'][:52]:<52} {num(ind['weight']):>5} "
                   f"{level_text(ind, answers['spd'].get(row['no'])):>7} {num(row['score']):>6}")
    out.append(f"  Subtotal SPD: {fmt(r['spd']['score'])} dari {num(r['spd']['max'])}")
    out.append("")
    out.append(f"Aspek SID ({iid.ASPECTS['SID']})")
    if not r["innovations"]:
        out.append("  (belum ada inovasi)")
    for k, inn in enumerate(r["innovations"], start=1):
        status = "ditolak, dihitung 0" if inn["rejected"] else f"{len(inn['missing'])} indikator belum dijawab"
        out.append(f"  Inovasi {k}: {inn['name']}: {fmt(inn['score'])} dari {num(p['sid_per_innovation_max'])} ({status})")
    out.append(f"  Jumlah skor SID semua inovasi: {fmt(r['sid_sum'])}")
    out.append(f"  Pembagi: MAX({num(p['divisor_min'])}, n = {r['n']}) = {num(r['divisor'])}")
    out.append(f"  Rata-rata skor SID: {fmt(r['sid_average'])}")
    out.append(f"  Skor jumlah inovasi: {num(p['count_weight'])} x min({r['n']}, {num(p['count_cap'])}), "
               f"paling tinggi {num(p['count_max'])} = {fmt(r['count_score'])}")
    out.append(f"  Nilai aspek SID: {fmt(r['sid'])}")
    out.append("")
    out.append(f"IID = ({fmt(r['spd']['score'])} + {fmt(r['sid'])}) / {num(p['total_max'])} x 100 = {fmt(r['iid_rounded'])}")
    out.append(f"Predikat: {r['predicate']}")
    out.append("")
    missing = [f"SPD {', '.join(str(n) for n in r['spd']['missing'])}"] if r["spd"]["missing"] else []
    for k, inn in enumerate(r["innovations"], start=1):
        if inn["missing"]:
            wajib = f" (wajib: {', '.join(str(n) for n in inn['mandatory_missing'])})" if inn["mandatory_missing"] else ""
            missing.append(f"inovasi {k} {', '.join(str(n) for n in inn['missing'])}{wajib}")
    out.append("Belum dijawab: " + ("; ".join(missing) if missing else "tidak ada"))
    out.append("")
    out.append("Parameter yang dipakai (tingkat keyakinan):")
    for key in iid.PARAMETER_KEYS:
        rec = edition["scoring"][key]
        out.append(f"  {iid.PARAMETER_LABELS[key]}: {num(rec['value'])} ({CONFIDENCE[rec['confidence']][0]})")
    rule = edition["scoring"]["score_rule"]
    out.append(f"  {rule['text']} ({CONFIDENCE[rule['confidence']][0]})")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Simulasi Indeks Inovasi Daerah dari berkas jawaban (YAML atau JSON hasil ekspor kalkulator).")
    parser.add_argument("answers", help="berkas jawaban, misalnya jawaban.yml")
    parser.add_argument("--root", default=str(ROOT), help="akar repositori panduan (bawaan: repositori ini)")
    parser.add_argument("--json", action="store_true", help="cetak hasil lengkap sebagai JSON")
    args = parser.parse_args(argv)
    try:
        data = load_guide_data(Path(args.root))
    except DataError as exc:
        print(f"GAGAL: {exc}", file=sys.stderr)
        return 2
    answers, issues = load_answers(Path(args.answers), data)
    if issues:
        print(f"GAGAL: berkas jawaban tidak valid ({len(issues)} masalah):", file=sys.stderr)
        for issue in issues:
            print(f"  - {issue}", file=sys.stderr)
        return 1
    edition = data.get("editions", answers["edition"])
    if args.json:
        print(json.dumps(iid.compute(edition, answers), ensure_ascii=False, indent=2))
    else:
        print(breakdown(edition, answers))
    return 0
