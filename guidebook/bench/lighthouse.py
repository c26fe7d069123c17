"""Lighthouse (npm ``lighthouse``, pinned in ``bench/package.json``) with Debian's Chromium.

Mobile preset (Lighthouse's default: a mid-range phone, slow 4G, CPU slowed 4x),
categories performance, accessibility, best practices and SEO. Scores move with the
machine's load, so each page is audited several times and the median is kept.
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from ..data import ROOT
from .weight import CHROMIUM

BENCH_DIR = ROOT / "bench"
CLI = BENCH_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run")
METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
           "cumulative-layout-shift", "speed-index")


def missing() -> str | None:
    """Why Lighthouse cannot run here, or None."""
    if not shutil.which("node"):
        return "node tidak ditemukan"
    if not CLI.is_file():
        return "lighthouse belum terpasang (jalankan: npm ci --prefix bench)"
    if not Path(CHROMIUM).is_file():
        return f"{CHROMIUM} tidak ditemukan"
    return None


def audit(url: str, timeout: int = 240) -> dict:
    """One Lighthouse run: scores 0-100, key metrics, and what lost points."""
    with tempfile.TemporaryDirectory(prefix="klik-lh-") as tmp:
        out = Path(tmp) / "report.json"
        cmd = ["node", str(CLI), url, "--output=json", f"--output-path={out}", "--quiet",
               f"--chrome-flags={CHROME_FLAGS}", "--only-categories=" + ",".join(CATEGORIES)]
        env = dict(os.environ, CHROME_PATH=CHROMIUM)
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        if not out.is_file():
            return {"error": (proc.stderr or proc.stdout or "tanpa keluaran")[-1500:]}
        report = json.loads(out.read_text(encoding="utf-8"))
    scores = {c: round(report["categories"][c]["score"] * 100) if report["categories"][c]["score"] is not None
              else None for c in CATEGORIES}
    metrics = {m: report["audits"][m].get("numericValue") for m in METRICS if m in report["audits"]}
    lost = []
    for cat in CATEGORIES:
        for ref in report["categories"][cat]["auditRefs"]:
            a = report["audits"].get(ref["id"], {})
            if ref.get("weight", 0) > 0 and a.get("score") is not None and a["score"] < 1:
                lost.append({"category": cat, "audit": ref["id"], "score": a["score"],
                             "value": a.get("displayValue", "")})
    return {"scores": scores, "metrics": metrics, "lost": lost,
            "benchmark_index": report.get("environment", {}).get("benchmarkIndex")}


def audit_pages(base_url: str, paths: list[str], runs: int = 3) -> dict:
    out = {}
    for path in paths:
        url = base_url.rstrip("/") + "/" + path.lstrip("/")
        results = [audit(url) for _ in range(runs)]
        good = [r for r in results if "scores" in r]
        if not good:
            out[path] = {"error": results[-1].get("error", "gagal")}
            continue
        median = {c: statistics.median([r["scores"][c] for r in good if r["scores"][c] is not None] or [0])
                  for c in CATEGORIES}
        metrics = {m: statistics.median([r["metrics"][m] for r in good if r["metrics"].get(m) is not None] or [0])
                   for m in METRICS}
        lost = {}
        for r in good:
            for item in r["lost"]:
                lost.setdefault((item["category"], item["audit"]), item)
        out[path] = {"median": median, "runs": [r["scores"] for r in good], "metrics": metrics,
                     "lost": list(lost.values()),
                     "benchmark_index": [r.get("benchmark_index") for r in good]}
    return out
