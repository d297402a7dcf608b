"""Markdown that renders, but not as the writer meant (issue 18): a link or picture whose `(` is never
closed shows its raw brackets to readers, a picture without a description is silent to a screen
reader, a skipped heading level breaks the outline screen readers navigate by.

Each finding is a `path:line` problem in Russian with the fix. One pass over the text, linear in its
length; code (fenced, indented, inline) and HTML comments are left alone, as Markdown leaves them."""

from __future__ import annotations

import re
from bisect import bisect_right

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_FRONT_MATTER = re.compile(r"^---[ \t]*\n(?:.*?\n)?---[ \t]*(?:\n|$)", re.S)
_HEADING = re.compile(r" {0,3}(#{1,6})(?=[ \t]|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]")
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_NO_ALT = re.compile(r"!\[[ \t]*\](?=[(\[])")
_IMG_TAG = re.compile(r"<img\b[^<>]*>", re.I)
_ALT_ATTR = re.compile(r"\salt\s*=", re.I)
_SPACED_LINK = re.compile(r"\[[^\[\]\n]+\][ \t]+\((?=https?://|\.{0,2}/|[^()\s]+\.(?:md|pdf|docx?|xlsx?|jpe?g|png)\))")
NO_ALT = ("у картинки нет описания: напишите в квадратных скобках, что на ней, например "
          "![Участники семинара в актовом зале](…); его прочтут незрячим читателям и покажут, если картинка "
          "не загрузится")


def lint_markdown(text: str) -> list[tuple[int, str]]:
    """(line, message) of every link, picture and heading that will not render as meant; lines are the
    file's (a front matter block at the top is skipped)."""
    m = _FRONT_MATTER.match(text)
    first = text[: m.end()].count("\n") + 1 if m else 1
    lines = (text[m.end():] if m else text).split("\n")
    problems: list[tuple[int, str]] = []
    block: list[tuple[int, str]] = []
    headings: list[tuple[int, int, str]] = []  # (line, level, text)
    fence = ""
    previous_list = False
    for i, line in enumerate(lines, first):
        opened = _FENCE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = ""
            continue
        if opened:
            previous_list = _flush(block, problems, previous_list)
            fence = opened.group(1)
            continue
        if not line.strip():
            previous_list = _flush(block, problems, previous_list)
            continue
        heading = _HEADING.match(line)
        if heading:
            previous_list = _flush(block, problems, previous_list)
            title = heading_text(line[heading.end():])
            headings.append((i, len(heading.group(1)), title))
            block = [(i, title)]  # its text may hold links too
            previous_list = _flush(block, problems, previous_list)
            continue
        setext = _SETEXT.match(line)
        if setext and block and not _LIST_ITEM.match(block[0][1]) and not _indented(block[0][1]):
            level = 1 if setext.group(1)[0] == "=" else 2
            headings.append((block[0][0], level, " ".join(t.strip() for _, t in block)))
            previous_list = _flush(block, problems, previous_list)
            continue
        block.append((i, line))
    _flush(block, problems, previous_list)
    problems += _skipped_levels(headings)
    return sorted(problems)


def heading_text(rest: str) -> str:
    """An ATX heading's text: without its closing run of # (one that follows a space)."""
    text = rest.strip()
    bare = text.rstrip("#")
    return bare.rstrip() if bare != text and (not bare or bare[-1] in " \t") else text


def _indented(line: str) -> bool:
    return line.startswith(("    ", "\t"))


def _flush(block: list[tuple[int, str]], problems: list[tuple[int, str]], previous_list: bool) -> bool:
    """Check one block (a paragraph, a list's run of lines) and empty it; whether it was a list."""
    if not block:
        return previous_list
    is_list = bool(_LIST_ITEM.match(block[0][1]))
    indented = _indented(block[0][1])
    if not indented or previous_list or is_list:  # an indented block after a list continues it; else code
        problems += _check_block(block)
    block.clear()
    return is_list or (previous_list and indented)


