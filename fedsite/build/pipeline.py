"""The build command's pipeline: read → render → plan → sites (MkDocs, feeds, calendars) → swap."""

from __future__ import annotations

import fcntl
import gc
import hashlib
import json
import os
import shutil
import signal
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from fedsite.cache.checked import DamagedCacheEntry
from fedsite.model.dates import now
from fedsite.model.diagnostics import Diagnostics, UsageError
from fedsite.outputs.crawlers import crawler_files
from fedsite.outputs.events import calendar_files
from fedsite.read.federation import Federation, read_federation
from fedsite.outputs.feeds import LazyItems, feed_files, site_feeds
from fedsite.plan.monitoring import PostDaysCache, downloads
from fedsite.build.output import (MARKER, PlacedSites, keep_previous, place_site, plan_replace_site, plan_swap_in,
                     write_marker)
from fedsite.plan.site import plan_site
from fedsite.render.htmlstore import remove_temporary_stores
from fedsite.build import swap
from fedsite.build.swap import Swap, scratch_beside, signals_held
from fedsite.sites.unit import (SiteCache, SiteUnit, engine_digest, input_digests, link_tree, site_unit,
                        theme_reads_other_pages)
from fedsite.plan.view import FederationView, federation_view
from fedsite.read.tree import Org, Tree

BUILD_STATUS = "build-status.json"

# The last build's content, freed when the next build starts, or all at once when build.py ends the
# process: freed object by object on return, 61k posts took 0.2 s of every build at 1,023 sites.
_last_build: list[object] = []


@dataclass(frozen=True)
class BuildOptions:
    """How to build: which sites, how many processes, where the cache is."""

    only: tuple[str, ...] = ()
    jobs: int = 1
    keep_going: bool = False
    shard: tuple[int, int] | None = None  # (k, n), 1-based k
    cache: Path | None = None
    progress: bool = False


@dataclass(frozen=True)
class BuildResult:
    """What a build did: sites built and reused, pages, and the organizations left as they were."""

    sites: int
    pages: int
    kept: tuple[str, ...]
    reused: int = 0
    timings: tuple[tuple[str, float], ...] = ()  # seconds per stage, for the benchmark


@contextmanager
def cache_lock(cache: Path | None) -> Iterator[None]:
    """One build at a time per cache folder: a build prunes renderings another one may be reading
    (`serve` and `check` side by side, say). The lock goes with the process, however it ends."""
    if cache is None:
        yield
        return
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / "lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def check(repo: Path, diags: Diagnostics, cache: Path | None = None,
          jobs: int = 1) -> tuple[Federation, FederationView] | None:
    """Read and render everything without building; every problem lands in `diags`."""
    with cache_lock(cache):
        fed = read_federation(repo, diags, cache)
        if fed is None:
            return None
        return fed, federation_view(fed, now(), diags, cache, jobs)


def broken_orgs(fed: Federation, diags: Diagnostics) -> set[str]:
    """Organizations whose own files (not their members') have problems."""
    broken = set()
    for problem in diags.problems:
        org = fed.tree.owner_of(problem.path.rsplit("/", 1)[0]) if problem.path.startswith("sites/") else None
        if org is not None:
            broken.add(org.id)
    return broken


def in_shard(org_id: str, shard: tuple[int, int] | None) -> bool:
    """A deterministic share of the sites: by a hash of the organization id, stable across runs."""
    if shard is None:
        return True
    k, n = shard
    return int(hashlib.sha256(org_id.encode()).hexdigest(), 16) % n == k - 1


