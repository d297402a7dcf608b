"""Outputs that span sites (robots.txt and the sitemap index today): a unit of their own, made again
only when something they read changed, placed at the root by full and cached builds alike (the shard
that holds the root: tests/test_incremental.py)."""

from __future__ import annotations

from pathlib import Path

from test_incremental import SCHOOL, cached, full_build, snapshot

def test_a_federation_output_is_reused_until_something_it_read_changes(mini: Path, tmp_path: Path) -> None:
    cached(mini, mini / "public")
    entry = mini / ".cache/federation/crawlers.pickle"
    made = entry.stat().st_mtime_ns
    cached(mini, mini / "public")
    assert entry.stat().st_mtime_ns == made  # nothing changed: taken from the cache
    # A new organization: the sitemap index lists it, in the cached build as in a fresh one.
    school = mini / SCHOOL.replace("school-1", "school-3")
    school.mkdir()
    (school / "site.yml").write_text("name: Школа № 3\nkind: primary\n", encoding="utf-8")
    (mini / "sites/region/district-a/site.yml").write_text(
        (mini / "sites/region/district-a/site.yml").read_text(encoding="utf-8"), encoding="utf-8")
    cached(mini, mini / "public")
    assert entry.stat().st_mtime_ns != made
    assert "district-a/school-3/sitemap.xml" in (mini / "public/sitemap_index.xml").read_text(encoding="utf-8")
    assert snapshot(mini / "public") == full_build(mini, tmp_path / "full")
