"""Benchmark of the federation's search (issue 17): the index on disk, what it costs the build, and
what a reader's phone loads and waits for.

    python bench/search.py REPO [--build] [--jobs 2] [--lunr OLD_PUBLIC]
    python bench/search.py - --probe 80,450,1700

REPO is a federation (bench/generate.py's, or any) built into REPO/public (`python build.py --repo REPO
build`). With --build it is built here first: a cold build (no .cache/, no public/) and a rebuild
after one new post in a primary organization (committed, as CI sees it), dated an hour before the
build's clock; the indexing time of each is the build's own figure for the federation outputs
(`--timings`: «общие файлы»; robots.txt and the sitemap index are the rest of it, a few milliseconds),
and the files under search/ that the new post added, changed or removed are counted. Set FEDSITE_NOW
inside the generated posts' dates (they run from 2023-01 every ~18 days to 2025-12; e.g.
2025-11-30T18:00:00+03:00) so that a month of them is in the recent bundles, as in a living federation.
--lunr names the public/ folder of a build of the same federation by the code before issue 17
(Material's search: a lunr index per site) to print its size beside ours. --probe indexes bundles of
N bench-like posts only (no federation: pass - as REPO) and says what one more post changes.

In Chromium (Debian's), its CPU throttled 4× (CDP Emulation.setCPUThrottlingRate, as a mid-range
phone), with an empty cache, served from 127.0.0.1 by a server that counts the bytes it sends: a
school's search page opened at search.html?q=семинары with scope `site` and with scope `all`, then a
second query (конкурсы) on the same page. Bytes are as served, without HTTP compression (Pagefind's
index files are gzip inside; its JS files would shrink on a compressing server)."""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import commit  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FIRST, SECOND = "семинары", "конкурсы"


def timed_build(repo: Path, jobs: int) -> str:
    """The federation outputs' time from `build --timings` (seconds, as printed)."""
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "--repo", str(repo), "build", "--jobs", str(jobs),
                           "--timings"], cwd=ROOT, capture_output=True, text=True, env={**os.environ, "CI": "1"})
    if proc.returncode != 0:
        sys.exit(f"build failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    found = re.search(r"общие файлы ([\d.]+) с", proc.stdout)
    total = re.search(r"за ([\d.]+) с", proc.stdout)
    return f"{found.group(1) if found else '?'} s of a {total.group(1) if total else '?'} s build"


def a_primary(repo: Path) -> Path:
    """The folder of an organization without members (a school), deepest first."""
    cards = sorted(repo.glob("sites/**/site.yml"), key=lambda p: (-len(p.parts), str(p)))
    for card in cards:
        if not any(child.is_dir() and (child / "site.yml").is_file() for child in card.parent.iterdir()):
            return card.parent
    sys.exit("no organization without members")


def search_digests(public: Path) -> dict[str, str]:
    return {p.relative_to(public).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in (public / "search").rglob("*") if p.is_file()}


def build_twice(repo: Path, jobs: int) -> None:
    shutil.rmtree(repo / ".cache", ignore_errors=True)
    shutil.rmtree(repo / "public", ignore_errors=True)
    print(f"indexing, cold build:       {timed_build(repo, jobs)}")
    before = search_digests(repo / "public")
    # dated an hour before the build's clock (FEDSITE_NOW, else now): a post of this month, as a new one is
    now = datetime.fromisoformat(os.environ["FEDSITE_NOW"]) if os.environ.get("FEDSITE_NOW") else datetime.now()
    post = a_primary(repo) / "posts" / f"bench-search-{time.time_ns()}.md"
    post.parent.mkdir(exist_ok=True)
    post.write_text(f"---\ntitle: Новый семинар\ndate: {now - timedelta(hours=1):%d.%m.%Y %H:%M}\n---\n\n"
                    "Семинар для учителей.\n", encoding="utf-8")
    commit(repo, "bench: one new post")
    print(f"indexing, one-post rebuild: {timed_build(repo, jobs)}")
    after = search_digests(repo / "public")
    added, removed = after.keys() - before.keys(), before.keys() - after.keys()
    changed = {p for p in after.keys() & before.keys() if after[p] != before[p]}
    folders = sorted({p.rsplit("/", 2)[0] if "/index/" in p or "/fragment/" in p or "/filter/" in p
                      else p.rsplit("/", 1)[0] for p in added | removed | changed})
    print(f"  files under search/ that differ: {len(added)} added, {len(changed)} changed, {len(removed)} removed "
          f"(in {', '.join(folders)})")


def size_of(folder: Path, pattern: str = "*") -> tuple[int, int]:
    files = [p for p in folder.rglob(pattern) if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def print_index(public: Path) -> None:
    total, count = size_of(public / "search")
    print(f"index: {total / 1e6:.2f} MB in {count} files (search/)")
    nested = ("sub", "recent")
    root = size_of(public / "search")[0] - sum(size_of(public / "search" / n)[0] for n in nested)
    for label, folder in (("settled", "sub"), ("recent", "recent")):
        bundles = sorted((size_of(b)[0], b.name) for b in (public / "search" / folder).glob("*") if b.is_dir())
        if label == "settled":
            bundles = sorted(bundles + [(root, "(root)")])
        if bundles:
            (big, big_name), (small, small_name) = bundles[-1], bundles[0]
            print(f"  {len(bundles)} {label} bundles, {sum(n for n, _ in bundles) / 1e6:.2f} MB; largest "
                  f"{big_name} {big / 1e6:.2f} MB, smallest {small_name} {small / 1e6:.2f} MB")


def print_lunr(old_public: Path) -> None:
    indexes = list(old_public.rglob("search_index.json"))
    total = sum(p.stat().st_size for p in indexes)
    root = old_public / "search/search_index.json"
    print(f"Material's lunr indexes (before issue 17): {total / 1e6:.2f} MB in {len(indexes)} files; "
          f"the root site's, which a reader there loads whole before any answer: "
          f"{root.stat().st_size / 1e6:.2f} MB" if root.is_file() else "")


class Counter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: list[tuple[str, int]] = []

    def take(self) -> list[tuple[str, int]]:
        with self.lock:
            sent, self.sent = self.sent, []
        return sent


def serve(public: Path, counter: Counter) -> ThreadingHTTPServer:
    class Counting(SimpleHTTPRequestHandler):
        def send_head(self):  # type: ignore[no-untyped-def]
            f = super().send_head()
            if f is not None and hasattr(f, "fileno"):
                with counter.lock:
                    counter.sent.append((unquote(urlparse(self.path).path), os.fstat(f.fileno()).st_size))
            return f

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Counting, directory=str(public)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def summary(sent: list[tuple[str, int]]) -> str:
    search = [(p, n) for p, n in sent if p.startswith("/search/")]
    return (f"{sum(n for _, n in search) / 1e3:.0f} kB in {len(search)} index requests "
            f"(page and its assets: {sum(n for p, n in sent if not p.startswith('/search/')) / 1e3:.0f} kB)")


def reader(public: Path) -> None:
    from playwright.sync_api import sync_playwright

    school = a_primary(public.parent).relative_to(public.parent / "sites")
    where = "/".join(school.parts[1:])  # the root's folder is the output's root
    counter = Counter()
    server = serve(public, counter)
    base = f"http://127.0.0.1:{server.server_address[1]}/{where}/search.html"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for scope in ("site", "all"):
            context = browser.new_context()
            page = context.new_page()
            context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 4})
            counter.take()
            start = time.perf_counter()
            page.goto(f"{base}?q={quote(FIRST)}&scope={scope}")
            page.wait_for_selector(f"[data-fed-search-done='{FIRST}']", timeout=120_000)
            took = time.perf_counter() - start
            found = page.inner_text("#fed-search-status")
            print(f"scope {scope} on {where}: first results in {took:.2f} s ({found}); first query: "
                  f"{summary(counter.take())}")
            page.fill("#fed-search-q", SECOND)
            start = time.perf_counter()
            page.press("#fed-search-q", "Enter")
            page.wait_for_selector(f"[data-fed-search-done='{SECOND}']", timeout=120_000)
            took = time.perf_counter() - start
            print(f"  second query: results in {took:.2f} s; {summary(counter.take())}")
            context.close()
        browser.close()
    server.shutdown()


