"""The federation's search (issue 17, SPEC §6) as a reader uses it: Russian word forms, the three scopes,
linkable results pages, the header's box; and as the build makes it: the same index from shards as from
one build, and a one-post rebuild that makes again only the bundle of the post's subtree."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

import pytest

from conftest import build_once, copy_federation
from fedsite.build.pipeline import BuildOptions, build
from fedsite.model.diagnostics import Diagnostics
from fedsite.outputs import search as search_module
from fedsite.outputs.searchindex import Record, pagefind_files
from readers import served
from test_output import snapshot

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
REGION = "sites/region"
SCHOOL = "sites/region/district-a/school-1"
POSTS = {  # the mini federation's own posts, plus these
    f"{REGION}/posts/2024-09-01-oblastnoj-seminar.md": ("Областной семинар профактива",
                                                        "Обсудили охрану труда в школах."),
    f"{SCHOOL}/posts/2024-09-10-seminar-nastavnikov.md": ("Семинар наставников", "Для молодых педагогов."),
    f"{SCHOOL}/posts/2024-10-05-den-uchitelya.md": ("День учителя",
                                                  "Поздравляем коллег. Собрание прошло в библиотеке школы."),
    f"{REGION}/district-b/posts/2024-05-20-konkurs.md": ("Конкурс профессионального мастерства",
                                                         "Итоги конкурса подведены в мае."),
}


REPORT = (f"{SCHOOL}/reports/2025.md",
          "---\napproved: {date: 01.03.2026, body: профсоюзное собрание}\n---\nПроверили питание в столовой.\n")


def add_posts(repo: Path, posts: dict[str, tuple[str, str]]) -> None:
    for rel, (title, body) in posts.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(f"---\ntitle: {title}\n---\n\n{body}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    repo = copy_federation("mini", tmp_path_factory.mktemp("search"))
    add_posts(repo, POSTS)
    (repo / REPORT[0]).parent.mkdir(parents=True)
    (repo / REPORT[0]).write_text(REPORT[1], encoding="utf-8")
    public = build_once(repo)
    with served(public) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    assert pg.errors == []
    context.close()


def results(page: Any, site: str, where: str, query: str, scope: str = "") -> list[dict[str, str]]:
    """Open `where`search.html?q=…&scope=… as a shared link would, and read the results it shows."""
    page.goto(f"{site}{where}search.html?q={quote(query)}" + (f"&scope={scope}" if scope else ""))
    page.wait_for_selector("[data-fed-search-done]")
    return page.eval_on_selector_all(".fed-search__result", """items => items.map(li => ({
        title: li.querySelector('h2 a').textContent, href: li.querySelector('h2 a').href,
        meta: li.querySelector('.fed-search__meta').textContent,
        marked: [...li.querySelectorAll('.fed-search__excerpt mark')].map(m => m.textContent)}))""")


def titles(found: list[dict[str, str]]) -> set[str]:
    return {r["title"] for r in found}


def test_plural_finds_the_singular_in_titles(page: Any, site: str) -> None:
    found = titles(results(page, site, "district-a/school-1/", "семинары", "all"))
    assert {"Семинар в районе", "Семинар наставников", "Областной семинар профактива"} <= found


def test_genitive_plural_finds_the_genitive_singular(page: Any, site: str) -> None:
    assert "День учителя" in titles(results(page, site, "", "учителей"))


def test_other_cases_find_a_word_of_the_title_and_of_the_body(page: Any, site: str) -> None:
    assert "Конкурс профессионального мастерства" in titles(results(page, site, "", "конкурсом"))  # title
    assert "День учителя" in titles(results(page, site, "", "библиотека"))  # body: «в библиотеке»
    assert "Областной семинар профактива" in titles(results(page, site, "", "охраной труда"))


def test_an_open_report_is_found_by_its_text(page: Any, site: str) -> None:
    found = results(page, site, "district-a/school-1/", "столовая", "site")
    assert [(r["title"], r["href"].split("/", 3)[3]) for r in found] == [
        ("Открытый отчёт за 2025 год", "district-a/school-1/reports/2025.html")]


def test_a_result_shows_its_title_organization_date_and_marked_words(page: Any, site: str) -> None:
    found = results(page, site, "", "наставники")
    result = next(r for r in found if r["title"] == "Семинар наставников")
    assert result["meta"] == "Школа 1 · 10 сентября 2024 г."
    assert result["marked"] and all(m.lower().startswith("наставник") for m in result["marked"])
    page.click("text=Семинар наставников")
    page.wait_for_load_state()
    assert page.url.endswith("/district-a/school-1/posts/seminar-nastavnikov.html")
    assert "Для молодых педагогов" in page.inner_text("article, .md-content")


def test_scope_site_on_a_school_finds_only_its_own_pages(page: Any, site: str) -> None:
    found = results(page, site, "district-a/school-1/", "семинары", "site")
    assert titles(found) == {"Семинар наставников"}
    assert all(r["meta"].startswith("Школа 1") for r in found)
    assert page.is_checked("input[name=scope][value=site]")


def test_scope_all_on_a_school_finds_the_district_and_the_region(page: Any, site: str) -> None:
    found = results(page, site, "district-a/school-1/", "семинары", "all")
    organizations = {r["meta"].split(" · ")[0] for r in found}
    assert {"Школа 1", "ТО А", "Регион"} <= organizations


def test_scope_members_on_a_district_keeps_to_its_subtree(page: Any, site: str) -> None:
    found = titles(results(page, site, "district-a/", "семинары", "members"))
    assert {"Семинар в районе", "Семинар наставников"} <= found
    assert "Областной семинар профактива" not in found


def test_no_result_is_said_in_russian(page: Any, site: str) -> None:
    # (Pagefind tries ever shorter beginnings of a word it does not know: «бдыщ» finds the letter «Б».)
    assert results(page, site, "district-a/school-1/", "квазидодекаэдр", "all") == []
    assert "ничего не найдено" in page.inner_text("#fed-search-status")


def test_choosing_a_scope_searches_again_and_the_address_follows(page: Any, site: str) -> None:
    results(page, site, "district-a/school-1/", "семинары", "all")
    page.check("input[name=scope][value=site]")
    page.wait_for_function("location.search.includes('scope=site')")
    page.wait_for_function("document.querySelectorAll('.fed-search__result').length === 1")
    assert titles(results(page, site, "district-a/school-1/", "семинары", "site")) == {"Семинар наставников"}


def test_the_header_box_is_focused_by_slash_or_s_and_emptied_by_escape(page: Any, site: str) -> None:
    page.goto(site + "district-a/school-1/posts/uroki.html")
    box = page.locator("[data-fed-search-box] input")
    page.keyboard.press("s")
    assert box.evaluate("el => el === document.activeElement")
    page.keyboard.type("учителей")
    page.keyboard.press("Escape")
    assert box.input_value() == "" and not box.evaluate("el => el === document.activeElement")
    page.keyboard.press("/")
    page.keyboard.type("учителей")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-fed-search-done]")
    assert page.url.startswith(site + "district-a/school-1/search.html?q=")
    assert "День учителя" in titles(results(page, site, "district-a/school-1/", "учителей"))


def test_the_search_page_fits_a_phone_in_the_largest_type_of_the_visually_impaired_mode(browser: Any,
                                                                                       site: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    # as a reader who chose the mode on an earlier visit has it stored (see test_readers_a11y.opened)
    context.add_init_script("localStorage.setItem('fed-a11y', 'on');"
                            "localStorage.setItem('fed-a11y-settings', JSON.stringify({size: '3'}))")
    page = context.new_page()
    found = results(page, site, "district-a/school-1/", "семинары", "all")
    assert page.evaluate("[document.documentElement.dataset.fedA11y, document.documentElement.dataset.fedSize]") \
        == ["on", "3"] and found
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


def search_files(out: Path) -> dict[str, str]:
    return {path: digest for path, digest in snapshot(out).items() if path.startswith("search/")}


def test_shards_give_the_index_of_a_full_build(mini: Path, tmp_path: Path) -> None:
    assert build(mini, tmp_path / "full", Diagnostics(mini), BuildOptions(cache=None))
    full = search_files(tmp_path / "full")
    assert {"search/pagefind.js", "search/bundles.json", "search/sub/district-a/pagefind-entry.json"} <= set(full)
    merged: dict[str, str] = {}
    for k in (1, 2, 3):
        assert build(mini, tmp_path / f"shard{k}", Diagnostics(mini), BuildOptions(cache=None, shard=(k, 3)))
        merged.update(search_files(tmp_path / f"shard{k}"))
    assert merged == full


def indexed_bundles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The bundles Pagefind is asked to make from now on: 'root', or the root's member whose subtree it is."""
    made: list[str] = []
    real = search_module.pagefind_files

    def recording(records: list[Record], with_engine: bool) -> dict[str, bytes]:
        made.append("root" if with_engine else records[0].url.split("/")[0])
        return real(records, with_engine)
    monkeypatch.setattr(search_module, "pagefind_files", recording)
    return made


