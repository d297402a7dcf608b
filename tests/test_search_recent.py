"""Search's recent bundles (issue 16 item 4): every subtree's index is a settled part (older posts, pages)
and a recent part (this month's posts), so that one new post re-indexes and renames only a few files
of its subtree's recent part, the settled parts stay byte-identical, a month turning over moves the
posts into the settled part, and a reader finds posts of both parts with every scope."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import build_once, copy_federation
from fedsite.build.pipeline import BuildOptions, build
from fedsite.model.diagnostics import Diagnostics
from fedsite.outputs import search as search_module
from fedsite.outputs.searchindex import SIGNATURE, Record
from readers import browser, served  # noqa: F401 (browser: the shared Chromium fixture)
from test_search import add_posts, results, search_files, titles

REGION = "sites/region"
DISTRICT_A = f"{REGION}/district-a"
SCHOOL = f"{DISTRICT_A}/school-1"
# conftest's clock is 2026-06-01 12:00 (Moscow): June's posts are recent, the others settled.
SETTLED = {
    f"{REGION}/posts/2024-09-01-oblastnoj-seminar.md": ("Областной семинар профактива", "Охрана труда."),
    f"{SCHOOL}/posts/2024-09-10-seminar-nastavnikov.md": ("Семинар наставников", "Для молодых педагогов."),
}
RECENT = {
    f"{REGION}/posts/2026-06-01-seminar-predsedatelej.md": ("Областной семинар председателей", "Новые правила."),
    f"{SCHOOL}/posts/2026-06-01-seminar-molodyh.md": ("Семинар молодых учителей", "Первая встреча в июне."),
    f"{REGION}/district-b/posts/2026-06-01-seminar-b.md": ("Семинар в районе Б", "Июньская встреча."),
}
NEW_POST = {f"{DISTRICT_A}/school-2/posts/2026-06-01-svezhaya.md": ("Свежая новость школы 2", "Текст.")}
JULY = "2026-07-02T12:00:00+03:00"


def with_posts(repo: Path) -> Path:
    add_posts(repo, {**SETTLED, **RECENT})
    return repo


def fragment_urls(public: Path, folder: str) -> set[str]:
    """The URLs of the records of one bundle (its Pagefind fragments, gzip of a signature and JSON)."""
    urls = set()
    for path in (public / folder / "fragment").glob("*.pf_fragment"):
        raw = gzip.decompress(path.read_bytes())
        assert raw.startswith(SIGNATURE)
        urls.add(json.loads(raw[len(SIGNATURE):])["url"])
    return urls


def indexed(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The records' URLs of each bundle Pagefind is asked to make from now on."""
    made: list[set[str]] = []
    real = search_module.pagefind_files

    def recording(records: list[Record], with_engine: bool) -> dict[str, bytes]:
        made.append({r.url for r in records})
        return real(records, with_engine)
    monkeypatch.setattr(search_module, "pagefind_files", recording)
    return made


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


def listing(public: Path) -> dict[str, Any]:
    return json.loads((public / "search/bundles.json").read_text(encoding="utf-8"))


def test_this_months_posts_are_in_the_recent_parts_the_others_settled(mini: Path) -> None:
    public = build_once(with_posts(mini))
    # the root's two members share one recent part (recent_groups: ceil(√2) members a part), named by the first
    assert listing(public) == {"root": "region", "subtrees": ["district-a", "district-b"],
                               "recent": ["region", "district-a"],
                               "recent_of": {"district-a": "district-a", "district-b": "district-a"}}
    assert fragment_urls(public, "search/recent/region") == {"posts/seminar-predsedatelej.html"}
    assert fragment_urls(public, "search/recent/district-a") == {"district-a/school-1/posts/seminar-molodyh.html",
                                                                 "district-b/posts/seminar-b.html"}
    settled = fragment_urls(public, "search/sub/district-a")
    assert "district-a/school-1/posts/seminar-nastavnikov.html" in settled
    assert "district-a/school-1/pages/about.html" in settled  # undated: settled
    assert not any("seminar-molodyh" in url for url in settled)
    assert "posts/oblastnoj-seminar.html" in fragment_urls(public, "search")