def parse_shard(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard «{text}»: пишите K/N, например 1/4") from None
    if not 1 <= k <= n:
        raise UsageError(f"--shard «{text}»: K должно быть от 1 до N")
    return k, n


def make_unit(org: Org, view: FederationView, fed: Federation, items: LazyItems) -> SiteUnit:
    """Plan one site and gather everything its worker writes."""
    plan = plan_site(org, view, fed.assets[org.id])
    files = {**calendar_files(org, view), **downloads(org, view), **crawler_files(org, view)}
    return site_unit(plan, site_feeds(org, view, items), files, fed.repo, fed.file_hashes)


@contextmanager
def writing_to(path: Path) -> Iterator[None]:
    """Name the folder being written in an OSError that names no file (disk full is reported by a
    write, not by the open that named the file), so that the message can say where."""
    try:
        yield
    except OSError as e:
        if e.filename is None:
            e.filename = str(path)
        raise


def build_unit(unit: SiteUnit, site_dir: Path, cache: Path | None = None) -> int:
    """A worker's job: MkDocs, then the feeds and generated files, into the site's own folder."""
    with writing_to(site_dir):
        return _build_unit(unit, site_dir, cache)


def _build_unit(unit: SiteUnit, site_dir: Path, cache: Path | None) -> int:
    from fedsite.engine import site as engine  # MkDocs: imported by the workers (see site_workers), not by the planner

    reused = SiteCache(cache).reusable_pages(unit) if cache else {}
    engine.build_site(unit.plan, unit.base_config, site_dir, cache / "jinja" if cache else None, reused)
    base_url = unit.plan.site_url.removesuffix(unit.plan.url_path)
    written = {**feed_files(list(unit.feeds), base_url, unit.plan.url_path, unit.plan.updated), **unit.files}
    for rel, data in written.items():
        target = site_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return len(unit.plan.pages)


def build(repo: Path, out: Path, diags: Diagnostics, options: BuildOptions | None = None,
          **option_values: object) -> BuildResult | None:
    """Validate everything, then build the sites into `out`, atomically (options as object or keywords)."""
    options = options or BuildOptions(**option_values)
    _last_build.clear()
    # The theme and mkdocs.yml are read once per build: `serve` builds again after they are edited.
    engine_digest.cache_clear()
    theme_reads_other_pages.cache_clear()
    # Workers first: forked after the lock was taken, they would hold it as long as they live.
    swap.state.out, swap.state.phase = out, "before"
    with site_workers(repo, options) as pool, cache_lock(options.cache):
        # A build that was killed while swapping its output in is undone first: its journal says how.
        for note in swap.recover(out):
            print(note, file=sys.stderr)
        try:
            return _build(repo, out, diags, options, pool)
        finally:
            gc.unfreeze()  # a long-running `serve` builds again and again
            remove_temporary_stores()


@contextmanager
def site_workers(repo: Path, options: BuildOptions) -> Iterator[ProcessPoolExecutor | None]:
    """The processes that build sites (none with one job), started with the build: while the planner
    reads, each imports MkDocs and builds a one-page site once, so that the first real site it builds
    does not pay for loading plugins and templates (0.3 s a worker). Forked before the content is
    read, they do not carry it either."""
    if options.jobs <= 1:
        yield None
        return
    cache = options.cache
    pool = ProcessPoolExecutor(options.jobs, initializer=warm_worker,
                               initargs=(repo / "mkdocs.yml", cache / "jinja" if cache else None))
    try:
        pool.submit(int)  # starts the workers now
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


def warm_worker(base_config: Path, bytecode_dir: Path | None) -> None:
    """Warm a worker up, silently: Ctrl-C is the main process's to handle, and a failure here is left
    to the first real build to report."""
    die_with_parent()
    interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        from fedsite.engine import site as engine

        engine.warm_up(base_config, bytecode_dir)
        from feedgen.feed import FeedGenerator  # noqa: F401 (loaded now, not by the first site's feeds)
    except BaseException:  # noqa: BLE001 (see the docstring)
        pass
    finally:
        signal.signal(signal.SIGINT, interrupt)


def die_with_parent() -> None:
    """A worker ends when the build's process does, even by kill -9 (Linux; elsewhere it is left to the
    pool): orphaned, it would wait for work forever. Workers are forked by the thread that runs the build."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before the call
            os._exit(1)
    except (OSError, AttributeError):
        pass


class _NoBar:
    """What a build without --progress reports to: nothing (tqdm is not even loaded)."""

    def update(self, n: int = 1) -> None:
        pass

    def set_postfix_str(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


def progress_bar(total: int, shown: bool) -> Any:
    """tqdm's bar of sites built, on stderr, when asked for."""
    if not shown:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="сайт", file=sys.stderr, desc="Сборка")


