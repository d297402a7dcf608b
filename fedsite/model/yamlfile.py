"""YAML with line numbers: parse a mapping and remember the line of every key.

Content files are read strictly and mkdocs.yml as MkDocs reads it (see yamlloaders). Every parser
problem is told in Russian with its line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode

from fedsite.model.diagnostics import Diagnostics
from fedsite.model.textfile import read_text, unreadable
from fedsite.model.yamlloaders import (MAX_DEPTH, ConfigLoader, ConfigPyLoader, ContentLoader, ContentPyLoader,
                                       load_node)
from fedsite.model.yamlmessages import YamlProblem, explain


@dataclass(frozen=True)
class YamlDoc:
    """A parsed mapping with the file line of each top-level key (1-based), and of each key one
    level down as «key.subkey» (event.place, social.vk, a project's title)."""

    data: dict[str, Any]
    lines: dict[str, int]
    first_line: int

    def line(self, key: str) -> int:
        return self.lines.get(key, self.first_line)


# YAML breaks lines at NEL and the Unicode line and paragraph separators too; pasted from a word
# processor they are invisible, split a title in two and shift every line after them: a space.
_OTHER_BREAKS = {0x85: " ", 0x2028: " ", 0x2029: " "}


def parse_mapping(text: str, path: Path, diags: Diagnostics, line_offset: int = 0,
                  config: bool = False) -> YamlDoc | None:
    """Parse YAML text that must be a mapping; report syntax errors with their line. Content files
    are read strictly (see yamlloaders' docstring); `config` is for mkdocs.yml."""
    fast, slow = (ConfigLoader, ConfigPyLoader) if config else (ContentLoader, ContentPyLoader)
    if "\x85" in text or "\u2028" in text or "\u2029" in text:
        text = text.translate(_OTHER_BREAKS)
    try:
        try:
            data, node = load_node(text, fast, not config)
        except YamlProblem:
            raise
        except yaml.YAMLError as first:
            try:
                data, node = load_node(text, slow, not config)
            except yaml.YAMLError:
                raise
            except RecursionError:
                raise first from None
            else:  # libyaml refused what the Python parser takes: still an error, told by libyaml
                raise first
    except yaml.YAMLError as e:
        line, message = explain(e, text, line_offset)
        diags.add(path, line + 1 + line_offset, message)
        return None
    except RecursionError:
        diags.add(path, 1 + line_offset, f"вложенность списков и полей глубже {MAX_DEPTH} уровней; "
                                         "упростите запись")
        return None
    if data is None:
        data, node = {}, None
    if not isinstance(data, dict):
        diags.add(path, 1 + line_offset, "ожидались поля вида «ключ: значение», а записано другое; "
                                         "проверьте начало файла")
        return None
    lines: dict[str, int] = {}
    if node is not None:
        for key_node, value_node in node.value:
            key = str(key_node.value)
            lines[key] = key_node.start_mark.line + 1 + line_offset
            if isinstance(value_node, MappingNode):
                for sub_key, _ in value_node.value:
                    if isinstance(sub_key, ScalarNode):
                        lines[f"{key}.{sub_key.value}"] = sub_key.start_mark.line + 1 + line_offset
    return YamlDoc({str(k): v for k, v in data.items()}, lines, 1 + line_offset)


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


def load_file(path: Path, diags: Diagnostics, parsed: ParsedTexts | None = None,
              config: bool | None = None) -> YamlDoc | None:
    """Read and parse a YAML mapping file (a text parsed before is taken from `parsed`). `config`
    (default: the file is named mkdocs.yml) reads it as MkDocs' configuration, not as content."""
    if config is None:
        config = path.name == "mkdocs.yml"
    try:
        text = read_text(path)
    except (UnicodeDecodeError, OSError) as e:
        diags.add(path, 1, unreadable(e))
        return None
    doc = parsed.get(text) if parsed is not None else None
    if doc is None:
        doc = parse_mapping(text, path, diags, config=config)
        if doc is not None and parsed is not None:
            parsed.put(text, doc)
    return doc
