"""Every chosen site, planned or taken from the cache, built by the workers meanwhile.

A site is taken from the cache without planning when nothing its last planning read has changed
(sites/reads.py); else it is planned, and taken from the cache when its planned unit is the same;
else built. Few units are in flight at a time, so memory stays bounded whatever the federation's size.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from fedsite.cache.checked import DamagedCacheEntry
from fedsite.cache.sites import SiteCache, link_tree
from fedsite.outputs.events import calendar_files
from fedsite.outputs.feeds import LazyItems, site_feeds
from fedsite.plan.monitoring import downloads
from fedsite.plan.reads import Token
from fedsite.plan.site import plan_site
from fedsite.plan.view import FederationView
from fedsite.read.federation import Federation
from fedsite.read.tree import Org
from fedsite.sites.reads import ReadDigests, decode, encode, why_text
from fedsite.sites.unit import SiteUnit, site_unit
from fedsite.build.workers import build_unit, progress_bar, rewrite_generated, writing_to


def make_unit(org: Org, view: FederationView, fed: Federation, items: LazyItems) -> tuple[SiteUnit, set[Token]]:
    """Plan one site and gather everything its worker writes; and what planning it read."""
    with view.recorder.recording() as reads:
        plan = plan_site(org, view)
        files = {**calendar_files(org, view), **downloads(org, view)}
        feeds = site_feeds(org, view, items)
    return site_unit(plan, feeds, files, fed.repo, fed.file_hashes), reads


def planning_order(orgs: list[Org], jobs: int) -> list[Org]:
    """Parents before their members (`orgs` is in tree order): in a big build the root, the longest
    to plan and to build, starts building first. When only a few sites changed (a new post: its site
    and its ancestors), members first: the workers build them while the root is being planned."""
    return orgs[::-1] if len(orgs) <= jobs + 1 else orgs


@dataclass
class SitesBuilt:
    """What became of the chosen sites."""

    pages: int = 0
    reused: int = 0
    feeds_only: list[str] = field(default_factory=list)  # sites whose cached pages were kept, feeds written again
    digests: dict[str, str] = field(default_factory=dict)  # org id -> digest of its output
    why: str = ""  # the answer for `--why ID`


@dataclass
class SiteBuilds:
    """Plan, reuse or build each chosen site into `staging` (those not already in place in the output:
    `in_place` holds the digest by organization of each site the output holds)."""

    fed: Federation
    view: FederationView
    cache: SiteCache
    staging: Path
    jobs: int
    cache_dir: Path | None
    in_place: dict[str, str]
    pool: ProcessPoolExecutor | None
    progress: bool = False
    why: str | None = None
    reads_now: ReadDigests | None = None
    result: SitesBuilt = field(default_factory=SitesBuilt)

    def run(self, orgs: list[Org]) -> SitesBuilt:
        self.bar = progress_bar(len(orgs), self.progress)
        self.fresh = self.staging.parent / ".fresh"
        self.staging.mkdir(parents=True, exist_ok=True)
        self.running: dict[Future, tuple[SiteUnit, str]] = {}
        items = LazyItems(self.view)
        try:
            to_plan = [org for org in orgs if not self._unchanged(org.id)]
            for org in planning_order(to_plan, self.jobs):
                unit, reads = make_unit(org, self.view, self.fed, items)
                self._planned(unit, encode(self.reads_now.reads(reads)) if self.reads_now else "")
            for future in list(self.running):
                self._finish(future)
        finally:
            if self.pool is not None:
                self.pool.shutdown(cancel_futures=True)
            self.bar.close()
        shutil.rmtree(self.fresh, ignore_errors=True)
        return self.result

    def _unchanged(self, org_id: str) -> bool:
        """Take the site from the cache if nothing it read has changed; say why not for --why."""
        digest, reads = self.cache.recorded(org_id) if self.reads_now else ("", "")
        recorded = decode(reads)
        if recorded and self.reads_now.unchanged(recorded):
            if self._reuse(org_id, digest, self.cache.folder / org_id / "out"):
                self.result.pages += self.cache.pages(org_id)
                if org_id == self.why:
                    self.result.why = why_text(org_id, recorded, [], "inputs")
                return True
        if org_id == self.why:
            self._why_recorded = (recorded, self.reads_now.changes(recorded) if self.reads_now else [])
        return False

    def _planned(self, unit: SiteUnit, reads: str) -> None:
        org_id = unit.plan.org
        self.result.pages += len(unit.plan.pages)
        hit = self.cache.lookup(org_id, unit.digest)
        if hit is not None and self._reuse(org_id, unit.digest, hit):
            self.cache.store(org_id, unit.digest, reads, None)
            self._answer_why(org_id, "digest")
            return
        feeds_only = self._pages_from_cache(unit)
        self._answer_why(org_id, "feeds" if feeds_only else "built")
        job = rewrite_generated if feeds_only else build_unit
        if self.pool is None:
            job(unit, self.fresh / org_id, self.cache_dir)
            self.running[_done_future()] = (unit, reads)
        else:
            self.running[self.pool.submit(job, unit, self.fresh / org_id, self.cache_dir)] = (unit, reads)
        while len(self.running) >= 2 * self.jobs or (self.running and self.pool is None):
            done, _ = wait(list(self.running), return_when=FIRST_COMPLETED)
            for future in done:
                self._finish(future)

    def _answer_why(self, org_id: str, outcome: str) -> None:
        if org_id == self.why:
            recorded, changes = getattr(self, "_why_recorded", ([], []))
            self.result.why = why_text(org_id, recorded, changes, outcome)
            if outcome == "feeds":
                self.result.why += ("\nСтраницы те же, что в кэше: MkDocs не запускался, заново записаны только "
                                    "ленты новостей, календари и выгрузки.")

    def _finish(self, future: Future) -> None:
        unit, reads = self.running.pop(future)
        org_id, digest = unit.plan.org, unit.digest
        future.result()
        with writing_to(self.cache.folder / org_id if self.cache.folder else self.fresh):
            self.cache.store(org_id, digest, reads, self.fresh / org_id, len(unit.plan.pages), unit.page_keys,
                             unit.pages_digest, unit.generated)
        # Not os.renames: it prunes the emptied .fresh/, racing a worker that is creating its folder there.
        os.rename(self.fresh / org_id, self.staging / org_id)
        self.result.digests[org_id] = digest
        self.bar.set_postfix_str(org_id)
        self.bar.update()

    def _pages_from_cache(self, unit: SiteUnit) -> bool:
        """When only the feeds or generated files changed (an edit of their code, say): the cached pages
        copied into the site's folder without the old generated files, for a worker to write the new ones."""
        org_id = unit.plan.org
        hit = self.cache.pages_hit(org_id, unit.pages_digest)
        if hit is None:
            return False
        out, generated = hit
        try:
            with writing_to(self.fresh / org_id):
                self.fresh.mkdir(parents=True, exist_ok=True)
                link_tree(out, self.fresh / org_id)
        except DamagedCacheEntry:  # dropped from the cache: the site is built instead
            return False
        for rel in generated:
            remove_with_emptied_folders(self.fresh / org_id, rel)
        self.result.feeds_only.append(org_id)
        return True

    def _reuse(self, org_id: str, digest: str, hit: Path) -> bool:
        """Take a cached site (copied, each file checked); False if the copy found it damaged."""
        if self.in_place.get(org_id) != digest:
            try:
                with writing_to(self.staging / org_id):
                    link_tree(hit, self.staging / org_id)
            except DamagedCacheEntry:  # dropped from the cache: the site is built instead
                return False
        self.result.digests[org_id] = digest
        self.result.reused += 1
        self.bar.update()
        return True


def remove_with_emptied_folders(site: Path, rel: str) -> None:
    """Remove a file of the site, and the folders it leaves empty (MkDocs would not have made them)."""
    if rel.startswith("/") or ".." in rel.split("/"):  # the cache's list is checked, not trusted
        return
    path = site / rel
    path.unlink(missing_ok=True)
    for folder in path.parents:
        if folder == site or not folder.is_dir() or any(folder.iterdir()):
            break
        folder.rmdir()


def _done_future() -> Future:
    future: Future = Future()
    future.set_result(None)
    return future
