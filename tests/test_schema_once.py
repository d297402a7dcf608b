"""Each front-matter schema is declared once (fedsite/model/schema.py): the reader and `check` validate
with it, `new-post` and `new-site` write it, and the guide's field tables are generated from it."""

from __future__ import annotations

import ast
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from conftest import PROJECT, run_check
from imagebytes import JPEG
from fedsite.cli.scaffold import GUIDE, OPTIONAL, guide_table, guide_text, guide_with_tables, new_post, new_site
from fedsite.model.diagnostics import UsageError
from fedsite.model.schema import EVENT_FIELDS, PAGE_FIELDS, POST_FIELDS, SITE_FIELDS, Field
from test_commands import cli

NOW = datetime(2026, 3, 17, 9, 15, tzinfo=ZoneInfo("Europe/Moscow"))
REGENERATE = "run `.venv/bin/python build.py guide-fields` and commit docs/guide.md"


def test_guide_field_tables_are_the_schemas() -> None:
    path, current, generated = guide_text(PROJECT)
    assert current == generated, f"{GUIDE}'s field tables differ from fedsite/model/schema.py: {REGENERATE}"


def test_guide_lists_every_field_with_its_example_and_meaning() -> None:
    for fields in (POST_FIELDS, SITE_FIELDS):
        table = guide_table(fields, ["alpha", "beta"])
        for key, field in fields.items():
            row = next(line for line in table.splitlines() if line.startswith(f"| `{key}` |"))
            assert field.meaning in row and (field.fields or f"`{key}: {field.example}`" in row), row
    post = guide_table(POST_FIELDS, ["alpha", "beta"])
    assert "`alpha`, `beta`" in post and "{projects}" not in post
    assert "| `title` | да |" in post and "| `date` | да, если даты нет в имени файла |" in post
    block = yaml.safe_load(post.split("```yaml\n")[1].split("```")[0])
    assert set(block["event"]) == set(EVENT_FIELDS)


def test_guide_regions_are_rewritten_and_a_missing_one_is_named() -> None:
    text = "# Памятка\n\n<!-- fields:site -->\nстарая таблица\n<!-- /fields:site -->\n\nтекст\n" \
           "<!-- fields:post -->\n<!-- /fields:post -->\nконец\n"
    once = guide_with_tables(text, ["p"])
    assert "старая таблица" not in once and once.endswith("<!-- /fields:post -->\nконец\n")
    assert "| `short_name` |" in once and "| `summary` |" in once and "\n\nтекст\n" in once
    assert guide_with_tables(once, ["p"]) == once
    with pytest.raises(UsageError, match="fields:post"):
        guide_with_tables(text.replace("<!-- /fields:post -->\n", ""), ["p"])


def test_guide_fields_command_rewrites_and_check_catches_drift(mini: Path) -> None:
    (mini / "docs").mkdir()
    guide = mini / GUIDE
    guide.write_text((PROJECT / GUIDE).read_text(encoding="utf-8"), encoding="utf-8")
    assert cli(mini, "guide-fields").returncode == 0
    assert "`obrazovanie`" in guide.read_text(encoding="utf-8")  # the mini federation's projects
    assert cli(mini, "guide-fields", "--check").returncode == 0
    guide.write_text(guide.read_text(encoding="utf-8").replace("| `author` | нет |", "| `author` | да |"))
    stale = cli(mini, "guide-fields", "--check")
    assert stale.returncode == 1 and "python build.py guide-fields" in stale.stderr
    line = stale.stderr.split(":")[1]
    assert guide.read_text(encoding="utf-8").splitlines()[int(line) - 1].startswith("| `author` | да |")


def switched_on(text: str) -> str:
    """A scaffolded YAML with every commented-out field switched on, as the header line tells to."""
    head, _, rest = text.partition(OPTIONAL)
    return head + re.sub(r"(?m)^# ", "", rest.split("---\n", 1)[0]) + ("---\n" + rest.split("---\n", 1)[1]
                                                                     if "---\n" in rest else "")


