"""The MkDocs engine: parts of the page drawn once per folder, Material's translations, and the theme
edited between builds of one process."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import jinja2
import material
import pytest

from fedsite.engine import templating as engine
from fedsite.build.pipeline import BuildOptions, build
from fedsite.model.diagnostics import Diagnostics

from test_output import snapshot


def build_into(repo: Path, out: Path) -> dict[str, str]:
    diags = Diagnostics(repo)
    assert build(repo, out, diags, BuildOptions(cache=None)), [str(p) for p in diags.sorted()]
    return snapshot(out)


def test_parts_drawn_once_per_folder_are_those_each_page_draws_alone(mini: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Posts, tag and archive pages live in different folders (relative links differ), each page
    has its own title in the header, and the menu's own pages show themselves active: every page
    must read as if drawn on its own."""
    posts = mini / "sites/region/district-a/school-1/posts"
    (posts / "2024-05-02-razmetka.md").write_text(
        "---\ntitle: 'Заголовок <b>\"с\" разметкой</b> & амперсандом'\n---\nТекст.\n", encoding="utf-8")
    drawn: list[tuple[str, str | None]] = []
    real = engine.fragment

    @jinja2.pass_context
    def counting(context, name, render, **options):
        drawn.append((name, context["fed"].get("fragment_folder")))
        return real(context, name, render, **options)

    monkeypatch.setattr(engine, "_THEMES", {})
    monkeypatch.setattr(engine, "fragment", counting)
    once = build_into(mini, tmp_path / "once")
    folders = {folder for _, folder in drawn if folder is not None}
    assert {"posts", "posts/tags", "posts/archive"} <= folders  # shared where pages are not in the menu
    assert any(folder is None for _, folder in drawn)  # the menu's pages drawn each on its own

    monkeypatch.setattr(engine, "_THEMES", {})
    monkeypatch.setattr(engine, "fragment", jinja2.pass_context(lambda context, name, render, **_: render()))
    assert once == build_into(mini, tmp_path / "each")


def test_theme_settings_edited_between_builds_of_one_process_are_seen(mini: Path, tmp_path: Path) -> None:
    """`serve` builds again in the same process after mkdocs.yml is edited."""
    page = "district-a/school-1/posts/uroki.html"
    build_into(mini, tmp_path / "before")
    assert 'class="md-tabs"' not in (tmp_path / "before" / page).read_text()
    config = mini / "mkdocs.yml"
    tabs = "  font: false\n  features: [navigation.tabs]\n"
    config.write_text(config.read_text().replace("  font: false\n", tabs))
    build_into(mini, tmp_path / "after")
    assert 'class="md-tabs"' in (tmp_path / "after" / page).read_text()


def test_a_theme_folder_of_another_name_edited_between_builds_is_seen(mini: Path) -> None:
    """mkdocs.yml may name another custom_dir than theme/: its edits count as theme/'s do."""
    (mini / "theme").rename(mini / "overrides")
    config = mini / "mkdocs.yml"
    config.write_text(config.read_text().replace("custom_dir: theme", "custom_dir: overrides"))
    options = BuildOptions(cache=mini / ".cache")
    assert build(mini, mini / "public", Diagnostics(mini), options)
    post_template = mini / "overrides/post.html"
    post_template.write_text(post_template.read_text().replace("{% block fed_content %}",
                                                               "{% block fed_content %}<p>Новая рамка</p>", 1))
    assert build(mini, mini / "public", Diagnostics(mini), options)
    assert "Новая рамка" in (mini / "public/district-a/school-1/posts/uroki.html").read_text()


@pytest.mark.parametrize("language", ["ru", "en", "de"])
def test_translations_are_materials_own(language: str) -> None:
    """Every word Material's language files know, and one they do not, as Material's macro gives it."""
    templates = Path(material.__file__).parent / "templates"
    config = SimpleNamespace(theme={"language": language})
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)))
    materials = env.get_template("partials/language.html", globals={"config": config}).module
    env.globals["fed_translate"] = engine.translator(env)
    ours = env.from_string("{{ fed_translate(key) }}", globals={"config": config})
    english = (templates / "partials/languages/en.html").read_text(encoding="utf-8")
    keys = set(re.findall(r'^  "([a-z.]+)":', english, re.M)) | {"no.such.word"}
    assert len(keys) > 40
    for key in sorted(keys):
        assert ours.render(key=key) == str(materials.t(key)), key
