"""Bounded inputs (SPEC §11, issue 20): what a Markdown document may ask of the renderer.

Python-Markdown and its extensions are recursive and, on some inputs, quadratic: 16,000 nested
`[` took 42 s, 2,000 nested list levels a RecursionError after 48 s and 1.5 GB. `check_markdown`
looks at a document's text in linear time, before anything renders it, and names in Russian the
`path:line` of what a renderer could not afford; such a document is reported and not rendered.

What was measured (Markdown 3.11, pymdownx 13.1, the extensions of mkdocs.yml; see tests):
- nesting (lists, quotes, indented blocks, admonitions, `<div markdown>`): recursion per level,
  a RecursionError from about 250 levels; the limit is 50 as counted here (markers, and two
  columns of indentation per level: Python-Markdown nests list items indented by two spaces);
- `[` (links, images, footnotes) and `](`: each scans to its closing bracket or the paragraph's end;
- raw HTML: Python's html.parser scans each `<tag` to its `>`, across the whole document;
- lines that end a block part (headings, rules, fences, `[x]: url`, `!!!`, HTML): each such line
  makes every block processor look at the rest of its block again;
- `{` on a heading (attr_list): each scans to its line's end;
- runs of `*`, `_`, `~`: recursion per pair, a RecursionError from about 2,000;
- inline markup in one paragraph (emphasis, code, entities, escapes, line breaks): each element found
  rebuilds the rest of the paragraph's text (`*a* ` 100,000 times in one paragraph: 93 s);
- paragraphs and list items: linear, but 50-100 µs each (a cap of 20,000).
Each cost is counted in characters a parser steps over and bounded by a budget of about a second;
every count is a bound from above (a check may refuse what would have rendered in two seconds, never
let through what takes minutes). The file's size is bounded where it is read (content.MAX_DOCUMENT).
"""

from __future__ import annotations

import re

MAX_DEPTH = 50  # nesting levels: lists, quotes, indentation, `<… markdown>` blocks, `[`
MAX_RUN = 200  # `*`, `_` or `~` in a row
MAX_ELEMENTS = 20_000  # paragraphs, list items and other blocks (~50-100 µs each)
# Characters a parser may step over, per kind of scan (about a second each at worst).
BRACKET_BUDGET = 2_000_000  # Python loop in LinkInlineProcessor: ~0.35 µs a character
PEEL_BUDGET = 10_000_000  # block processors looking at the rest of a block: ~0.05-0.13 µs
TAG_BUDGET = 5_000_000  # html.parser's start-tag regex: ~0.1 µs
BRACE_BUDGET = 50_000_000  # attr_list's heading regex: ~0.015 µs
# Inline markup in one text (paragraph): each element found rebuilds the rest of the text: ~1-2 ns per
# character per element ("*a* " * 100_000 in one paragraph: 93 s).
INLINE_BUDGET = 1_000_000_000
TILDE_BUDGET = 1_500_000  # runs of 3+ `~` (pymdownx.tilde): ~0.6 µs a run and character of its paragraph
BACKTICK_BUDGET = 20_000_000  # a backtick run looks for its pair to the paragraph's end: ~40 ns
MAX_FOOTNOTE_REFS = 100  # mentions of one footnote: each new one is numbered past all before it

_DEEP_PREFIX = re.compile(r"^[ \t>*+\-.)\d]{25,}", re.M)  # below 25 characters no line reaches 50
_PREFIX = re.compile(r"[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])(?=[ \t\n]|$)[ \t>]*)*")
_MARKER = re.compile(r">|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)")
_RUN = re.compile(r"\*{%d,}|_{%d,}|~{%d,}" % ((MAX_RUN + 1,) * 3))
_BLANK = re.compile(r"\n(?:[ \t]*\n)+")
_ITEM = re.compile(r"^[ \t>]*(?:[-*+]|\d{1,9}[.)])[ \t]", re.M)
_INLINE = re.compile(r"[*_`\[<&\\~]|  \n")
_BRACKET_TOKENS = re.compile(r"\\[^\n]|\]\(|[\[\]()]|\n[ \t]*(?=\n)")  # an escape takes its character
_PEEL = re.compile(r"^[ \t>]*(?:#|[=\-]+[ \t]*$|(?:-[ \t]*){3,}$|(?:\*[ \t]*){3,}$|(?:_[ \t]*){3,}$|!!!|\?\?\?|///|"
                   r"\[|```|~~~|<)", re.M)
_TAG_START = re.compile(r"<[a-zA-Z]")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)([^<>]*)>")
_MARKDOWN_ATTR = re.compile(r"(?:^|\s)markdown(?:\s*=|\s|/|$)", re.I)
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_BRACE_TOKENS = re.compile(r"[{}\n]")
_TILDES = re.compile(r"~{3,}")
_BACKTICKS = re.compile(r"`+")
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\n]*)\]")
_BUDGETS = {"peel": (_PEEL, PEEL_BUDGET), "inline": (_INLINE, INLINE_BUDGET), "tilde": (_TILDES, TILDE_BUDGET),
            "backtick": (_BACKTICKS, BACKTICK_BUDGET)}
