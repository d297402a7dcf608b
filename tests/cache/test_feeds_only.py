"""A site's unit has two parts (sites/unit.py): what MkDocs makes (its pages) and what is written after
(feeds, calendars, downloads). An edit of the feeds' code changes only the second, so every site's
feeds are written again from its cached pages and no site is built with MkDocs; the output is still
the same as a build without the cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from fedsite.build import workers
from fedsite.build.pipeline import BuildOptions, build
from fedsite.engine import site as engine
from fedsite.model.diagnostics import Diagnostics
from fedsite.sites import reads, unit

from test_output import snapshot

SITES = {"region", "district-a", "district-b", "school-1", "school-2"}
NEW_FEED_CODE = b"<!-- feeds written by new code -->"


def cached(repo: Path) -> None:
    diags = Diagnostics(repo)
    assert build(repo, repo / "public", diags, BuildOptions(cache=repo / ".cache")), [str(p) for p in diags.sorted()]


@pytest.fixture
def mkdocs_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sites MkDocs builds (jobs=1: the workers' code runs in this process)."""
    ran: list[str] = []
    real = engine.build_site

    def recording(plan, *args, **kwargs):
        ran.append(plan.org)
        return real(plan, *args, **kwargs)

    monkeypatch.setattr(engine, "build_site", recording)
    return ran


def edit_feeds_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """As an edit of outputs/feeds.py is seen: the planner's code (every site planned again), the feeds'
    code, and feeds whose bytes differ."""
    real_feed_files, real_reads_code, real_unit_code = workers.feed_files, reads.stage_code, unit.stage_code
    edited = {"plan", "feeds"}
    monkeypatch.setattr(reads, "stage_code", lambda stage: real_reads_code(stage) + ("+" if stage in edited else ""))
    monkeypatch.setattr(unit, "stage_code", lambda stage: real_unit_code(stage) + ("+" if stage in edited else ""))
    monkeypatch.setattr(workers, "feed_files", lambda *args: {
        rel: data.replace(b"?>", b"?>" + NEW_FEED_CODE, 1) for rel, data in real_feed_files(*args).items()})


def test_an_edit_of_the_feeds_code_writes_the_feeds_again_without_mkdocs(
        mini: Path, tmp_path: Path, mkdocs_runs: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    cached(mini)
    assert set(mkdocs_runs) == SITES
    before = snapshot(mini / "public")
    mkdocs_runs.clear()
    edit_feeds_code(monkeypatch)
    diags = Diagnostics(mini)
    result = build(mini, mini / "public", diags, BuildOptions(cache=mini / ".cache", why="school-1"))
    assert result and not diags.sorted()
    assert mkdocs_runs == []
    assert result.why.endswith("Страницы те же, что в кэше: MkDocs не запускался, заново записаны только ленты "
                               "новостей, календари и выгрузки."), result.why
    after = snapshot(mini / "public")
    feeds = {rel for rel in after if NEW_FEED_CODE in (mini / "public" / rel).read_bytes()}
    assert {"feed.xml", "atom.xml", "district-a/school-1/feed.xml"} <= feeds
    assert all(rel.endswith(".xml") and "sitemap" not in rel for rel in feeds)
    assert {rel for rel in after if after[rel] != before.get(rel)} == feeds  # the pages are as they were
    assert build(mini, tmp_path / "fresh", Diagnostics(mini), BuildOptions(cache=None))
    assert after == snapshot(tmp_path / "fresh")
    # The next build finds everything in place: nothing is built, nothing rewritten.
    mkdocs_runs.clear()
    cached(mini)
    assert mkdocs_runs == [] and snapshot(mini / "public") == after


def test_a_change_of_the_pages_still_runs_mkdocs_for_those_sites_only(mini: Path, mkdocs_runs: list[str]) -> None:
    cached(mini)
    mkdocs_runs.clear()
    page = mini / "sites/region/district-b/pages/kontakty.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nНовый телефон.\n", encoding="utf-8")
    cached(mini)
    assert mkdocs_runs == ["district-b"]


def test_a_feed_file_no_longer_written_goes_with_the_folder_it_leaves_empty(mini: Path, tmp_path: Path,
                                                                               mkdocs_runs: list[str],
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    cached(mini)
    mkdocs_runs.clear()
    real_unit = unit.site_unit

    def with_an_extra_file(plan, feeds, files, *args):  # then without it: a generated file that goes
        return real_unit(plan, feeds, {**files, "kalendar/staryj/old.ics": b"BEGIN:VCALENDAR"}, *args)

    monkeypatch.setattr("fedsite.build.sites.site_unit", with_an_extra_file)
    real_code = reads.stage_code  # the planner's code edited: every site planned again (and once more after)
    monkeypatch.setattr(reads, "stage_code", lambda stage: real_code(stage) + ("+" if stage == "plan" else ""))
    cached(mini)
    assert mkdocs_runs == [] and (mini / "public/kalendar/staryj/old.ics").is_file()
    monkeypatch.undo()
    cached(mini)
    assert not (mini / "public/kalendar").exists()
    assert build(mini, tmp_path / "fresh", Diagnostics(mini), BuildOptions(cache=None))
    assert snapshot(mini / "public") == snapshot(tmp_path / "fresh")
