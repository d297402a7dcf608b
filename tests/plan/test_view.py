"""plan/view.py and plan/reads.py: the federation as the planner reads it. What a site with members
shows of its subtree is merged up the tree and must equal sorting the whole subtree; every read
leaves a token in the frame of the site being planned, and a memoized result replays the reads that
made it into every later frame, so that a site served from the memo is replanned when they change."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from fedsite.model.diagnostics import Diagnostics
from fedsite.plan.reads import Recorder, TrackedMap, TrackedTree
from fedsite.plan.view import (EventCard, FederationView, PostCard, TagLink, TrackedRendered, card, federation_view,
                               file_url, is_upcoming)
from fedsite.read.content import Event, Post
from fedsite.read.federation import Federation, newest_first, read_federation
from fedsite.read.settings import Settings
from fedsite.read.source import Source
from fedsite.read.tree import Tree, discover

from conftest import NOW, copy_federation

CLOCK = datetime.fromisoformat(NOW)
UROKI = "sites/region/district-a/school-1/posts/2024-05-01-uroki.md"
NEW_YEAR = "sites/region/posts/2024-12-31-novyj-god.md"


@pytest.fixture(scope="module")
def fed(tmp_path_factory: pytest.TempPathFactory) -> Federation:
    repo = copy_federation("mini", tmp_path_factory.mktemp("view"))
    diags = Diagnostics(repo)
    fed = read_federation(repo, diags)
    assert fed is not None and not diags, [str(p) for p in diags.sorted()]
    return fed


def fresh_view(fed: Federation, clock: datetime = CLOCK) -> FederationView:
    """A view with nothing memoized yet (the render stage run again: about 0.1 s)."""
    diags = Diagnostics(fed.repo)
    view = federation_view(fed, clock, diags)
    assert not diags, [str(p) for p in diags.sorted()]
    return view


def post_of(fed: Federation, rel: str) -> Post:
    """A post as read (published or not at the view's clock), looked up without recording a read."""
    return next(p for posts in fed.posts.values() for p in posts if p.source.rel == rel)


# -- merged roll-ups on a deeper tree than the fixture's, with many ties --------------------------

DEEP = ["r", "r/t1", "r/t1/p1", "r/t1/p1/q1", "r/t1/p1/q2", "r/t1/p2", "r/t2", "r/t2/p3", "r/t3"]
PROJECTS = ("a", "b", "c")


def deep_tree(repo: Path) -> Tree:
    for rel in DEEP:
        folder = repo / "sites" / rel
        folder.mkdir(parents=True)
        (folder / "site.yml").write_text(f"name: {folder.name}\nkind: primary\n", encoding="utf-8")
    diags = Diagnostics(repo)
    tree = discover(repo, diags)
    assert tree is not None and not diags
    return tree


def random_posts(tree: Tree, rng: random.Random) -> dict[str, list[Post]]:
    """Each organization's posts, newest first; three moments only, so that ties across the tree abound."""
    moments = [datetime(2024, 3, day, 10, tzinfo=timezone.utc) for day in (1, 2, 3)]
    out = {}
    for org in tree.in_order():
        own = []
        for n in range(rng.randint(0, 6)):
            date = rng.choice(moments)
            rel = f"{org.rel}/posts/{n}.md"
            event = Event(date + timedelta(days=1), None, "", "") if rng.random() < 0.3 else None
            own.append(Post(
                org.id, Source(rel, rel, {}, {}, "", 1, 0), f"{org.id}-{n}", str(n), f"posts/{n}.html", f"{org.id} {n}",
                date, date + timedelta(hours=rng.choice((1, 50))) if rng.random() < 0.3 else None, (),
                tuple(pid for pid in PROJECTS if rng.random() < 0.4), "", "", "", False, "", "", event))
        out[org.id] = newest_first(own)
    return out


def hand_made_view(tree: Tree, posts: dict[str, list[Post]]) -> FederationView:
    """A view over data built in the test: no files, no rendering."""
    rec = Recorder()
    return FederationView(TrackedTree(tree, rec), Settings(), TrackedMap(posts, "posts", rec),
                          TrackedMap({}, "pages", rec), TrackedMap({}, "intro", rec), TrackedMap({}, "assets", rec),
                          TrackedRendered({}, "doc", rec), {pid: {"title": pid} for pid in PROJECTS}, CLOCK, rec)


@pytest.mark.parametrize("seed", range(6))
def test_rollups_merged_up_a_deep_tree_equal_sorting_the_subtree(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    tree = deep_tree(tmp_path)
    posts = random_posts(tree, rng)
    view = hand_made_view(tree, posts)
    orgs = tree.in_order()
    rng.shuffle(orgs)  # memoized answers of members asked in any order, at any length
    for org in orgs:
        every = newest_first([p for o in (org, *tree.descendants(org.id)) for p in posts[o.id]])
        members = [p for p in every if p.org != org.id]
        for limit in rng.sample([1, 2, 3, 5, 8, 100], 6):
            assert view.newest(org, limit) == every[:limit]
            assert view.newest(org, limit, members_only=True) == members[:limit]
            for pid in PROJECTS:
                assert view.project_posts(org, pid, limit) == [p for p in every if pid in p.projects][:limit]
        assert view.events(org) == [p for p in every if p.event]
        assert view.project_counts(org) == Counter(pid for p in every for pid in p.projects)
        assert view.latest(org) == max((p.updated or p.date for p in every), default=None)
    root = tree[tree.root]
    assert len(view.newest(root, 100)) == sum(map(len, posts.values()))


# -- what is recorded, and replayed from the memo -------------------------------------------------

def test_inner_frames_count_for_the_enclosing_one_and_reads_outside_any_frame_are_dropped() -> None:
    rec = Recorder()
    rec.record("posts", "lost")  # nobody is being planned
    with rec.recording() as site:
        rec.record("org", "a")
        with rec.recording() as computation:
            rec.record("posts", "b")
        rec.record("doc", "c")
    assert computation == {("posts", "b")}
    assert site == {("org", "a"), ("posts", "b"), ("doc", "c")}
    assert rec.frames == []


def test_tracked_parts_record_each_lookup_and_listing_reads_the_whole_tree(fed: Federation) -> None:
    rec = Recorder()
    posts = TrackedMap(fed.posts, "posts", rec)
    tree = TrackedTree(fed.tree, rec)
    with rec.recording() as lookups:
        posts.get("school-1"), posts["school-2"], "district-b" in posts  # noqa: B018
        tree["district-a"]
    assert lookups == {("posts", "school-1"), ("posts", "school-2"), ("posts", "district-b"), ("org", "district-a")}
    with rec.recording() as listing:
        list(posts)
    assert listing == {("tree", "")}
    with rec.recording() as root:  # which organization is the root: not which others there are
        tree.root
    assert root == {("root", "")}
    with rec.recording() as chain:
        tree.chain("school-1")
    assert chain == {("org", "region"), ("org", "district-a"), ("org", "school-1")}
    with rec.recording() as below:
        tree.descendants("district-a")
    assert below == {("org", "district-a"), ("org", "school-1"), ("org", "school-2")}
    with rec.recording() as untracked:
        posts.untracked["school-1"], tree.untracked.in_order()  # noqa: B018
    assert untracked == set()


def test_a_memoized_rollup_replays_its_reads_into_every_site_that_asks(fed: Federation) -> None:
    view = fresh_view(fed)
    region = view.tree.untracked["region"]
    with view.recorder.recording() as first:
        newest = view.newest(region, 3)
    assert {("posts", org) for org in fed.tree.orgs} <= first  # the whole subtree's posts were read
    with view.recorder.recording() as second:
        assert view.newest(region, 3) is newest  # from the memo ...
    assert second == first  # ... with the reads that made it


def test_a_rollup_made_of_a_members_memoized_one_carries_the_members_reads(fed: Federation) -> None:
    view = fresh_view(fed)
    tree = view.tree.untracked
    view.events(tree["district-a"])  # computed first, while no site is being planned
    with view.recorder.recording() as region_site:
        events = view.events(tree["region"])
    assert [p.source.rel for p in events] == [NEW_YEAR]
    # district-a's answer came from the memo: its subtree's posts count as read all the same.
    assert {("posts", "district-a"), ("posts", "school-1"), ("posts", "school-2")} <= region_site


def test_a_card_shows_the_post_where_its_site_publishes_it_and_reads_its_card_and_rendering(fed: Federation) -> None:
    view = fresh_view(fed)
    post = post_of(fed, UROKI)
    with view.recorder.recording() as reads:
        shown = view.card_of(post)
    assert shown == PostCard(
        title="Открытые уроки", url="district-a/school-1/posts/uroki.html", date="1 мая 2024 г.",
        date_iso="2024-05-01T00:00:00+03:00", summary="Провели открытые уроки.", cover="", author="",
        org="Школа 1", org_name=fed.tree["school-1"].name, org_url="district-a/school-1/index.html",
        tags=(TagLink("обучение", "district-a/school-1/posts/tags/obuchenie.html"),),
        projects=("zdorovie", "obrazovanie"), event=None,
    )
    assert reads == {("org", "school-1"), ("doc", UROKI)}
    with view.recorder.recording() as again:
        assert view.card_of(post) is shown
    assert again == reads


def test_a_card_of_an_event_gives_its_start_in_russian_and_as_iso(fed: Federation) -> None:
    view = fresh_view(fed)
    shown = view.card_of(post_of(fed, NEW_YEAR))
    assert (shown.url, shown.org, shown.org_url) == ("posts/novyj-god.html", "Регион", "index.html")
    assert shown.event == EventCard("31 декабря 2024 г., 23:30", "2024-12-31T23:30:00+03:00", "", "Белгород", "")


def test_a_covers_path_becomes_a_percent_encoded_url_under_its_site_and_a_web_address_stays(fed: Federation) -> None:
    post = post_of(fed, UROKI)
    local = card(replace(post, cover="posts/Фото 1#2.jpg"), fed.tree, "")
    assert local.cover == "district-a/school-1/posts/%D0%A4%D0%BE%D1%82%D0%BE%201%232.jpg"
    web = card(replace(post, cover="https://example.org/a b.jpg"), fed.tree, "")
    assert web.cover == "https://example.org/a b.jpg"
    assert file_url("") == "" and file_url("a/100%.pdf") == "a/100%25.pdf"


def test_the_local_date_is_the_federations_and_is_recorded_apart_from_the_exact_moment(fed: Federation) -> None:
    late = datetime(2026, 6, 1, 21, 30, tzinfo=timezone.utc)  # already 2 June in Moscow
    view = fresh_view(fed, late)
    with view.recorder.recording() as today:
        local = view.local_now()
    assert (local.date().isoformat(), local.utcoffset()) == ("2026-06-02", timedelta(hours=3))
    assert local == late
    assert today == {("today", "")}  # not ("now", ""): a monitoring page is not replanned every build
    with view.recorder.recording() as moment:
        assert view.now == late
    assert moment == {("now", "")}


@pytest.mark.parametrize("clock, expected", [
    ("2024-12-31T23:29:59+03:00", True),
    ("2024-12-31T23:30:00+03:00", True),  # starting this very minute: still upcoming
    ("2024-12-31T23:30:01+03:00", False),
])
def test_an_event_without_an_end_is_upcoming_until_it_starts(fed: Federation, clock: str, expected: bool) -> None:
    view = fresh_view(fed, datetime.fromisoformat(clock))
    post = post_of(fed, NEW_YEAR)
    with view.recorder.recording() as reads:
        assert view.upcoming(post) is expected
    assert reads == {("upcoming", NEW_YEAR)}


def test_an_event_with_an_end_is_upcoming_until_it_ends() -> None:
    start = datetime(2024, 3, 1, 10, tzinfo=timezone.utc)
    rel = "sites/r/posts/x.md"
    post = Post("r", Source(rel, rel, {}, {}, "", 1, 0), "x", "x", "posts/x.html", "X", start, None, (), (), "", "",
                "", False, "", "", Event(start, start + timedelta(hours=2), "", ""))
    assert is_upcoming(post, start + timedelta(hours=1)) and is_upcoming(post, start + timedelta(hours=2))
    assert not is_upcoming(post, start + timedelta(hours=2, seconds=1))
    assert not is_upcoming(replace(post, event=None), start - timedelta(days=1))


def test_latest_is_the_newest_moment_of_the_subtree_and_none_without_posts(fed: Federation) -> None:
    view = fresh_view(fed)
    tree = view.tree.untracked
    assert view.latest(tree["school-2"]) is None and view.latest(tree["district-b"]) is None
    assert view.latest(tree["region"]) == view.latest(tree["school-1"]) == datetime.fromisoformat(
        "2025-01-01T00:30:00+03:00")  # a member's post is the root's newest