_MD_WORD = re.compile("markdown", re.I)
# md_in_html parses the content of these tags (or any with markdown="span") as one inline text, blank
# lines and all: there a blank line does not end what a scan may cross.
_SPAN_MD = re.compile(r"<(?:p|h[1-6]|li|td|th|dt|dd|address|legend|summary)\b[^<>]*\smarkdown\b"
                      r"|\smarkdown\s*=\s*[\"']?span", re.I)


def _start_tag_end():
    """The regex html.parser uses to find where a start tag ends (the quadratic scan itself)."""
    import html.parser

    return getattr(html.parser, "locatestarttagend_tolerant", None) or re.compile(r"<[a-zA-Z][^>]*")


def _one_text(text: str) -> bool:
    """Whether blank lines may not separate inline texts (a span-level `markdown` element)."""
    return bool(_MD_WORD.search(text)) and bool(_SPAN_MD.search(text))


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def check_markdown(text: str) -> list[tuple[int, str]]:
    """(line, message) of everything in a document's text that a renderer could not afford; [] if
    none. Linear in the text: a cheap bound first, the exact count only when the bound is exceeded."""
    problems: list[tuple[int, str]] = []
    for check in (_nesting, _html_nesting, _brackets, _runs, _blocks, _tags, _braces, _footnotes):
        found = check(text)
        if found:
            problems.append(found)
    return problems


def _nesting(text: str) -> tuple[int, str] | None:
    for m in _DEEP_PREFIX.finditer(text):
        prefix = _PREFIX.match(text, m.start()).group()
        columns = prefix.count(" ") + 4 * prefix.count("\t")
        depth = len(_MARKER.findall(prefix)) + columns // 2  # a marker is a level: "10." is one
        if depth > MAX_DEPTH:  # the first such line: where to start fixing
            line = _line(text, m.start())
            return (line, f"слишком глубокая вложенность списков, цитат или отступов (уровней: {depth}) в строке "
                          f"{line}: можно не больше {MAX_DEPTH}; уменьшите отступы в начале строк")
    return None


def _html_nesting(text: str) -> tuple[int, str] | None:
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
                line = _line(text, m.start())
                return (line, f"слишком глубокая вложенность HTML-блоков с атрибутом markdown (больше "
                              f"{MAX_DEPTH} уровней) в строке {line}; закройте теги или упростите разметку")
        else:
            plain[name] = plain.get(name, 0) + 1
    return None


def _brackets(text: str) -> tuple[int, str] | None:
    opens = text.count("[")
    if opens <= MAX_DEPTH and 2 * opens * len(text) <= BRACKET_BUDGET:
        return None
    work = 0
    brackets: list[int] = []  # positions of `[` not yet closed in this block
    parens: list[tuple[int, bool]] = []  # `(`, and whether it opens a link's address (`](`)
    worst = (0, 0)  # work of the costliest block, its start
    block_start = block_work = 0
    one_text = _one_text(text)

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
                line = _line(text, pos)
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
    line = _line(text, worst[1])
    where = "в тексте тегов с атрибутом markdown" if one_text else f"в абзаце со строки {line}"
    return (line, f"слишком много незакрытых квадратных скобок «[» или «](» без «)» {where}: "
                  "разбор ссылок занял бы слишком много времени; закройте скобки или уберите лишние")


def _runs(text: str) -> tuple[int, str] | None:
    if not any(c * (MAX_RUN + 1) in text for c in "*_~"):  # substring search: fast
        return None
    m = _RUN.search(text)
    line = _line(text, m.start())
    return (line, f"слишком длинная цепочка символов «{m.group()[0]}» ({len(m.group())} подряд) в строке "
                  f"{line}: можно не больше {MAX_RUN}; уберите лишние")


_BLOCK_MESSAGES = {
    "peel": "слишком много заголовков, линий, HTML-тегов или определений ссылок в блоке без пустых строк "
            "(со строки {line}): разбор занял бы слишком много времени; разделите их пустыми строками",
    "inline": "слишком длинный абзац с разметкой (со строки {line}): выделений, ссылок, кода и других знаков "
              "разметки так много, что разбор занял бы слишком много времени; разбейте его на абзацы "
              "пустыми строками (длинную таблицу — на несколько таблиц, каждую со своей строкой заголовка)",
    "tilde": "слишком много «~~~» (три тильды и больше подряд) в абзаце со строки {line}: разбор занял бы "
             "слишком много времени; уберите лишние тильды",
    "backtick": "слишком много обратных кавычек «`» без пары в абзаце со строки {line}: разбор занял бы "
                "слишком много времени; закройте код такими же кавычками или уберите лишние",
}
_ONE_TEXT_NOTE = " (внутри тегов с атрибутом markdown, как <p markdown>, пустые строки абзацы не разделяют)"


