"""Benchmark: cold full build, rebuilds after one change, a shard, output size and memory,
with the naive `mkdocs build` loop (Material + its blog plugin, one run per site) measured beside.

    python bench/run.py [--orgs 1023] [--posts 60] [--jobs 2] [--naive-sample 4] [--repeats 5]
    python bench/run.py --breakdown PUBLIC_DIR     (only the output's breakdown against its budget)

Prints the figures; bench/README.md records a run."""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from budget import report  # noqa: E402
from generate import commit, generate  # noqa: E402


STAGES: dict[str, str] = {}  # what `build --timings` printed, by benchmark step


def run(cmd: list[str], cwd: Path, env: dict | None = None, step: str = "") -> float:
    """Wall seconds of a command, which must succeed."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    if step and proc.stdout.strip():
        STAGES[step] = proc.stdout.strip().splitlines()[-1]
    return took


def size_of(folder: Path) -> tuple[int, int]:
    """Bytes and files of a tree, each hard-linked file counted once."""
    seen, total, files = set(), 0, 0
    for path in folder.rglob("*"):
        if path.is_file():
            st = path.stat()
            files += 1
            if st.st_ino not in seen:
                seen.add(st.st_ino)
                total += st.st_size
    return total, files


def build(repo: Path, jobs: int, *extra: str, step: str = "", code: Path = ROOT) -> float:
    return run([sys.executable, str(code / "build.py"), "--repo", str(repo), "build", "--jobs", str(jobs),
                "--timings", *extra], code, {"CI": "1"}, step)


def code_with_an_edit(dest: Path, module: str) -> Path:
    """A copy of this checkout's code with a comment added to one module (as a commit touching one
    stage does): its build.py imports its own fedsite/ first."""
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(ROOT / "fedsite", dest / "fedsite", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "build.py", dest / "build.py")
    with (dest / "fedsite" / module).open("a", encoding="utf-8") as f:
        f.write("\n# bench: one stage's code changed\n")
    return dest


def spread(times: list[float]) -> str:
    """The runs of one kind beside their minimum (which the table shows): this machine's timings vary."""
    ordered = sorted(times)
    return f"fastest of {len(times)}; median {ordered[len(ordered) // 2]:.1f} s, slowest {ordered[-1]:.1f} s"


def naive_site(repo: Path, org_folder: Path, dest: Path) -> None:
    """The same organization as a stand-alone MkDocs + Material blog project."""
    docs = dest / "docs"
    (docs / "blog" / "posts").mkdir(parents=True)
    (docs / "index.md").write_text("# Главная\n", encoding="utf-8")
    (docs / "blog" / "index.md").write_text("# Новости\n", encoding="utf-8")
    shutil.copytree(org_folder / "assets", docs / "blog" / "assets")
    for post in sorted((org_folder / "posts").glob("post-*.md")):
        text = post.read_text(encoding="utf-8")
        text = re.sub(r"^date: (\d\d)\.(\d\d)\.(\d{4}) (\d\d:\d\d)$", r"date: \3-\2-\1 \4:00",
                      text, flags=re.M)
        text = re.sub(r"^(cover|projects|tags):.*\n", "", text, flags=re.M)
        (docs / "blog" / "posts" / post.name).write_text(text, encoding="utf-8")
    (dest / "mkdocs.yml").write_text(
        "site_name: Naive\nsite_url: https://example.org/\ntheme: {name: material, language: ru}\n"
        "plugins: [search: {lang: ru}, blog]\n", encoding="utf-8")


