"""Issue 20, the output side: `--out` cannot destroy anything, the machine's errors and ours are said in
Russian without a traceback, and wrong usage (`--site` unknown, an empty post title) is exit 2. An
interrupted swap: tests/test_hardening_interrupt.py."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT
from fedsite.build import pipeline as builder
from fedsite.cli import main as cli
from fedsite.build.output import MARKER

SCHOOL = "sites/region/district-a/school-1"


def run(repo: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PROJECT / "build.py"), *args], cwd=repo, capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=120)


def main(repo: Path, *args: str, capsys: pytest.CaptureFixture) -> tuple[int, str]:
    """The CLI in this process (fast for what fails before building): exit code and stderr."""
    code = cli.main(["--repo", str(repo), *args])
    return code, capsys.readouterr().err


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def new_post(repo: Path, title: str = "Свежая новость") -> None:
    (repo / SCHOOL / "posts/2025-02-01-novost.md").write_text(f"---\ntitle: {title}\n---\nТекст\n")


def scratch_folders(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".new-" in p.name)


# --- 1. --out that cannot hurt ---------------------------------------------------------------------

@pytest.mark.parametrize("target, hint", [
    (".", "папка репозитория или папка над ней"),
    ("..", "папка репозитория или папка над ней"),
    ("sites", "это папка «sites» репозитория"),
    ("shared", "это папка «shared» репозитория"),
    ("theme", "это папка «theme» репозитория"),
    ("docs", "это папка «docs» репозитория"),
    (".git", "это папка «.git» репозитория"),
    (".cache", "это папка «.cache» репозитория"),
    ("fedsite", "это папка «fedsite» репозитория"),
    ("sites/region/assets", "это папка «sites» репозитория"),
    ("README.md", "это файл, а не папка"),
    ("notes/site", "лежит внутри папки «notes» репозитория"),
    ("../photos", "папка не пуста и не похожа на результат прежней сборки"),
])
def test_out_refuses_what_a_build_would_destroy(mini: Path, target: str, hint: str,
                                                 capsys: pytest.CaptureFixture,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (mini / "docs").mkdir()
    (mini / "docs/guide.md").write_text("# Руководство\n")
    (mini / ".git").mkdir()
    (mini / ".git/HEAD").write_text("ref: refs/heads/main\n")
    (mini / ".cache").mkdir()
    (mini / "README.md").write_text("# Сайты\n")
    (mini / "notes").mkdir()
    (mini / "notes/todo.txt").write_text("не потерять\n")
    (mini.parent / "photos").mkdir()
    (mini.parent / "photos/cat.jpg").write_bytes(b"\xff\xd8 cat")
    before = snapshot(mini.parent)
    monkeypatch.chdir(mini)
    code, err = main(mini, "build", "--out", target, capsys=capsys)
    assert code == 2, err
    assert err.startswith(f"Ошибка: --out {target} (") and hint in err
    assert "Укажите" in err or "Собирайте" in err  # what to do instead
    assert snapshot(mini.parent) == before
    assert scratch_folders(mini) == scratch_folders(mini.parent) == []


def test_default_public_that_is_not_a_build_output_is_refused(mini: Path, capsys: pytest.CaptureFixture) -> None:
    (mini / "public").mkdir()
    (mini / "public/my-notes.txt").write_text("моё\n")
    code, err = main(mini, "build", "--jobs", "1", capsys=capsys)
    assert code == 2 and "папка public/" in err and "не похожа на результат прежней сборки" in err
    assert (mini / "public/my-notes.txt").read_text() == "моё\n"
    (mini / "public/my-notes.txt").unlink()
    (mini / "public").rmdir()
    (mini / "public").write_text("файл\n")
    code, err = main(mini, "build", "--jobs", "1", capsys=capsys)
    assert code == 2 and "это файл, а не папка" in err and (mini / "public").read_text() == "файл\n"


def test_out_accepts_new_empty_and_earlier_outputs(mini: Path, tmp_path: Path, capsys: pytest.CaptureFixture,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(mini)
    elsewhere = tmp_path / "site"
    assert main(mini, "build", "--jobs", "1", "--out", str(elsewhere), capsys=capsys)[0] == 0
    assert (elsewhere / MARKER).is_file()
    assert main(mini, "build", "--jobs", "1", "--out", str(elsewhere), capsys=capsys)[0] == 0  # its own output
    (tmp_path / "empty").mkdir()
    assert main(mini, "build", "--jobs", "1", "--out", str(tmp_path / "empty"), capsys=capsys)[0] == 0
    # The default public/ of a checkout built before the marker existed: a site's files at its top.
    assert main(mini, "build", "--jobs", "1", capsys=capsys)[0] == 0
    (mini / "public" / MARKER).unlink()
    (mini / ".cache/output.json").unlink()
    assert main(mini, "build", "--jobs", "1", capsys=capsys)[0] == 0
    assert (mini / "public" / MARKER).is_file()
    # Any folder of ours without the marker: its shape says what it is.
    (elsewhere / MARKER).unlink()
    assert main(mini, "build", "--jobs", "1", "--out", str(elsewhere), capsys=capsys)[0] == 0


def test_a_folder_of_one_site_beside_foreign_files_is_refused(mini: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture) -> None:
    """A copy of one site's pages next to a folder of one's own is not a build output: the build
    would replace it all."""
    assert main(mini, "build", "--jobs", "1", "--out", str(tmp_path / "site"), capsys=capsys)[0] == 0
    mixed = tmp_path / "mixed"
    shutil.copytree(tmp_path / "site", mixed / "a")
    (mixed / "b").mkdir()
    (mixed / "b/thesis.txt").write_text("диссертация\n")
    code, err = main(mini, "build", "--jobs", "1", "--out", str(mixed), capsys=capsys)
    assert code == 2 and "не похожа на результат прежней сборки" in err
    assert (mixed / "b/thesis.txt").read_text() == "диссертация\n"


def test_shard_outputs_without_the_root_can_be_built_again(mini: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture) -> None:
    # The marker is written only by the shard that holds the root (shards stay disjoint and merge into
    # exactly the full build); the others are recognized by their shape: folders holding sites.
    k = next(k for k in (1, 2, 3) if not builder.in_shard("region", (k, 3)))
    out = tmp_path / "shard"
    for _ in range(2):
        code, err = main(mini, "build", "--jobs", "1", "--no-cache", "--shard", f"{k}/3", "--out", str(out),
                         capsys=capsys)
        assert code == 0, err
    assert not (out / MARKER).exists() and (out / "district-a").is_dir()
    (tmp_path / "archive/2024").mkdir(parents=True)
    (tmp_path / "archive/2024/photo.jpg").write_bytes(b"\xff\xd8")
    code, err = main(mini, "build", "--jobs", "1", "--out", str(tmp_path / "archive"), capsys=capsys)
    assert code == 2 and "не похожа на результат прежней сборки" in err
    assert (tmp_path / "archive/2024/photo.jpg").is_file()


# --- 3. the machine's errors -----------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path: Path):
    """A tmpfs of its own (root can mount here), unmounted afterwards; skipped where it cannot be had."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_disk_full_is_said_in_russian_and_the_output_stays(mini: Path, small_disk: Path) -> None:
    out = small_disk / "public"
    assert run(mini, "build", "--jobs", "1", "--out", str(out)).returncode == 0
    before = snapshot(out)
    free = shutil.disk_usage(small_disk).free
    with open(small_disk / "filler", "wb") as f:
        f.truncate(0)
        f.write(b"\0" * max(0, free - 64 * 1024))
    new_post(mini)
    proc = run(mini, "build", "--jobs", "1", "--out", str(out))
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"Ошибка: не хватает места на диске: не удалось записать «{small_disk}/")
    assert f"Папка «{out}» осталась как была." in proc.stderr
    assert snapshot(out) == before and scratch_folders(small_disk) == []