def _blocks(text: str) -> tuple[int, str] | None:
    lines = text.count("\n") + 1  # bounds, by fast counts, what the regexes below would count
    if lines > MAX_ELEMENTS:
        elements = len(_BLANK.findall(text)) + 1 + len(_ITEM.findall(text))
        if elements > MAX_ELEMENTS:
            return (1, f"слишком много абзацев, пунктов списков и других блоков ({elements}): можно не больше "
                       f"{MAX_ELEMENTS}; разделите документ на несколько")
    bounds = {"peel": lines, "inline": sum(text.count(c) for c in "*_`[<&\\~") + text.count("  \n"),
              "tilde": text.count("~~~"), "backtick": text.count("`")}
    kinds = [k for k, bound in bounds.items() if bound * len(text) > _BUDGETS[k][1]]
    if not kinds:
        return None
    one_text = _one_text(text)
    work = dict.fromkeys(kinds, 0.0)
    worst: tuple[float, int, str] = (0.0, 0, "")
    if one_text:  # the inline scans may cross blank lines: for them the whole text is one
        for kind in kinds:
            if kind != "peel":
                work[kind] = len(_BUDGETS[kind][0].findall(text)) * len(text) / _BUDGETS[kind][1]
                worst = max(worst, (work[kind], 0, kind))
    start = 0
    for m in _BLANK.finditer(text + "\n\n"):
        part = text[start:m.start()]
        for kind in kinds:
            if kind == "peel" or not one_text:
                share = len(_BUDGETS[kind][0].findall(part)) * len(part) / _BUDGETS[kind][1]
                work[kind] += share
                worst = max(worst, (share, -start, kind))
        start = m.end()
    if all(w <= 1 for w in work.values()):
        return None
    line = _line(text, min(-worst[1], len(text)))
    note = _ONE_TEXT_NOTE if one_text and worst[2] != "peel" else ""
    return (line, _BLOCK_MESSAGES[worst[2]].format(line=line) + note)


def _tags(text: str) -> tuple[int, str] | None:
    starts = len(_TAG_START.findall(text))
    if starts * len(text) <= TAG_BUDGET:
        return None
    # Without a quote before the next `>`, html.parser's scan of a start tag ends at that `>` (names
    # and bare values stop there): that distance is its cost. With one, its regex is asked.
    scan = _start_tag_end()
    closers = [m.start() for m in re.finditer(">", text)]
    quotes = [m.start() for m in re.finditer("[\"']", text)]
    work = ci = qi = 0
    for m in _TAG_START.finditer(text):
        pos = m.start()
        while ci < len(closers) and closers[ci] < pos:
            ci += 1
        while qi < len(quotes) and quotes[qi] < pos:
            qi += 1
        stop = closers[ci] if ci < len(closers) else len(text)
        if qi < len(quotes) and quotes[qi] < stop:
            found = scan.match(text, pos)
            stop = found.end() if found else stop
        work += stop - pos
        if work > TAG_BUDGET:
            line = _line(text, pos)
            return (line, f"слишком много незакрытых HTML-тегов («<» без «>») к строке {line}: разбор занял бы "
                          "слишком много времени; закройте теги или замените «<» на «&lt;»")
    return None


def _braces(text: str) -> tuple[int, str] | None:
    opens = text.count("{")
    if opens * len(text) <= BRACE_BUDGET:
        return None
    work, stop = 0, len(text)
    worst = (0, 0)
    for m in reversed(list(_BRACE_TOKENS.finditer(text))):
        c, pos = m.group(), m.start()
        if c == "{":
            work += stop - pos
            if stop - pos > worst[0]:
                worst = (stop - pos, pos)
        else:
            stop = pos
    if work <= BRACE_BUDGET:
        return None
    line = _line(text, worst[1])
    return (line, f"слишком много незакрытых фигурных скобок «{{» в строке {line}: разбор занял бы слишком "
                  "много времени; закройте скобки или уберите лишние")


def _footnotes(text: str) -> tuple[int, str] | None:
    if text.count("[^") <= MAX_FOOTNOTE_REFS:
        return None
    seen: dict[str, int] = {}
    for m in _FOOTNOTE_REF.finditer(text):  # references and definitions alike: both are numbered
        seen[m.group(1)] = seen.get(m.group(1), 0) + 1
        if seen[m.group(1)] > MAX_FOOTNOTE_REFS:
            line = _line(text, m.start())
            return (line, f"сноска [^{m.group(1)[:40]}] упомянута больше {MAX_FOOTNOTE_REFS} раз (строка {line}): "
                          "разбор занял бы слишком много времени; уберите лишние")
    return None