@contextmanager
def long_lived() -> Iterator[None]:
    """Build data that lives to the end of the build (posts, renderings) without the cyclic garbage
    collector rescanning it again and again. Frozen, it is not scanned by later stages either; the
    few cycles a stage leaves as garbage (hundreds at 1,023 sites) wait for the build's end."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.freeze()


def _build(repo: Path, out: Path, diags: Diagnostics, options: BuildOptions,
           pool: ProcessPoolExecutor | None) -> BuildResult | None:
    clock = [("start", time.perf_counter())]
    with long_lived():
        fed = read_federation(repo, diags, options.cache, pool)
    if fed is None:
        return None
    unknown = sorted(set(options.only) - fed.tree.orgs.keys())
    if unknown:
        raise UsageError(unknown_sites(unknown, list(fed.tree.orgs)))
    clock.append(("read", time.perf_counter()))
    with long_lived():
        view = federation_view(fed, now(), diags, options.cache, options.jobs)
    clock.append(("render", time.perf_counter()))
    broken = broken_orgs(fed, diags) if diags else set()
    if diags and not options.keep_going:
        return None
    chosen = [o for o in fed.tree.in_order()
              if (not options.only or o.id in options.only) and in_shard(o.id, options.shard)
              and o.id not in broken]
    items = LazyItems(view)
    post_days = PostDaysCache(options.cache, fed.read_keys)
    post_days.load_into(view)
    cache = SiteCache(options.cache)
    placed = PlacedSites(options.cache)
    in_place = placed.load(out, fed.tree) if options.shard is None else None
    with scratch_beside(out) as tmp:
        today = view.now.astimezone(fed.settings.tz).date().isoformat()
        inputs = input_digests(fed, view, today) if options.cache else {}
        pages, reused, digests = _build_sites(chosen, lambda org: make_unit(org, view, fed, items), inputs,
                                              tmp / "staging", cache, options, in_place or {}, pool)
        clock.append(("plan and build sites", time.perf_counter()))
        post_days.save(view)
        cache_files = [placed.path, options.cache / BUILD_STATUS] if options.cache else []
        # The output, the record of what it holds and the build status change together or not at all;
        # Ctrl-C waits the few milliseconds this takes (swap.py).
        if in_place is not None:
            kept = [o.id for o in fed.tree.in_order()
                    if o.id not in digests and (out / o.url_path / "index.html").is_file()]
        else:
            with writing_to(tmp / "out"):
                kept = _assemble(fed, tmp / "out", tmp / "staging", out, set(digests), options.shard is None)
        with signals_held():
            change = Swap(tmp, [p for p in cache_files if p is not None])
            if in_place is not None:
                _replace_changed(change, fed.tree, tmp / "staging", out, tmp / "trash")
            else:
                plan_swap_in(change, tmp / "out", out)
            change.run()
            try:
                if in_place is not None:
                    write_marker(out)  # an output built before the marker existed
                    placed.save(out, fed.tree, {**in_place, **digests})
                elif options.shard is None:
                    placed.save(out, fed.tree, digests)
                _write_status(options.cache, len(chosen), pages, kept, diags, options)
            except BaseException:
                change.rollback()
                raise
            change.commit()
    if options.cache and not options.only and options.shard is None:
        cache.prune({o.id for o in fed.tree.in_order()})
    clock.append(("write", time.perf_counter()))
    timings = tuple((name, t - clock[i][1]) for i, (name, t) in enumerate(clock[1:]))
    _last_build.extend((fed, view, items))
    return BuildResult(len(chosen), pages, tuple(kept), reused, timings)


def planning_order(orgs: list[Org], jobs: int) -> list[Org]:
    """Parents before their members (`orgs` is in tree order): in a big build the root, the longest
    to plan and to build, starts building first. When only a few sites changed (a new post: its site
    and its ancestors), members first: the workers build them while the root is being planned."""
    return orgs[::-1] if len(orgs) <= jobs + 1 else orgs


def _build_sites(orgs: list[Org], make: Callable[[Org], SiteUnit], inputs: dict[str, str], staging: Path,
                 cache: SiteCache, options: BuildOptions, in_place: dict[str, str],
                 pool: ProcessPoolExecutor | None) -> tuple[int, int, dict[str, str]]:
    """Plan the sites one by one; reuse cached ones and build the others in worker processes meanwhile.
    Every site whose output is not already in place (`in_place`: digest by organization) lands in
    `staging`; returns pages, sites reused and each site's digest.

    Few units are in flight at a time, so memory stays bounded whatever the federation's size."""
    bar = progress_bar(len(orgs), options.progress)
    fresh = staging.parent / ".fresh"
    staging.mkdir(parents=True, exist_ok=True)
    running: dict[Future, SiteUnit] = {}
    digests: dict[str, str] = {}
    pages = reused = 0

    def finish(future: Future) -> None:
        unit = running.pop(future)
        org_id, digest = unit.plan.org, unit.digest
        future.result()
        with writing_to(cache.folder / org_id if cache.folder else fresh):
            cache.store(org_id, digest, inputs.get(org_id, ""), fresh / org_id, len(unit.plan.pages), unit.page_keys)
        # Not os.renames: it prunes the emptied .fresh/, racing a worker that is creating its folder there.
        os.rename(fresh / org_id, staging / org_id)
        digests[org_id] = digest
        bar.set_postfix_str(org_id)
        bar.update()

    def reuse(org_id: str, digest: str, hit: Path) -> bool:
        """Take a cached site (copied, each file checked); False if the copy found it damaged."""
        nonlocal reused
        if in_place.get(org_id) != digest:
            try:
                with writing_to(staging / org_id):
                    link_tree(hit, staging / org_id)
            except DamagedCacheEntry:  # dropped from the cache: the site is built instead
                return False
        digests[org_id] = digest
        reused += 1
        bar.update()
        return True

    try:
        to_plan = []
        for org in orgs:
            hit = cache.lookup_inputs(org.id, inputs[org.id]) if org.id in inputs else None
            if hit is not None and reuse(org.id, cache.digest(org.id), hit):
                pages += cache.pages(org.id)
            else:
                to_plan.append(org)
        for org in planning_order(to_plan, options.jobs):
            unit = make(org)
            pages += len(unit.plan.pages)
            hit = cache.lookup(unit)
            if hit is not None and reuse(org.id, unit.digest, hit):
                cache.store(org.id, unit.digest, inputs.get(org.id, ""), None)
                continue
            if pool is None:
                build_unit(unit, fresh / org.id, options.cache)
                running[_done_future()] = unit
            else:
                running[pool.submit(build_unit, unit, fresh / org.id, options.cache)] = unit
            while len(running) >= 2 * options.jobs or (running and pool is None):
                done, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for future in done:
                    finish(future)
        for future in list(running):
            finish(future)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        bar.close()
    shutil.rmtree(fresh, ignore_errors=True)
    return pages, reused, digests


