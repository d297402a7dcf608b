"""The YAML loaders behind parse_mapping: strict ones for content files, MkDocs' tags for mkdocs.yml.

Content files (front matter, site.yml, projects.yml) are read strictly: no anchors or aliases (a
1 KB alias bomb expands to gigabytes wherever a value is printed), no duplicate keys, no tags beyond
plain text, numbers, lists and fields, no nesting deeper than `MAX_DEPTH`, no control characters or
lone surrogates from escapes. mkdocs.yml belongs to the maintainers and may use what MkDocs accepts
(tags such as `!!python/name:` in Material's configuration, `!ENV`, anchors), with aliases
bounded by the size they expand to.
"""

from __future__ import annotations

import importlib
import os
import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from fedsite.model.yamlmessages import YamlProblem


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser is ~10x faster

MAX_DEPTH = 32  # nesting of lists and fields in a content file (a post needs 2); libyaml's composer
#                 recurses in C and crashes the process near 100,000 levels, Python's at 1,000
CONFIG_MAX_NODES = 100_000  # what mkdocs.yml may expand to through its aliases
_NESTING_CHARS = "[{-?:"  # every level of nesting needs one of these: fewer than MAX_DEPTH, no scan


class _ContentConstructor:
    """Mixed into the loaders of content files: keys as written, duplicates refused, no exotic tags."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict:
        if not isinstance(node, MappingNode):
            raise YamlProblem("ожидались поля вида «ключ: значение»", node.start_mark)
        mapping: dict = {}
        first: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise YamlProblem("название поля должно быть словом, а не списком или набором полей",
                                  key_node.start_mark)
            key = key_node.value  # as written: `yes:` is «yes», `1:` is «1», `~:` is «~»
            if key in mapping:
                raise YamlProblem(f"поле «{key}» записано дважды (первый раз в строке {{other}}); "
                                  "оставьте одно", key_node.start_mark, first[key])
            first[key] = key_node.start_mark.line
            mapping[key] = self.construct_object(value_node, deep=deep)  # type: ignore[attr-defined]
        return mapping

    def refuse_tag(self, node: Any) -> Any:
        raise YamlProblem("теги YAML (!!…) здесь не поддерживаются: уберите тег; если это текст, "
                          "возьмите значение в кавычки", node.start_mark)


class WrittenInt(int):
    """A number in a content file that prints as it was written: `id: 007` is «007», not 7 (YAML 1.1
    reads 007 as octal), `title: 1_000` «1_000»; it counts as the number."""

    text: str

    def __str__(self) -> str:
        return self.text


class WrittenFloat(float):
    """`title: 2024.10` prints «2024.10», not 2024.1."""

    text: str

    def __str__(self) -> str:
        return self.text


def _construct_int(loader: Any, node: ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:  # more digits than Python converts (4,300)
        raise YamlProblem("число слишком длинное; если это текст, возьмите его в кавычки",
                          node.start_mark) from None


def _construct_written_int(loader: Any, node: ScalarNode) -> WrittenInt:
    number = WrittenInt(_construct_int(loader, node))
    number.text = node.value
    return number


def _construct_written_float(loader: Any, node: ScalarNode) -> WrittenFloat:
    number = WrittenFloat(yaml.constructor.SafeConstructor.construct_yaml_float(loader, node))
    number.text = node.value
    return number


def _without(resolvers: dict, tags: set[str]) -> dict:
    return {first: [(tag, rx) for tag, rx in items if tag not in tags] for first, items in resolvers.items()}


_TIMESTAMP, _MERGE = "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:merge"
_EXOTIC = ("binary", "set", "omap", "pairs", "timestamp")


def _content_loader(base: type) -> type:
    cls = type(f"Content{base.__name__}", (_ContentConstructor, base), {})
    # Dates stay text, so our own date parser sees what was written; `<<` is an ordinary (unknown) key.
    cls.yaml_implicit_resolvers = _without(yaml.SafeLoader.yaml_implicit_resolvers, {_TIMESTAMP, _MERGE})
    cls.add_constructor("tag:yaml.org,2002:int", _construct_written_int)
    cls.add_constructor("tag:yaml.org,2002:float", _construct_written_float)
    for name in _EXOTIC:
        cls.add_constructor(f"tag:yaml.org,2002:{name}", _ContentConstructor.refuse_tag)
    return cls


ContentLoader = _content_loader(_BaseLoader)
# Asked again only for a broken file: its messages are the ones we translate.
ContentPyLoader = _content_loader(yaml.SafeLoader)


class _ConfigConstructor:
    """mkdocs.yml: the tags MkDocs and Material use are understood, any other is read by its shape."""

    def python_name(self, suffix: str, node: Any) -> Any:
        module, _, name = suffix.rpartition(".")
        try:
            return getattr(importlib.import_module(module), name) if module else importlib.import_module(name)
        except (ImportError, AttributeError, ValueError):
            raise YamlProblem(f"не найдено «{suffix}» (тег !!python/name); проверьте имя модуля",
                              node.start_mark) from None

    def env(self, node: Any) -> Any:
        if isinstance(node, ScalarNode):
            return os.environ.get(node.value)
        names = self.construct_sequence(node) if isinstance(node, SequenceNode) else []  # type: ignore[attr-defined]
        for name in names[:-1]:
            if name in os.environ:
                return os.environ[name]
        return names[-1] if names else None

    def by_shape(self, suffix: Any, node: Any = None) -> Any:
        node = suffix if node is None else node
        if isinstance(node, ScalarNode):
            return node.value
        if isinstance(node, SequenceNode):
            return self.construct_sequence(node)  # type: ignore[attr-defined]
        return self.construct_mapping(node)  # type: ignore[attr-defined]


def _config_loader(base: type) -> type:
    cls = type(f"Config{base.__name__}", (_ConfigConstructor, base), {})
    cls.yaml_implicit_resolvers = _without(yaml.SafeLoader.yaml_implicit_resolvers, {_TIMESTAMP})
    cls.add_constructor("tag:yaml.org,2002:int", _construct_int)
    cls.add_multi_constructor("tag:yaml.org,2002:python/name:", _ConfigConstructor.python_name)
    cls.add_constructor("!ENV", _ConfigConstructor.env)
    cls.add_constructor(None, _ConfigConstructor.by_shape)
    return cls


ConfigLoader = _config_loader(_BaseLoader)
ConfigPyLoader = _config_loader(yaml.SafeLoader)


def _scan(text: str, loader_class: type, strict: bool) -> None:
    """Tokens only (libyaml's scanner when there: fast): anchors and aliases in a content file, and
    nesting deeper than MAX_DEPTH, are refused before anything is composed."""
    loader = loader_class(text)
    depth = 0
    try:
        while loader.check_token():
            token = loader.get_token()
            if strict and isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                sign = "&" if isinstance(token, yaml.AnchorToken) else "*"
                raise YamlProblem(f"«{sign}{token.value}»: якоря и ссылки YAML (&имя, *имя) здесь не "
                                  "поддерживаются, повторите значение полностью; если это текст, "
                                  "возьмите его в кавычки", token.start_mark)
            if isinstance(token, (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
                                  yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlProblem(f"вложенность списков и полей глубже {MAX_DEPTH} уровней; "
                                      "упростите запись", token.start_mark)
            elif isinstance(token, (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)):
                depth -= 1
    finally:
        loader.dispose()


_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _check_escapes(node: Any) -> None:
    """Double-quoted escapes can make what no file holds: a lone surrogate (no UTF-8 page or feed
    can be written with it) or a control character (no XML feed either)."""
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, ScalarNode):
            m = _BAD_CHAR.search(node.value) if node.style == '"' else None
            if m:
                raise YamlProblem(f"в кавычках записан недопустимый символ (код U+{ord(m.group()):04X}); "
                                  "уберите последовательность с обратной косой чертой \\", node.start_mark)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            for pair in node.value:
                stack.extend(pair)


def _check_expansion(root: Any) -> None:
    """The number of nodes a document expands to through its aliases (each shared node counted
    once per use, computed once per node), refused beyond CONFIG_MAX_NODES, cycles too."""
    sizes: dict[int, int] = {}
    busy: set[int] = set()

    def size(node: Any) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in busy:
            raise YamlProblem("ссылка YAML (*имя) указывает на значение, внутри которого стоит", node.start_mark)
        busy.add(key)
        children = node.value if isinstance(node, SequenceNode) else \
            [n for pair in node.value for n in pair] if isinstance(node, MappingNode) else []
        total = 1 + sum(size(child) for child in children)
        if total > CONFIG_MAX_NODES:
            raise YamlProblem(f"ссылки YAML (*имя) разворачиваются больше чем в {CONFIG_MAX_NODES} "
                              "значений; уберите их", node.start_mark)
        busy.discard(key)
        sizes[key] = total
        return total

    size(root)


# Where an anchor (&name) or alias (*name) can be: at the start of a node, after a space, a line
# break, [ { , or : (and never before a space); «Q&A», «& итоги» or «5 * 3» need no scan.
_MAY_BE_ANCHOR = re.compile(r"(?<![^\s\[{,:])[&*]\S")


def _may_nest_deeply(text: str) -> bool:
    return sum(text.count(c) for c in _NESTING_CHARS) >= MAX_DEPTH


def load_node(text: str, loader_class: type, strict: bool) -> tuple[Any, Any]:
    """The text's data and its root node (None when empty); `strict` for a content file."""
    if (strict and _MAY_BE_ANCHOR.search(text)) or _may_nest_deeply(text):
        _scan(text, loader_class, strict)
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, None
        if strict and "\\" in text:
            _check_escapes(node)
        if not strict and "*" in text:
            _check_expansion(node)
        return loader.construct_document(node), node
    finally:
        loader.dispose()
