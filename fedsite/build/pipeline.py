"""The build command's pipeline: read → render → plan → sites (MkDocs, feeds, calendars) → swap."""

from __future__ import annotations

import fcntl
import gc
import hashlib
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from fedsite.build import swap
from fedsite.build.output import (MARKER, PlacedSites, keep_previous, place_site, plan_replace_site, plan_swap_in,
                                  write_marker)
from fedsite.build.federation import federation_files, plan_replace, top_names, write_into
from fedsite.build.sites import SiteBuilds
from fedsite.build.swap import Swap, scratch_beside, signals_held
from fedsite.build.workers import site_workers, writing_to
from fedsite.cache.sites import SiteCache
from fedsite.model.dates import now
from fedsite.model.diagnostics import Diagnostics, UsageError
from fedsite.plan.monitoring import PostDaysCache
from fedsite.plan.view import FederationView, federation_view
from fedsite.read.federation import Federation, read_federation
from fedsite.read.tree import Org, Tree
from fedsite.render.htmlstore import remove_temporary_stores
from fedsite.sites.reads import ReadDigests
from fedsite.sites.unit import engine_digest, file_digest, theme_reads_other_pages

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
    why: str | None = None  # an organization id: say why its site was rebuilt (or that it was reused)


@dataclass(frozen=True)
class BuildResult:
    """What a build did: sites built and reused, pages, and the organizations left as they were."""

    sites: int
    pages: int
    kept: tuple[str, ...]
    reused: int = 0
    timings: tuple[tuple[str, float], ...] = ()  # seconds per stage, for the benchmark
    why: str = ""  # with `why`: which of the site's inputs changed, or that it was reused


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
    with site_workers(repo, options.jobs, options.cache) as pool, cache_lock(options.cache):
        # A build that was killed while swapping its output in is undone first: its journal says how.
        for note in swap.recover(out):
            print(note, file=sys.stderr)
        try:
            return _build(repo, out, diags, options, pool)
        finally:
            gc.unfreeze()  # a long-running `serve` builds again and again
            remove_temporary_stores()


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
    asked = set(options.only) | ({options.why} if options.why else set())
    unknown = sorted(asked - fed.tree.orgs.keys())
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
    post_days = PostDaysCache(options.cache, fed.read_keys)
    post_days.load_into(view)
    cache = SiteCache(options.cache)
    placed = PlacedSites(options.cache)
    in_place = placed.load(out, fed.tree) if options.shard is None else None
    with scratch_beside(out) as tmp:
        reads_now = ReadDigests(fed, view, engine_digest(repo),
                                lambda src: file_digest(src, repo, fed.file_hashes)) if options.cache else None
        built = SiteBuilds(fed, view, cache, tmp / "staging", options.jobs, options.cache, in_place or {}, pool,
                           options.progress, options.why, reads_now).run(chosen)
        pages, reused, digests = built.pages, built.reused, built.digests
        clock.append(("plan and build sites", time.perf_counter()))
        # Outputs that span sites, placed beside the root site's files: by the build that builds the root.
        spanning = federation_files(view, reads_now, options.cache) if fed.tree.root in {o.id for o in chosen} else {}
        clock.append(("federation outputs", time.perf_counter()))
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
                write_into(tmp / "out", spanning)
        with signals_held():
            change = Swap(tmp, [p for p in cache_files if p is not None])
            if in_place is not None:
                _replace_changed(change, fed.tree, tmp / "staging", out, tmp / "trash", top_names(spanning))
                plan_replace(change, spanning, out, tmp)
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
    _last_build.extend((fed, view))
    why = built.why or (options.why and not_built_why(options.why, options, chosen, broken))
    return BuildResult(len(chosen), pages, tuple(kept), reused, timings, why or "")


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


def _replace_changed(change: Swap, tree: Tree, staging: Path, out: Path, trash: Path,
                     federation: tuple[str, ...]) -> None:
    """Plan the swap of the changed sites (those in `staging`) into the live output; the rest stay, and
    so do the root's marker and the federation outputs' files (swapped on their own)."""
    for org in tree.in_order():
        if (staging / org.id).is_dir():
            keep = org.members + ((MARKER, *federation) if org.parent is None else ())
            plan_replace_site(change, staging / org.id, out / org.url_path, keep, trash / org.id)


def not_built_why(org_id: str, options: BuildOptions, chosen: list[Org], broken: set[str]) -> str:
    """The answer of `--why` for a site that was neither planned nor taken from the cache by its reads."""
    if org_id in broken:
        return f"Сайт «{org_id}» не собран: в его файлах ошибки (см. выше); оставлен прежний результат."
    if org_id not in {o.id for o in chosen}:
        return f"Сайт «{org_id}» не входит в эту сборку (--site или --shard)."
    return f"Сайт «{org_id}» собран заново: кэш выключен (--no-cache)."


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
