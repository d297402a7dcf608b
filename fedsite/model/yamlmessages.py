"""PyYAML's problems told in Russian, at the line a person should look at; never English."""

from __future__ import annotations

import re
from typing import Any

import yaml

SYNTAX_HINT = "проверьте двоеточия, отступы и кавычки в этой строке"


class YamlProblem(yaml.MarkedYAMLError):
    """A problem we find ourselves, with its message already in Russian."""

    def __init__(self, message: str, mark: Any, other_line: int | None = None) -> None:
        super().__init__(problem=message, problem_mark=mark)
        self.message_ru = message  # "{other}" in it stands for the file line of `other_line` (0-based)
        self.other_line = other_line


# PyYAML's problems, told in Russian: (context starts with, problem starts with, mark to report,
# message). The first row that matches wins; "" matches anything. The mark is the place a person
# should look: where a quote or a key opens ("context"), else where the parser stopped ("problem").
QUOTES = "кавычка не закрыта: добавьте закрывающую кавычку (\" или ') в конце значения"
SPECIAL_START = "значение начинается со знака, у которого в YAML особый смысл ({}); возьмите значение в кавычки"
PROBLEMS_RU: list[tuple[str, str, str, str]] = [
    ("while scanning a quoted scalar", "found unexpected end of stream", "context", QUOTES),
    ("while scanning a quoted scalar", "found unexpected document separator", "context", QUOTES),
    ("while scanning a double-quoted scalar", "found unknown escape character", "problem",
     "в кавычках \"…\" обратная косая черта \\ начинает особую последовательность; удвойте её (\\\\) "
     "или возьмите значение в одинарные кавычки"),
    ("while scanning a double-quoted scalar", "expected escape sequence", "problem",
     "в кавычках \"…\" неверная последовательность \\x, \\u или \\U; удвойте обратную косую черту (\\\\) "
     "или возьмите значение в одинарные кавычки"),
    ("while scanning a simple key", "could not find expected ':'", "context",
     "после названия поля нет двоеточия; пишите «поле: значение»"),
    ("", "could not find expected ':'", "problem", "не найдено двоеточие после названия поля"),
    ("", "found character '\\t' that cannot start any token", "problem", "табуляция вместо пробелов: "
     "делайте отступы пробелами"),
    ("", "found character", "problem", "char"),
    ("while scanning an alias", "", "context", SPECIAL_START.format("*")),
    ("while scanning an anchor", "", "context", SPECIAL_START.format("&")),
    ("while scanning a tag", "", "context", SPECIAL_START.format("!")),
    ("while parsing a tag", "", "context", SPECIAL_START.format("!")),
    ("", "found undefined tag handle", "problem", SPECIAL_START.format("!")),
    ("", "could not determine a constructor for the tag", "problem", SPECIAL_START.format("!")),
    ("", "found non-specific tag", "problem", SPECIAL_START.format("!")),
    ("", "found undefined alias", "problem", SPECIAL_START.format("*")),
    ("", "found duplicate anchor", "problem", SPECIAL_START.format("&")),
    ("while scanning a directive", "", "context", SPECIAL_START.format("%")),
    ("while scanning a block scalar", "", "context", "после | или > в этой строке ничего не пишите: текст "
     "начинается со следующей строки, с отступом"),
    ("", "expected ',' or ']'", "problem", "не закрыта квадратная скобка [ ]"),
    ("", "expected ',' or '}'", "problem", "не закрыта фигурная скобка { }"),
    ("", "mapping values are not allowed here", "problem", "colon"),
    ("", "sequence entries are not allowed here", "problem", "дефис (-) элемента списка здесь не к месту: "
     "проверьте отступ; если это текст, возьмите значение в кавычки"),
    ("", "mapping keys are not allowed here", "problem", SPECIAL_START.format("?")),
    ("", "expected <block end>", "problem", "indent"),
    ("", "expected '<document start>'", "problem", "лишний текст после полей: проверьте отступ этой строки "
     "и кавычки в строках выше"),
    ("expected a single document in the stream", "", "problem", "в файле несколько частей, разделённых "
     "строкой ---; оставьте одну"),
    ("", "found unexpected end of stream", "problem", "файл оборвался посреди значения"),
    ("", "invalid indentation or unclosed", "problem", "неверный отступ или не закрыта скобка [ или {"),
    ("while parsing a flow node", "expected the node content, but found '<stream end>'", "problem",
     "не закрыта скобка [ ] или { }"),
    ("", "expected the node content", "problem", "здесь пропущено значение"),
    ("", "found unhashable key", "problem", "название поля должно быть словом, а не списком или набором полей"),
    ("", "found unconstructable recursive node", "problem", "ссылка YAML (*имя) указывает на значение, "
     "внутри которого стоит"),
    ("", "found incompatible YAML document", "problem", "неизвестная версия YAML в директиве %YAML"),
]
GENERIC_RU = "запись не разобрана"


