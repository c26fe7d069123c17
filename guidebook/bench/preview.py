"""Live preview latency: from saving a chapter to the browser showing the change.

Runs what ``make serve`` runs (``mkdocs serve``) on a copy of the guide, opens the
chapter in Chromium, appends a unique sentence to the chapter file and waits until
the page, reloaded by MkDocs' live reload, shows it.
"""
from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from ..data import ROOT
from .weight import in_own_thread, launch


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"mkdocs serve berhenti (kode {proc.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} tidak menjawab dalam {timeout:.0f} detik")


def page_url(chapter: str) -> str:
    stem = chapter[:-3]
    return "/" if stem == "index" else "/" + (stem[:-len("index")] if stem.endswith("/index") else stem + "/")


def measure(project: Path, chapter: str, runs: int = 3, timeout: float = 60) -> dict:
    """Median seconds from writing ``docs/<chapter>`` to the change being visible."""
    return in_own_thread(lambda: _measure(project, chapter, runs, timeout))


def _measure(project: Path, chapter: str, runs: int, timeout: float) -> dict:
    from playwright.sync_api import sync_playwright

    project = Path(project)
    path = project / "docs" / chapter
    original = path.read_text(encoding="utf-8")
    port = _free_port()
    cmd = [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"]  # as `make serve`
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    times: list[float] = []
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        _wait_http(base + "/", proc, timeout)
        startup = time.perf_counter() - started
        with sync_playwright() as p:
            browser = launch(p)
            try:
                page = browser.new_page()
                page.goto(base + page_url(chapter), wait_until="load")
                for k in range(runs):
                    marker = f"Penanda pratinjau {k + 1} {time.time_ns()}"
                    start = time.perf_counter()
                    path.write_text(original + f"\n\n{marker}\n", encoding="utf-8")
                    page.get_by_text(marker).wait_for(timeout=timeout * 1000)
                    times.append(time.perf_counter() - start)
                    path.write_text(original, encoding="utf-8")
                    page.get_by_text(marker).wait_for(state="detached", timeout=timeout * 1000)
                    page.wait_for_load_state("load")
            finally:
                browser.close()
    finally:
        path.write_text(original, encoding="utf-8")
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # our own process group only
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.seek(0)
        tail = log.read()[-1500:].decode("utf-8", "replace")
        log.close()
        if not times:
            raise RuntimeError("pratinjau tidak terukur; keluaran mkdocs serve:\n" + tail)
    return {"chapter": chapter, "median_s": statistics.median(times), "runs_s": times,
            "startup_s": startup, "command": " ".join(cmd[1:])}
