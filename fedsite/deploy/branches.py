"""gh-pages branches of one commit each, for `deploy --split` (SPEC §10).

Each target (the root site without its members' folders; a territorial subtree) is committed from the
output with an index file of its own kept in .cache/deploy/: git's index remembers each file's size
and mtime, so only the files a build swapped in are hashed again, and the tree id says at once
whether anything changed. A target whose tree is the one pushed last time is not pushed. The commit
has no parent (the branch never grows); the push sends only the objects the repository lacks, as
the previous commit is kept in the local store under refs/deploy/ (see Store.mark_shallow)."""

from __future__ import annotations

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from fedsite.build.output import MARKER
from fedsite.model.diagnostics import UsageError
from fedsite.model.files import write_atomic

MESSAGE = "Публикация сайтов федерации"
MISSING = ("unable to read", "pack-objects died", "did not receive expected object", "missing blob", "bad object")
CONFIG = (("core.autocrlf", "false"), ("core.excludesFile", os.devnull), ("core.checkStat", "minimal"),
          ("core.trustctime", "false"), ("gc.auto", "0"))


@dataclass(frozen=True)
class Target:
    """One repository's gh-pages branch: which folder of the output, without which of its folders."""

    name: str  # 'root', or 'subtree/' and a territorial organization's id
    url: str
    folder: Path
    without: tuple[str, ...] = ()
    cname: str = ""


@dataclass(frozen=True)
class Published:
    """What a deploy did for one target."""

    target: Target
    commit: str
    changed: bool  # the tree differs from the one pushed last
    pushed: bool
    files: int  # files in the branch


