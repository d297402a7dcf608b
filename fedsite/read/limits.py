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
let through what takes minutes). The file's size is bounded where it is read (source.MAX_DOCUMENT).

The checks live in depthlimits (nesting, brackets, runs, footnotes) and scanlimits (block parts,
inline markup, tags, braces, the count of blocks); the limits themselves beside them.
"""

from __future__ import annotations

from fedsite.read.depthlimits import check_brackets, check_footnotes, check_html_nesting, check_nesting, check_runs
from fedsite.read.scanlimits import check_blocks, check_braces, check_tags


def check_markdown(text: str) -> list[tuple[int, str]]:
    """(line, message) of everything in a document's text that a renderer could not afford; [] if
    none. Linear in the text: a cheap bound first, the exact count only when the bound is exceeded."""
    problems: list[tuple[int, str]] = []
    for check in (check_nesting, check_html_nesting, check_brackets, check_runs, check_blocks, check_tags,
                  check_braces, check_footnotes):
        found = check(text)
        if found:
            problems.append(found)
    return problems
