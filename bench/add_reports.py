"""Give a generated federation open yearly reports (SPEC §12), to time what reports cost at scale.

    python bench/add_reports.py FED [--every 2] [--years 2024 2025]

Every `--every`-th organization (in path order) gets reports/<year>.md for each year, approved on
20 February of the next year; the first of them also gets a signed PDF. Then, e.g.:

    FEDSITE_NOW=2026-06-01T12:00:00+03:00 python build.py build --jobs 2     # cold, then again: warm
    python bench/add_reports.py FED --one ppo-0087 --years 2023               # one new report
    FEDSITE_NOW=2026-06-01T12:00:00+03:00 python build.py build --jobs 2 --why ppo-0087
"""

from __future__ import annotations

import argparse
from pathlib import Path

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def report_text(year: int, document: bool) -> str:
    return (f"---\napproved: {{date: 20.02.{year + 1}, body: заседание профкома}}\n"
            + ("document: " + f"{year}.pdf\n" if document else "")
            + f"---\n## Численность\n\nЧленов Профсоюза: 54.\n\n## Работа за {year} год\n\nТекст отчёта.\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fed", type=Path)
    parser.add_argument("--every", type=int, default=2)
    parser.add_argument("--years", type=int, nargs="+", default=[2024, 2025])
    parser.add_argument("--one", help="only this organization (its folder name)")
    args = parser.parse_args()
    cards = sorted((args.fed / "sites").glob("**/site.yml"))
    folders = [c.parent for c in cards if c.parent.name == args.one] if args.one else \
        [c.parent for n, c in enumerate(cards) if n % args.every == 0]
    for n, folder in enumerate(folders):
        (folder / "reports").mkdir(exist_ok=True)
        for year in args.years:
            document = n == 0 and not args.one
            if document:
                (folder / "reports" / f"{year}.pdf").write_bytes(PDF)
            (folder / "reports" / f"{year}.md").write_text(report_text(year, document), encoding="utf-8")
    print(f"отчёты за {', '.join(map(str, args.years))}: {len(folders)} организаций")


if __name__ == "__main__":
    main()