def _done_future() -> Future:
    future: Future = Future()
    future.set_result(None)
    return future


def _assemble(fed: Federation, assembled: Path, staging: Path, previous: Path, built: set[str],
              keep_others: bool) -> list[str]:
    """Move each built site into its place; the others keep their previous output (not in a shard build)."""
    kept = []
    assembled.mkdir()
    for org in fed.tree.in_order():
        final = assembled / org.url_path
        if org.id in built:
            place_site(staging / org.id, final)
        elif keep_others and keep_previous(previous / org.url_path, final, org.id, fed.tree):
            kept.append(org.id)
    if fed.tree.root in built or fed.tree.root in kept:  # one shard holds the root: shards merge as they were
        write_marker(assembled)
    return kept


def _replace_changed(change: Swap, tree: Tree, staging: Path, out: Path, trash: Path) -> None:
    """Plan the swap of the changed sites (those in `staging`) into the live output; the rest stay."""
    for org in tree.in_order():
        if (staging / org.id).is_dir():
            keep = org.members + ((MARKER,) if org.parent is None else ())
            plan_replace_site(change, staging / org.id, out / org.url_path, keep, trash / org.id)


def unknown_sites(unknown: list[str], known: list[str]) -> str:
    """The usage error for `--site` ids that name no organization, with similar ids."""
    import difflib

    hints = []
    for org_id in unknown:
        close = difflib.get_close_matches(org_id, known, n=3, cutoff=0.5)
        if close:
            hints.append(f"вместо «{org_id}» — {', '.join(close)}?")
    return (f"--site: нет организаций с кодами {', '.join(f'«{x}»' for x in unknown)}. "
            + (f"Похожие: {'; '.join(hints)} " if hints else "")
            + "Код организации — имя её папки в sites/ (как в «python build.py new-post КОД …»).")


def _write_status(cache: Path | None, sites: int, pages: int, kept: list[str], diags: Diagnostics,
                  options: BuildOptions) -> None:
    """What deploy reads: whether the output in public/ passed its checks (kept outside public/)."""
    if cache is None:
        return
    cache.mkdir(parents=True, exist_ok=True)
    status = {"sites": sites, "pages": pages, "kept": kept, "problems": len(diags.problems),
              "kept_going": options.keep_going}
    (cache / BUILD_STATUS).write_text(json.dumps(status, ensure_ascii=False, indent=1), encoding="utf-8")