def naive_per_site(repo: Path, sample: int) -> float:
    """Seconds per site of `mkdocs build` run once per site, over a sample of primary organizations."""
    folders = sorted((repo / "sites").rglob("ppo-*"))[:sample] or [repo / "sites" / "region"]
    work = HERE / "out" / "naive"
    times = []
    for folder in folders:
        shutil.rmtree(work, ignore_errors=True)
        naive_site(repo, folder, work)
        times.append(run([sys.executable, "-m", "mkdocs", "build", "-q"], work))
    return sum(times) / len(times)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--orgs", type=int, default=1023)
    p.add_argument("--posts", type=int, default=60)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--naive-sample", type=int, default=4)
    p.add_argument("--shards", type=int, default=4)
    p.add_argument("--repeats", type=int, default=5,
                   help="one-post rebuilds of each kind, each a commit of its own (timings vary run to run)")
    p.add_argument("--breakdown", type=Path, metavar="PUBLIC_DIR",
                   help="print the breakdown of a built output by kind of file against the budget, and stop")
    a = p.parse_args()
    if a.breakdown:
        print("\n".join(report(a.breakdown)))
        return
    repo = HERE / "out" / f"fed-{a.orgs}x{a.posts}"
    generate(repo, a.orgs, a.posts, seed=1, words=630)
    posts = a.orgs * a.posts
    print(f"Federation: {a.orgs} sites, {posts} posts, {a.jobs} jobs")

    cold = build(repo, a.jobs, step="cold")
    out_bytes, out_files = size_of(repo / "public")
    breakdown = report(repo / "public")
    media, _ = size_of(repo / "sites")
    warm = build(repo, a.jobs, step="nothing changed")
    posts_dir = sorted((repo / "sites").rglob("ppo-*"))[0] / "posts"
    one_new, one_edit = [], []
    for i in range(a.repeats):
        post = posts_dir / f"2026-11-20-novaya-{i}.md"
        post.write_text(f"---\ntitle: Новая новость {i}\n---\nТекст новой новости.\n", encoding="utf-8")
        commit(repo, f"new post {i}")  # as CI sees it: a fresh commit
        one_new.append(build(repo, a.jobs, step=f"one new post ({i + 1})"))
    for i in range(a.repeats):
        edited = posts_dir / f"post-{i:03d}.md"
        edited.write_text(edited.read_text(encoding="utf-8").replace("\n\n", "\n\nИсправлено. ", 1),
                          encoding="utf-8")
        commit(repo, f"edited post {i}")
        one_edit.append(build(repo, a.jobs, step=f"one edited post ({i + 1})"))
    # One stage's code or the theme changed (a CI run after such a commit): no longer a cold build.
    feeds_code = build(repo, a.jobs, step="feeds' code changed",
                       code=code_with_an_edit(HERE / "out" / "code-edited", "outputs/feeds.py"))
    build(repo, a.jobs)  # back to this checkout's code
    with (repo / "theme" / "main.html").open("a", encoding="utf-8") as f:
        f.write("\n{# bench: a template changed #}\n")
    commit(repo, "template changed")
    template = build(repo, a.jobs, step="a template changed")
    shard = build(repo, a.jobs, "--no-cache", "--shard", f"1/{a.shards}", "--out", str(HERE / "out" / "shard"))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    naive = naive_per_site(repo, a.naive_sample)

    rows = [
        ("cold full build", f"{cold:.1f} s", f"{cold / a.orgs:.3f} s/site"),
        ("naive mkdocs loop (sampled)", f"{naive * a.orgs:.0f} s (est.)", f"{naive:.2f} s/site"),
        ("speed-up over naive", f"{naive * a.orgs / cold:.1f}x", ""),
        ("rebuild, nothing changed", f"{warm:.1f} s", ""),
        ("rebuild, one new post", f"{min(one_new):.1f} s", spread(one_new)),
        ("rebuild, one edited post", f"{min(one_edit):.1f} s", spread(one_edit)),
        ("rebuild, the feeds' code changed", f"{feeds_code:.1f} s", "renderings and reads kept"),
        ("rebuild, a template changed", f"{template:.1f} s", "renderings and reads kept"),
        (f"shard 1/{a.shards}, no cache", f"{shard:.1f} s", f"x{a.shards} runners ≈ {shard:.0f} s wall"),
        ("output (hard links once)", f"{out_bytes / 2**20:.0f} MiB", f"{out_files} files"),
        ("content with user media", f"{media / 2**20:.0f} MiB", ""),
        ("peak memory, largest process", f"{peak:.0f} MiB", ""),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value, note in rows:
        print(f"{name.ljust(width)}  {value:>16}  {note}")
    for step, stages in STAGES.items():
        print(f"{step}: {stages}")
    print("\n".join(breakdown))


if __name__ == "__main__":
    main()
