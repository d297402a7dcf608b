"""`check` finds Markdown that renders, but not as the writer meant (issue 18): each at its line, in
Russian, with the fix, all in one run."""

from __future__ import annotations

from pathlib import Path

from conftest import PROJECT, run_check
from imagebytes import PNG
from fedsite.read.lint import lint_markdown

POST = """---
title: Семинар
date: 2024-03-17
---

Текст со [ссылкой](../assets/a.pdf) и `[код](без скобки`.

## Документы

- [Постановление президиума № 11](../assets/programma.pdf
- [Положение](../assets/polozhenie.pdf)

![](../assets/foto.png)

#### Итоги

```
[не ссылка](x
![](y.png)
```
"""


def test_every_problem_of_a_post_is_reported_at_its_line_with_the_fix(mini: Path):
    (mini / "sites/region/posts/2024-03-17-seminar.md").write_text(POST, encoding="utf-8")
    for name in ("a.pdf", "programma.pdf", "polozhenie.pdf", "foto.png"):
        (mini / "sites/region/assets" / name).write_bytes(PNG if name.endswith(".png") else b"-")
    problems = [p for p in run_check(mini) if "seminar.md" in p]
    path = "sites/region/posts/2024-03-17-seminar.md"
    assert problems == [
        f"{path}:10: ссылка или картинка не закрыта: «[Постановление президиума № 11](../assets/programma.pdf» — "
        "нет «)» после адреса, и читатели увидят скобки и адрес вместо ссылки; допишите «)» сразу после адреса",
        f"{path}:13: у картинки нет описания: напишите в квадратных скобках, что на ней, например ![Участники "
        "семинара в актовом зале](…); его прочтут незрячим читателям и покажут, если картинка не загрузится",
        f"{path}:15: заголовок «#### Итоги» (уровень 4) идёт после заголовка уровня 2: уровень 3 пропущен, и "
        "программы чтения с экрана собьются; напишите «### Итоги» или добавьте заголовок уровня 3 выше",
    ]


def test_the_demo_federation_has_no_such_problem():
    for path in sorted((PROJECT / "sites").rglob("*.md")) + sorted((PROJECT / "shared").rglob("*.md")):
        assert lint_markdown(path.read_text(encoding="utf-8")) == [], path


def test_a_link_closed_on_a_later_line_of_its_paragraph_is_fine():
    assert lint_markdown("См. [постановление\nпрезидиума](../assets/p.pdf \"PDF\") и [a](b (c)).\n") == []


def test_a_link_in_a_list_is_not_closed_by_a_later_item():
    problems = lint_markdown("- [A](a.pdf\n- [B](b.pdf) (см.)\n")
    assert [line for line, _ in problems] == [1]


def test_code_comments_and_escapes_are_left_alone():
    text = ("    [a](b\n\n`![](x.png)` <!-- [c](d -->\n\n\\[e\\](f\n\n~~~\n#### code\n~~~\n\n"
            "<img alt=\"\" src=\"decor.png\">\n")
    assert lint_markdown(text) == []


def test_pictures_without_a_description_in_markdown_and_html():
    problems = lint_markdown("![ ](a.png)\n\n![][ref]\n\n<img src=\"b.png\">\n\n![Фото](c.png)\n")
    assert [line for line, _ in problems] == [1, 3, 5]
    assert "alt=" in problems[2][1]


def test_headings_may_go_back_up_any_number_of_levels_but_down_only_one():
    text = "# A\n\n## B\n\n### C\n\n# D\n\n## E\n\nF\n---\n\n#### G\n"
    assert [(line, message.split(" (")[0]) for line, message in lint_markdown(text)] == [
        (14, "заголовок «#### G»")]


def test_a_space_between_the_brackets_breaks_a_link():
    problems = lint_markdown("Смотрите [документ] (../assets/x.pdf) и [это] (см. выше).\n")
    assert len(problems) == 1 and "уберите пробел" in problems[0][1]


def test_lines_count_from_the_top_of_the_file_past_the_front_matter():
    assert [line for line, _ in lint_markdown("---\ntitle: x\n---\n\n![](a.png)\n")] == [5]


def test_hostile_texts_take_linear_time():
    import time

    for text in ("# " + "# " * 100_000 + "x\n", "<img " * 100_000, "` a " * 100_000, "[a](b " * 100_000,
                 "- [a](b\n" * 50_000, "[a] (b/ " * 100_000, "- ![](x)\n" * 50_000):
        started = time.perf_counter()
        lint_markdown(text)
        assert time.perf_counter() - started < 5, text[:20]  # quadratic: minutes


def test_a_link_whose_text_lost_its_closing_square_bracket():
    problems = lint_markdown("Смотрите\n[Положение о конкурсе(../assets/polozhenie.pdf) и приходите.\n")
    assert problems == [(2, "квадратная скобка не закрыта: «[Положение о конкурсе(../assets/polozhenie.pdf) "
                            "и приходите.» — нет «]» после текста ссылки, и читатели увидят скобки и адрес "
                            "вместо ссылки; напишите [текст ссылки](адрес)")]


def test_a_lone_square_bracket_in_prose_or_a_task_list_is_fine():
    assert lint_markdown("Сноска [1 в тексте, без адреса.\n\n- [ ] задача (../x/)\n- [x] готово\n") == []
