"""The MkDocs engine: parts of the page drawn once per folder, and theme settings edited between builds."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from fedsite import engine
from fedsite.builder import BuildOptions, build
from fedsite.diagnostics import Diagnostics

from test_output import snapshot


def build_into(repo: Path, out: Path) -> dict[str, str]:
    diags = Diagnostics(repo)
    assert build(repo, out, diags, BuildOptions(cache=None)), [str(p) for p in diags.sorted()]
    return snapshot(out)


def test_menu_tabs_and_footer_drawn_once_per_folder_are_those_of_each_page(mini: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Posts, tag and archive pages live in different folders (relative links differ) and the
    menu's own pages show themselves active: every page must read as if drawn on its own."""
    drawn: list[tuple[str, str | None]] = []
    real = engine.fragment

    @jinja2.pass_context
    def counting(context, name, render):
        drawn.append((name, context["fed"].get("fragment_folder")))
        return real(context, name, render)

    monkeypatch.setattr(engine, "_THEMES", {})
    monkeypatch.setattr(engine, "fragment", counting)
    once = build_into(mini, tmp_path / "once")
    folders = {folder for _, folder in drawn if folder is not None}
    assert {"posts", "posts/tags", "posts/archive"} <= folders  # shared where pages are not in the menu
    assert any(folder is None for _, folder in drawn)  # the menu's pages drawn each on its own

    monkeypatch.setattr(engine, "_THEMES", {})
    monkeypatch.setattr(engine, "fragment", jinja2.pass_context(lambda context, name, render: render()))
    assert once == build_into(mini, tmp_path / "each")


def test_theme_settings_edited_between_builds_of_one_process_are_seen(mini: Path, tmp_path: Path) -> None:
    """`serve` builds again in the same process after mkdocs.yml is edited."""
    page = "district-a/school-1/posts/uroki.html"
    build_into(mini, tmp_path / "before")
    assert 'class="md-tabs"' not in (tmp_path / "before" / page).read_text()
    config = mini / "mkdocs.yml"
    config.write_text(config.read_text().replace("  font: false\n", "  font: false\n  features: [navigation.tabs]\n"))
    build_into(mini, tmp_path / "after")
    assert 'class="md-tabs"' in (tmp_path / "after" / page).read_text()
