"""Names a user writes (slugs, file names, tags, project ids) and links in the repository can take no
other page's URL and give no traceback (issue 20). Links out of the repository or into .git, loops and
other file-system oddities: tests/test_hardening_links.py."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from conftest import run_check
from imagebytes import PNG
from fedsite.build.pipeline import build
from fedsite.model.diagnostics import Diagnostics

ROOT = "sites/region"
SCHOOL = "sites/region/district-a/school-1"
SITE = "https://fed.example.org/"


def write(repo: Path, rel: str, text: str) -> Path:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def post(title: str, extra: str = "", body: str = "Текст.") -> str:
    return f"---\ntitle: {title}\n{extra}---\n{body}\n"


def built(repo: Path, **options) -> tuple[Path, list[str]]:
    diags = Diagnostics(repo)
    build(repo, repo / "public", diags, jobs=1, **options)
    return repo / "public", [str(p) for p in diags.sorted()]


# 1. URLs: a post, tag, page or file takes no other one's URL, nor one of the pages a site makes itself.

MADE = "получит адрес «{url}», а он занят страницей, которую сайт создаёт сам ({what}); {fix}"
SLUG_FIX = "задайте в поле slug другой адрес или переименуйте файл"


@pytest.mark.parametrize("name, text, line, url, what", [
    ("posts/2024-06-01-a.md", post("Индекс", "slug: index\n"), 3, "posts/index.html", "список новостей"),
    ("posts/2024-06-01-b.md", post("События", "slug: events\n"), 3, "posts/events.html", "страница «Мероприятия»"),
    ("posts/2026-11-25-index.md", post("Файл index"), 1, "posts/index.html", "список новостей"),
])
def test_a_post_cannot_take_a_page_the_site_makes(mini: Path, name: str, text: str, line: int, url: str,
                                                  what: str) -> None:
    write(mini, f"{SCHOOL}/{name}", text)
    message = MADE.format(url=url, what=what, fix=SLUG_FIX)
    assert run_check(mini) == [f"{SCHOOL}/{name}:{line}: новость {message}"]


def test_a_tag_cannot_take_the_list_of_tags_and_two_spellings_cannot_share_a_page(mini: Path) -> None:
    write(mini, f"{SCHOOL}/posts/2024-06-01-a.md", post("А", "tags: [index]\n"))
    write(mini, f"{SCHOOL}/posts/2024-06-02-b.md", post("Б", "tags: [Спорт]\n"))
    write(mini, f"{SCHOOL}/posts/2024-06-03-c.md", post("В", "author: Я\ntags: [спорт, Спорт]\n"))
    fix = "пишите одну метку везде одинаково или выберите другую"
    assert run_check(mini) == [
        f"{SCHOOL}/posts/2024-06-01-a.md:3: метка «index» "
        + MADE.format(url="posts/tags/index.html", what="список меток", fix=fix),
        f"{SCHOOL}/posts/2024-06-03-c.md:4: метка «спорт» получит тот же адрес «posts/tags/sport.html», что и "
        f"метка «Спорт» ({SCHOOL}/posts/2024-06-02-b.md); {fix}"]


@pytest.mark.parametrize("name, url, what", [
    (f"{SCHOOL}/pages/about.md", "pages/about.html", "страница «О нас»"),
    (f"{ROOT}/pages/directory.md", "pages/directory.html", "страница «Организации»"),
    (f"{ROOT}/pages/monitoring-2024.md", "pages/monitoring-2024.html", "мониторинг за год"),
    ("shared/pages/about.md", "pages/about.html", "страница «О нас»"),
])
def test_a_page_cannot_take_a_page_the_site_makes(mini: Path, name: str, url: str, what: str) -> None:
    write(mini, name, "# Своя страница\n")
    assert run_check(mini) == [f"{name}:1: страница " + MADE.format(url=url, what=what, fix="переименуйте файл")]


def test_a_published_file_cannot_take_a_post_page_or_shared_file(mini: Path) -> None:
    write(mini, f"{SCHOOL}/posts/uroki.html", "<p>старая страница</p>")
    write(mini, f"{SCHOOL}/posts/index.html", "<p>старый список</p>")
    write(mini, f"{ROOT}/assets/shared/logo.svg", "<svg/>")
    write(mini, f"{ROOT}/assets/images/favicon.png", "").write_bytes(PNG)
    assert run_check(mini) == [
        f"{ROOT}/assets/images/favicon.png:1: файл получит адрес «assets/images/favicon.png», а он занят файлом "
        "оформления сайта (темы); переименуйте файл или положите его в другую папку",
        f"{ROOT}/assets/shared/logo.svg:1: файл получит тот же адрес «assets/shared/logo.svg», что и общий файл "
        "shared/assets/logo.svg; переименуйте файл или уберите его из assets/shared/",
        f"{SCHOOL}/posts/index.html:1: файл "
        + MADE.format(url="posts/index.html", what="список новостей", fix="переименуйте файл"),
        f"{SCHOOL}/posts/uroki.html:1: файл получит тот же адрес «posts/uroki.html», что и новость "
        f"({SCHOOL}/posts/2024-05-01-uroki.md); переименуйте файл"]


def test_a_published_file_cannot_take_a_folder_the_site_makes_nor_a_folder_a_page(mini: Path) -> None:
    write(mini, f"{SCHOOL}/posts/tags", "не папка")
    write(mini, f"{SCHOOL}/posts/uroki.html/photo.png", "").write_bytes(PNG)
    assert run_check(mini) == [
        f"{SCHOOL}/posts/tags:1: файл получит адрес «posts/tags», а там папка, которую сайт создаёт сам (метки); "
        "переименуйте файл",
        f"{SCHOOL}/posts/uroki.html/photo.png:1: папка «posts/uroki.html» получит тот же адрес, что и новость "
        f"({SCHOOL}/posts/2024-05-01-uroki.md); переименуйте папку"]


def test_tags_without_letters_each_get_a_page_of_their_own(mini: Path) -> None:
    write(mini, f"{SCHOOL}/posts/2025-02-01-a.md", post("Восклицание", "tags: ['!!!']\n"))
    write(mini, f"{SCHOOL}/posts/2025-02-02-b.md", post("Вопрос", "tags: ['???', '🎉']\n"))
    public, problems = built(mini)
    assert problems == []
    tags = public / "district-a/school-1/posts/tags"
    headings = {}
    for page in tags.glob("tag-*.html"):
        headings[page.name] = BeautifulSoup(page.read_text(), "html.parser").find("h1").get_text(strip=True)
    assert sorted(headings.values()) == ["Метка «!!!»", "Метка «???»", "Метка «🎉»"]
    listing = BeautifulSoup((tags / "index.html").read_text(), "html.parser")
    hrefs = {a.get_text(strip=True): a["href"] for a in listing.select("article a, main a") if "tag-" in a["href"]}
    assert len(set(hrefs.values())) == 3 and all((tags / h).is_file() for h in hrefs.values())


# 2. Project ids become file names: checked as organization ids are, and nothing is written outside.

def test_project_ids_are_checked_and_nothing_is_written_outside(mini: Path, tmp_path: Path) -> None:
    projects = mini / "shared/data/projects.yml"
    projects.write_text(projects.read_text() + "../../../../x:\n  title: Побег\nПроект года:\n  title: Год\n"
                        "index:\n  title: Список\n", encoding="utf-8")
    rule = ("не годится: он станет частью адреса, поэтому только строчные латинские буквы, цифры и дефис "
            "(не длиннее 150 знаков), например zdorovie")
    assert run_check(mini) == [
        f"shared/data/projects.yml:6: код проекта «../../../../x» {rule}",
        f"shared/data/projects.yml:8: код проекта «Проект года» {rule}",
        "shared/data/projects.yml:10: код проекта «index» занят: так называется список проектов; выберите другой"]
    _, problems = built(mini, keep_going=True)
    assert len(problems) == 3
    assert [p for p in tmp_path.rglob("x*.xml")] == []
    assert sorted(p.name for p in (mini / "public/posts/projects").iterdir()) == [
        "index.html", "obrazovanie.atom.xml", "obrazovanie.html", "obrazovanie.xml",
        "zdorovie.atom.xml", "zdorovie.html", "zdorovie.xml"]


# 3. URLs the build writes from file names are percent-encoded (UTF-8) and resolve to the published file.

def test_file_names_with_spaces_hash_percent_and_cyrillic_resolve_in_html_and_feeds(mini: Path) -> None:
    names = ["a b#c%d.png", "Фото 1.png", "Отчёт 100%.pdf", "лекция #2.mp3"]
    for name in names:
        (mini / SCHOOL / "assets" / name).parent.mkdir(exist_ok=True)
        (mini / SCHOOL / "assets" / name).write_bytes(PNG if name.endswith(".png") else b"data of " + name.encode())
    body = ("![фото](<../assets/a b%23c%25d.png>) ![фото](<../assets/Фото 1.png>)\n\n"
            "[Отчёт](<../assets/Отчёт 100%25.pdf>)\n")
    write(mini, f"{SCHOOL}/posts/2025-04-01-fajly.md",
          post("Файлы", "cover: '../assets/Фото 1.png'\naudio: '../assets/лекция #2.mp3'\n", body))
    public, problems = built(mini)
    assert problems == []
    page_url = SITE + "district-a/school-1/posts/fajly.html"
    soup = BeautifulSoup((public / "district-a/school-1/posts/fajly.html").read_text(), "html.parser")
    urls = [urljoin(page_url, tag["src"]) for tag in soup.select("article img, article audio, main img, main audio")]
    urls += [urljoin(page_url, a["href"]) for a in soup.select("a[href$='.pdf']")]
    feed = (public / "district-a/school-1/feed.xml").read_text()
    atom = (public / "district-a/school-1/atom.xml").read_text()
    enclosure = BeautifulSoup(feed, "xml").find("enclosure")["url"]
    assert BeautifulSoup(atom, "xml").find("link", rel="enclosure")["href"] == enclosure
    urls.append(enclosure)
    found = set()
    for url in urls:
        assert " " not in url and url.isascii() and "#" not in url, url
        path = unquote(urlsplit(url).path)
        assert path.startswith("/") and (public / path[1:]).is_file(), url
        found.add(Path(path).name)
    assert found == set(names)


# 4. Symbolic links: nothing outside the repository or under .git is read, whatever the link is.
