"""A cache that is checked, not trusted (issue 20): whatever happens to .cache/, the next build
publishes exactly what a build without the cache would, or says clearly that it could not; public/
and .cache/ never share a file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fedsite.render import markup
from fedsite.build.pipeline import BuildOptions, build
from fedsite.cache.checked import DamagedCacheEntry
from fedsite.model.diagnostics import Diagnostics
from fedsite.render.jobs import INTERNAL, RenderJob, render_one

from conftest import PROJECT
from test_output import snapshot

SCHOOL = "sites/region/district-a/school-1"
NEW_POST = "---\ntitle: Свежая новость\n---\nТекст\n"


def cached(repo: Path, out: Path | None = None) -> None:
    diags = Diagnostics(repo)
    result = build(repo, out or repo / "public", diags, BuildOptions(cache=repo / ".cache"))
    assert result, [str(p) for p in diags.sorted()]


def reference(repo: Path, out: Path) -> dict[str, str]:
    """What a build without the cache publishes."""
    assert build(repo, out, Diagnostics(repo), BuildOptions(cache=None))
    return snapshot(out)


def garble(path: Path, keep_mtime: bool = False) -> None:
    """One byte changed in the middle of the file, its size kept (and its mtime, if asked)."""
    st = path.stat()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    if keep_mtime:
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


DAMAGE = {
    "deleted": lambda path: path.unlink(),
    "garbled": garble,
    "truncated": truncate,
    "added beside": lambda path: path.with_name("extra.html").write_text("<p>не из сборки</p>"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_cached_site_is_built_again(mini: Path, tmp_path: Path, damage: str) -> None:
    cached(mini)
    DAMAGE[damage](mini / ".cache/sites/school-2/out/pages/about.html")
    # A build that takes every site from the cache: into a new folder (as after `serve` or --out).
    cached(mini, tmp_path / "again")
    assert snapshot(tmp_path / "again") == reference(mini, tmp_path / "full")
    # ... and into public/, where the sites are in place and nothing is copied: still the same.
    cached(mini)
    assert snapshot(mini / "public") == snapshot(tmp_path / "full")


def test_damage_that_keeps_size_and_mtime_is_found_when_the_site_is_copied(mini: Path, tmp_path: Path) -> None:
    cached(mini)
    garble(mini / ".cache/sites/school-2/out/index.html", keep_mtime=True)
    cached(mini, tmp_path / "again")  # copying hashes the file: the site is built instead
    assert snapshot(tmp_path / "again") == reference(mini, tmp_path / "full")


def test_a_cache_copied_without_mtimes_is_verified_by_content_and_reused(mini: Path, tmp_path: Path) -> None:
    cached(mini)
    for path in (mini / ".cache/sites").rglob("*"):
        os.utime(path, ns=(0, 0))
    diags = Diagnostics(mini)
    result = build(mini, tmp_path / "again", diags, BuildOptions(cache=mini / ".cache"))
    assert result and result.reused == result.sites
    assert snapshot(tmp_path / "again") == reference(mini, tmp_path / "full")


def test_a_damaged_reused_page_is_rendered_again(mini: Path, tmp_path: Path) -> None:
    cached(mini)
    page = mini / ".cache/sites/school-1/out/posts/uroki.html"
    garble(page, keep_mtime=True)  # a page of school-1 the next build takes from the cache
    (mini / SCHOOL / "posts/2025-02-01-novost.md").write_text(NEW_POST)
    cached(mini)
    assert snapshot(mini / "public") == reference(mini, tmp_path / "full")


def html_files(repo: Path) -> list[Path]:
    return sorted(p for p in (repo / ".cache/html").rglob("*.html"))


@pytest.mark.parametrize("keep_mtime", [False, True])
def test_garbled_stored_html_is_rendered_again(mini: Path, tmp_path: Path, keep_mtime: bool) -> None:
    cached(mini)
    for path in html_files(mini):
        garble(path, keep_mtime)
    (mini / SCHOOL / "posts/2025-02-01-novost.md").write_text(NEW_POST)
    cached(mini)  # the post's site and its ancestors are planned: pages and feeds read stored HTML
    assert snapshot(mini / "public") == reference(mini, tmp_path / "full")
    shutil.rmtree(mini / ".cache/sites")
    cached(mini, tmp_path / "again")  # every site planned again, every document reused from the cache
    assert snapshot(tmp_path / "again") == snapshot(tmp_path / "full")
    assert not any(b"\xff" in p.read_bytes() for p in html_files(mini))  # written again whole


def test_missing_stored_html_is_rendered_again(mini: Path, tmp_path: Path) -> None:
    cached(mini)
    for path in html_files(mini):
        path.unlink()
    shutil.rmtree(mini / ".cache/sites")
    cached(mini, tmp_path / "again")
    assert snapshot(tmp_path / "again") == reference(mini, tmp_path / "full")


@pytest.mark.parametrize("suffix, damage", [(".pickle", "garbled"), (".pickle", "deleted"), (".index", "garbled"),
                                            (".index", "truncated"), (".summaries", "garbled")])
def test_damaged_render_cache_files_are_a_miss(mini: Path, tmp_path: Path, suffix: str, damage: str) -> None:
    cached(mini)
    for path in (mini / ".cache/render").glob(f"*{suffix}"):
        DAMAGE[damage](path)
    shutil.rmtree(mini / ".cache/sites")
    cached(mini, tmp_path / "again")
    assert snapshot(tmp_path / "again") == reference(mini, tmp_path / "full")


def test_a_render_pickle_damaged_with_its_size_and_mtime_kept_fails_once_and_clearly(mini: Path, tmp_path: Path) -> None:
    cached(mini)
    for path in (mini / ".cache/render").glob("*.pickle"):
        garble(path, keep_mtime=True)
    shutil.rmtree(mini / ".cache/sites")
    failed = subprocess.run([sys.executable, str(PROJECT / "build.py"), "--repo", str(mini), "build", "--jobs", "1",
                             "--out", str(tmp_path / "again")], capture_output=True, text=True)
    assert failed.returncode == 3 and "Traceback" not in failed.stderr, failed.stderr
    assert failed.stderr.startswith("Ошибка: кэш сборки повреждён") and "запустите сборку ещё раз" in failed.stderr
    assert not (tmp_path / "again").exists()
    cached(mini, tmp_path / "again")
    assert snapshot(tmp_path / "again") == reference(mini, tmp_path / "full")


def test_a_garbled_monitoring_cache_is_counted_again(mini: Path, tmp_path: Path) -> None:
    cached(mini)
    garble(mini / ".cache/report/post-days.pickle")
    shutil.rmtree(mini / ".cache/sites")
    cached(mini, tmp_path / "again")
    assert snapshot(tmp_path / "again") == reference(mini, tmp_path / "full")


def inodes(folder: Path) -> set[tuple[int, int]]:
    return {(p.stat().st_dev, p.stat().st_ino) for p in folder.rglob("*") if p.is_file()}


def test_public_never_shares_a_file_with_the_cache(mini: Path, tmp_path: Path) -> None:
    cached(mini)  # cold: every site built, stored, swapped in
    assert not inodes(mini / "public") & inodes(mini / ".cache")
    (mini / SCHOOL / "posts/2025-02-01-novost.md").write_text(NEW_POST)
    cached(mini)  # warm: the changed sites swapped in place
    assert not inodes(mini / "public") & inodes(mini / ".cache")
    cached(mini, tmp_path / "elsewhere")  # warm: every site copied from the cache
    assert not inodes(tmp_path / "elsewhere") & inodes(mini / ".cache")
    cache = snapshot(mini / ".cache/sites")
    for path in (tmp_path / "elsewhere").rglob("*.html"):
        path.write_text("испорчено")  # an output edited by hand leaves the cache as it was
    assert snapshot(mini / ".cache/sites") == cache


def test_an_internal_error_in_one_document_is_a_problem_naming_the_file(mini: Path, monkeypatch) -> None:
    real = markup.Renderer.render

    def failing(self, body, ctx, summary):
        if ctx.rel.endswith("uroki.md"):
            raise ZeroDivisionError("division by zero")
        return real(self, body, ctx, summary)

    monkeypatch.setattr(markup.Renderer, "render", failing)
    (mini / SCHOOL / "posts/2025-02-01-novost.md").write_text("---\ntitle: Ссылка\n---\n[x](nowhere.md)\n")
    diags = Diagnostics(mini)
    assert build(mini, mini / "public", diags, BuildOptions(cache=mini / ".cache")) is None
    problems = [str(p) for p in diags.sorted()]
    assert any(p.startswith(f"{SCHOOL}/posts/2024-05-01-uroki.md:") and INTERNAL in p
               and "ZeroDivisionError" in p and "сообщите администратору федерации" in p for p in problems)
    assert any(p.startswith(f"{SCHOOL}/posts/2025-02-01-novost.md:") for p in problems)  # reported with the rest
    assert not (mini / "public").exists()
    monkeypatch.undo()  # fixed: the document is rendered, not taken from the cache as failed
    (mini / SCHOOL / "posts/2025-02-01-novost.md").unlink()
    cached(mini)
    assert "uroki" in (mini / "public/district-a/school-1/posts/index.html").read_text()


def test_the_worker_path_turns_any_error_into_a_problem(tmp_path: Path) -> None:
    class Broken:
        def render(self, body, ctx, summary):
            raise RecursionError("maximum recursion depth exceeded")

    post = tmp_path / "post.md"
    post.write_text("---\ntitle: x\n---\nТекст\n")
    body = "Текст\n"
    import hashlib

    job = RenderJob("sites/x/posts/post.md", str(post), hashlib.sha256(body.encode()).hexdigest(),
                    len("---\ntitle: x\n---\n"), 4, "posts/post.html", "sites/x", False, "")
    result = render_one(Broken(), job)
    assert result.problems == ((4, f"{INTERNAL} (RecursionError); сообщите администратору федерации"),)


def test_a_damaged_entry_is_found_by_the_copy_and_dropped(mini: Path, tmp_path: Path) -> None:
    from fedsite.cache.sites import SiteCache, link_tree

    cached(mini)
    (mini / ".cache/sites/school-2/out/pages/about.html").unlink()
    cache = SiteCache(mini / ".cache")
    hit = cache.output("school-2")
    assert hit is not None  # a lookup reads only the digest: a site in place is never copied
    with pytest.raises(DamagedCacheEntry):
        link_tree(hit, tmp_path / "copy")  # ... and whatever is copied is hashed
    assert not (tmp_path / "copy").exists()
    assert SiteCache(mini / ".cache").output("school-2") is None  # and the entry dropped


def test_a_copy_that_cannot_be_written_is_not_taken_for_cache_damage(mini: Path, tmp_path: Path, monkeypatch) -> None:
    import errno

    from fedsite.cache import sites as sitecache

    cached(mini)

    def full(src: str, dst: str):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sitecache, "copy_file", full)
    with pytest.raises(OSError) as raised:
        sitecache.link_tree(mini / ".cache/sites/school-2/out", tmp_path / "copy")
    assert not isinstance(raised.value, DamagedCacheEntry) and not (tmp_path / "copy").exists()
    assert (mini / ".cache/sites/school-2/digest").is_file()  # the entry is kept


def test_a_document_that_kills_its_worker_process_is_named(mini: Path, monkeypatch) -> None:
    from fedsite.render import documents as render

    real = markup.Renderer.render

    def crashing(self, body, ctx, summary):
        if ctx.rel.endswith("uroki.md"):
            os._exit(1)  # as a crash inside a C library, or the system killing the worker, would
        return real(self, body, ctx, summary)

    monkeypatch.setattr(markup.Renderer, "render", crashing)  # inherited by the forked workers
    monkeypatch.setattr(render, "PARALLEL_FROM", 0)
    diags = Diagnostics(mini)
    assert build(mini, mini / "public", diags, BuildOptions(cache=mini / ".cache", jobs=2)) is None
    crashed = [(p.path, p.message) for p in diags.sorted() if INTERNAL in p.message]
    assert crashed == [(f"{SCHOOL}/posts/2024-05-01-uroki.md",
                        f"{INTERNAL} (рабочий процесс завершился аварийно); сообщите администратору федерации")]


def test_a_read_cache_changed_inside_its_data_is_read_again(mini: Path, tmp_path: Path) -> None:
    """A letter changed inside a cached title still unpickles: the cache's own digest tells it apart."""
    cached(mini)
    stored = mini / ".cache/read/region.pickle"
    data = stored.read_bytes()
    title = "С Новым годом".encode()
    assert title in data
    stored.write_bytes(data.replace(title, "С Новым ГОДом".encode()))
    shutil.rmtree(mini / ".cache/sites")
    cached(mini, tmp_path / "again")
    assert snapshot(tmp_path / "again") == reference(mini, tmp_path / "full")


def test_garbled_compiled_templates_are_compiled_again(mini: Path, tmp_path: Path) -> None:
    """Jinja's bytecode in .cache/jinja/ (a garbled one was an internal error in every later build)."""
    cached(mini)
    compiled = list((mini / ".cache/jinja").iterdir())
    assert compiled
    for path in compiled:  # 40 bytes a third of the way in: marshal data that still loads, wrongly
        data = bytearray(path.read_bytes())
        for i in range(len(data) // 3, len(data) // 3 + 40):
            data[i] ^= 0x5A
        path.write_bytes(bytes(data))
    shutil.rmtree(mini / ".cache/sites")
    # A new process: this one keeps the templates it compiled in memory.
    again = subprocess.run([sys.executable, str(PROJECT / "build.py"), "--repo", str(mini), "build", "--jobs", "1",
                            "--out", str(tmp_path / "again")], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert snapshot(tmp_path / "again") == reference(mini, tmp_path / "full")
