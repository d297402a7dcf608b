"""The three ways to publish a finished output (SPEC §8, §10): one gh-pages branch, a branch per
territorial subtree (--split), or an S3-compatible bucket (--target)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from fedsite.deploy.branches import Published, Store, Target, publish
from fedsite.deploy.manifest import output_manifest
from fedsite.deploy.s3 import PENDING_KEY, Bucket, plan
from fedsite.model.diagnostics import Diagnostics, UsageError
from fedsite.read.settings import Settings
from fedsite.read.tree import discover


def deploy_branch(repo: Path, out: Path, settings: Settings, push: bool) -> None:
    """The whole output as the repository's gh-pages branch, one commit (ghp-import's no_history)."""
    from ghp_import import GhpError, ghp_import

    # no_history drops the local branch only when the remote has one: without it the commit would
    # take the previous one as its parent.
    subprocess.run(["git", "update-ref", "-d", "refs/heads/gh-pages"], cwd=repo, capture_output=True)
    try:
        ghp_import(str(out), mesg="Публикация сайтов федерации", nojekyll=True, push=push,
                   cname=settings.cname or None, no_history=True, branch="gh-pages")
    except GhpError as e:
        raise UsageError(f"публикация не удалась, git сообщил: {str(e).strip()}. Проверьте, что репозиторий — "
                         "git-репозиторий с доступом к удалённому (git remote -v, git push), и запустите "
                         "публикацию снова.") from None


def split_targets(repo: Path, out: Path, settings: Settings) -> list[Target]:
    """The root site without its members' folders, and each territorial subtree, with their repositories."""
    deploy = settings.deploy
    if not deploy.root or not deploy.subtree:
        raise UsageError("mkdocs.yml: для «deploy --split» укажите репозитории в extra.federation.deploy: "
                         "root: https://github.com/ORG/ORG.github.io.git и subtree: https://github.com/ORG/{id}.git")
    diags = Diagnostics(repo)
    tree = discover(repo, diags)
    if tree is None:
        raise UsageError("не удалось прочитать дерево организаций в sites/; запустите «python build.py check»")
    root = tree[tree.root]
    members = [tree[m] for m in root.members if (out / tree[m].url_path / "index.html").is_file()]
    targets = [Target("root", deploy.root, out, tuple(tree[m].url_path.rstrip("/") for m in root.members),
                      settings.cname)]
    targets += [Target(f"subtree/{m.id}", deploy.subtree.replace("{id}", m.id), out / m.url_path) for m in members]
    return targets


def deploy_split(repo: Path, out: Path, settings: Settings, push: bool) -> list[Published]:
    """Each target committed; with `push`, those that changed pushed. Prints what was done."""
    started = time.perf_counter()
    done = publish(Store(repo / ".cache" / "deploy" / "git"), split_targets(repo, out, settings), push)
    for item in done:
        state = ("отправлен" if item.pushed else "изменился (без --push не отправлен)") if item.changed \
            else "без изменений"
        print(f"{item.target.name}: {item.files} файлов, {state} — {item.target.url}")
    print(f"Отправлено репозиториев: {sum(p.pushed for p in done)} из {len(done)} "
          f"за {time.perf_counter() - started:.1f} с")
    return done


def deploy_s3(repo: Path, out: Path, target: str, endpoint: str | None, dry_run: bool) -> tuple[int, int]:
    """Changed files to the bucket, pages after what they use, deletions last; (sent, deleted)."""
    started = time.perf_counter()
    bucket = Bucket(target, endpoint)
    manifest = output_manifest(out, repo / ".cache")
    remote = bucket.manifest()
    todo = plan(manifest.files, remote)
    if dry_run:
        for path in todo.assets + todo.pages:
            print(f"отправить: {path}")
        for path in todo.deletions:
            print(f"удалить: {path}")
        print(f"Проверка без отправки: отправить {len(todo.assets) + len(todo.pages)}, удалить {len(todo.deletions)}")
        return 0, 0
    if todo.assets or todo.pages or todo.deletions:
        new = [path for path in todo.assets + todo.pages if path not in remote]
        if new:
            bucket.save_pending(new)
        bucket.send(out, todo.assets)
        bucket.send(out, todo.pages)
        bucket.save_manifest(manifest.files)
        bucket.delete(todo.deletions + ((PENDING_KEY,) if new or bucket.pending is not None else ()))
    sent = len(todo.assets) + len(todo.pages)
    print(f"Опубликовано в {target}: отправлено файлов {sent}, удалено {len(todo.deletions)}, "
          f"всего в сайте {len(manifest.files)} (прочитано для сверки {manifest.hashed}) "
          f"за {time.perf_counter() - started:.1f} с")
    return sent, len(todo.deletions)
