#!/usr/bin/env python3
"""Check (and, as root, install) the Debian packages the build or the tests need.

Usage: system_deps.py build|test. Exit 1 with the exact apt-get line when a
package is missing and we may not install it ourselves.
"""
import os
import shutil
import subprocess
import sys

# package -> how to tell it is there
BUILD = {
    "libpango-1.0-0": "lib:libpango-1.0.so.0",      # WeasyPrint's text layout
    "libpangoft2-1.0-0": "lib:libpangoft2-1.0.so.0",
    "libharfbuzz-subset0": "lib:libharfbuzz-subset.so.0",  # fast font subsetting in WeasyPrint
}
TEST = {
    "chromium": "bin:chromium",                      # browser tests (never a downloaded browser)
    "poppler-utils": "bin:pdftoppm",                 # PDF pages to PNG in visual checks
    "default-jre-headless": "bin:java",              # the W3C Nu HTML Checker (vnu.jar) in tests
}


def present(probe: str) -> bool:
    kind, name = probe.split(":", 1)
    if kind == "bin":
        return shutil.which(name) is not None
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    return name in out


def main(stage: str) -> int:
    wanted = dict(BUILD)
    if stage == "test":
        wanted.update(TEST)
    missing = [pkg for pkg, probe in wanted.items() if not present(probe)]
    if not missing:
        return 0
    line = "apt-get install -y --no-install-recommends " + " ".join(missing)
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print(f"Paket sistem belum terpasang: {', '.join(missing)}.\n"
              f"Jalankan sebagai root:\n  sudo apt-get update && sudo {line}", file=sys.stderr)
        return 1
    print(f"Memasang paket sistem: {', '.join(missing)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(line.split(), check=True, env=env)
    still = [pkg for pkg, probe in wanted.items() if not present(probe)]
    if still:
        print(f"Paket masih tidak ditemukan setelah dipasang: {', '.join(still)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "build"))
