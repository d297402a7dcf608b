"""The processes that build sites with MkDocs, and the job each of them runs for one site."""

from __future__ import annotations

import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from fedsite.cache.keys import remember_imports
from fedsite.cache.sites import SiteCache
from fedsite.outputs.feeds import feed_files
from fedsite.plan.site import SitePlan, warm_up_plan
from fedsite.sites.unit import SiteUnit, engine_digest


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

    reused = SiteCache(cache).reusable_pages(unit.plan.org, unit.page_keys) if cache else {}
    engine.build_site(unit.plan, unit.base_config, unit.engine_key, site_dir, cache / "jinja" if cache else None, reused)
    return write_generated(unit, site_dir)


def rewrite_generated(unit: SiteUnit, site_dir: Path, cache: Path | None = None) -> int:
    """A worker's job when only the feeds or generated files changed: `site_dir` holds the site's
    cached pages (copied, without the old generated files); no MkDocs."""
    with writing_to(site_dir):
        return write_generated(unit, site_dir)


def write_generated(unit: SiteUnit, site_dir: Path) -> int:
    """The feeds, calendars and downloads, into the site's folder; the number of pages."""
    base_url = unit.plan.site_url.removesuffix(unit.plan.url_path)
    written = {**feed_files(list(unit.feeds), base_url, unit.plan.url_path, unit.plan.updated), **unit.files}
    for rel, data in written.items():
        target = site_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return len(unit.plan.pages)


@contextmanager
def site_workers(repo: Path, jobs: int, cache: Path | None) -> Iterator[ProcessPoolExecutor | None]:
    """The processes that build sites (none with one job), started with the build: while the planner
    reads, each imports MkDocs and builds a one-page site once, so that the first real site it builds
    does not pay for loading plugins and templates (0.3 s a worker). Forked before the content is
    read, they do not carry it either."""
    remember_imports(cache)  # before the first code digest (engine_digest's, below, or the read stage's)
    if jobs <= 1:
        yield None
        return
    pool = ProcessPoolExecutor(jobs, initializer=warm_worker,
                               initargs=(warm_up_plan(), repo / "mkdocs.yml", engine_digest(repo),
                                         cache / "jinja" if cache else None))
    try:
        pool.submit(int)  # starts the workers now
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


def warm_worker(plan: SitePlan, base_config: Path, engine_key: str, bytecode_dir: Path | None) -> None:
    """Warm a worker up, silently: Ctrl-C is the main process's to handle, and a failure here is left
    to the first real build to report."""
    die_with_parent()
    interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        from fedsite.engine import site as engine

        engine.warm_up(plan, base_config, engine_key, bytecode_dir)
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
