"""Bounded inputs, what nests or repeats (see limits): lists, quotes, indented and `<… markdown>` blocks,
`[` and `](`, runs of `*`, `_`, `~`, mentions of one footnote; and the helpers both kinds of check use."""

from __future__ import annotations

import re

MAX_DEPTH = 50  # nesting levels: lists, quotes, indentation, `<… markdown>` blocks, `[`
MAX_RUN = 200  # `*`, `_` or `~` in a row
BRACKET_BUDGET = 2_000_000  # Python loop in LinkInlineProcessor: ~0.35 µs a character
MAX_FOOTNOTE_REFS = 100  # mentions of one footnote: each new one is numbered past all before it

_DEEP_PREFIX = re.compile(r"^[ \t>*+\-.)\d]{25,}", re.M)  # below 25 characters no line reaches 50
_PREFIX = re.compile(r"[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])(?=[ \t\n]|$)[ \t>]*)*")
_MARKER = re.compile(r">|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)")
_RUN = re.compile(r"\*{%d,}|_{%d,}|~{%d,}" % ((MAX_RUN + 1,) * 3))
_BRACKET_TOKENS = re.compile(r"\\[^\n]|\]\(|[\[\]()]|\n[ \t]*(?=\n)")  # an escape takes its character
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)([^<>]*)>")
_MARKDOWN_ATTR = re.compile(r"(?:^|\s)markdown(?:\s*=|\s|/|$)", re.I)
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\n]*)\]")
_MD_WORD = re.compile("markdown", re.I)
# md_in_html parses the content of these tags (or any with markdown="span") as one inline text, blank
# lines and all: there a blank line does not end what a scan may cross.
_SPAN_MD = re.compile(r"<(?:p|h[1-6]|li|td|th|dt|dd|address|legend|summary)\b[^<>]*\smarkdown\b"
                      r"|\smarkdown\s*=\s*[\"']?span", re.I)


def is_one_text(text: str) -> bool:
    """Whether blank lines may not separate inline texts (a span-level `markdown` element)."""
    return bool(_MD_WORD.search(text)) and bool(_SPAN_MD.search(text))


def line_at(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def check_nesting(text: str) -> tuple[int, str] | None:
    for m in _DEEP_PREFIX.finditer(text):
        prefix = _PREFIX.match(text, m.start()).group()
        columns = prefix.count(" ") + 4 * prefix.count("\t")
        depth = len(_MARKER.findall(prefix)) + columns // 2  # a marker is a level: "10." is one
        if depth > MAX_DEPTH:  # the first such line: where to start fixing
            line = line_at(text, m.start())
            return (line, f"слишком глубокая вложенность списков, цитат или отступов (уровней: {depth}) в строке "
                          f"{line}: можно не больше {MAX_DEPTH}; уменьшите отступы в начале строк")
    return None


def check_html_nesting(text: str) -> tuple[int, str] | None:
    if text.lower().count("markdown") <= MAX_DEPTH:
        return None
    plain: dict[str, int] = {}
    inside: dict[str, int] = {}
    depth = 0
    for m in _TAG.finditer(text):
        closing, name, attrs = m.group(1), m.group(2).lower(), m.group(3)
        if closing:
            if plain.get(name):
                plain[name] -= 1
            elif inside.get(name):
                inside[name] -= 1
                depth -= 1
        elif name in _VOID or attrs.rstrip().endswith("/"):
            continue
        elif _MARKDOWN_ATTR.search(attrs):
            inside[name] = inside.get(name, 0) + 1
            depth += 1
            if depth > MAX_DEPTH:
                line = line_at(text, m.start())
                return (line, f"слишком глубокая вложенность HTML-блоков с атрибутом markdown (больше "
                              f"{MAX_DEPTH} уровней) в строке {line}; закройте теги или упростите разметку")
        else:
            plain[name] = plain.get(name, 0) + 1
    return None


def check_brackets(text: str) -> tuple[int, str] | None:
    opens = text.count("[")
    if opens <= MAX_DEPTH and 2 * opens * len(text) <= BRACKET_BUDGET:
        return None
    work = 0
    brackets: list[int] = []  # positions of `[` not yet closed in this block
    parens: list[tuple[int, bool]] = []  # `(`, and whether it opens a link's address (`](`)
    worst = (0, 0)  # work of the costliest block, its start
    block_start = block_work = 0
    one_text = is_one_text(text)

    def end_block(end: int) -> None:
        nonlocal work, block_work, worst
        block_work += sum(end - p for p in brackets) + sum(end - p for p, link in parens if link)
        work += block_work
        if block_work > worst[0]:
            worst = (block_work, block_start)
        brackets.clear()
        parens.clear()

    for m in _BRACKET_TOKENS.finditer(text):
        token, pos = m.group(), m.start()
        if token[0] == "\\":
            continue
        if token[0] == "\n":
            if one_text:
                continue
            end_block(pos)
            block_start, block_work = m.end(), 0
            continue
        if token[0] == "[":
            brackets.append(pos)
            if len(brackets) > MAX_DEPTH:
                line = line_at(text, pos)
                return (line, f"слишком глубокая вложенность или слишком много незакрытых квадратных скобок «[» "
                              f"(больше {MAX_DEPTH}) в строке {line}; закройте скобки или уберите лишние")
        elif token[0] == "]":
            if brackets:
                block_work += pos - brackets.pop()
            if token == "](":
                parens.append((pos + 1, True))
        elif token == "(":
            parens.append((pos, False))
        elif parens:  # ")"
            p, link = parens.pop()
            if link:
                block_work += pos - p
    end_block(len(text))
    if work <= BRACKET_BUDGET:
        return None
    line = line_at(text, worst[1])
    where = "в тексте тегов с атрибутом markdown" if one_text else f"в абзаце со строки {line}"
    return (line, f"слишком много незакрытых квадратных скобок «[» или «](» без «)» {where}: "
                  "разбор ссылок занял бы слишком много времени; закройте скобки или уберите лишние")


def check_runs(text: str) -> tuple[int, str] | None:
    if not any(c * (MAX_RUN + 1) in text for c in "*_~"):  # substring search: fast
        return None
    m = _RUN.search(text)
    line = line_at(text, m.start())
    return (line, f"слишком длинная цепочка символов «{m.group()[0]}» ({len(m.group())} подряд) в строке "
                  f"{line}: можно не больше {MAX_RUN}; уберите лишние")


def check_footnotes(text: str) -> tuple[int, str] | None:
    if text.count("[^") <= MAX_FOOTNOTE_REFS:
        return None
    seen: dict[str, int] = {}
    for m in _FOOTNOTE_REF.finditer(text):  # references and definitions alike: both are numbered
        seen[m.group(1)] = seen.get(m.group(1), 0) + 1
        if seen[m.group(1)] > MAX_FOOTNOTE_REFS:
            line = line_at(text, m.start())
            return (line, f"сноска [^{m.group(1)[:40]}] упомянута больше {MAX_FOOTNOTE_REFS} раз (строка {line}): "
                          "разбор занял бы слишком много времени; уберите лишние")
    return None

