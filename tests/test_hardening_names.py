"""Names a user writes (slugs, file names, tags, project ids) and links in the repository can take no
other page's URL, reach nothing outside the repository or under .git, and give no traceback (issue 20)."""

from __future__ import annotations

import os
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

OUTSIDE = "символическая ссылка ведёт за пределы репозитория; "
SECRET = "секретный-текст-42"


def outside_copy(tmp_path: Path, rel: str, mini: Path) -> Path:
    """A copy of part of the federation outside the repository, with a secret in every text file."""
    import shutil

    target = tmp_path / "outside" / rel.replace("/", "_")
    source = mini / rel
    if source.is_dir():
        shutil.copytree(source, target)
        for path in target.rglob("*.md"):
            path.write_text(path.read_text() + f"\n{SECRET}\n")
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source.read_text() + f"\ndescription: {SECRET}\n")
    return target


@pytest.mark.parametrize("rel, fix", [
    ("sites/region/district-a/school-2/site.yml", "замените её файлом"),
    ("sites/region/district-a/school-2/posts", "замените её папкой"),
    ("sites/region/district-b/pages", "замените её папкой"),
    ("shared/pages", "замените её папкой"),
    ("shared/assets", "замените её папкой"),
    ("sites", "замените её папкой"),
    ("sites/region/index.md", "замените её файлом"),
    ("sites/region/district-b", "замените её папкой"),
    ("sites/region/assets", "замените её папкой"),
])
def test_a_link_to_outside_the_repository_is_refused(mini: Path, tmp_path: Path, rel: str, fix: str) -> None:
    write(mini, "sites/region/district-a/school-2/posts/2025-01-01-tajna.md", post("Тайна"))
    target = outside_copy(tmp_path, rel, mini)
    import shutil

    shutil.rmtree(mini / rel) if (mini / rel).is_dir() else (mini / rel).unlink()
    (mini / rel).symlink_to(target)
    assert run_check(mini) == [f"{rel}:1: {OUTSIDE}{fix}"]
    public, problems = built(mini, keep_going=True)
    assert problems == [f"{rel}:1: {OUTSIDE}{fix}"]
    assert not any(SECRET in p.read_text(errors="replace") for p in public.rglob("*") if p.is_file())


def test_a_link_into_git_is_refused_and_its_text_never_published(mini: Path) -> None:
    write(mini, ".git/config", f"[http]\n\textraheader = AUTHORIZATION: basic {SECRET}\n")
    (mini / SCHOOL / "assets").mkdir()
    (mini / SCHOOL / "assets/config.txt").symlink_to("../../../../../.git/config")
    (mini / SCHOOL / "posts/2025-05-01-git.md").symlink_to("../../../../../.git/config")
    message = ("символическая ссылка ведёт в служебную папку .git (там настройки и ключи репозитория), "
               "публиковать её нельзя; удалите ссылку")
    expected = [f"{SCHOOL}/assets/config.txt:1: {message}", f"{SCHOOL}/posts/2025-05-01-git.md:1: {message}"]
    assert run_check(mini) == expected
    public, problems = built(mini, keep_going=True)
    assert problems == expected
    assert not any(SECRET in p.read_text(errors="replace") for p in public.rglob("*") if p.is_file())


def test_links_round_a_loop_are_refused_without_hanging(mini: Path, tmp_path: Path) -> None:
    from fedsite.build.pipeline import check

    (mini / SCHOOL / "posts/loop").symlink_to(".")
    (mini / SCHOOL / "posts/sub").mkdir()
    (mini / SCHOOL / "posts/sub/up").symlink_to("..")
    write(mini, f"{SCHOOL}/assets/photo.png", "").write_bytes(PNG)
    (mini / SCHOOL / "pages").mkdir()
    (mini / SCHOOL / "assets/pages").symlink_to("../pages")  # followed: no loop by itself
    (mini / SCHOOL / "pages/assets").symlink_to("../assets")  # ... but the two make one
    loop = "символическая ссылка ведёт в папку, которая её же и содержит (петля); удалите ссылку"
    expected = [f"{SCHOOL}/assets/pages/assets:1: {loop}", f"{SCHOOL}/pages/assets/pages:1: {loop}",
                f"{SCHOOL}/posts/loop:1: {loop}", f"{SCHOOL}/posts/sub/up:1: {loop}"]
    for _ in range(2):  # the second one with the read cache the first filled
        diags = Diagnostics(mini)
        check(mini, diags, tmp_path / "cache")
        assert [str(p) for p in diags.sorted()] == expected


def test_links_to_links_level_after_level_are_walked_a_bounded_number_of_times(mini: Path) -> None:
    level = mini / SCHOOL / "assets"
    for n in range(30):  # 2 ** 30 paths if every link were followed
        (level / "next").mkdir(parents=True)
        (level / "a").symlink_to("next")
        (level / "b").symlink_to("next")
        level = level / "next"
    problems = run_check(mini)
    assert problems and all(p.endswith("слишком много символических ссылок на папки (больше 100 в одной папке "
                                       "организации); замените их самими папками") for p in problems)