def explain(e: yaml.YAMLError, text: str, line_offset: int = 0) -> tuple[int, str]:
    """(0-based line in `text`, Russian message) for any PyYAML error; never English. Lines the
    message names are file lines: `text` starts at line `line_offset` + 1."""
    if isinstance(e, yaml.reader.ReaderError):
        line = text.count("\n", 0, max(e.position, 0))
        return line, (f"недопустимый символ (код U+{e.character:04X}) в этой строке: удалите его"
                      if isinstance(e.character, int) else f"недопустимый символ в этой строке; {SYNTAX_HINT}")
    if isinstance(e, YamlProblem):
        mark = e.problem_mark
        message = e.message_ru
        if e.other_line is not None:
            message = message.replace("{other}", str(e.other_line + 1 + line_offset))
        return (mark.line if mark else 0), message
    if not isinstance(e, yaml.MarkedYAMLError):
        return 0, f"ошибка разметки YAML: {GENERIC_RU}; {SYNTAX_HINT}"
    context, problem = (e.context or "").strip(), (e.problem or "").strip()
    for want_context, want_problem, where, ru in PROBLEMS_RU:
        if context.startswith(want_context) and problem.startswith(want_problem):
            mark = (e.context_mark if where == "context" else e.problem_mark) or e.problem_mark or e.context_mark
            line = mark.line if mark else 0
            if ru == "char":
                found = re.search(r"found character '(.+?)' that", problem)
                ru = SPECIAL_START.format(_shown_char(found.group(1)) if found else "?")
            elif ru == "colon":
                ru = _colon(text, e.problem_mark)
            elif ru == "indent" and "'<scalar>'" in problem:
                ru = "после закрывающей кавычки остался текст: возьмите в кавычки всё значение"
            elif ru == "indent":
                ru = "неверный отступ: эта строка сдвинута не так, как поля того же уровня выше"
            return line, f"ошибка разметки YAML: {ru}; {SYNTAX_HINT}"
    mark = e.problem_mark or e.context_mark
    return (mark.line if mark else 0), f"ошибка разметки YAML: {GENERIC_RU}; {SYNTAX_HINT}"


def _shown_char(escaped: str) -> str:
    try:
        return escaped.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except UnicodeError:
        return escaped


def _colon(text: str, mark: Any) -> str:
    """«mapping values are not allowed here»: a colon inside a plain value, or a key indented as if it
    continued the line above (PyYAML says the same of both)."""
    lines = text.split("\n")
    if mark is not None and 0 < mark.line < len(lines):
        here = lines[mark.line]
        indent = len(here) - len(here.lstrip(" "))
        above = next((l for l in reversed(lines[:mark.line]) if l.strip() and not l.lstrip().startswith("#")), "")
        above_indent = len(above) - len(above.lstrip(" "))
        if indent > above_indent and here.lstrip(" ").find(":") + indent == mark.column:
            return ("лишний отступ: эта строка сдвинута вправо, будто продолжает значение строки выше; "
                    "поля одного уровня начинайте с одной позиции")
    return "лишнее двоеточие (значение с двоеточием возьмите в кавычки)"