def _check_block(block: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Links and pictures of one block: unclosed `(`, a space between `]` and `(`, no description."""
    starts = [line for line, _ in block]
    text = "\n".join(t for _, t in block)
    text = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), _COMMENT.sub(lambda m: " " * len(m.group(0)), text))
    offsets = [0]
    for _, t in block:
        offsets.append(offsets[-1] + len(t) + 1)

    def line_of(pos: int) -> int:
        return starts[bisect_right(offsets, pos) - 1]

    out = []
    for m in _NO_ALT.finditer(text):
        out.append((line_of(m.start()), NO_ALT))
    for m in _IMG_TAG.finditer(text):
        if not _ALT_ATTR.search(m.group(0)):
            out.append((line_of(m.start()), "у картинки <img> нет описания: добавьте alt=\"что на ней\" "
                                            "(незрячим читателям его прочтут вслух)"))
    for m in _SPACED_LINK.finditer(text):
        out.append((line_of(m.start()), "между «]» и «(» пробел, и ссылка не получится: читатели увидят "
                                        "скобки; уберите пробел, чтобы было [текст](адрес)"))
    for start, paren in _unclosed(text):
        label = text[start:paren]
        label = label if len(label) <= 30 else label[:25].rstrip() + "…"
        shown = (label + text[paren: paren + 60]).split("\n", 1)[0]
        out.append((line_of(paren), f"ссылка или картинка не закрыта: «{shown}» — нет «)» после адреса, и "
                                    "читатели увидят скобки и адрес вместо ссылки; допишите «)» сразу после "
                                    "адреса"))
    for start in _unclosed_squares(text):
        rest = text[start:].split("\n", 1)[0]
        shown = rest if len(rest) <= 60 else rest[:55].rstrip() + "…"
        out.append((line_of(start), f"квадратная скобка не закрыта: «{shown}» — нет «]» после текста ссылки, "
                                    "и читатели увидят скобки и адрес вместо ссылки; напишите "
                                    "[текст ссылки](адрес)"))
    return sorted(out)


_BRACKETS = re.compile(r"\\.|[\[\]()]", re.S)  # an escaped character, or a bracket or parenthesis


def _unclosed(text: str) -> list[tuple[int, int]]:
    """Where a `[…](` starts, and its `](`, whose `(` is not closed within its block (one pass over its
    brackets only: a loop over every character was 12 s of a cold build at 200 sites)."""
    if "](" not in text:
        return []
    depth, start, paren, opening, after = 0, -1, -1, -1, 0
    for m in _BRACKETS.finditer(text):
        i, c = m.start(), m.group()
        if i < after or c[0] == "\\":
            continue
        if depth:
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
        elif c == "[":
            opening = i - 1 if i and text[i - 1] == "!" else i
        elif c == "]" and text.startswith("(", i + 1) and opening >= 0:
            depth, start, paren, after = 1, opening, i, i + 2
    return [(start, paren)] if depth else []


_LINK_TARGET = re.compile(r"\((?:https?://|\.{0,2}/|[^()\s\[\]]+\.(?:md|pdf|docx?|xlsx?|jpe?g|png)\))")


def _unclosed_squares(text: str) -> list[int]:
    """Where a `[` opens that no `]` closes, with a link's address after it in its block: a link whose
    text lost its `]` («[Положение(../assets/p.pdf)»). An unmatched `[` in prose without an address
    after it is left alone: Markdown shows it as written, as the writer meant."""
    if "[" not in text:
        return []
    opened: list[int] = []
    for m in _BRACKETS.finditer(text):
        c = m.group()
        if c == "[":
            opened.append(m.start() - 1 if m.start() and text[m.start() - 1] == "!" else m.start())
        elif c == "]" and opened:
            opened.pop()
    if not opened:
        return []
    last_target = max((m.start() for m in _LINK_TARGET.finditer(text, opened[0])), default=-1)
    return [i for i in opened if i < last_target][:1]


def _skipped_levels(headings: list[tuple[int, int, str]]) -> list[tuple[int, str]]:
    """A heading more than one level below the one before it (## then ####)."""
    out = []
    for (_, before, _), (line, level, title) in zip(headings, headings[1:]):
        if level > before + 1:
            fixed = "#" * (before + 1)
            out.append((line, f"заголовок «{'#' * level} {title}» (уровень {level}) идёт после заголовка уровня "
                              f"{before}: уровень {before + 1} пропущен, и программы чтения с экрана собьются; "
                              f"напишите «{fixed} {title}» или добавьте заголовок уровня {before + 1} выше"))
    return out
