"""`check`: one bad input at a time, dropped into the mini federation, reported as path:line in Russian."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT, run_check

SCHOOL = "sites/region/district-a/school-1"


def write(repo: Path, rel: str, text: str) -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


BAD_POSTS = [
    ("---\ntitle: Семинар\ndate: 32.13.2024\n---\nТекст\n",
     "posts/x.md:3: поле «date»: дата «32.13.2024» не распознана: такого дня нет; пишите 17.03.2024, "
     "17.03.2024 14:30, 2024-03-17 или 2024-03-17 14:30"),
    ("---\ntitle: Семинар\ndate: вчера\n---\n",
     "posts/x.md:3: поле «date»: дата «вчера» не распознана; пишите 17.03.2024, 17.03.2024 14:30, "
     "2024-03-17 или 2024-03-17 14:30"),
    ("---\ndate: 2024-03-17\n---\nТекст\n",
     "posts/x.md:2: нет обязательного поля «title» (заголовок новости); добавьте строку «title: …»"),
    ("---\ntitle: Без даты\n---\n",
     "posts/x.md:2: нет даты: добавьте поле «date: 17.03.2024» или начните имя файла с даты: 2024-03-17-…"),
    ("---\ntitle: Т\ndate: 2024-03-17\nautor: Я\n---\n",
     "posts/x.md:4: неизвестное поле «autor»; допустимые поля: title, date, updated, tags, projects, summary, "
     "cover, author, draft, slug, id, audio, video, gallery, event"),
    ("---\ntitle: Т\ndate: 2024-03-17\nprojects: [kosmos]\n---\n",
     "posts/x.md:4: проект «kosmos» не найден в shared/data/projects.yml; есть: zdorovie, obrazovanie"),
    ("---\ntitle: Т: подзаголовок: ещё\ndate: 2024-03-17\n---\n",
     "posts/x.md:2: ошибка разметки YAML: лишнее двоеточие (значение с двоеточием возьмите в кавычки); "
     "проверьте двоеточия, отступы и кавычки в этой строке"),
    ("---\ntitle: Т\ndate: 2024-03-17\ncover: ../assets/net-takogo.jpg\n---\n",
     "posts/x.md:4: файл «../assets/net-takogo.jpg» не найден; проверьте имя и путь относительно этой новости"),
    ("---\ntitle: Т\ndate: 2024-03-17\ncover: ../../../../../../etc/passwd\n---\n",
     "posts/x.md:4: файл «../../../../../../etc/passwd» лежит за пределами папки организации; "
     "положите его в assets/"),
    ("---\ntitle: Т\ndate: 2024-03-17\nslug: ../../../evil\n---\n",
     "posts/x.md:4: адрес «../../../evil» недопустим: только строчные латинские буквы, цифры и дефис"),
    ("---\ntitle: Т\ndate: 2024-03-17\ndraft: наверное\n---\n",
     "posts/x.md:4: поле «draft» должно быть: true или false (черновик: true — не публиковать)"),
    ("---\ntitle: Т\ndate: 2024-03-17\ntags: [{a: b}]\n---\n",
     "posts/x.md:4: в поле «tags» должен быть простой список слов, например: [спорт, конкурс]"),
    ("---\ntitle: Т\ndate: 2024-03-17\nevent: {place: Зал}\n---\n",
     "posts/x.md:4: у мероприятия нет начала: добавьте «start: 17.03.2024 10:00»"),
    ("---\ntitle: Т\ndate: 2024-03-17\n---\nТекст\n\nСм. [новость](nет-такой.md).\n",
     "posts/x.md:7: ссылка «nет-такой.md» ведёт на несуществующую или неопубликованную страницу; "
     "проверьте имя файла"),
    ("---\ntitle: Т\ndate: 2024-03-17\n---\n[уроки](2024-05-01-uroki.md#net)\n",
     "posts/x.md:5: в «sites/region/district-a/school-1/posts/2024-05-01-uroki.md» нет заголовка с якорем "
     "#net; проверьте часть ссылки после #"),
    ("---\ntitle: Т\ndate: 2024-03-17\n---\n![фото](../../../../../../etc/hosts)\n",
     "posts/x.md:5: ссылка «../../../../../../etc/hosts» ведёт за пределы репозитория"),
    ("---\ntitle: Т\ndate: 2024-03-17\n", "posts/x.md:1: блок полей в начале файла не закрыт: добавьте строку --- "
                                       "после последнего поля"),
]


@pytest.mark.parametrize("text,expected", BAD_POSTS, ids=[e.split(": ", 1)[1][:40] for _, e in BAD_POSTS])
def test_bad_post_is_reported_with_line_in_russian(mini: Path, text: str, expected: str) -> None:
    write(mini, f"{SCHOOL}/posts/x.md", text)
    assert run_check(mini) == [f"{SCHOOL}/{expected}"]


BAD_CARDS = [
    ("name: Школа\nkind: school\n", "site.yml:2: вид организации «school» неизвестен; пишите regional, territorial или primary"),
    ("kind: primary\n", "site.yml:1: нет обязательного поля «name» (полное название организации); добавьте строку «name: …»"),
    ("name: Школа\nkind: primary\nsocial: {vk: vk.com/school}\n",
     "site.yml:3: ссылка «vk: vk.com/school» неверна; пишите полный адрес, начиная с https://"),
    ("name: Школа\nkind: primary\nphone: 123\n",
     "site.yml:3: неизвестное поле «phone»; допустимые поля: name, short_name, kind, description, chair, contacts, social, owners, image"),
    ("name: Школа\nkind: primary\ncontacts: {email: школа}\n",
     "site.yml:3: адрес почты «школа» записан неверно; пример: info@example.ru"),
    ("name: [Школа\n", "site.yml:2: ошибка разметки YAML: не закрыта квадратная скобка [ ]; проверьте двоеточия, отступы и кавычки в этой строке"),
]


@pytest.mark.parametrize("text,expected", BAD_CARDS, ids=[e[:40] for _, e in BAD_CARDS])
def test_bad_site_card_is_reported_with_line(mini: Path, text: str, expected: str) -> None:
    write(mini, f"{SCHOOL}/site.yml", text)
    assert f"{SCHOOL}/{expected}" in run_check(mini)


def test_site_cards_parsed_by_an_earlier_build_are_checked_again(mini: Path, tmp_path: Path) -> None:
    from fedsite.build.pipeline import check
    from fedsite.model.diagnostics import Diagnostics

    write(mini, f"{SCHOOL}/site.yml", BAD_CARDS[0][0])
    for text, expected in (BAD_CARDS[0], BAD_CARDS[0], BAD_CARDS[1]):  # parsed, remembered, edited
        write(mini, f"{SCHOOL}/site.yml", text)
        diags = Diagnostics(mini)
        check(mini, diags, tmp_path / "cache")
        assert f"{SCHOOL}/{expected}" in [str(p) for p in diags.sorted()]


def test_tree_problems(mini: Path) -> None:
    write(mini, "sites/region/district-b/school-1/site.yml", "name: Другая школа 1\nkind: primary\n")
    write(mini, "sites/region/district-b/Школа/site.yml", "name: Школа\nkind: primary\n")
    write(mini, "sites/region/district-b/pages/site.yml", "name: Страницы\nkind: primary\n")
    problems = run_check(mini)
    assert ("sites/region/district-b/school-1/site.yml:1: код организации «school-1» уже занят: "
            "sites/region/district-a/school-1; переименуйте одну из папок") in problems
    assert ("sites/region/district-b/Школа/site.yml:1: имя папки «Школа» не годится как код организации: "
            "только строчные латинские буквы, цифры и дефис, например school-1") in problems


def test_two_roots_are_refused(mini: Path) -> None:
    write(mini, "sites/other/site.yml", "name: Другая\nkind: regional\n")
    message = "1: в sites/ должна быть ровно одна корневая организация (папка с site.yml), а здесь: other, region"
    assert run_check(mini) == [f"sites/other/site.yml:{message}", f"sites/region/site.yml:{message}"]


def test_two_posts_with_one_url_name_both_files(mini: Path) -> None:
    write(mini, f"{SCHOOL}/posts/2024-06-01-uroki.md", "---\ntitle: Ещё уроки\n---\n")
    assert run_check(mini) == [
        f"{SCHOOL}/posts/2024-06-01-uroki.md:1: адрес «posts/uroki.html» совпадает с новостью "
        f"{SCHOOL}/posts/2024-05-01-uroki.md; задайте другое поле slug/id"]


def test_two_posts_with_one_url_are_reported_by_every_cached_check(mini: Path, tmp_path: Path) -> None:
    from fedsite.build.pipeline import check
    from fedsite.model.diagnostics import Diagnostics

    write(mini, f"{SCHOOL}/posts/2024-06-01-uroki.md", "---\ntitle: Ещё уроки\n---\n")
    for _ in range(2):  # the second check reads from the cache the first one filled
        diags = Diagnostics(mini)
        check(mini, diags, tmp_path / "cache")
        assert [str(p) for p in diags.sorted()] == [
            f"{SCHOOL}/posts/2024-06-01-uroki.md:1: адрес «posts/uroki.html» совпадает с новостью "
            f"{SCHOOL}/posts/2024-05-01-uroki.md; задайте другое поле slug/id"]


@pytest.mark.parametrize("link, fix", [("assets/leak.txt", "положите сюда сам файл"),
                                       ("pages/leak.md", "замените её файлом")])
def test_symlink_outside_the_repository_is_refused(mini: Path, tmp_path: Path, link: str, fix: str) -> None:
    secret = tmp_path / "secret"
    secret.write_text("# Секрет\n\nпароль\n")
    (mini / SCHOOL / link).parent.mkdir()
    (mini / SCHOOL / link).symlink_to(secret)
    assert run_check(mini) == [f"{SCHOOL}/{link}:1: символическая ссылка ведёт за пределы репозитория; {fix}"]


def test_tolerated_inputs_are_not_errors(mini: Path) -> None:
    (mini / f"{SCHOOL}/posts/2024-07-01-bom.md").write_bytes(
        "\ufeff---\r\ntitle: С BOM и CRLF\r\ntags:\r\n---\r\nТекст\r\n".encode("utf-8"))
    write(mini, f"{SCHOOL}/posts/2024-07-02 Новость с пробелами.md", "---\ntitle: Пробелы\n---\nТекст\n")
    write(mini, f"{SCHOOL}/posts/2024-07-03-tolko-data.md", "---\ntitle: Только дата в имени\ntags: []\n---\n")
    assert run_check(mini) == []


def test_problems_become_github_annotations_in_actions(mini: Path) -> None:
    write(mini, f"{SCHOOL}/posts/a.md", "---\ndate: 2024-01-01\n---\n")
    proc = subprocess.run([sys.executable, str(PROJECT / "build.py"), "check"], cwd=mini, capture_output=True,
                          text=True, env={**os.environ, "GITHUB_ACTIONS": "true"})
    assert (f"::error file={SCHOOL}/posts/a.md,line=2::нет обязательного поля «title» (заголовок новости); "
            "добавьте строку «title: …»") in proc.stdout.splitlines()


def test_all_problems_in_one_run_sorted_and_exit_code_1(mini: Path) -> None:
    write(mini, f"{SCHOOL}/posts/b.md", "---\ntitle: Т\ndate: 99.99.2024\n---\n")
    write(mini, f"{SCHOOL}/posts/a.md", "---\ndate: 2024-01-01\n---\n")
    proc = subprocess.run([sys.executable, str(PROJECT / "build.py"), "check"], cwd=mini,
                          capture_output=True, text=True)
    assert proc.returncode == 1
    lines = [l for l in proc.stderr.splitlines() if l.startswith("sites/")]
    assert [l.split(":")[0] for l in lines] == [f"{SCHOOL}/posts/a.md", f"{SCHOOL}/posts/b.md"]
    assert "Traceback" not in proc.stderr


def test_build_of_bad_content_exits_1_without_traceback(mini: Path) -> None:
    write(mini, f"{SCHOOL}/posts/a.md", "---\ntitle: [не закрыто\n---\n")
    proc = subprocess.run([sys.executable, str(PROJECT / "build.py"), "build"], cwd=mini,
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert not (mini / "public").exists()


def test_wrong_usage_exits_2(mini: Path) -> None:
    proc = subprocess.run([sys.executable, str(PROJECT / "build.py"), "new-post", "net-takoi", "Т"],
                          cwd=mini, capture_output=True, text=True)
    assert proc.returncode == 2
    assert "организация «net-takoi» не найдена" in proc.stderr