class Store:
    """A bare repository under .cache/deploy/ holding the deployed trees, and one index per target."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        if not (folder / "HEAD").is_file():
            folder.mkdir(parents=True, exist_ok=True)
            self._git("init", "-q", "--bare", str(folder))
        # A CI cache restores public/ with its mtimes but new inodes and ctimes: compare size and mtime only.
        for key, value in CONFIG:
            self._git("config", key, value)

    def _git(self, *args: str, index: str | None = None, cwd: Path | None = None, env: dict | None = None) -> str:
        environ = {**os.environ, "GIT_DIR": str(self.folder), **(env or {})}
        if index is not None:
            environ["GIT_INDEX_FILE"] = str(self.folder / "indexes" / index)
        proc = subprocess.run(["git", *args], cwd=cwd, env=environ, capture_output=True, text=True)
        if proc.returncode != 0:
            raise UsageError(f"git {args[0]} не удался: {(proc.stderr or proc.stdout).strip()[:2000]}")
        return proc.stdout.strip()

    def tree_of(self, target: Target) -> tuple[str, int]:
        """The git tree of the target's files (with .nojekyll, and CNAME on the root), and their count."""
        (self.folder / "indexes").mkdir(exist_ok=True)
        index = _index_name(target.name)
        excluded = [f":(exclude){name}" for name in (*target.without, MARKER)]
        self._git("add", "-A", "--force", "--", ".", *excluded, index=index,
                  cwd=target.folder, env={"GIT_WORK_TREE": str(target.folder)})
        extras = {".nojekyll": "", **({"CNAME": target.cname + "\n"} if target.cname else {})}
        for name, text in extras.items():
            blob = self._input("hash-object", "-w", "--stdin", text=text)
            self._git("update-index", "--add", "--cacheinfo", f"100644,{blob},{name}", index=index)
        files = int(self._git("ls-files", "--cached", index=index, cwd=target.folder,
                              env={"GIT_WORK_TREE": str(target.folder)}).count("\n")) + 1
        return self._git("write-tree", "--missing-ok", index=index), files  # unchanged files' blobs are dropped

    def _input(self, *args: str, text: str) -> str:
        proc = subprocess.run(["git", *args], input=text, env={**os.environ, "GIT_DIR": str(self.folder)},
                              capture_output=True, text=True, check=True)
        return proc.stdout.strip()

    def last_tree(self, target: Target) -> str:
        """The tree of the commit last published for the target ('' if none)."""
        proc = subprocess.run(["git", "rev-parse", "--verify", "-q", f"{_ref(target.name)}^{{tree}}"],
                              env={**os.environ, "GIT_DIR": str(self.folder)}, capture_output=True, text=True)
        return proc.stdout.strip() if proc.returncode == 0 else ""

    def commit(self, tree: str) -> str:
        """A commit of `tree` with no parent."""
        env = {"GIT_AUTHOR_NAME": os.environ.get("GIT_AUTHOR_NAME", "fedsite"),
               "GIT_AUTHOR_EMAIL": os.environ.get("GIT_AUTHOR_EMAIL", "fedsite@localhost"),
               "GIT_COMMITTER_NAME": os.environ.get("GIT_COMMITTER_NAME", "fedsite"),
               "GIT_COMMITTER_EMAIL": os.environ.get("GIT_COMMITTER_EMAIL", "fedsite@localhost")}
        return self._git("commit-tree", tree, "-m", MESSAGE, env=env)

    def mark_shallow(self) -> None:
        """List the published commits as shallow ones (they have no parent anyway): in a shallow
        repository, push packs with --objects-edge-aggressive, leaving out every object of the
        repository's current commit. Otherwise a commit unrelated to the remote's sends every file."""
        tips = self._git("for-each-ref", "--format=%(objectname)", "refs/deploy/")
        if tips:
            write_atomic(self.folder / "shallow", (tips + "\n").encode())

    def push(self, target: Target, commit: str) -> bool:
        """Replace the repository's gh-pages branch by `commit`, then remember it as published; False if
        the repository lacks files whose content the store no longer holds (someone else pushed there)."""
        try:
            self._git("push", "-q", "--force", target.url, f"{commit}:refs/heads/gh-pages")
        except UsageError as e:
            if any(sign in str(e) for sign in MISSING):
                return False
            raise UsageError(f"публикация «{target.name}» в {target.url} не удалась: {e}. Проверьте адрес "
                             "в extra.federation.deploy и права токена на запись в этот репозиторий.") from None
        self._git("update-ref", _ref(target.name), commit)
        return True

    def forget(self, target: Target) -> None:
        """Read every file of the target again next time (its blobs are then all in the store)."""
        (self.folder / "indexes" / _index_name(target.name)).unlink(missing_ok=True)

    def drop_blobs(self) -> None:
        """Keep only commits and trees: the files' contents are in public/ and in the repositories, and a
        push needs only the new ones, written by `git add` just before. The store stays a few MB that CI
        caches, instead of a second, compressed copy of the output."""
        listing = self._git("cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)")
        for line in listing.splitlines():
            name, kind = line.split()
            if kind == "blob":
                (self.folder / "objects" / name[:2] / name[2:]).unlink(missing_ok=True)


def publish(store: Store, targets: list[Target], push: bool, jobs: int = 4) -> list[Published]:
    """Commit every target; with `push`, push those whose tree changed (several at a time)."""

    def one(target: Target) -> Published:
        tree, files = store.tree_of(target)
        changed = tree != store.last_tree(target)
        commit = store.commit(tree) if changed else ""
        if changed and push and not store.push(target, commit):
            store.forget(target)
            tree, files = store.tree_of(target)
            commit = store.commit(tree)
            if not store.push(target, commit):
                raise UsageError(f"публикация «{target.name}» в {target.url} не удалась: git не нашёл файлы для "
                                 "отправки; удалите папку .cache/deploy/ и запустите публикацию снова.")
        return Published(target, commit, changed, changed and push, files)

    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            return list(pool.map(one, targets))
    finally:
        store.mark_shallow()
        if push:
            store.drop_blobs()


def _ref(name: str) -> str:
    return f"refs/deploy/{name}"


def _index_name(name: str) -> str:
    return name.replace("/", "-") + ".index"
