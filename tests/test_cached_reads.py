"""The cached read and render stages see every edit, whichever process read it, and never hide a
problem; a damaged cache only means doing the work again."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from fedsite.build import pipeline as builder
from fedsite.build.pipeline import BuildOptions, build
from fedsite.model.diagnostics import Diagnostics

from test_incremental import SCHOOL, cached, full_build
from test_output import snapshot


def test_reading_in_worker_processes_gives_the_same_sites_problems_and_cache(mini: Path, tmp_path: Path,
                                                                           monkeypatch) -> None:
    from fedsite.read import federation

    broken = mini / SCHOOL / "posts/2025-03-01-broken.md"
    broken.write_text("---\ntitle: [не закрыта\n---\nТекст\n", encoding="utf-8")
    serial = Diagnostics(mini)
    build(mini, tmp_path / "serial", serial, BuildOptions(jobs=1, keep_going=True))
    monkeypatch.setattr(federation, "PARALLEL_READ", 1)  # the mini federation has 5 organizations
    readers = tmp_path / "readers"
    real_read = federation.read_org

    def recording(*args):
        with open(readers, "a") as f:
            f.write(f"{os.getpid()}\n")
        return real_read(*args)

    monkeypatch.setattr(federation, "read_org", recording)
    parallel = Diagnostics(mini)
    build(mini, tmp_path / "parallel", parallel, BuildOptions(jobs=2, keep_going=True, cache=mini / ".cache"))
    assert serial.sorted() == parallel.sorted() and any("broken" in p.path for p in serial.sorted())
    assert snapshot(tmp_path / "parallel") == snapshot(tmp_path / "serial")
    assert str(os.getpid()) not in readers.read_text().split()  # read by the workers
    # Only organizations read without a problem are cached, whichever process read them.
    assert (mini / ".cache/read/school-2.pickle").is_file() and not (mini / ".cache/read/school-1.pickle").exists()


def test_cached_read_sees_edits_and_never_hides_a_problem(mini: Path) -> None:
    cached(mini, mini / "public")
    post = mini / SCHOOL / "posts/2024-05-01-uroki.md"
    stored = mini / ".cache/read/school-1.pickle"
    written = stored.stat().st_mtime_ns
    post.touch()  # a new mtime alone (as in a fresh CI clone) reads nothing again
    cached(mini, mini / "public")
    assert stored.stat().st_mtime_ns == written
    post.write_text(post.read_text().replace("tags: [обучение]", "tags: [обучение, спорт]"))
    cached(mini, mini / "public")
    assert "спорт" in (mini / "public/district-a/school-1/posts/tags/index.html").read_text()
    # The project the cached post uses disappears: the post is read again and the problem shown.
    projects = mini / "shared/data/projects.yml"
    projects.write_text("zdorovie:\n  title: Здоровье\n", encoding="utf-8")
    diags = Diagnostics(mini)
    assert build(mini, mini / "public", diags, BuildOptions(cache=mini / ".cache")) is None
    assert any("obrazovanie" in p.message and p.path.endswith("2024-05-01-uroki.md") for p in diags.problems)


def test_a_file_changed_while_building_is_reported_not_rendered_stale(mini: Path) -> None:
    from fedsite.model.dates import now
    from fedsite.read.federation import read_federation
    from fedsite.render.federation import render_federation

    diags = Diagnostics(mini)
    fed = read_federation(mini, diags, mini / ".cache")
    post = mini / SCHOOL / "posts/2024-05-01-uroki.md"
    original = post.read_text()
    post.write_text(original + "\nДописано во время сборки.\n")
    render_federation(fed, now(), diags, mini / ".cache")
    assert (f"{SCHOOL}/posts/2024-05-01-uroki.md", "файл изменился во время сборки; запустите сборку ещё раз") in [
        (p.path, p.message) for p in diags.problems]
    assert cached(mini, mini / "public")  # the next build reads it again and is fine
    assert "Дописано во время сборки." in (mini / "public/district-a/school-1/posts/uroki.html").read_text()
    post.unlink()
    render_federation(fed, now(), Diagnostics(mini), mini / ".cache")  # gone mid-build: a problem, no traceback
    post.write_text(original)  # the text that was read first: its failed rendering was not kept
    assert cached(mini, mini / "public")
    assert "Дописано" not in (mini / "public/district-a/school-1/posts/uroki.html").read_text()


def test_in_a_git_clone_file_hashes_come_from_git_and_edits_are_still_seen(mini: Path) -> None:
    import subprocess

    from fedsite.read.readcache import git_hashes

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=mini,
                       check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "content")
    post = f"{SCHOOL}/posts/2024-05-01-uroki.md"
    assert len(git_hashes(mini)[post]) == 40  # git's blob id: nothing to read again in a fresh clone
    cached(mini, mini / "public")
    (mini / post).write_text((mini / post).read_text().replace("Провели открытые уроки.", "Провели уроки."))
    assert post not in git_hashes(mini)  # edited since the commit: hashed by us
    cached(mini, mini / "public")
    assert "Провели уроки." in (mini / "public/district-a/school-1/posts/uroki.html").read_text()


def test_in_a_git_clone_published_files_are_not_read_to_be_compared_and_edits_are_seen(mini: Path,
                                                                                      monkeypatch) -> None:
    import subprocess

    from fedsite.sites import unit as sitecache

    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "content"]):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=mini,
                       check=True, capture_output=True)
    read = []
    real = sitecache._content_digest
    monkeypatch.setattr(sitecache, "_content_digest", lambda path: read.append(path) or real(path))
    cached(mini, mini / "public")
    assert read == []  # git's blob ids stand for every photo and recording of a clean clone
    audio = mini / "sites/region/assets/lecture.mp3"
    audio.write_bytes(b"new recording")
    cached(mini, mini / "public")
    assert read == [str(audio)] * len(read) and read  # edited since the commit: hashed by us
    assert (mini / "public/assets/lecture.mp3").read_bytes() == b"new recording"


def test_a_symlinked_post_is_read_again_when_its_target_changes(mini: Path) -> None:
    target = mini / SCHOOL / "posts/drafts-kept-elsewhere.txt"
    target.write_text("---\ntitle: Общая новость\ndate: 01.02.2025\n---\nПервый текст.\n", encoding="utf-8")
    (mini / SCHOOL / "posts/2025-02-01-obshchaya.md").symlink_to(target.name)
    cached(mini, mini / "public")
    page = mini / "public/district-a/school-1/posts/obshchaya.html"
    assert "Первый текст." in page.read_text()
    target.write_text(target.read_text().replace("Первый текст.", "Второй текст."), encoding="utf-8")
    cached(mini, mini / "public")
    assert "Второй текст." in page.read_text()


def test_problem_lines_follow_a_front_matter_edit(mini: Path) -> None:
    post = mini / SCHOOL / "posts/2025-03-01-ssylka.md"
    post.write_text("---\ntitle: Ссылка\n---\nТекст [куда-то](nety.md).\n", encoding="utf-8")
    diags = Diagnostics(mini)
    build(mini, mini / "public", diags, BuildOptions(cache=mini / ".cache"))
    assert [p.line for p in diags.problems if p.path.endswith("ssylka.md")] == [4]
    post.write_text("---\ntitle: Ссылка\ntags: [новое]\n---\nТекст [куда-то](nety.md).\n", encoding="utf-8")
    diags = Diagnostics(mini)
    build(mini, mini / "public", diags, BuildOptions(cache=mini / ".cache"))
    assert [p.line for p in diags.problems if p.path.endswith("ssylka.md")] == [5]


def test_an_unchanged_organizations_problems_are_reported_every_build(mini: Path) -> None:
    post = mini / SCHOOL / "posts/2024-05-01-uroki.md"
    post.write_text(post.read_text() + "\n[Положение](polozhenie.md)\n")
    first = problems_of(mini)
    assert len(first) == 1 and first[0].startswith(f"{SCHOOL}/posts/2024-05-01-uroki.md:13: ")
    assert problems_of(mini) == first  # the school's renderings now come whole from the cache


def test_a_removed_heading_is_reported_in_the_unchanged_post_that_links_to_it(mini: Path) -> None:
    assert problems_of(mini) == []
    target = mini / SCHOOL / "posts/2024-05-01-uroki.md"
    target.write_text(target.read_text().replace("## Итоги", "Итоги:"))
    # The region's lecture is unchanged and reused whole, but its link to #итоги is checked again.
    assert problems_of(mini) == ["sites/region/posts/2024-03-17-lekciya.md:9: в «sites/region/district-a/"
                                 "school-1/posts/2024-05-01-uroki.md» нет заголовка с якорем #итоги; "
                                 "проверьте часть ссылки после #"]


@pytest.mark.parametrize("damage", [b"not a pickle", pickle.dumps({"region": None}), pickle.dumps(["x"]),
                                    pickle.dumps({"region": ("key", "not counts")})])
def test_a_damaged_monitoring_cache_only_means_counting_again(mini: Path, tmp_path: Path, damage: bytes) -> None:
    cached(mini, mini / "public")
    (mini / ".cache/report/post-days.pickle").write_bytes(damage)
    (mini / SCHOOL / "posts/2025-02-01-novost.md").write_text("---\ntitle: Свежая новость\n---\nТекст\n")
    cached(mini, mini / "public")
    assert snapshot(mini / "public") == full_build(mini, tmp_path / "full")

def problems_of(repo: Path) -> list[str]:
    diags = Diagnostics(repo)
    builder.check(repo, diags, repo / ".cache")
    return [f"{p.path}:{p.line}: {p.message}" for p in diags.sorted()]
