"""The output against its budget (issue 16, item 1): bytes by kind of file, HTML + feeds + search
against 1.5 GB, a post page's markup beyond its text, and the largest deploy unit (`deploy --split`:
the root site without its members' folders, and each subtree under the root).

    python bench/budget.py PUBLIC_DIR        (the same as python bench/run.py --breakdown PUBLIC_DIR)"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup

BUDGET = 1.5e9  # bytes of HTML, feeds and search at 1,023 sites
MARKUP_BUDGET = 6 * 1024  # bytes of a post page beyond its text
KINDS = ("post pages", "tag pages", "project/archive/news-list pages", "other HTML", "feeds", "calendars",
         "search", "images", "other")
IN_BUDGET = ("post pages", "tag pages", "project/archive/news-list pages", "other HTML", "feeds", "search")
IMAGES = (".png", ".jpg", ".jpeg", ".webp", ".avif", ".gif", ".svg", ".ico")
NOT_POSTS = ("posts/index.html", "posts/events.html")
SAMPLE = 400  # post pages parsed for their markup (every k-th of them, in path order)


@dataclass
class Breakdown:
    bytes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    files: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    units: dict[str, int] = field(default_factory=dict)  # deploy unit ('' = the root alone) -> bytes
    post_pages: list[Path] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.bytes.values())

    @property
    def in_budget(self) -> int:
        return sum(self.bytes[k] for k in IN_BUDGET)


def site_roots(public: Path) -> set[Path]:
    """The folders that hold a site: each has its own sitemap.xml."""
    return {p.parent for p in public.rglob("sitemap.xml")} | {public}


def kind_of(rel: str) -> str:
    """The kind of a file by its path inside its site."""
    name = rel.rsplit("/", 1)[-1]
    parts = rel.split("/")
    if "search" in parts[:-1] or "pagefind" in parts[:-1] or name.startswith("search_index"):
        return "search"
    if rel.endswith(".html"):
        if rel.startswith("posts/tags/"):
            return "tag pages"
        if rel.startswith(("posts/page/", "posts/archive/", "posts/projects/")) or rel == "posts/index.html":
            return "project/archive/news-list pages"
        if len(parts) == 2 and parts[0] == "posts" and rel not in NOT_POSTS:
            return "post pages"
        return "other HTML"
    if rel.endswith(".xml") and "sitemap" not in name:
        return "feeds"
    if rel.endswith(".ics"):
        return "calendars"
    if rel.lower().endswith(IMAGES):
        return "images"
    return "other"


def measure(public: Path) -> Breakdown:
    roots = site_roots(public)
    out = Breakdown()
    for folder, dirs, files in os.walk(public):
        here = Path(folder)
        site = here
        while site not in roots:
            site = site.parent
        top = here.relative_to(public).parts[:1]
        unit = top[0] if top and (public / top[0]) in roots else ""
        for name in files:
            path = here / name
            size = path.stat().st_size
            kind = kind_of(path.relative_to(site).as_posix())
            out.bytes[kind] += size
            out.files[kind] += 1
            out.units[unit] = out.units.get(unit, 0) + size
            if kind == "post pages":
                out.post_pages.append(path)
    return out


def markup_beyond_text(page: Path) -> tuple[int, int]:
    """A post page's bytes and the bytes of its article's text as UTF-8 (title, date, author, tags, the
    post's content, the share buttons' and the neighbours' names: what a reader reads of the post)."""
    raw = page.read_bytes()
    article = BeautifulSoup(raw, "html.parser").select_one("article.fed-post")
    text = article.get_text() if article is not None else ""
    return len(raw), len(text.encode("utf-8"))


def post_markup(pages: list[Path]) -> tuple[float, float, int]:
    """Average page bytes and text bytes over a sample of post pages, and the sample's size."""
    ordered = sorted(pages)
    sample = ordered[:: max(1, len(ordered) // SAMPLE)][:SAMPLE]
    if not sample:
        return 0.0, 0.0, 0
    sizes = [markup_beyond_text(p) for p in sample]
    return sum(s for s, _ in sizes) / len(sizes), sum(t for _, t in sizes) / len(sizes), len(sizes)


def report(public: Path) -> list[str]:
    """The breakdown as printed lines."""
    b = measure(public)
    total = b.total or 1
    lines = [f"Output of {public}: {total / 1e6:.1f} MB in {sum(b.files.values())} files"]
    for kind in KINDS:
        lines.append(f"  {kind:<33} {b.bytes[kind]:>14,} B  {100 * b.bytes[kind] / total:5.1f} %"
                     f"  {b.files[kind]:>7} files")
    sites = len(site_roots(public))
    at_scale = b.in_budget * 1023 / sites  # the pages, feeds and index of a site do not depend on their number
    verdict = "within" if at_scale <= BUDGET else "OVER"
    lines.append(f"  HTML + feeds + search: {b.in_budget / 1e6:.1f} MB at {sites} sites; x1023/{sites} = "
                 f"{at_scale / 1e9:.2f} GB ({verdict} the 1,023-site budget of {BUDGET / 1e9:.1f} GB)")
    page, text, n = post_markup(b.post_pages)
    lines.append(f"  post page: {page / 1024:.1f} KB, of which text {text / 1024:.1f} KB; markup beyond the "
                 f"text {(page - text) / 1024:.2f} KB (budget {MARKUP_BUDGET / 1024:.0f} KB; {n} pages sampled)")
    if b.units:
        largest = max(b.units, key=lambda u: b.units[u])
        lines.append(f"  largest deploy unit: {largest or 'the root site alone'} {b.units[largest] / 1e6:.1f} MB "
                     f"(root alone {b.units.get('', 0) / 1e6:.1f} MB; {len(b.units)} units)")
    return lines


if __name__ == "__main__":
    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_dir():
        sys.exit(__doc__)
    print("\n".join(report(Path(sys.argv[1]))))