def test_one_new_post_changes_a_few_files_of_its_subtrees_recent_part(mini: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    options = BuildOptions(cache=mini / ".cache")
    assert build(with_posts(mini), mini / "public", Diagnostics(mini), options)
    before = search_files(mini / "public")
    made = indexed(monkeypatch)
    add_posts(mini, NEW_POST)
    assert build(mini, mini / "public", Diagnostics(mini), options)
    after = search_files(mini / "public")
    # Pagefind indexes the month of posts of the subtrees sharing the recent part, nothing settled
    assert made == [{"district-a/school-1/posts/seminar-molodyh.html", "district-a/school-2/posts/svezhaya.html",
                     "district-b/posts/seminar-b.html"}]
    differ = changed(before, after)
    assert differ and all(p.startswith("search/recent/district-a/") for p in differ), sorted(differ)
    assert len(differ) <= 12, sorted(differ)
    assert not any((mini / "public" / p).exists() for p in before.keys() - after.keys())  # old chunks gone


def test_a_first_post_of_the_month_in_a_subtree_adds_its_recent_part_to_the_list(
        mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    options = BuildOptions(cache=mini / ".cache")
    assert build(mini, mini / "public", Diagnostics(mini), options)
    assert listing(mini / "public")["recent"] == []
    before = search_files(mini / "public")
    made = indexed(monkeypatch)
    add_posts(mini, NEW_POST)
    assert build(mini, mini / "public", Diagnostics(mini), options)
    after = search_files(mini / "public")
    assert made == [{"district-a/school-2/posts/svezhaya.html"}]
    assert listing(mini / "public")["recent"] == ["district-a"]
    assert {p for p in changed(before, after) if not p.startswith("search/recent/district-a/")} == \
        {"search/bundles.json"}


def test_when_the_month_turns_the_posts_move_to_the_settled_part(mini: Path, browser: Any,  # noqa: F811
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    options = BuildOptions(cache=mini / ".cache")
    public = mini / "public"
    assert build(with_posts(mini), public, Diagnostics(mini), options)
    june_post = "district-a/school-1/posts/seminar-molodyh.html"
    assert june_post in fragment_urls(public, "search/recent/district-a")
    page = browser.new_page()
    with served(public) as url:
        assert "Семинар молодых учителей" in titles(results(page, url, "district-a/school-1/", "июне", "site"))

    monkeypatch.setenv("FEDSITE_NOW", JULY)
    assert build(mini, public, Diagnostics(mini), options)
    assert listing(public)["recent"] == []
    assert not (public / "search/recent").exists()  # no post in July: the recent parts are gone
    assert june_post in fragment_urls(public, "search/sub/district-a")
    page.close()
    page = browser.new_page()
    with served(public) as url:
        found = titles(results(page, url, "district-a/school-1/", "июне", "site"))
        assert "Семинар молодых учителей" in found, page.inner_text("#fed-search-status")
        assert "Семинар молодых учителей" in titles(results(page, url, "", "июне", "all"))
    page.close()

    # the cache keyed on the month: the same bytes as a build from nothing in July
    assert build(mini, mini / "fresh", Diagnostics(mini), BuildOptions(cache=None))
    assert search_files(mini / "fresh") == search_files(public)


def test_shards_give_the_recent_parts_of_a_full_build(mini: Path, tmp_path: Path) -> None:
    with_posts(mini)
    assert build(mini, tmp_path / "full", Diagnostics(mini), BuildOptions(cache=None))
    full = search_files(tmp_path / "full")
    assert "search/recent/district-a/pagefind-entry.json" in full
    merged: dict[str, str] = {}
    for k in (1, 2, 3):
        assert build(mini, tmp_path / f"shard{k}", Diagnostics(mini), BuildOptions(cache=None, shard=(k, 3)))
        merged.update(search_files(tmp_path / f"shard{k}"))
    assert merged == full


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    public = build_once(with_posts(copy_federation("mini", tmp_path_factory.mktemp("recent"))))
    with served(public) as url:
        yield url


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:  # noqa: F811
    pg = browser.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    assert errors == []
    pg.close()


def test_scope_site_finds_a_settled_and_a_recent_post(page: Any, site: str) -> None:
    assert titles(results(page, site, "district-a/school-1/", "семинары", "site")) == {
        "Семинар наставников", "Семинар молодых учителей"}
    assert titles(results(page, site, "", "семинары", "site")) == {
        "Областной семинар профактива", "Областной семинар председателей"}


def test_scope_site_finds_a_recent_post_in_a_part_named_after_another_subtree(page: Any, site: str) -> None:
    assert titles(results(page, site, "district-b/", "июньская", "site")) == {"Семинар в районе Б"}


def test_recent_parts_group_the_roots_members_a_square_root_of_them_a_part() -> None:
    members = [f"to-{i:02d}" for i in range(22)]  # the bench's 1,023 sites
    groups = search_module.recent_groups("region", members)
    assert groups[0] == ("region", [])
    assert [len(group) for _, group in groups[1:]] == [5, 5, 5, 5, 2]
    assert [m for _, group in groups for m in group] == members
    assert all(name == group[0] for name, group in groups[1:])
    assert search_module.recent_groups("region", ["a"]) == [("region", []), ("a", ["a"])]


def test_scope_members_finds_both_parts_of_its_subtree_only(page: Any, site: str) -> None:
    found = titles(results(page, site, "district-a/", "семинары", "members"))
    assert {"Семинар в районе", "Семинар наставников", "Семинар молодых учителей"} <= found
    assert not found & {"Областной семинар профактива", "Областной семинар председателей", "Семинар в районе Б"}


def test_scope_all_finds_every_part(page: Any, site: str) -> None:
    found = titles(results(page, site, "district-a/school-1/", "семинары", "all"))
    assert {"Семинар в районе", "Семинар наставников", "Семинар молодых учителей", "Областной семинар профактива",
            "Областной семинар председателей", "Семинар в районе Б"} <= found
