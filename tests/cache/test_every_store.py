"""Every cache on disk goes through one store (fedsite/cache/store.py): a damaged entry of any of them
is a miss, so the next build publishes exactly what a build without the cache does and writes the
entry again; and a build prunes from each store what nothing references any more, keeping the rest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fedsite.build.pipeline import BuildOptions, build
from fedsite.cache.checked import is_checked
from fedsite.model.diagnostics import Diagnostics

from test_output import snapshot

SCHOOL_1 = "sites/region/district-a/school-1"


def cached_build(repo: Path) -> Diagnostics:
    diags = Diagnostics(repo)
    assert build(repo, repo / "public", diags, BuildOptions(cache=repo / ".cache")), [str(p) for p in diags.sorted()]
    return diags


def without_cache(repo: Path, out: Path) -> dict[str, str]:
    assert build(repo, out, Diagnostics(repo), BuildOptions(cache=None))
    return snapshot(out)


def garble(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def first(folder: Path, pattern: str) -> Path:
    return sorted(folder.glob(pattern))[0]


# Each store's entries under .cache/, and whether a build that found one damaged writes it again whole.
ENTRIES = {
    "read: an organization's reading": ("read/school-1.pickle", True),
    "read: the parsed site cards": ("read/site-cards.parsed", True),
    "render: a group's renderings": ("render/*.pickle", True),
    "render: a group's index": ("render/*.index", True),
    "render: a group's summaries": ("render/*.summaries", False),
    "html: a rendered document": ("html/*/*.html", False),
    "sites: a site's digest": ("sites/school-1/digest", False),
    "sites: what a site read": ("sites/school-1/inputs", False),
    "sites: a site's page keys": ("sites/school-1/page-keys.json", False),
    "federation: robots.txt's reads": ("federation/*.pickle", True),
    "report: post days": ("report/*.pickle", False),
}


@pytest.mark.parametrize("pattern, rewritten", list(ENTRIES.values()), ids=list(ENTRIES))
def test_a_damaged_entry_of_every_store_is_a_miss_and_the_build_is_still_right(
        mini: Path, tmp_path: Path, pattern: str, rewritten: bool) -> None:
    cached_build(mini)
    entry = first(mini / ".cache", pattern)
    garble(entry)
    # A post edited too: the build must redo work, not only skip it, with the damaged entry in its way.
    post = mini / SCHOOL_1 / "posts/2024-05-01-uroki.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nЕщё строка.\n", encoding="utf-8")
    diags = cached_build(mini)
    assert not diags.sorted()
    assert snapshot(mini / "public") == without_cache(mini, tmp_path / "reference")
    if rewritten:
        assert is_checked(entry.read_bytes()), f"{entry} was not written again"


def test_pruning_removes_a_gone_organizations_entries_from_every_store_and_keeps_the_others(mini: Path) -> None:
    cached_build(mini)
    cache = mini / ".cache"
    before = {kind: sorted(p.name for p in (cache / kind).iterdir()) for kind in ("read", "render", "sites")}
    html_before = {p.name for p in cache.glob("html/*/*.html")}
    assert "district-b" in before["sites"] and "district-b.pickle" in before["read"]
    (cache / "render" / ".abc.pickle.tmp-1").write_bytes(b"half")  # a killed write's leftover
    shutil.rmtree(mini / "sites/region/district-b")
    cached_build(mini)
    after = {kind: sorted(p.name for p in (cache / kind).iterdir()) for kind in ("read", "render", "sites")}
    assert after["sites"] == [name for name in before["sites"] if name != "district-b"]
    assert after["read"] == [name for name in before["read"] if name != "district-b.pickle"]
    # district-b's renderings (its page: a group: .pickle, .index, .summaries) are gone; every other group is kept.
    gone = set(before["render"]) - set(after["render"])
    assert len(gone) == 3 and len({name.split(".")[0] for name in gone}) == 1
    assert set(after["render"]) < set(before["render"])
    html_after = {p.name for p in cache.glob("html/*/*.html")}
    assert html_after < html_before  # district-b's page's HTML is gone, the others' is all kept
    # What is kept is what the next build uses: nothing is read or rendered again.
    again = cached_build(mini)
    assert not again.sorted()
    assert {p.name for p in cache.glob("html/*/*.html")} == html_after
    assert sorted(p.name for p in (cache / "render").iterdir()) == after["render"]
