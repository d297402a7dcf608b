"""plan/site.py: every page of one organization's site as plain data, before MkDocs sees it. A site
with members adds what it shows of its subtree (directory, monitoring, member feeds, project
roll-ups); a site's date is its subtree's newest post, in the federation's time zone."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from fedsite.model.diagnostics import Diagnostics
from fedsite.plan.site import SitePlan, plan_site
from fedsite.plan.sitepages import PageSpec
from fedsite.plan.view import FederationView, federation_view
from fedsite.read.federation import read_federation

from conftest import NOW, copy_federation

SCHOOL_1 = "district-a/school-1/"
FIXED_MENU = [{"Главная": "index.md"}, {"Новости": "posts/index.md"}, {"Мероприятия": "posts/events.md"},
              {"Проекты": "posts/projects/index.md"}]


def view_of(repo: Path) -> FederationView:
    diags = Diagnostics(repo)
    fed = read_federation(repo, diags)
    assert fed is not None
    view = federation_view(fed, datetime.fromisoformat(NOW), diags)
    assert not diags, [str(p) for p in diags.sorted()]
    return view


@pytest.fixture(scope="module")
def view(tmp_path_factory: pytest.TempPathFactory) -> FederationView:
    return view_of(copy_federation("mini", tmp_path_factory.mktemp("plan")))


def plan(view: FederationView, org_id: str) -> SitePlan:
    return plan_site(view.tree.untracked[org_id], view)


def page(plan_: SitePlan, url: str) -> PageSpec:
    (found,) = [p for p in plan_.pages if p.url == url]
    return found


def urls(plan_: SitePlan) -> list[str]:
    return [p.url for p in plan_.pages]


def test_a_primary_site_shows_its_own_posts_and_no_page_of_members(view: FederationView) -> None:
    school = plan(view, "school-1")
    assert sorted(urls(school)) == sorted([
        "posts/yanvar.html", "posts/uroki.html", "posts/leto.html",
        "posts/index.html", "posts/page/2.html",  # three posts, two a page
        "posts/archive/index.html", "posts/archive/2023.html", "posts/archive/2024.html", "posts/archive/2025.html",
        "posts/tags/index.html", "posts/tags/obuchenie.html",
        "posts/projects/index.html", "posts/projects/zdorovie.html", "posts/projects/obrazovanie.html",
        "posts/events.html", "index.html", "pages/about.html", "pages/obshchaya.html", "reports/index.html", "search.html",
    ])
    assert school.nav == (*FIXED_MENU, {"Общая страница": "pages/obshchaya.md"}, {"О нас": "pages/about.md"},
                          {"Открытые отчёты": "reports/index.md"})
    assert (school.org, school.url_path, school.site_url) == (
        "school-1", SCHOOL_1, "https://fed.example.org/district-a/school-1/")
    site = school.site
    assert site["has_members"] is False and site["kind"] == "первичная"
    assert [f["url"] for f in site["feeds"]] == [SCHOOL_1 + "feed.xml", SCHOOL_1 + "atom.xml"]
    assert site["chain"] == [{"name": "Регион", "url": "index.html"}, {"name": "ТО А", "url": "district-a/index.html"},
                             {"name": "Школа 1", "url": SCHOOL_1 + "index.html"}]


def test_a_territorial_site_with_members_adds_directory_monitoring_and_member_feeds(view: FederationView) -> None:
    district = plan(view, "district-a")
    assert {"pages/directory.html", "pages/monitoring.html", "pages/monitoring-2025.html",
            "pages/monitoring-2023.html"} <= set(urls(district))  # 2023: its subtree's first post; 2026: now
    assert "pages/monitoring-2022.html" not in urls(district) and "pages/monitoring-2026.html" not in urls(district)
    assert district.nav[-4:] == ({"О нас": "pages/about.md"}, {"Открытые отчёты": "reports/index.md"},
                                 {"Мониторинг": "pages/monitoring.md"}, {"Организации": "pages/directory.md"})
    assert district.site["has_members"] is True
    assert [f["url"] for f in district.site["feeds"]] == [
        "district-a/feed.xml", "district-a/atom.xml", "district-a/feed-all.xml", "district-a/atom-all.xml"]
    home = page(district, "index.html").data
    assert [c.url for c in home.member_news] == [  # its members' newest, not its own
        SCHOOL_1 + "posts/yanvar.html", SCHOOL_1 + "posts/uroki.html", SCHOOL_1 + "posts/leto.html"]
    assert [c.url for c in home.latest] == ["district-a/posts/seminar-v-raione.html"]


def test_a_territorial_site_without_members_is_planned_as_a_primary_one(view: FederationView) -> None:
    district = plan(view, "district-b")
    assert not {"pages/directory.html", "pages/monitoring.html"} & set(urls(district))
    assert district.nav == (*FIXED_MENU, {"Контакты района": "pages/kontakty.md"},
                            {"Общая страница": "pages/obshchaya.md"}, {"О нас": "pages/about.md"},
                            {"Открытые отчёты": "reports/index.md"})
    assert len(district.site["feeds"]) == 2


def test_the_directory_lists_the_whole_subtree_and_about_only_the_members(view: FederationView) -> None:
    region = plan(view, "region")

    def names(entries: list[dict]) -> list:
        return [(e["short_name"], names(e["members"])) for e in entries]

    directory = page(region, "pages/directory.html").data
    assert directory.total == 4
    assert names(directory.members) == [("ТО А", [("Школа 1", []), ("Первичная организация школы 2", [])]),
                                           ("Территориальная организация Б", [])]
    assert names(page(region, "pages/about.html").data.members) == [("ТО А", []),
                                                                       ("Территориальная организация Б", [])]


def test_project_pages_roll_up_the_subtree_where_there_are_members(view: FederationView) -> None:
    district = page(plan(view, "district-a"), "posts/projects/obrazovanie.html").data
    assert [c.url for c in district.entries] == [SCHOOL_1 + "posts/uroki.html",
                                                      "district-a/posts/seminar-v-raione.html"]
    assert district.total == 2 and district.federation_wide is True
    assert district.members == [{"name": "Школа 1", "count": 1, "url": SCHOOL_1 + "posts/projects/obrazovanie.html"}]
    assert district.project_feeds == {}  # feeds per project are the root's alone
    school = page(plan(view, "school-1"), "posts/projects/zdorovie.html").data
    assert [c.url for c in school.entries] == [SCHOOL_1 + "posts/uroki.html"]
    assert not school.members and school.federation_wide is False and school.compact  # in pages, like a tag
    root = page(plan(view, "region"), "posts/projects/zdorovie.html").data
    assert root.project_feeds == {"rss": "posts/projects/zdorovie.xml", "atom": "posts/projects/zdorovie.atom.xml"}
    assert [c.url for c in root.entries] == [SCHOOL_1 + "posts/uroki.html", "posts/lekciya.html"]


def test_post_pages_link_their_neighbours_and_the_roots_project_pages(view: FederationView) -> None:
    school = plan(view, "school-1")
    middle = page(school, "posts/uroki.html")
    assert (middle.template, middle.title) == ("post.html", "Открытые уроки")
    assert middle.data.newer.url == SCHOOL_1 + "posts/yanvar.html"
    assert middle.data.older.url == SCHOOL_1 + "posts/leto.html"
    assert page(school, "posts/yanvar.html").data.newer is None
    assert page(school, "posts/leto.html").data.older is None
    assert [p["url"] for p in middle.data.projects] == ["posts/projects/zdorovie.html",
                                                           "posts/projects/obrazovanie.html"]
    assert "Итоги подведены." in middle.html and [t["id"] for t in middle.toc] == ["итоги"]
    share = {s["key"]: s["url"] for s in middle.data.share}
    assert share["telegram"].startswith("https://t.me/share/url?url=https%3A%2F%2Ffed.example.org%2Fdistrict-a%2F")


def test_news_lists_are_paginated_with_pager_links_from_the_public_root(view: FederationView) -> None:
    school = plan(view, "school-1")
    first, second = page(school, "posts/index.html"), page(school, "posts/page/2.html")
    assert [c.url for c in first.data.entries] == [SCHOOL_1 + "posts/yanvar.html", SCHOOL_1 + "posts/uroki.html"]
    assert [c.url for c in second.data.entries] == [SCHOOL_1 + "posts/leto.html"]
    assert (first.data.pager["prev"], first.data.pager["next"]) == ("", SCHOOL_1 + "posts/page/2.html")
    assert (second.data.pager["prev"], second.data.pager["next"]) == (SCHOOL_1 + "posts/index.html", "")
    assert (first.title, second.title) == ("Новости", "Новости — страница 2")
    years = page(school, "posts/archive/index.html").data.terms
    assert [(y["name"], y["count"]) for y in years] == [("2025 год", 1), ("2024 год", 1), ("2023 год", 1)]


def test_drafts_and_scheduled_posts_get_no_page_and_no_entry(view: FederationView) -> None:
    region = plan(view, "region")
    posts = [p.url for p in region.pages if p.template == "post.html"]
    assert posts == ["posts/novyj-god.html", "posts/lekciya.html"]  # not chernovik (draft), budushchee (2030)
    assert [c.url for c in page(region, "posts/index.html").data.entries] == posts


def test_only_the_root_publishes_the_shared_files(view: FederationView) -> None:
    assert {dest for _, dest in plan(view, "region").files} == {"assets/lecture.mp3", "assets/shared/logo.svg"}
    assert plan(view, "school-1").files == ()


def test_a_sites_date_is_its_subtrees_newest_post_in_the_federations_time_zone(view: FederationView) -> None:
    # school-1's newest post is at 00:30 on 1 January in Moscow, still 31 December in UTC.
    assert plan(view, "school-1").updated == "2025-01-01"
    assert plan(view, "region").updated == "2025-01-01"  # a member's post, newer than the root's own
    assert page(plan(view, "school-1"), "posts/yanvar.html").updated == "2025-01-01"
    assert page(plan(view, "region"), "posts/lekciya.html").updated == "2024-03-17"
    assert page(plan(view, "region"), "posts/index.html").updated == ""  # the site's date, set by the engine


def test_a_site_without_posts_takes_the_build_date_and_only_it_reads_that_date(
        view: FederationView, monkeypatch: pytest.MonkeyPatch) -> None:
    with view.recorder.recording() as empty_reads:
        assert plan(view, "school-2").updated == "2023-11-14"  # SOURCE_DATE_EPOCH=1700000000
    with view.recorder.recording() as school_reads:
        plan(view, "school-1")
    assert ("build-date", "") in empty_reads
    assert ("build-date", "") not in school_reads and ("now", "") not in school_reads
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    assert plan(view, "school-2").updated == "2027-01-15"
    assert plan(view, "school-1").updated == "2025-01-01"


def test_a_site_reads_the_posts_of_its_own_subtree_and_no_others(view: FederationView) -> None:
    def reads(org_id: str) -> set[tuple[str, str]]:
        with view.recorder.recording() as frame:
            plan(view, org_id)
        return frame

    def posts_read(frame: set) -> set[str]:
        return {key for kind, key in frame if kind == "posts"}

    school, district = reads("school-1"), reads("district-a")
    assert posts_read(school) == {"school-1"}
    assert posts_read(district) == {"district-a", "school-1", "school-2"}
    assert posts_read(reads("region")) == set(view.tree.untracked.orgs)
    assert ("today", "") in district and ("today", "") not in school  # only monitoring reads the date


@pytest.fixture(scope="module")
def with_pages(tmp_path_factory: pytest.TempPathFactory) -> FederationView:
    """district-b with pages in folders, and a page of its own where a shared page is."""
    repo = copy_federation("mini", tmp_path_factory.mktemp("pages"))
    pages = repo / "sites/region/district-b/pages"
    for rel, title in [("obshchaya.md", "Своя общая"), ("dokumenty/ustav.md", "Устав"),
                       ("dokumenty/2024/otchet.md", "Отчёт за 2024 год")]:
        (pages / rel).parent.mkdir(parents=True, exist_ok=True)
        (pages / rel).write_text(f"---\ntitle: {title}\n---\nТекст страницы «{title}».\n", encoding="utf-8")
    return view_of(repo)


def test_an_own_page_takes_the_place_of_the_shared_page_at_its_address(with_pages: FederationView) -> None:
    district = plan(with_pages, "district-b")
    own = page(district, "pages/obshchaya.html")
    assert own.title == "Своя общая" and "Текст страницы «Своя общая»." in own.html
    assert page(plan(with_pages, "district-a"), "pages/obshchaya.html").title == "Общая страница"


def test_a_folder_inside_a_folder_of_pages_is_a_section_inside_its_section(with_pages: FederationView) -> None:
    nav = plan(with_pages, "district-b").nav
    top = [next(iter(entry)) for entry in nav]
    assert top.count("Dokumenty") == 1, nav
    (section,) = [entry["Dokumenty"] for entry in nav if "Dokumenty" in entry]
    assert {"Устав": "pages/dokumenty/ustav.md"} in section
    inner = [next(iter(e.values())) for e in section if isinstance(next(iter(e.values())), list)]
    assert inner == [[{"Отчёт за 2024 год": "pages/dokumenty/2024/otchet.md"}]], section