# 5. Content that used to give a traceback gives a path:line message.

def test_names_that_are_not_utf8_are_refused(mini: Path) -> None:
    school = os.fsencode(mini / SCHOOL)
    os.mkdir(school + b"/assets")
    for name in (b"/assets/caf\xe9.png", b"/posts/2025-01-01-caf\xe9.md", b"/caf\xe9/site.yml"):
        os.makedirs(os.path.dirname(school + name), exist_ok=True)
        with open(school + name, "wb") as f:
            f.write(b"---\ntitle: x\n---\n" if name.endswith(b".md") else b"name: x\nkind: primary\n")
    message = ("имя записано не в кодировке UTF-8 (так бывает с файлами из архивов, сделанных в Windows); "
               "переименуйте файл или папку")
    assert run_check(mini) == [f"{SCHOOL}/{name}:1: {message}" for name in (
        "assets/caf\udce9.png", "caf\udce9", "posts/2025-01-01-caf\udce9.md")]


def test_a_site_yml_that_is_a_folder(mini: Path) -> None:
    card = mini / "sites/region/district-a/school-2/site.yml"
    card.unlink()
    card.mkdir()
    problems = run_check(mini)
    assert problems and all(p.startswith("sites/region/district-a/school-2/site.yml:1: ") for p in problems)


def test_a_document_too_large_is_refused_unread(mini: Path) -> None:
    write(mini, f"{SCHOOL}/posts/2025-01-02-ogromnaya.md", post("Огромная", body="слово " * 2_000_000))
    assert run_check(mini) == [
        f"{SCHOOL}/posts/2025-01-02-ogromnaya.md:1: файл слишком большой: 21.0 МБ, а новость или страница может "
        "занимать не больше 2 МБ; разделите текст на части, а фотографии и документы положите в assets/ и "
        "дайте на них ссылки"]


def test_a_link_target_too_long_for_the_system(mini: Path) -> None:
    long = "очень-длинное-имя-" * 20
    write(mini, f"{SCHOOL}/posts/2025-01-03-ssylki.md",
          post("Ссылки", body=f"[файл](../assets/{long}.pdf)\n\n![фото]({long}.png)\n\n[новость]({long}.md)\n"))
    problems = run_check(mini)
    assert [p.split(": ", 1)[0] for p in problems] == [f"{SCHOOL}/posts/2025-01-03-ssylki.md:{n}" for n in (4, 6, 8)]
    assert all("не найден" in p or "несуществующую" in p for p in problems)


def test_a_file_name_with_a_very_long_slug_is_cut_and_a_long_slug_field_refused(mini: Path) -> None:
    name = "2025-01-04-" + "Щедрый щавель " * 8 + ".md"  # 119 Cyrillic letters: 4 Latin ones each for щ
    assert len(name.encode()) < 255
    write(mini, f"{SCHOOL}/posts/{name}", post("Длинное имя"))
    public, problems = built(mini)
    assert problems == []
    pages = [p.name for p in (public / "district-a/school-1/posts").glob("shchedryi-*.html")]
    assert len(pages) == 1 and len(pages[0]) <= 150 + len(".html")
    write(mini, f"{SCHOOL}/posts/2025-01-05-slug.md", post("Длинный slug", "slug: " + "a" * 200 + "\n"))
    assert run_check(mini) == [f"{SCHOOL}/posts/2025-01-05-slug.md:3: адрес «{'a' * 40}…» слишком длинный: "
                               "200 знаков, можно не больше 150; сократите поле slug"]


def test_an_unexpected_error_in_one_file_names_the_file(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fedsite.read import posts

    real = posts._post

    def failing(source, *args):
        if source.path.name == "2023-06-01-leto.md":
            raise RuntimeError("сбой")
        return real(source, *args)

    monkeypatch.setattr(posts, "_post", failing)
    assert run_check(mini) == [
        f"{SCHOOL}/posts/2023-06-01-leto.md:1: файл не удалось обработать: внутренняя ошибка сборщика "
        "(RuntimeError: сбой); сообщите администратору федерации и приложите этот файл"]


@pytest.mark.parametrize("rel, fix", [("mkdocs.yml", "замените её файлом"), ("theme", "замените её папкой")])
def test_a_link_out_of_the_repository_as_mkdocs_yml_or_theme_stops_everything(
        mini: Path, tmp_path: Path, rel: str, fix: str) -> None:
    """MkDocs reads these itself, past the read stage's checks: refused whatever --keep-going says."""
    import shutil
    import subprocess
    import sys

    from conftest import PROJECT

    target = tmp_path / "outside" / rel
    target.parent.mkdir(parents=True)
    shutil.move(str(mini / rel), str(target))
    (mini / rel).symlink_to(target)
    for command in (["check"], ["build", "--keep-going", "--jobs", "1"]):
        done = subprocess.run([sys.executable, str(PROJECT / "build.py"), "--repo", str(mini), *command],
                              capture_output=True, text=True)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.strip() == f"Ошибка: {rel}: {OUTSIDE}{fix}"
    assert not (mini / "public").exists()
