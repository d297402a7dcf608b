"""Bounded inputs, what a parser scans again and again (see limits): the rest of a block after each
heading, rule or tag line, inline markup, `~~~` and backtick runs in a paragraph, HTML start tags,
`{` on headings, and the number of blocks."""

from __future__ import annotations

import re

from fedsite.read.depthlimits import is_one_text, line_at

MAX_ELEMENTS = 20_000  # paragraphs, list items and other blocks (~50-100 µs each)
# Characters a parser may step over, per kind of scan (about a second each at worst).
PEEL_BUDGET = 10_000_000  # block processors looking at the rest of a block: ~0.05-0.13 µs
TAG_BUDGET = 5_000_000  # html.parser's start-tag regex: ~0.1 µs
BRACE_BUDGET = 50_000_000  # attr_list's heading regex: ~0.015 µs
# Inline markup in one text (paragraph): each element found rebuilds the rest of the text: ~1-2 ns per
# character per element ("*a* " * 100_000 in one paragraph: 93 s).
INLINE_BUDGET = 1_000_000_000
TILDE_BUDGET = 1_500_000  # runs of 3+ `~` (pymdownx.tilde): ~0.6 µs a run and character of its paragraph
BACKTICK_BUDGET = 20_000_000  # a backtick run looks for its pair to the paragraph's end: ~40 ns

_BLANK = re.compile(r"\n(?:[ \t]*\n)+")
_ITEM = re.compile(r"^[ \t>]*(?:[-*+]|\d{1,9}[.)])[ \t]", re.M)
_INLINE = re.compile(r"[*_`\[<&\\~]|  \n")
_PEEL = re.compile(r"^[ \t>]*(?:#|[=\-]+[ \t]*$|(?:-[ \t]*){3,}$|(?:\*[ \t]*){3,}$|(?:_[ \t]*){3,}$|!!!|\?\?\?|///|"
                   r"\[|```|~~~|<)", re.M)
_TAG_START = re.compile(r"<[a-zA-Z]")
_BRACE_TOKENS = re.compile(r"[{}\n]")
_TILDES = re.compile(r"~{3,}")
_BACKTICKS = re.compile(r"`+")
_BUDGETS = {"peel": (_PEEL, PEEL_BUDGET), "inline": (_INLINE, INLINE_BUDGET), "tilde": (_TILDES, TILDE_BUDGET),
            "backtick": (_BACKTICKS, BACKTICK_BUDGET)}


def _start_tag_end():
    """The regex html.parser uses to find where a start tag ends (the quadratic scan itself)."""
    import html.parser

    return getattr(html.parser, "locatestarttagend_tolerant", None) or re.compile(r"<[a-zA-Z][^>]*")


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


def check_blocks(text: str) -> tuple[int, str] | None:
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
    one_text = is_one_text(text)
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
    line = line_at(text, min(-worst[1], len(text)))
    note = _ONE_TEXT_NOTE if one_text and worst[2] != "peel" else ""
    return (line, _BLOCK_MESSAGES[worst[2]].format(line=line) + note)


def check_tags(text: str) -> tuple[int, str] | None:
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
            line = line_at(text, pos)
            return (line, f"слишком много незакрытых HTML-тегов («<» без «>») к строке {line}: разбор занял бы "
                          "слишком много времени; закройте теги или замените «<» на «&lt;»")
    return None


def check_braces(text: str) -> tuple[int, str] | None:
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
    line = line_at(text, worst[1])
    return (line, f"слишком много незакрытых фигурных скобок «{{» в строке {line}: разбор занял бы слишком "
                  "много времени; закройте скобки или уберите лишние")
