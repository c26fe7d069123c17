#!/usr/bin/env python3
"""Screenshot built pages with Debian's chromium: screenshot.py PATH [PATH ...].

Serves site/ on a free localhost port; writes PNGs to .cache/shots/.
Options: --width 1280 --mobile --dark.
"""
import argparse
import functools
import http.server
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--site", default=str(ROOT / "site"))
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--mobile", action="store_true")
    ap.add_argument("--dark", action="store_true")
    ap.add_argument("--full", action="store_true")
    args = ap.parse_args()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=args.site)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    out = ROOT / ".cache" / "shots"
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        vp = {"width": 390, "height": 844} if args.mobile else {"width": args.width, "height": 900}
        page = browser.new_page(viewport=vp, color_scheme="dark" if args.dark else "light")
        for path in args.paths:
            page.goto(f"http://127.0.0.1:{server.server_port}/{path.lstrip('/')}")
            page.wait_for_load_state("networkidle")
            name = (path.strip("/").replace("/", "_") or "index") + ("-m" if args.mobile else "") + ".png"
            page.screenshot(path=str(out / name), full_page=args.full)
            print(out / name)
        browser.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
