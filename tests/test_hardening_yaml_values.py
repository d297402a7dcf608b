"""Issue 20, YAML values: a value of the wrong type in front matter, site.yml, projects.yml or
mkdocs.yml is described in Russian (never printed as Python), content that once crashed the build is a
content error at its line, and wrong settings are reported where they are written."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_check

from test_hardening_yaml import CARD, CARD_HEAD, POST, SCHOOL, assert_refused_by_check_and_build, cli, write

REPRS = [
    (CARD, CARD_HEAD + "social: {vk: [a, b]}\n",
     "3: ссылка «vk» должна быть адресом, начинающимся с https://, а записано: список"),
    (CARD, CARD_HEAD + "contacts:\n  phone: {a: 1}\n",
     "4: контакт «phone» (телефон) должен быть текстом, а записано: набор полей"),
    (CARD, CARD_HEAD + "owners: [[a, b]]\n",
     "3: в поле «owners» должен быть простой список логинов GitHub, например: [ivanova-press, petrov]"),
    (POST, "---\ntitle: Т\ndate: 2024-03-17\nevent:\n  start: 2024-03-20 10:00\n  place: [a, b]\n---\n",
     "6: event.place (место) должно быть текстом, а записано: список"),
    (POST, "---\ntitle: Т\ndate: 2024-03-17\nevent:\n  start: 2024-03-20 10:00\n  online: [a]\n---\n",
     "6: event.online (ссылка на трансляцию) должно быть текстом, а записано: список"),
    (POST, "---\ntitle: Т\ndate: [2024-03-17]\n---\n",
     "3: поле «date»: дата должна быть записана текстом, а записано: список; пишите 17.03.2024, "
     "17.03.2024 14:30, 2024-03-17 или 2024-03-17 14:30"),
    (POST, "---\ntitle: Т\ndate: 2024-03-17\nslug: [a]\n---\n",
     "4: поле «slug» должно быть: текст (часть адреса страницы латиницей)"),
    (POST, "---\ntitle: Т\ndate: 2024-03-17\ncover: [a.jpg]\n---\n",
     "4: поле «cover» должно быть: текст (обложка: путь к картинке рядом с новостью или адрес)"),
]


@pytest.mark.parametrize("rel,text,expected", REPRS, ids=[e[3:40] for _, _, e in REPRS])
def test_a_value_of_the_wrong_type_is_described_not_printed_as_python(mini: Path, rel: str, text: str,
                                                                     expected: str) -> None:
    write(mini, rel, text)
    assert run_check(mini) == [f"{rel}:{expected}"]


def test_numbers_are_shown_as_written() -> None:
    from fedsite.model.diagnostics import Diagnostics
    from fedsite.model.yamlfile import parse_mapping

    doc = parse_mapping("title: 007\nid: 0x1F\nsummary: 2024.10\norder: 3\n", Path("/r/x.md"), Diagnostics(Path("/r")))
    assert doc is not None and {k: str(v) for k, v in doc.data.items()} == \
        {"title": "007", "id": "0x1F", "summary": "2024.10", "order": "3"}
    assert float(doc.data["order"]) == 3.0


def test_an_empty_link_or_contact_is_not_filled_in_not_none(mini: Path) -> None:
    write(mini, CARD, CARD_HEAD + "social: {vk: , ok: https://ok.ru/school}\ncontacts: {phone: }\n")
    assert run_check(mini) == []


# 5. Content that was a traceback (exit 3) or passed check, now a content error.

CRASHES = [
    (POST, "---\ntitle: Т\ndate: 01.01.0001\n---\n",
     "3: поле «date»: дата «01.01.0001» не распознана: год 1 вне допустимых пределов, от 1900 до 2100; "
     "пишите 17.03.2024, 17.03.2024 14:30, 2024-03-17 или 2024-03-17 14:30"),
    (POST, "---\ntitle: Т\ndate: 2100-12-31T23:00:00-12:00\n---\n",
     "3: поле «date»: дата «2100-12-31T23:00:00-12:00» не распознана: год 2101 вне допустимых пределов, "
     "от 1900 до 2100; пишите 17.03.2024, 17.03.2024 14:30, 2024-03-17 или 2024-03-17 14:30"),
    (POST, "---\ntitle: Т\ndate: 2024-03-17\nevent:\n  start: 0001-01-01T00:00:00+05:00\n---\n",
     "5: event.start: дата «0001-01-01T00:00:00+05:00» не распознана: год 1 вне допустимых пределов, "
     "от 1900 до 2100; пишите 17.03.2024, 17.03.2024 14:30, 2024-03-17 или 2024-03-17 14:30"),
    (POST, "---\ntitle: \"\\ud800\"\ndate: 2024-03-17\n---\n",
     "2: в кавычках записан недопустимый символ (код U+D800); уберите последовательность с обратной "
     "косой чертой \\"),
    (POST, "---\ntitle: Т\ndate: 2024-03-17\nsummary: \"a\\0b\"\n---\n",
     "4: в кавычках записан недопустимый символ (код U+0000); уберите последовательность с обратной "
     "косой чертой \\"),
    (CARD, "name: Школа\nkind: [primary]\n",
     "2: поле «kind» должно быть: текст (вид: regional, territorial или primary)"),
    (CARD, "name: [Школа, 1]\nkind: primary\n", "1: поле «name» должно быть: текст (полное название организации)"),
    (CARD, "name: Школа\nkind: primary\nchair: " + "9" * 5000 + "\n",
     "3: число слишком длинное; если это текст, возьмите его в кавычки"),
    (POST, "---\ntitle: Т\ndate: 2024-03-17\ntags:\n" + "".join("  " * i + "- \n" for i in range(1, 40)) + "---\n",
     "36: вложенность списков и полей глубже 32 уровней; упростите запись"),
]


@pytest.mark.parametrize("rel,text,expected", CRASHES, ids=[e[3:40] for _, _, e in CRASHES])
def test_content_that_crashed_is_a_content_error(mini: Path, rel: str, text: str, expected: str) -> None:
    write(mini, rel, text)
    assert run_check(mini) == [f"{rel}:{expected}"]


def test_crashing_content_exits_1_from_check_and_build(mini: Path) -> None:
    """The three the issue names, through the real command line."""
    write(mini, POST, CRASHES[0][1])
    write(mini, f"{SCHOOL}/posts/y.md", "---\ntitle: \"\\ud800\"\ndate: 2024-03-17\n---\n")
    write(mini, CARD, "name: Школа\nkind: [primary]\n")
    assert_refused_by_check_and_build(mini, f"{SCHOOL}/posts/y.md:{CRASHES[3][2]}")
    assert f"{POST}:{CRASHES[0][2]}" in run_check(mini) and f"{CARD}:{CRASHES[5][2]}" in run_check(mini)


def test_an_event_place_list_never_reaches_the_calendar(mini: Path) -> None:
    write(mini, POST, REPRS[3][1])
    code, output, _ = cli(mini, "build", "--jobs", "1")
    assert code == 1 and f"{POST}:{REPRS[3][2]}" in output.splitlines()
    assert not any("['a'" in p.read_text(encoding="utf-8") for p in mini.rglob("*.ics"))


SETTINGS = [  # (replace in mkdocs.yml, with, the problem)
    ("feed_items: 5", "feed_items: true",
     "extra.federation.feed_items должно быть целым числом от 1 до 100000, а записано: true"),
    ("time_zone: Europe/Moscow", "time_zone: [Europe/Moscow]",
     "extra.federation.time_zone должно быть текстом, а записано: список"),
    ("time_zone: Europe/Moscow", "time_zone: ../../etc/passwd",
     "часовой пояс «../../etc/passwd» неизвестен; пример: Europe/Moscow"),
    ("title: Мини-федерация", "title: Мини\n    iframe_hosts: vk.com",
     "extra.federation.iframe_hosts должно быть списком имён сайтов, например [vk.com, rutube.ru], "
     "а записано: vk.com"),
    ("site_url: https://fed.example.org/", "site_url: [a]",
     "site_url должен быть адресом сайта, начиная с https://, а записано: список"),
]


@pytest.mark.parametrize("old,new,expected", SETTINGS, ids=[n[:25] for _, n, _ in SETTINGS])
def test_settings_of_the_wrong_type_are_reported(mini: Path, old: str, new: str, expected: str) -> None:
    config = mini / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new), encoding="utf-8")
    problems = run_check(mini)
    assert [p.split(": ", 1)[1] for p in problems if p.startswith("mkdocs.yml:")] == [expected], problems


# 6. An unknown Markdown extension is named where it is written.

def test_unknown_markdown_extension_is_named_in_mkdocs_yml(mini: Path) -> None:
    config = mini / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("  - tables\n", "  - tables\n  - nosuch.ext\n"), encoding="utf-8")
    line = text.splitlines().index("markdown_extensions:") + 1
    code, output, _ = cli(mini, "check")
    assert code == 1 and "Traceback" not in output
    assert (f"mkdocs.yml:{line}: расширение Markdown «nosuch.ext» не найдено; проверьте его имя в "
            "markdown_extensions или установите пакет, в котором оно есть") in output.splitlines(), output
