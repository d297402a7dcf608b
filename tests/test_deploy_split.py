"""deploy --split to local bare repositories, as GitHub Pages would get them: each a gh-pages branch of
one commit with the files of its part of the output at the same URLs, only changed ones pushed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NOW, PROJECT

SUBTREES = ("district-a", "district-b")
POST = "sites/region/district-a/school-2/posts/2026-05-20-novaya.md"


def cli(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PROJECT / "build.py"), *args], cwd=repo, capture_output=True,
                          text=True, env={**os.environ, "FEDSITE_NOW": NOW})


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def with_repositories(repo: Path, tmp: Path) -> dict[str, Path]:
    """Bare repositories for the root and each territorial subtree, named in mkdocs.yml."""
    bare = {name: tmp / f"{name}.git" for name in ("root", *SUBTREES)}
    for path in bare.values():
        git("init", "-q", "--bare", str(path))
    config = repo / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  federation:\n", f"  federation:\n    cname: profsoyuz.example.org\n    deploy:\n"
                           f"      root: {bare['root']}\n      subtree: {tmp}/{{id}}.git\n"), encoding="utf-8")
    return bare


def clone(bare: Path, dest: Path) -> Path:
    git("clone", "-q", "-b", "gh-pages", str(bare), str(dest))
    return dest


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and ".git" not in p.relative_to(folder).parts}


def published(public: Path, subtree: str | None) -> dict[str, bytes]:
    """What a repository should hold: the subtree's folder, or the root without the subtrees' folders."""
    files = files_of(public / subtree if subtree else public)
    files.pop(".fedsite-output", None)
    return {p: b for p, b in files.items() if subtree or p.split("/", 1)[0] not in SUBTREES}


def objects(bare: Path) -> int:
    """How many objects the repository holds (loose and packed)."""
    counts = dict(line.split(": ") for line in git("--git-dir", str(bare), "count-objects", "-v").splitlines())
    return int(counts["count"]) + int(counts["in-pack"])


def tips(bare: dict[str, Path]) -> dict[str, str]:
    return {name: git("--git-dir", str(path), "rev-parse", "gh-pages") for name, path in bare.items()}


@pytest.fixture
def deployed(mini: Path, tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    bare = with_repositories(mini, tmp_path)
    assert cli(mini, "build").returncode == 0
    proc = cli(mini, "deploy", "--split", "--push")
    assert proc.returncode == 0, proc.stderr
    return mini, bare


def test_each_repository_gets_one_commit_with_its_part_at_the_same_urls(deployed, tmp_path: Path) -> None:
    repo, bare = deployed
    for name, path in bare.items():
        copy = clone(path, tmp_path / "clones" / name)
        assert git("rev-list", "--count", "HEAD", cwd=copy) == "1"
        got = files_of(copy)
        assert got.pop(".nojekyll") == b""
        if name == "root":
            assert got.pop("CNAME") == b"profsoyuz.example.org\n"
        assert got == published(repo / "public", None if name == "root" else name), name
    root = files_of(tmp_path / "clones" / "root")
    assert "index.html" in root and "robots.txt" in root and not any(p.startswith("district-a/") for p in root)
    # https://ORG.github.io/district-a/school-1/posts/uroki.html is served by the district-a repository.
    assert "school-1/posts/uroki.html" in files_of(tmp_path / "clones" / "district-a")


def test_after_one_new_post_only_changed_repositories_get_a_new_single_commit(deployed, tmp_path: Path) -> None:
    repo, bare = deployed
    before, held = tips(bare), objects(bare["district-a"])
    (repo / POST).parent.mkdir(parents=True, exist_ok=True)
    (repo / POST).write_text("---\ntitle: Новая новость школы\ndate: 2026-05-20T10:00:00+03:00\n---\n\nТекст.\n",
                             encoding="utf-8")
    assert cli(repo, "build").returncode == 0
    proc = cli(repo, "deploy", "--split", "--push")
    assert proc.returncode == 0, proc.stderr
    after = tips(bare)
    assert after["district-b"] == before["district-b"]
    assert after["district-a"] != before["district-a"]
    assert "district-b: " in proc.stdout and "без изменений" in proc.stdout
    copy = clone(bare["district-a"], tmp_path / "again")
    assert git("rev-list", "--count", "HEAD", cwd=copy) == "1"
    # Only the new and changed files travelled, not the whole subtree again.
    assert objects(bare["district-a"]) - held < len(files_of(copy)) / 3
    assert files_of(copy) | {".nojekyll": b""} == published(repo / "public", "district-a") | {".nojekyll": b""}
    assert "Новая новость школы" in (copy / "school-2/posts/novaya.html").read_text(encoding="utf-8")
    again = cli(repo, "deploy", "--split", "--push")
    assert again.returncode == 0 and tips(bare) == after and "Отправлено репозиториев: 0 из 3" in again.stdout


def test_split_without_repositories_says_what_to_write(mini: Path) -> None:
    assert cli(mini, "build").returncode == 0
    proc = cli(mini, "deploy", "--split", "--push")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "extra.federation.deploy" in proc.stderr and "subtree: https://github.com/ORG/{id}.git" in proc.stderr


def test_wrong_deploy_settings_are_told_at_their_line(mini: Path) -> None:
    config = mini / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  federation:\n", "  federation:\n    deploy:\n      root: https://github.com/org/org.github.io.git\n"
                           "      subtree: https://github.com/org/sub.git\n      branch: main\n"), encoding="utf-8")
    line = config.read_text(encoding="utf-8").splitlines().index("    deploy:") + 1
    proc = cli(mini, "check")
    assert proc.returncode == 1
    assert f"mkdocs.yml:{line}: extra.federation.deploy.subtree должно содержать {{id}}" in proc.stdout + proc.stderr
    assert f"mkdocs.yml:{line}: неизвестная настройка extra.federation.deploy.branch" in proc.stdout + proc.stderr


def test_a_push_that_fails_is_said_in_russian(mini: Path, tmp_path: Path) -> None:
    config = mini / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  federation:\n", f"  federation:\n    deploy:\n      root: {tmp_path}/missing.git\n"
                           f"      subtree: {tmp_path}/{{id}}.git\n"), encoding="utf-8")
    assert cli(mini, "build").returncode == 0
    proc = cli(mini, "deploy", "--split", "--push")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "публикация «root»" in proc.stderr and "права токена" in proc.stderr


def test_a_repository_someone_else_pushed_to_still_gets_every_file(deployed, tmp_path: Path) -> None:
    repo, bare = deployed
    other = git("-c", "user.name=t", "-c", "user.email=t@e", "--git-dir", str(bare["district-a"]), "commit-tree", "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
                "-m", "someone else's push")  # git's empty tree
    git("--git-dir", str(bare["district-a"]), "update-ref", "refs/heads/gh-pages", other)
    (repo / POST).parent.mkdir(parents=True, exist_ok=True)
    (repo / POST).write_text("---\ntitle: Новая новость школы\ndate: 2026-05-20T10:00:00+03:00\n---\n\nТекст.\n",
                             encoding="utf-8")
    assert cli(repo, "build").returncode == 0
    proc = cli(repo, "deploy", "--split", "--push")
    assert proc.returncode == 0, proc.stderr
    copy = clone(bare["district-a"], tmp_path / "again")
    assert files_of(copy) | {".nojekyll": b""} == published(repo / "public", "district-a") | {".nojekyll": b""}
