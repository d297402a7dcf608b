"""Time from commit to live (issue 16, item 4): what CI does for one new post, on a generated federation.

    python bench/generate.py OUT --orgs 100 --posts 20      # once (bench/run.py's output works too)
    python bench/deploy.py OUT [--jobs 2] [--posts 3] [--this-month N]

Targets are local: a bare repository per `deploy --split` target beside OUT (OUT-deploy/*.git, named in
OUT's mkdocs.yml, which is edited once: the first run builds every site again) and an S3 server on
127.0.0.1 started here (moto's server mode, in memory). After a first build and full deploys, each
round adds one post, commits it, builds, deploys to both targets and prints each step's time, the
repositories pushed and the files that changed in them, and the files sent to S3. Then the size of
what CI caches: the paths of the deploy workflows' actions/cache steps, packed as actions/cache packs
them (tar | zstd), against the paths cached before issue 16 (.cache and public, whole)."""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import commit, post_text  # noqa: E402

WORDS = 630  # generate.py's default length of a post

KEYS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench-secret"}
BEFORE = [".cache", "public"]  # what deploy.yml cached before issue 16


def fedsite(repo: Path, *args: str) -> tuple[float, str]:
    """Wall seconds and output of a `python build.py` command, which must succeed."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "--repo", str(repo), *args], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, "CI": "1", **KEYS})
    took = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return took, proc.stdout


def git(*args: str) -> str:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout.strip()


def with_targets(repo: Path) -> Path:
    """Bare repositories for the root and each territorial organization, named in mkdocs.yml."""
    work = repo.parent / f"{repo.name}-deploy"
    work.mkdir(exist_ok=True)
    root = next(p for p in (repo / "sites").iterdir() if (p / "site.yml").is_file())
    for name in ["root"] + [p.name for p in root.iterdir() if (p / "site.yml").is_file()]:
        if not (work / f"{name}.git").exists():
            git("init", "-q", "--bare", str(work / f"{name}.git"))
    config = repo / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    if "    deploy:\n" not in text:
        config.write_text(text.replace("  federation:\n", f"  federation:\n    deploy:\n      root: {work}/root.git\n"
                                       f"      subtree: {work}/{{id}}.git\n", 1), encoding="utf-8")
        commit(repo, "deploy targets")
    return work


def s3_server() -> tuple[object, str]:
    import boto3
    import logging
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
                 aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"]).create_bucket(Bucket="fed")
    return server, endpoint


def tips(work: Path) -> dict[str, str]:
    found = {}
    for bare in sorted(work.glob("*.git")):
        proc = subprocess.run(["git", "--git-dir", str(bare), "rev-parse", "-q", "--verify", "gh-pages"],
                              capture_output=True, text=True)
        found[bare.stem] = proc.stdout.strip()
    return found


def changed_files(work: Path, before: dict[str, str], after: dict[str, str]) -> dict[str, int]:
    """Files that differ between the previous and the new gh-pages commit, per repository pushed."""
    counts = {}
    for name, tip in after.items():
        if tip != before.get(name):
            out = git("--git-dir", str(work / f"{name}.git"), "diff-tree", "-r", "--name-only", before[name], tip) \
                if before.get(name) else git("--git-dir", str(work / f"{name}.git"), "ls-tree", "-r", "--name-only", tip)
            counts[name] = len(out.splitlines())
    return counts


def cached_paths() -> list[str]:
    """The `path:` entries of the actions/cache steps of the deploy workflows."""
    paths: list[str] = []
    for workflow in sorted((ROOT / ".github" / "workflows").glob("deploy*.yml")):
        for block in re.findall(r"path: \|\n((?:\s+\S.*\n)+)", workflow.read_text(encoding="utf-8")):
            for line in block.splitlines():
                entry = line.strip()
                if entry.startswith("#") or ":" in entry:
                    break
                if entry not in paths:
                    paths.append(entry)
    return paths


def packed(repo: Path, paths: list[str]) -> tuple[int, int, float]:
    """Bytes of the tar, bytes and seconds of `tar | zstd` of the paths, as actions/cache archives them."""
    keep = [p for p in paths if not p.startswith("!") and (repo / p).exists()]
    command = ["tar", "--posix", "-cf", "-", *[f"--exclude={p[1:]}" for p in paths if p.startswith("!")], *keep]
    raw = subprocess.run(f"{' '.join(command)} | wc -c", shell=True, cwd=repo, capture_output=True, text=True)
    start = time.perf_counter()
    tar = subprocess.Popen(command, cwd=repo, stdout=subprocess.PIPE)
    zstd = subprocess.run(["zstd", "-T0", "--long=30", "-q", "-c"], stdin=tar.stdout, capture_output=True)
    tar.wait()
    return int(raw.stdout), len(zstd.stdout), time.perf_counter() - start


def add_this_months_posts(repo: Path, count: int) -> None:
    """`count` posts dated from the 1st of this month to today, round-robin over the primary organizations,
    committed once (skipped if a previous run added them)."""
    sites = sorted((repo / "sites").rglob("ppo-*"))
    today = time.localtime()
    month = time.strftime("%Y-%m", today)
    if any(sites[0].joinpath("posts").glob(f"{month}-*-month-*.md")):
        return
    rng = random.Random(f"this month {month}")
    for i in range(count):
        day = 1 + i % today.tm_mday
        post = sites[i % len(sites)] / "posts" / f"{month}-{day:02d}-month-{i}.md"
        text = post_text(rng, WORDS, datetime(2023, 1, 1), 0)  # the generator's kind of post, dated below
        post.write_text(re.sub(r"(?m)^date: .*$", f"date: {day:02d}.{month[5:]}.{month[:4]} 09:00", text, count=1),
                        encoding="utf-8")
    commit(repo, f"{count} posts of this month")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("repo", type=Path)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--posts", type=int, default=3, help="one-post rounds")
    p.add_argument("--this-month", type=int, default=0, metavar="N",
                   help="first add N posts dated this month (the generator's kind), spread over the primary "
                        "organizations (the generator's posts end in 2025; a real federation's search has this "
                        "month's posts in its recent part: 1,023 sites posting every ~18 days make ~1,700 a month)")
    a = p.parse_args()
    repo = a.repo.resolve()
    work = with_targets(repo)
    if a.this_month:
        add_this_months_posts(repo, a.this_month)
    server, endpoint = s3_server()
    target = ["--target", "s3://fed", "--endpoint", endpoint]
    took, _ = fedsite(repo, "build", "--jobs", str(a.jobs))
    print(f"first build: {took:.1f} s")
    took, _ = fedsite(repo, "deploy", "--split", "--push")
    print(f"first deploy --split (every repository): {took:.1f} s")
    took, said = fedsite(repo, "deploy", *target)
    print(f"first deploy --target (every file): {took:.1f} s — {said.strip().splitlines()[-1]}")
    posts = sorted((repo / "sites").rglob("ppo-*"))[0] / "posts"
    for i in range(a.posts):
        # dated today, as a press secretary's new post is (the search's recent part takes this month's)
        post = posts / f"{time.strftime('%Y-%m-%d')}-deploy-{time.time_ns()}.md"  # new in every run
        post.write_text(f"---\ntitle: Новость для публикации {i}\n---\nТекст.\n", encoding="utf-8")
        commit(repo, f"deploy bench post {i}")
        built, _ = fedsite(repo, "build", "--jobs", str(a.jobs))
        before = tips(work)
        split, _ = fedsite(repo, "deploy", "--split", "--push")
        pushed = changed_files(work, before, tips(work))
        s3, said = fedsite(repo, "deploy", *target)
        sent = re.search(r"отправлено файлов (\d+), удалено (\d+)", said)
        print(f"one new post ({i + 1}): build {built:.1f} s; deploy --split {split:.1f} s, "
              f"{len(pushed)} of {len(before)} repositories pushed, files changed {json.dumps(pushed)}; "
              f"deploy --target {s3:.1f} s, files sent {sent.group(1)}, deleted {sent.group(2)}")
    for label, paths in (("CI cache before (.cache, public)", BEFORE), ("CI cache now " + str(cached_paths()),
                                                                        cached_paths())):
        raw, size, seconds = packed(repo, paths)
        print(f"{label}: {raw / 2**20:.0f} MiB of tar, {size / 2**20:.0f} MiB packed (tar | zstd), "
              f"{seconds:.1f} s to pack")
    print(f"of which the deploy store (.cache/deploy): {packed(repo, ['.cache/deploy'])[0] / 2**20:.1f} MiB of tar")
    server.stop()


if __name__ == "__main__":
    main()
