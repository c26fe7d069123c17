#!/usr/bin/env python3
"""Check the links of the built site/ (used by `make linkcheck`; needs a network).

Internal links and anchors are checked first (the test suite does this too), then
every external link is listed and requested. Without a network the list is still
written and the command says so and exits with 2: nothing was checked.
Options: --site DIR, --list-only, --timeout SECONDS.
Exit: 0 all good, 1 broken links, 2 external links could not be checked.
"""
import argparse
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from guidebook import links  # noqa: E402
from guidebook.data import load_guide_data  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description="Periksa tautan situs hasil build.")
    ap.add_argument("--site", default=str(ROOT / "site"))
    ap.add_argument("--list-only", action="store_true", help="hanya daftar tautan eksternal, tanpa jaringan")
    ap.add_argument("--timeout", type=float, default=15.0)
    ap.add_argument("--report", default=str(ROOT / ".cache" / "linkcheck" / "eksternal.tsv"))
    args = ap.parse_args()
    site = Path(args.site)
    if not (site / "index.html").exists():
        print(f"Situs belum dibangun di {site}. Jalankan `make build` dulu.", file=sys.stderr)
        return 2
    site_url = load_guide_data(ROOT).region.site.url

    problems, checked = links.check_internal(site, site_url)
    problems_sitemap = links.sitemap_problems(site, site_url)
    print(f"Tautan internal: {checked} diperiksa di {len(links.built_pages(site))} halaman, "
          f"{len(problems) + len(problems_sitemap)} rusak.")
    for p in problems:
        print(f"  RUSAK  {p}")
    for p in problems_sitemap:
        print(f"  RUSAK  {p}")

    external = links.external_links(site, site_url)
    report = Path(args.report)
    report.parent.mkdir(parents=True, exist_ok=True)
    with report.open("w", encoding="utf-8") as f:
        f.write("url\thalaman\n")
        for url, where in external.items():
            f.write(f"{url}\t{' '.join(sorted({w.page for w in where}))}\n")
    print(f"Tautan eksternal: {len(external)} alamat unik (daftar: {report}).")
    if args.list_only:
        for url in external:
            print(f"  {url}")
        return 1 if problems or problems_sitemap else 0

    hosts = links.resolvable_hosts(list(external))
    if hosts and not any(hosts.values()):
        print("\nTidak ada jaringan: tidak satu pun nama host dapat di-resolve, jadi tautan eksternal "
              "BELUM diperiksa.\nJalankan `make linkcheck` lagi dari komputer yang terhubung ke internet; "
              f"daftar tautannya sudah ditulis ke {report}.", file=sys.stderr)
        return 2
    reachable = [u for u in external if hosts.get(urlsplit(u).hostname or "", False)]
    results = links.check_external(reachable, timeout=args.timeout)
    broken = [r for r in results if not r.ok]
    unresolved = [u for u in external if u not in reachable]
    for r in broken:
        status = r.status if r.status is not None else "tidak terjangkau"
        pages = ", ".join(sorted({w.page for w in external[r.url]}))
        print(f"  RUSAK  {r.url} ({status}{': ' + r.detail if r.detail else ''}) di {pages}")
    for u in unresolved:
        print(f"  RUSAK  {u} (nama host tidak ditemukan) di {', '.join(sorted({w.page for w in external[u]}))}")
    print(f"Tautan eksternal: {len(results) - len(broken)} baik, {len(broken) + len(unresolved)} rusak.")
    return 1 if (problems or problems_sitemap or broken or unresolved) else 0


if __name__ == "__main__":
    sys.exit(main())
