"""What a site with members shows of its subtree (newest posts, of its members only, per project,
events, project counts) is merged up the tree from each member's own lists: it must be exactly what
sorting all of the subtree's published posts gives, in the same order, at any length."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from fedsite.model.dates import now
from fedsite.model.diagnostics import Diagnostics
from fedsite.read.federation import newest_first, read_federation
from fedsite.plan.view import federation_view

from conftest import NOW

SAME_MOMENT = "01.06.2024 10:00"
FOLDERS = ["sites/region/district-a/school-1", "sites/region/district-a/school-2",
           "sites/region/district-a", "sites/region/district-b", "sites/region"]


def add_posts(repo: Path) -> None:
    """Posts at one and the same moment all over the tree (ties broken by organization and id), a
    draft, a scheduled post and events in members, so that every rule of the order is exercised."""
    for n, folder in enumerate(FOLDERS):
        posts = repo / folder / "posts"
        posts.mkdir(parents=True, exist_ok=True)
        for letter in "ab":
            (posts / f"2024-06-01-same-{letter}.md").write_text(
                f"---\ntitle: Одновременно {n}{letter}\ndate: {SAME_MOMENT}\nprojects: [zdorovie, obrazovanie]\n"
                f"event: {{start: 02.06.2024 10:00, place: Белгород}}\n---\nТекст.\n", encoding="utf-8")
        (posts / "2024-07-01-draft.md").write_text(
            "---\ntitle: Черновик\ndraft: true\nprojects: [zdorovie]\n---\nТекст.\n", encoding="utf-8")
        (posts / "2030-01-01-later.md").write_text(
            "---\ntitle: Запланированная\nprojects: [zdorovie]\n---\nТекст.\n", encoding="utf-8")


def test_merged_rollups_equal_the_sorted_subtree(mini: Path, monkeypatch) -> None:
    monkeypatch.setenv("FEDSITE_NOW", NOW)
    add_posts(mini)
    diags = Diagnostics(mini)
    fed = read_federation(mini, diags)
    assert fed is not None and not diags, [str(p) for p in diags.sorted()]
    view = federation_view(fed, now(), diags)
    tree = fed.tree
    for org in tree.in_order():
        every = newest_first([p for o in (org, *tree.descendants(org.id)) for p in view.posts.get(o.id, [])])
        assert not any(p.draft or p.title == "Запланированная" for p in every)
        members = [p for p in every if p.org != org.id]
        for limit in (1, 2, 3, 7, 1000):
            assert view.newest(org, limit) == every[:limit]
            assert view.newest(org, limit, members_only=True) == members[:limit]
            for pid in fed.projects:
                assert view.project_posts(org, pid, limit) == [p for p in every if pid in p.projects][:limit]
        assert view.events(org) == [p for p in every if p.event]
        assert view.project_counts(org) == Counter(pid for p in every for pid in set(p.projects))
        assert view.latest(org) == max((p.updated or p.date for p in every), default=None)
    region = tree[tree.root]
    assert len(view.newest(region, 1000)) > len(view.posts[region.id]) > 0