def test_read_only_disk_is_said_in_russian_and_the_output_stays(mini: Path, small_disk: Path) -> None:
    out = small_disk / "public"
    assert run(mini, "build", "--jobs", "1", "--out", str(out)).returncode == 0
    before = snapshot(out)
    if subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], capture_output=True).returncode != 0:
        pytest.skip("cannot remount the tmpfs read-only")
    new_post(mini)
    proc = run(mini, "build", "--jobs", "1", "--out", str(out))
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"Ошибка: диск только для чтения: нельзя записать «{small_disk}/")
    assert "--out" in proc.stderr and f"Папка «{out}» осталась как была." in proc.stderr
    assert snapshot(out) == before


def test_read_only_cache_is_said_in_russian_with_what_to_do(mini: Path) -> None:
    assert run(mini, "build", "--jobs", "1").returncode == 0
    before = snapshot(mini / "public")
    cache = mini / ".cache"
    if subprocess.run(["mount", "--bind", str(cache), str(cache)], capture_output=True).returncode != 0:
        pytest.skip("cannot bind-mount here")
    try:
        if subprocess.run(["mount", "-o", "remount,bind,ro", str(cache)], capture_output=True).returncode != 0:
            pytest.skip("cannot make a bind mount read-only here")
        new_post(mini)
        proc = run(mini, "build", "--jobs", "1")
    finally:
        subprocess.run(["umount", "-l", str(cache)], capture_output=True)
    assert proc.returncode == 3 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"Ошибка: диск только для чтения: нельзя записать «{cache}/")
    assert "python build.py build --no-cache" in proc.stderr
    assert snapshot(mini / "public") == before


