"""Incremental, cached and sharded builds give exactly the output of one full build."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from fedsite.engine import site as engine
from fedsite.build.pipeline import BuildOptions, build
from fedsite.model.diagnostics import Diagnostics

from test_commands import cli
from test_output import snapshot

SCHOOL = "sites/region/district-a/school-1"


def full_build(repo: Path, out: Path) -> dict[str, str]:
    assert build(repo, out, Diagnostics(repo), BuildOptions(cache=None))
    return snapshot(out)


def cached(repo: Path, out: Path, **options: object):
    diags = Diagnostics(repo)
    result = build(repo, out, diags, BuildOptions(cache=repo / ".cache", **options))
    assert result, [str(p) for p in diags.sorted()]
    return result


def reused_pages(monkeypatch: pytest.MonkeyPatch) -> dict[str, set[str]]:
    """Filled by the next builds: per site MkDocs built, the pages it took from the last output."""
    reused: dict[str, set[str]] = {}
    real = engine.build_site

    def recording(plan, base_config, engine_key, site_dir, bytecode_dir, pages):
        reused[plan.org] = set(pages)
        return real(plan, base_config, engine_key, site_dir, bytecode_dir, pages)

    monkeypatch.setattr(engine, "build_site", recording)
    return reused


def test_second_build_reuses_every_site(mini: Path) -> None:
    first = cached(mini, mini / "public")
    second = cached(mini, mini / "public")
    assert first.reused == 0 and second.reused == second.sites == 5


def test_one_new_post_rebuilds_its_site_and_ancestors_only(mini: Path, tmp_path: Path) -> None:
    cached(mini, mini / "public")
    (mini / SCHOOL / "posts/2025-02-01-novost.md").write_text("---\ntitle: Свежая новость\n---\nТекст\n")
    result = cached(mini, mini / "public")
    # school-1, district-a and the region show it; school-2 and district-b are untouched.
    assert result.sites - result.reused == 3
    assert snapshot(mini / "public") == full_build(mini, tmp_path / "full")


def test_a_new_post_renders_again_only_the_pages_that_show_it(mini: Path, tmp_path: Path, monkeypatch) -> None:
    cached(mini, mini / "public")
    reused = reused_pages(monkeypatch)
    (mini / SCHOOL / "posts/2025-02-01-novost.md").write_text("---\ntitle: Свежая новость\n---\nТекст\n")
    cached(mini, mini / "public")
    assert set(reused) == {"school-1", "district-a", "region"}
    # The older posts show nothing that changed; the newest one before it now links to the new post.
    assert {"posts/uroki.html", "posts/leto.html", "pages/about.html"} <= reused["school-1"]
    assert not {"posts/novost.html", "posts/yanvar.html", "posts/index.html", "index.html"} & reused["school-1"]
    assert "index.html" not in reused["region"] and "posts/lekciya.html" in reused["region"]
    assert snapshot(mini / "public") == full_build(mini, tmp_path / "full")


def test_a_reused_page_is_written_byte_for_byte(mini: Path, tmp_path: Path) -> None:
    (mini / SCHOOL / "posts/2025-01-15-vozvrat.md").write_text('---\ntitle: "Строка\\rвозврата"\n---\nТекст\n')
    cached(mini, mini / "public")
    (mini / SCHOOL / "posts/2025-02-01-novost.md").write_text("---\ntitle: Свежая новость\n---\nТекст\n")
    cached(mini, mini / "public")  # the page of the first post is reused: a carriage return in it stays
    assert b"\r" in (mini / "public/district-a/school-1/posts/vozvrat.html").read_bytes()
    assert snapshot(mini / "public") == full_build(mini, tmp_path / "full")


def test_a_build_without_the_cache_leaves_no_temporary_folder(mini: Path, tmp_path: Path, monkeypatch) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    for jobs in (1, 2):
        assert build(mini, tmp_path / f"out{jobs}", Diagnostics(mini), BuildOptions(cache=None, jobs=jobs))
        assert list((tmp_path / "tmp").iterdir()) == []  # build.py ends the process without exit hooks


def test_a_theme_that_lists_every_page_has_every_page_rendered(mini: Path, tmp_path: Path, monkeypatch) -> None:
    (mini / "theme/partials/all-pages.html").write_text("{% for p in pages %}{{ p.src_uri }}{% endfor %}")
    cached(mini, mini / "public")
    reused = reused_pages(monkeypatch)
    (mini / SCHOOL / "posts/2025-02-01-novost.md").write_text("---\ntitle: Свежая новость\n---\nТекст\n")
    cached(mini, mini / "public")
    assert reused and not any(reused.values())


def test_a_theme_edited_between_builds_of_one_process_is_seen(mini: Path, tmp_path: Path) -> None:
    cached(mini, mini / "public")  # `serve` builds again in the same process after an edit
    post_template = mini / "theme/post.html"
    post_template.write_text(post_template.read_text().replace("{% block fed_content %}",
                                                               "{% block fed_content %}<p>Новая рамка</p>", 1))
    cached(mini, mini / "public")
    assert "Новая рамка" in (mini / "public/district-a/school-1/posts/uroki.html").read_text()
    assert snapshot(mini / "public") == full_build(mini, tmp_path / "full")


def test_a_moved_link_target_rerenders_every_linking_post(mini: Path, tmp_path: Path) -> None:
    """The region's lecture and district-b's post link to a school-1 post that gets a new slug.
    district-b is not an ancestor of school-1: its post's rendering is all that changes there, and
    its site must be rebuilt for that alone."""
    posts = mini / "sites/region/district-b/posts"
    posts.mkdir()
    (posts / "2024-06-01-sosedi.md").write_text(
        "---\ntitle: У соседей\n---\nСм. [уроки](../../district-a/school-1/posts/2024-05-01-uroki.md).\n",
        encoding="utf-8")
    cached(mini, mini / "public")
    post = mini / SCHOOL / "posts/2024-05-01-uroki.md"
    post.write_text(post.read_text().replace("tags: [обучение]", "tags: [обучение]\nslug: uroki-novye"))
    cached(mini, mini / "public")
    assert "school-1/posts/uroki-novye.html#итоги" in (mini / "public/posts/lekciya.html").read_text()
    assert "school-1/posts/uroki-novye.html" in (mini / "public/district-b/posts/sosedi.html").read_text()
    assert snapshot(mini / "public") == full_build(mini, tmp_path / "full")


def test_shards_together_equal_one_full_build(mini: Path, tmp_path: Path) -> None:
    full = full_build(mini, tmp_path / "full")
    merged: dict[str, str] = {}
    for k in (1, 2, 3):
        out = tmp_path / f"shard{k}"
        assert build(mini, out, Diagnostics(mini), BuildOptions(shard=(k, 3)))
        part = snapshot(out)
        assert not set(part) & set(merged), "two shards wrote the same file"
        # Outputs that span sites (robots.txt, the sitemap index) come with the root, in its shard only.
        assert all((name in part) == ("index.html" in part) for name in ("robots.txt", "sitemap_index.xml"))
        merged.update(part)
    assert merged == full


def test_removed_organization_disappears_from_output_and_cache(mini: Path) -> None:
    cached(mini, mini / "public")
    shutil.rmtree(mini / "sites/region/district-b")
    cached(mini, mini / "public")
    assert not (mini / "public/district-b").exists()
    assert not (mini / ".cache/sites/district-b").exists()


def test_parallel_build_equals_serial_build(mini: Path, tmp_path: Path) -> None:
    serial = full_build(mini, tmp_path / "serial")
    assert build(mini, tmp_path / "parallel", Diagnostics(mini), BuildOptions(jobs=2))
    assert snapshot(tmp_path / "parallel") == serial


def test_renamed_member_updates_its_ancestors_directories(mini: Path, tmp_path: Path) -> None:
    cached(mini, mini / "public")
    card = mini / SCHOOL / "site.yml"
    card.write_text(card.read_text().replace("name: Первичная организация школы 1", "name: Школа № 1 имени Пушкина"))
    result = cached(mini, mini / "public")
    assert "Школа № 1 имени Пушкина" in (mini / "public/pages/directory.html").read_text()
    assert result.sites - result.reused == 3
    assert snapshot(mini / "public") == full_build(mini, tmp_path / "full")


def test_passing_time_moves_an_event_and_publishes_a_scheduled_post(mini: Path, tmp_path: Path,
                                                                  monkeypatch) -> None:
    monkeypatch.setenv("FEDSITE_NOW", "2024-12-31T23:30:00+03:00")
    cached(mini, mini / "public")
    assert "С Новым годом" in (mini / "public/index.html").read_text().split("fed-home__news")[0]
    assert "Запланированная новость" not in (mini / "public/index.html").read_text()
    monkeypatch.setenv("FEDSITE_NOW", "2030-01-02T12:00:00+03:00")
    cached(mini, mini / "public")
    home = (mini / "public/index.html").read_text()
    assert "Ближайшие мероприятия" not in home and "Запланированная новость" in home
    assert snapshot(mini / "public") == full_build(mini, tmp_path / "full")


def test_a_new_day_rebuilds_only_the_sites_with_monitoring(mini: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FEDSITE_NOW", "2026-06-01T12:00:00+03:00")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780300800")
    cached(mini, mini / "public")
    monkeypatch.setenv("FEDSITE_NOW", "2026-06-02T12:00:00+03:00")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780387200")  # what the deploy workflow sets: the commit's time
    result = cached(mini, mini / "public")
    # The region and district-a count "days since the last post", and school-2 and district-b have no
    # post to date their pages by, so they take the build date; school-1 is the same as yesterday.
    assert result.reused == 1
    assert snapshot(mini / "public") == full_build(mini, tmp_path / "full")


def test_one_new_post_swaps_in_only_the_changed_sites(mini: Path, tmp_path: Path) -> None:
    cached(mini, mini / "public")
    folders = ("posts", "district-a/posts", "district-a/school-1/posts", "district-a/school-2/posts",
               "district-b/posts")
    before = {folder: (mini / "public" / folder).stat().st_ino for folder in folders}
    (mini / SCHOOL / "posts/2025-02-01-novost.md").write_text("---\ntitle: Свежая новость\n---\nТекст\n")
    cached(mini, mini / "public")
    after = {folder: (mini / "public" / folder).stat().st_ino for folder in folders}
    # The unchanged sites' folders are where the last build left them; the post's site and its
    # ancestors are swapped in.
    assert [folder for folder in folders if after[folder] == before[folder]] == list(folders[3:])
    assert snapshot(mini / "public") == full_build(mini, tmp_path / "full")


def test_an_interrupted_swap_puts_the_previous_output_back_deployable_and_is_repaired(
        mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cached(mini, mini / "public")
    before = snapshot(mini / "public")
    (mini / SCHOOL / "posts/2025-02-01-novost.md").write_text("---\ntitle: Свежая новость\n---\nТекст\n")
    moved_in = []

    def interrupted(src: object, dst: object) -> None:
        if "/staging/" in str(src):
            moved_in.append(src)
            if len(moved_in) == 2:  # the root site half swapped in
                raise KeyboardInterrupt
        real(src, dst)

    real = os.replace
    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cached(mini, mini / "public")
    monkeypatch.undo()
    assert snapshot(mini / "public") == before  # the half-swapped site got its old files back
    # ... and the previous build's record and status with them: deploy sees the previous build
    deployed = cli(mini, "deploy")
    assert "нет результата сборки" not in deployed.stderr and (mini / ".cache/build-status.json").is_file()
    cached(mini, mini / "public")
    assert snapshot(mini / "public") == full_build(mini, tmp_path / "full")


def test_an_output_written_without_the_cache_is_assembled_afresh(mini: Path, tmp_path: Path) -> None:
    cached(mini, mini / "public")
    post = mini / SCHOOL / "posts/2024-05-01-uroki.md"
    original = post.read_text()
    post.write_text(original.replace("title:", "title: Изменено —", 1))
    full_build(mini, mini / "public")
    post.write_text(original)
    cached(mini, mini / "public")
    assert "Изменено" not in (mini / "public/district-a/school-1/index.html").read_text()
    assert snapshot(mini / "public") == full_build(mini, tmp_path / "full")


def test_a_moved_repository_keeps_its_pages(mini: Path, tmp_path: Path, monkeypatch) -> None:
    """A CI runner may check the repository out elsewhere: the pages' keys hold no absolute path, so a
    new post in the moved repository renders again only the pages that show it."""
    cached(mini, mini / "public")
    moved = tmp_path / "elsewhere" / "mini"
    shutil.move(mini, moved)
    reused = reused_pages(monkeypatch)
    (moved / SCHOOL / "posts/2025-02-01-novost.md").write_text("---\ntitle: Свежая новость\n---\nТекст\n")
    cached(moved, moved / "public")
    assert {"posts/uroki.html", "posts/leto.html", "pages/about.html"} <= reused["school-1"]
    assert "posts/lekciya.html" in reused["region"]  # a site that publishes files (its assets/)
    assert snapshot(moved / "public") == full_build(moved, tmp_path / "full")