def probe_sizes(sizes: list[int]) -> None:
    """What a bundle's number of posts decides (the choice of one recent bundle per subtree): Pagefind's
    time for N bench-like posts (630 words), its files, and how many differ when one more post is added;
    a query word loads one index chunk of a bundle, whatever its size."""
    sys.path.insert(0, str(ROOT))
    from generate import TAGS, paragraph, sentence
    from fedsite.outputs.searchindex import Record, pagefind_files

    for n in sizes:
        rng = random.Random(n)
        records = []
        for i in range(n + 1):
            org, parent = f"ppo-{i % 45:04d}", f"to-{i % 23:02d}"
            text = (f"{sentence(rng, 6)} {' '.join(paragraph(rng, 126) for _ in range(5))} "
                    f"Метки: {', '.join(rng.sample(TAGS, 2))}.")
            records.append(Record(f"{parent}/{org}/posts/p{i}.html", text, {"title": f"Пост {i}", "org": org},
                                  {"org": ["region", parent, f"site:{org}"]}))
        before = pagefind_files(records[:n], False)
        start = time.perf_counter()
        after = pagefind_files(records, False)
        took = time.perf_counter() - start
        sent = [p for p in after if before.get(p) != after[p]]
        chunks = [len(v) for p, v in after.items() if p.startswith("index/")]
        size = sum(map(len, after.values()))
        print(f"{n + 1} posts: indexed in {took:.1f} s, {len(after)} files, {size / 1e6:.2f} MB, "
              f"{len(chunks)} index chunks of {sum(chunks) / len(chunks) / 1e3:.0f} kB on average; "
              f"one post more: {len(sent)} files to send, {len(before.keys() - after.keys())} to delete")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("repo", type=Path)
    p.add_argument("--build", action="store_true", help="build cold, then after one new post, timing the index")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--lunr", type=Path, metavar="OLD_PUBLIC", help="a build's output by the code before issue 17")
    p.add_argument("--probe", metavar="N,N,…", help="only index bundles of N bench-like posts (no REPO needed: "
                   "pass -) and say what one more post changes")
    a = p.parse_args()
    if a.probe:
        probe_sizes([int(n) for n in a.probe.split(",")])
        return
    repo = a.repo.resolve()
    if a.build:
        build_twice(repo, a.jobs)
    public = repo / "public"
    print_index(public)
    if a.lunr:
        print_lunr(a.lunr)
    if CHROMIUM is None:
        sys.exit("Debian's chromium is not installed: no reader's figures")
    reader(public)


if __name__ == "__main__":
    main()
