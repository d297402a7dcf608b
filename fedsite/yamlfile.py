"""YAML with line numbers: parse a mapping and remember the line of every key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostics


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser is ~10x faster


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader that keeps dates as text, so our own date parser sees what was written."""


class _PyLoader(yaml.SafeLoader):
    """The pure-Python parser, asked again only for a broken file: its messages are the ones we translate."""


_NO_TIMESTAMPS = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.yaml_implicit_resolvers = _NO_TIMESTAMPS
_PyLoader.yaml_implicit_resolvers = _NO_TIMESTAMPS


def _load(text: str, loader_class: type) -> tuple[Any, Any]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else {}), node
    finally:
        loader.dispose()


@dataclass(frozen=True)
class YamlDoc:
    """A parsed mapping with the file line of each top-level key (1-based)."""

    data: dict[str, Any]
    lines: dict[str, int]
    first_line: int

    def line(self, key: str) -> int:
        return self.lines.get(key, self.first_line)


def read_text(path: Path) -> str:
    """Read UTF-8 text, tolerating a BOM and Windows line ends."""
    return path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")


def parse_mapping(text: str, path: Path, diags: Diagnostics, line_offset: int = 0) -> YamlDoc | None:
    """Parse YAML text that must be a mapping; report syntax errors with their line."""
    try:
        try:
            data, node = _load(text, _Loader)
        except yaml.YAMLError:
            data, node = _load(text, _PyLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        diags.add(path, line, f"ошибка разметки YAML: {_yaml_problem_ru(e)}; проверьте двоеточия, "
                              "отступы и кавычки в этой строке")
        return None
    except yaml.YAMLError as e:
        diags.add(path, 1 + line_offset, f"ошибка разметки YAML: {e}")
        return None
    if data is None:
        data, node = {}, None
    if not isinstance(data, dict):
        diags.add(path, 1 + line_offset, "ожидались поля вида «ключ: значение», а записано другое; "
                                         "проверьте начало файла")
        return None
    lines: dict[str, int] = {}
    if node is not None:
        for key_node, _ in node.value:
            lines[str(key_node.value)] = key_node.start_mark.line + 1 + line_offset
    return YamlDoc({str(k): v for k, v in data.items()}, lines, 1 + line_offset)


def _yaml_problem_ru(e: yaml.MarkedYAMLError) -> str:
    problem = (e.problem or "").strip()
    known = {
        "mapping values are not allowed here": "лишнее двоеточие (значение с двоеточием возьмите в кавычки)",
        "could not find expected ':'": "не найдено двоеточие после названия поля",
        "found character '\\t' that cannot start any token": "табуляция вместо пробелов",
        "expected <block end>, but found '<block mapping start>'": "неверный отступ",
        "found unexpected end of stream": "не закрыта кавычка",
        "expected ',' or ']'": "не закрыта квадратная скобка [ ]",
        "expected ',' or '}'": "не закрыта фигурная скобка { }",
    }
    for en, ru in known.items():
        if problem.startswith(en):
            return ru
    return problem or str(e)


class ParsedTexts:
    """YAML documents by the text they were parsed from, kept between builds: a build parsed the
    site.yml of every organization again (0.1 s at 1,023). Only documents that parsed are kept."""

    def __init__(self, known: dict[str, YamlDoc]) -> None:
        self.known = known
        self.used: dict[str, YamlDoc] = {}

    def get(self, text: str) -> YamlDoc | None:
        doc = self.known.get(text)
        if doc is not None:
            self.used[text] = doc
        return doc

    def put(self, text: str, doc: YamlDoc) -> None:
        self.used[text] = doc


def load_file(path: Path, diags: Diagnostics, parsed: ParsedTexts | None = None) -> YamlDoc | None:
    """Read and parse a YAML mapping file (a text parsed before is taken from `parsed`)."""
    try:
        text = read_text(path)
    except UnicodeDecodeError:
        diags.add(path, 1, "файл не в кодировке UTF-8; сохраните его в UTF-8")
        return None
    doc = parsed.get(text) if parsed is not None else None
    if doc is None:
        doc = parse_mapping(text, path, diags)
        if doc is not None and parsed is not None:
            parsed.put(text, doc)
    return doc