# --- 4-6. wrong usage and our own errors --------------------------------------------------------

def test_build_of_unknown_sites_is_a_usage_error(mini: Path, capsys: pytest.CaptureFixture) -> None:
    code, err = main(mini, "build", "--jobs", "1", "--site", "school-1", "school1", "nowhere", capsys=capsys)
    assert code == 2
    assert err.startswith("Ошибка: --site: нет организаций с кодами «nowhere», «school1». "
                          "Похожие: вместо «school1» — school-1, school-2?")
    assert not (mini / "public").exists()


@pytest.mark.parametrize("title", ["", "   ", "\t\n", "\u200b\u00a0"])
def test_new_post_without_a_title_is_a_usage_error(mini: Path, title: str, capsys: pytest.CaptureFixture) -> None:
    posts = sorted((mini / SCHOOL / "posts").iterdir())
    code, err = main(mini, "new-post", "school-1", title, capsys=capsys)
    assert code == 2
    assert err == ("Ошибка: заголовок новости пуст. Напишите его в кавычках, например: "
                   "python build.py new-post school-1 \"Итоги конференции\"\n")
    assert sorted((mini / SCHOOL / "posts").iterdir()) == posts


def test_internal_error_without_traceback_unless_asked(mini: Path, capsys: pytest.CaptureFixture,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("ошибка в программе")

    monkeypatch.setattr(builder, "read_federation", broken)
    monkeypatch.delenv("FEDSITE_DEBUG", raising=False)
    code, err = main(mini, "build", "--jobs", "1", capsys=capsys)
    assert code == 3 and "Traceback" not in err
    assert err.startswith("Внутренняя ошибка программы (не ошибка в ваших файлах): RuntimeError: ошибка в "
                          "программе.") and "FEDSITE_DEBUG=1" in err
    monkeypatch.setenv("FEDSITE_DEBUG", "1")
    code, err = main(mini, "build", "--jobs", "1", capsys=capsys)
    assert code == 3 and "Traceback (most recent call last)" in err and "RuntimeError" in err