def test_one_new_post_makes_again_only_its_subtrees_bundle(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    options = BuildOptions(cache=mini / ".cache")
    assert build(mini, mini / "public", Diagnostics(mini), options)
    before = search_files(mini / "public")
    made = indexed_bundles(monkeypatch)
    add_posts(mini, {"sites/region/district-a/school-2/posts/2025-02-01-novost.md": ("Свежая новость", "Текст.")})
    assert build(mini, mini / "public", Diagnostics(mini), options)
    assert made == ["district-a"]
    after = search_files(mini / "public")
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    assert changed and all(p.startswith("search/sub/district-a/") for p in changed), sorted(changed)
    assert any(p.startswith("search/sub/district-a/fragment/") for p in after.keys() - before.keys())
    assert not any((mini / "public" / p).exists() for p in before.keys() - after.keys())  # old chunks gone


def test_an_edit_of_the_roots_card_indexes_only_the_roots_bundle(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    options = BuildOptions(cache=mini / ".cache")
    assert build(mini, mini / "public", Diagnostics(mini), options)
    before = search_files(mini / "public")
    made = indexed_bundles(monkeypatch)
    card = mini / REGION / "site.yml"
    card.write_text(card.read_text(encoding="utf-8") + "description: Профсоюз работников образования области\n",
                    encoding="utf-8")
    assert build(mini, mini / "public", Diagnostics(mini), options)
    after = search_files(mini / "public")
    assert made == ["root"]
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    assert changed and not any(p.startswith("search/sub/") for p in changed), sorted(changed)


def test_the_same_records_give_the_same_bytes() -> None:
    # Pagefind writes a filter's values in a hash map's order; the index is rewritten in sorted order.
    records = [Record(f"s{i % 7}/posts/p{i}.html", f"Семинар номер {i}", {"title": f"Пост {i}"},
                      {"org": ["root", f"s{i % 7}", f"site:s{i % 7}"]}) for i in range(60)]
    first = pagefind_files(records, with_engine=False)
    assert any(path.startswith("filter/") for path in first)
    assert all(pagefind_files(records, with_engine=False) == first for _ in range(3))


def test_a_missing_pagefind_is_said_in_russian(monkeypatch: pytest.MonkeyPatch) -> None:
    from fedsite.outputs.searchindex import PagefindError

    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/nonexistent/pagefind")
    with pytest.raises(PagefindError, match="не запускается программа Pagefind.*bash scripts/build.sh"):
        pagefind_files([Record("a.html", "текст", {"title": "А"})], with_engine=False)


def test_an_excerpt_does_not_run_a_heading_into_the_text() -> None:
    from fedsite.outputs.search import plain_text
    markup = ('<h2 id="a">Информационная работа<a class="headerlink" href="#a">¶</a></h2><p>Сайты есть.</p>'
              '<h3>Как вести?</h3><p>Так.</p>')
    assert plain_text(markup) == "Информационная работа. Сайты есть. Как вести? Так."