def test_new_post_writes_every_field_and_each_example_passes_check(mini: Path) -> None:
    path = new_post(mini, "school-1", "Семинар в школе", NOW)
    on = switched_on(path.read_text(encoding="utf-8"))
    meta = yaml.safe_load(on.split("---\n")[1])
    assert list(meta) == list(POST_FIELDS) and list(meta["event"]) == list(EVENT_FIELDS)
    assert meta["title"] == "Семинар в школе" and meta["date"] == "17.03.2026 09:15"
    for key, field in POST_FIELDS.items():  # the files the examples name, beside the post
        if field.kind == "file" and "://" not in field.example:
            (path.parent / field.example).parent.mkdir(exist_ok=True)
            (path.parent / field.example).write_bytes(JPEG if field.example.endswith(".jpg") else b"")
    path.write_text(on, encoding="utf-8")
    assert run_check(mini) == []


def test_new_site_writes_every_field_and_each_example_passes_check(mini: Path) -> None:
    folder = new_site(mini, "school-3", "district-b", "primary", "Школа: № 3")
    on = switched_on((folder / "site.yml").read_text(encoding="utf-8"))
    card = yaml.safe_load(on)
    assert sorted(card) == sorted(SITE_FIELDS) and card["name"] == "Школа: № 3" and card["kind"] == "primary"
    (folder / "assets").mkdir()
    (folder / SITE_FIELDS["image"].example).write_bytes(JPEG)
    (folder / "site.yml").write_text(on, encoding="utf-8")
    assert run_check(mini) == []


def test_a_field_added_to_the_schema_is_read_written_and_listed(mini: Path, monkeypatch) -> None:
    monkeypatch.setitem(POST_FIELDS, "venue_note", Field("text", False, "примечание о месте", "вход со двора"))
    path = new_post(mini, "school-1", "Семинар", NOW)
    assert "# venue_note: вход со двора" in path.read_text(encoding="utf-8")
    assert "| `venue_note` | нет | `venue_note: вход со двора` | примечание о месте |" in guide_table(POST_FIELDS, [])
    path.write_text(switched_on(path.read_text(encoding="utf-8")), encoding="utf-8")
    (path.parent / "../assets").mkdir(exist_ok=True)
    for name in ("foto.jpg", "lekciya.mp3"):
        (path.parent / "../assets" / name).write_bytes(JPEG if name.endswith(".jpg") else b"")
    assert run_check(mini) == []


# The expressions through which code takes a field by name: meta.get("x"), meta["x"], _text(meta, "x"),
# org.card.get("x"). A post's or page's front matter is read by its reader alone; an organization's card anywhere.
READERS = {"fedsite/read/posts.py": ("meta", POST_FIELDS), "fedsite/read/pages.py": ("meta", PAGE_FIELDS),
           "fedsite/**/*.py": ("card", SITE_FIELDS)}


def _names_read(tree: ast.AST, holder: str) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        target, key = None, None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                and node.args and isinstance(node.args[0], ast.Constant):
            target, key = node.func.value, node.args[0].value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 2 \
                and isinstance(node.args[1], ast.Constant):
            target, key = node.args[0], node.args[1].value
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            target, key = node.value, node.slice.value
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)
        if name == holder and isinstance(key, str):
            names.add(key)
    return names


@pytest.mark.parametrize("pattern", sorted(READERS))
def test_code_takes_only_declared_fields(pattern: str) -> None:
    holder, fields = READERS[pattern]
    read: dict[str, set[str]] = {}
    for path in sorted(PROJECT.glob(pattern)):
        read[path.relative_to(PROJECT).as_posix()] = _names_read(ast.parse(path.read_text(encoding="utf-8")), holder)
    assert any(read.values()), f"{pattern}: no read of {holder} found; the test no longer sees how fields are read"
    undeclared = {module: names - set(fields) for module, names in read.items() if names - set(fields)}
    assert not undeclared, f"fields read but not declared in fedsite/model/schema.py: {undeclared}"


def test_the_field_finder_sees_each_way_of_reading() -> None:
    code = 'meta.get("a")\nmeta["b"]\n_text(meta, "c")\norg.card.get("d", 1)\nother.get("e")\nkey_line(source, "f")\n'
    assert _names_read(ast.parse(code), "meta") == {"a", "b", "c"}
    assert _names_read(ast.parse(code), "card") == {"d"}
