"""Compare two commits' builds on one generated federation, alternating them (this machine is
noisy: a slow spell hits both alike).

    python bench/compare.py OLD [NEW] [--orgs 1023] [--posts 60] [--rounds 3] [--jobs 2] [--work DIR]

Each commit's code is exported (git archive) and builds its own copy of the federation: a cold
build, then rounds of nothing changed / one new post / one edited post, then a rebuild after a
comment is added to the feeds' code and after a comment is added to a template. Prints the
fastest and median of each, and each build's peak memory (largest process)."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import commit, generate  # noqa: E402


def export(rev: str, dest: Path) -> Path:
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def build(code: Path, repo: Path, jobs: int) -> tuple[float, float]:
    """Wall seconds and peak memory (MiB, largest process) of one build, which must succeed."""
    start = time.perf_counter()
    with open(os.devnull, "w") as quiet, subprocess.Popen(
            [sys.executable, str(code / "build.py"), "--repo", str(repo), "build", "--jobs", str(jobs)],
            cwd=code, env={**os.environ, "CI": "1"}, stdout=quiet, stderr=subprocess.PIPE) as proc:
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    took = time.perf_counter() - start
    if proc.returncode:
        sys.exit(f"{code}: build failed\n{err[-4000:].decode(errors='replace')}")
    return took, usage.ru_maxrss / 1024


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(text)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("old")
    p.add_argument("new", nargs="?", default="HEAD")
    p.add_argument("--orgs", type=int, default=1023)
    p.add_argument("--posts", type=int, default=60)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--changes-of", choices=("both", "new"), default="both",
                   help="which commit is timed after the code and template edits (an older commit whose every "
                        "key held all of the code's digest rebuilds everything after a code edit: a cold build)")
    p.add_argument("--work", type=Path, default=HERE / "out" / "compare",
                   help="where the federation and the commits' code go (a folder outside the repository)")
    a = p.parse_args()
    work = a.work
    source = work / "federation"
    if not (source / "sites").is_dir():
        generate(source, a.orgs, a.posts, seed=1, words=630)
    runs = {}
    for name, rev in (("old", a.old), ("new", a.new)):
        repo = work / f"fed-{name}"
        shutil.rmtree(repo, ignore_errors=True)
        shutil.copytree(source, repo, symlinks=True)
        runs[name] = (export(rev, work / f"code-{name}"), repo)
    times: dict[str, dict[str, list[float]]] = {name: {} for name in runs}

    def step(name: str, what: str) -> None:
        code, repo = runs[name]
        took, peak = build(code, repo, a.jobs)
        times[name].setdefault(what, []).append(took)
        print(f"{name} {what}: {took:.2f} s, peak {peak:.0f} MiB", flush=True)

    order = list(runs)
    for name in order:
        step(name, "cold")
    for i in range(a.rounds):
        for name in order if i % 2 == 0 else order[::-1]:
            repo = runs[name][1]
            step(name, "nothing changed")
            post = sorted((repo / "sites").rglob("ppo-*"))[7] / "posts" / f"2026-11-{10 + i:02d}-bench-{i}.md"
            post.write_text(f"---\ntitle: Новость {i}\n---\n\nТекст новости {i}.\n", encoding="utf-8")
            commit(repo, f"new post {i}")
            step(name, "one new post")
            post.write_text(f"---\ntitle: Новость {i} (исправлено)\n---\n\nТекст, исправленный.\n", encoding="utf-8")
            commit(repo, f"edited post {i}")
            step(name, "one edited post")
    for name in order if a.changes_of == "both" else ["new"]:
        code, repo = runs[name]
        feeds = next(p for p in (code / "fedsite/outputs/feeds.py", code / "fedsite/feeds.py") if p.is_file())
        append(feeds, "\n# bench: one stage's code changed\n")
        step(name, "feeds' code changed")
        append(repo / "theme" / "main.html", "\n{# bench: a template changed #}\n")
        commit(repo, "template changed")
        step(name, "a template changed")
    for name, steps in times.items():
        for what, values in steps.items():
            values = sorted(values)
            print(f"{name:4} {what:22} fastest {values[0]:7.2f} s  median {values[len(values) // 2]:7.2f} s  "
                  f"({len(values)} runs)")


if __name__ == "__main__":
    main()
