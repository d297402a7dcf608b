"""Symbolic links and file-system oddities in the repository (issue 20): a link cannot reach outside
the repository or into .git, a loop does not hang, names that are not UTF-8, folders where files
belong, documents too large and an unexpected error in one file are each a `path:line` problem."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import run_check
from imagebytes import PNG
from fedsite.model.diagnostics import Diagnostics

from test_hardening_names import SCHOOL, built, post, write

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
