"""What a site read when it was planned decides whether it is planned again (plan/reads.py,
sites/reads.py), each stage's cache is keyed by its own code (cache/keys.py), and `build --why ID`
says what changed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fedsite.cache.keys import STAGE_ENTRIES, closure
from fedsite.plan.reads import Memo, Recorder, TrackedMap, TrackedTree
from fedsite.read.tree import Org, Tree

from conftest import NOW, PROJECT

SCHOOL = "sites/region/district-a/school-1"


def build(repo: Path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, str(PROJECT / "build.py"), "build", "--jobs", "1", *args], cwd=repo,
                          capture_output=True, text=True, env={**os.environ, "FEDSITE_NOW": NOW})
    assert proc.returncode == 0, proc.stderr
    return proc


# --- the recorder -------------------------------------------------------------------------------------

def small_tree() -> Tree:
    def org(org_id: str, parent: str | None, members: tuple[str, ...]) -> Org:
        return Org(org_id, Path(org_id), org_id, parent, members, f"{org_id}/" if parent else "", {"name": org_id})
    orgs = {"root": org("root", None, ("a", "b")), "a": org("a", "root", ()), "b": org("b", "root", ())}
    return Tree(orgs, "root")


def test_reads_are_recorded_in_the_open_frame_and_its_enclosing_ones() -> None:
    recorder = Recorder()
    posts = TrackedMap({"a": [1], "b": [2]}, "posts", recorder)
    posts.get("z")  # outside any frame: nothing to record into
    with recorder.recording() as site:
        with recorder.recording() as inner:
            posts.get("a")
        assert "b" in posts
    assert inner == {("posts", "a")} and site == {("posts", "a"), ("posts", "b")}


def test_a_memoized_result_replays_the_reads_that_made_it() -> None:
    recorder = Recorder()
    memo = Memo(recorder)
    posts = TrackedMap({"a": [1, 2]}, "posts", recorder)
    with recorder.recording() as first:
        assert memo.get("count a", lambda: len(posts["a"])) == 2
    with recorder.recording() as second:  # served from the memo: posts["a"] is not read again ...
        assert memo.get("count a", lambda: 0) == 2
    assert first == second == {("posts", "a")}  # ... but the second site depends on it all the same


def test_the_tree_records_each_organization_read_and_listing_it_reads_the_whole_tree() -> None:
    recorder = Recorder()
    tree = TrackedTree(small_tree(), recorder)
    with recorder.recording() as chain:
        tree.chain("a")
    with recorder.recording() as listing:
        tree.in_order()
    assert chain == {("org", "a"), ("org", "root")} and listing == {("tree", "")}


# --- each stage's code ------------------------------------------------------------------------------------

def test_a_stage_is_keyed_by_the_code_it_runs_and_not_by_later_stages() -> None:
    modules = {stage: set(closure(entries)) for stage, entries in STAGE_ENTRIES.items()}
    assert "fedsite.outputs.feeds" in modules["plan"] and "fedsite.outputs.feeds" not in modules["render"]
    assert "fedsite.render.markup" in modules["render"] and "fedsite.read.content" in modules["read"]
    assert not {m for m in modules["read"] if m.startswith(("fedsite.render", "fedsite.plan"))}
    # The engine is handed the plan as data: the planner's code is not the engine's.
    assert "fedsite.engine.site" in modules["engine"] and "fedsite.plan.sitepages" not in modules["engine"]
    assert not {m for stage in modules.values() for m in stage if m.startswith(("fedsite.build", "fedsite.cli"))}


# --- build --why, and what a change rebuilds ----------------------------------------------------------------

def why(repo: Path, org_id: str) -> str:
    return build(repo, "--why", org_id).stdout


def test_why_names_what_changed_and_what_was_reused(mini: Path) -> None:
    build(mini)
    (mini / SCHOOL / "posts/2025-02-01-novost.md").write_text("---\ntitle: Свежая новость\n---\nТекст\n")
    out = why(mini, "school-1")
    assert "спланирован заново" in out and "новости организации «school-1»" in out and "собран заново" in out
    assert "взят из кэша" in why(mini, "school-2")  # nothing school-2 reads changed
    (mini / SCHOOL / "site.yml").write_text((mini / SCHOOL / "site.yml").read_text().replace(
        "name:", "name: Новое имя #", 1))
    out = why(mini, "district-a")  # the district lists its members by name
    assert "карточка организации «school-1»" in out


def test_a_template_change_rebuilds_pages_but_renders_no_markdown_again(mini: Path) -> None:
    build(mini)
    render_cache = {p: p.stat().st_mtime_ns for p in (mini / ".cache/render").rglob("*") if p.is_file()}
    with (mini / "theme/main.html").open("a", encoding="utf-8") as f:
        f.write("\n{# изменение шаблона #}\n")
    out = why(mini, "school-2")
    assert "тема" in out and "собран заново" in out
    assert {p: p.stat().st_mtime_ns for p in render_cache} == render_cache  # every rendering kept as it was


def test_a_new_organization_is_not_a_change_for_the_sites_that_do_not_list_it(mini: Path) -> None:
    build(mini)
    for number, asked in ((9, "district-b"), (10, "school-1")):
        school = mini / f"sites/region/district-b/school-{number}"
        school.mkdir()
        (school / "site.yml").write_text(f"name: Школа № {number}\nkind: primary\n", encoding="utf-8")
        out = why(mini, asked)
        if asked == "district-b":  # lists its new member
            assert "спланирован заново" in out and "карточка организации «district-b»" in out
        else:  # a primary site in another district
            assert "взят из кэша" in out
