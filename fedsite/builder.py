"""The build command's pipeline: read → render → plan → MkDocs per site → feeds, calendars → swap."""

from __future__ import annotations

import json
import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .commands import BUILD_STAMP
from .diagnostics import Diagnostics
from .engine import build_site
from .events import write_site_calendars
from .federation import Federation, read_federation, render_federation
from .feeds import FeedItem, build_item, write_site_feeds
from .monitoring import downloads
from .output import keep_previous, place_site, staged_output
from .plan import SitePlan, plan_site
from .sitepages import FederationView


@dataclass(frozen=True)
class BuildResult:
    """What a build did: how many sites and pages, and the organizations left as they were."""

    sites: int
    pages: int
    kept: tuple[str, ...]


def now() -> datetime:
    """The moment that decides which scheduled posts are out: the wall clock (or FEDSITE_NOW)."""
    fixed = os.environ.get("FEDSITE_NOW")
    return datetime.fromisoformat(fixed) if fixed else datetime.now(timezone.utc)


def check(repo: Path, diags: Diagnostics) -> tuple[Federation, FederationView] | None:
    """Read and render everything without building; every problem lands in `diags`."""
    fed = read_federation(repo, diags)
    if fed is None:
        return None
    return fed, render_federation(fed, now(), diags)


def broken_orgs(fed: Federation, diags: Diagnostics) -> set[str]:
    """Organizations whose own files (not their members') have problems."""
    broken = set()
    for problem in diags.problems:
        org = fed.tree.owner_of(problem.path.rsplit("/", 1)[0]) if problem.path.startswith("sites/") else None
        if org is not None:
            broken.add(org.id)
    return broken


def _build_one(args: tuple[SitePlan, Path, Path]) -> int:
    plan, base_config, site_dir = args
    build_site(plan, base_config, site_dir)
    return len(plan.pages)


def build(repo: Path, out: Path, diags: Diagnostics, *, only: list[str] | None = None,
          jobs: int = 1, keep_going: bool = False) -> BuildResult | None:
    """Validate everything, then build every site into `out`, atomically."""
    checked = check(repo, diags)
    if checked is None:
        return None
    fed, view = checked
    broken = broken_orgs(fed, diags) if diags else set()
    if diags and not keep_going:
        return None
    orgs = [o for o in fed.tree.in_order() if not only or o.id in only]
    todo = [o for o in orgs if o.id not in broken]
    items = {p.source.rel: build_item(p, view) for posts in view.posts.values() for p in posts}
    with staged_output(out) as tmp:
        staging = tmp / ".staging"
        plans = [plan_site(o, view, fed.assets[o.id]) for o in todo]
        work = [(plan, repo / "mkdocs.yml", staging / plan.org) for plan in plans]
        pages = _run(work, jobs)
        for org in todo:
            write_site_feeds(org, view, items, staging / org.id)
            write_site_calendars(org, view, staging / org.id)
            for rel, data in downloads(org, view).items():
                (staging / org.id / rel).write_bytes(data)
        kept = []
        built = {o.id for o in todo}
        for org in fed.tree.in_order():
            final = tmp / org.url_path
            if org.id in built:
                place_site(staging / org.id, final)
            elif keep_previous(out / org.url_path, final, org.id, fed.tree):
                kept.append(org.id)
        shutil.rmtree(staging)
        stamp = {"sites": len(todo), "pages": pages, "kept": kept, "problems": len(diags.problems),
                 "kept_going": keep_going}
        (tmp / BUILD_STAMP).write_text(json.dumps(stamp, ensure_ascii=False, indent=1), encoding="utf-8")
    return BuildResult(len(todo), pages, tuple(kept))


def _run(work: list[tuple[SitePlan, Path, Path]], jobs: int) -> int:
    if jobs <= 1 or len(work) <= 1:
        return sum(_build_one(w) for w in work)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return sum(pool.map(_build_one, work, chunksize=max(1, len(work) // (jobs * 4))))
