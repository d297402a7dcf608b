"""cache/sites.py: built sites kept under .cache/sites/<org>/ as a copy of their output with a manifest
(every file's size and sha256), their digest, what their planning read and their pages' keys. An entry
is used only as a whole and checked as it is copied out; anything half-written or damaged is a miss."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from fedsite.cache import sites
from fedsite.cache.checked import DamagedCacheEntry
from fedsite.cache.sites import SiteCache, link_tree, manifest_bytes, parse_manifest

PAGES = {"index.html": "<h1>Школа 1</h1>\n", "posts/uroki.html": "<p>Уроки\r\n</p>", "posts/leto.html": "<p>Лето</p>",
         "feed.xml": "<rss/>"}
KEYS = {"index.html": "k-index", "posts/uroki.html": "k-uroki", "posts/leto.html": "k-leto"}


def built_site(folder: Path, pages: dict[str, str] = PAGES) -> Path:
    """A site's output folder as MkDocs leaves it (pages written as bytes: a \\r must survive)."""
    for rel, text in pages.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(text.encode())
    (folder / "assets").mkdir(exist_ok=True)  # an empty folder is part of the output too
    return folder


def tree_of(folder: Path) -> dict[str, bytes | None]:
    return {p.relative_to(folder).as_posix(): (None if p.is_dir() else p.read_bytes()) for p in folder.rglob("*")}


@pytest.fixture
def cache(tmp_path: Path) -> SiteCache:
    store = SiteCache(tmp_path / ".cache")
    store.store("school-1", "digest-1", '{"reads": 1}', built_site(tmp_path / "built"), 3, KEYS)
    return store


def test_a_stored_site_is_found_by_its_digest_as_a_copy_of_its_output(tmp_path: Path, cache: SiteCache) -> None:
    out = cache.lookup("school-1", "digest-1")
    assert out == tmp_path / ".cache/sites/school-1/out"
    assert tree_of(out) == tree_of(tmp_path / "built")
    built, kept = tmp_path / "built/index.html", out / "index.html"
    assert os.stat(built).st_ino != os.stat(kept).st_ino  # a copy: damage to one never reaches the other
    built.write_text("изменено после сборки")
    assert kept.read_bytes() == PAGES["index.html"].encode()
    assert (cache.digest("school-1"), cache.recorded("school-1")[1], cache.pages("school-1")) == (
        "digest-1", '{"reads": 1}', 3)
    assert cache.output("school-1") == out


def test_another_digest_or_organization_is_a_miss(cache: SiteCache) -> None:
    assert cache.lookup("school-1", "digest-2") is None
    assert cache.lookup("school-1", "") is None
    assert cache.lookup("school-2", "digest-1") is None
    assert (cache.output("school-2"), cache.recorded("school-2")[1], cache.pages("school-2")) == (None, "", 0)


def test_new_reads_for_the_same_output_keep_the_output_and_its_page_keys(tmp_path: Path, cache: SiteCache) -> None:
    before = tree_of(cache.output("school-1"))
    cache.store("school-1", "digest-1", '{"reads": 2}', None)
    assert cache.recorded("school-1")[1] == '{"reads": 2}'
    assert tree_of(cache.lookup("school-1", "digest-1")) == before
    assert cache.reusable_pages("school-1", KEYS).keys() == KEYS.keys()


def test_a_new_output_replaces_the_whole_entry(tmp_path: Path, cache: SiteCache) -> None:
    cache.store("school-1", "digest-2", "{}", built_site(tmp_path / "rebuilt", {"index.html": "<h1>Новое</h1>"}), 1,
                {"index.html": "k-new"})
    assert cache.lookup("school-1", "digest-1") is None
    out = cache.lookup("school-1", "digest-2")
    assert tree_of(out) == {"index.html": "<h1>Новое</h1>".encode(), "assets": None}  # nothing left of the old one
    assert cache.reusable_pages("school-1", KEYS) == {}


def test_an_entry_without_its_digest_is_a_miss_whatever_else_is_there(cache: SiteCache) -> None:
    (cache.folder / "school-1/digest").unlink()  # as a build killed while storing leaves it
    assert cache.lookup("school-1", "digest-1") is None
    assert cache.output("school-1") is None
    assert cache.recorded("school-1")[1] == ""  # the site is planned again


def test_a_store_that_fails_half_way_leaves_a_miss_not_the_old_entry(
        tmp_path: Path, cache: SiteCache, monkeypatch: pytest.MonkeyPatch) -> None:
    real, copied = sites.copy_file, []

    def failing(src: str, dst: str) -> tuple[int, str]:
        if copied:
            raise OSError(28, "No space left on device", src)
        copied.append(src)
        return real(src, dst)

    monkeypatch.setattr(sites, "copy_file", failing)
    with pytest.raises(OSError):
        cache.store("school-1", "digest-2", "{}", built_site(tmp_path / "rebuilt"), 3, KEYS)
    assert cache.lookup("school-1", "digest-2") is None and cache.lookup("school-1", "digest-1") is None
    assert cache.output("school-1") is None and cache.recorded("school-1")[1] == ""


def test_without_a_cache_folder_nothing_is_kept() -> None:
    store = SiteCache(None)
    store.store("school-1", "digest-1", "{}", None)
    assert (store.lookup("school-1", "digest-1"), store.output("school-1"), store.recorded("school-1")[1]) == (
        None, None, "")
    store.prune(set())


def test_without_a_cache_folder_no_page_is_reusable() -> None:
    assert SiteCache(None).reusable_pages("school-1", KEYS) == {}


def test_reusable_pages_are_those_with_the_same_key_read_back_byte_for_byte(cache: SiteCache) -> None:
    reused = cache.reusable_pages("school-1", {**KEYS, "posts/leto.html": "k-leto-changed", "posts/new.html": "k-new"})
    assert reused == {"index.html": PAGES["index.html"], "posts/uroki.html": PAGES["posts/uroki.html"]}
    assert "\r\n" in reused["posts/uroki.html"]  # as written, not with its line ends translated


@pytest.mark.parametrize("damage", ["garbled", "truncated", "deleted"])
def test_a_damaged_page_is_not_reused(cache: SiteCache, damage: str) -> None:
    page = cache.folder / "school-1/out/posts/uroki.html"
    data = page.read_bytes()
    if damage == "garbled":
        page.write_bytes(data[:3] + bytes([data[3] ^ 0xFF]) + data[4:])
    elif damage == "truncated":
        page.write_bytes(data[:-2])
    else:
        page.unlink()
    assert cache.reusable_pages("school-1", KEYS).keys() == {"index.html", "posts/leto.html"}


@pytest.mark.parametrize("name, text", [("page-keys.json", "{не json"), ("page-keys.json", "[1, 2]"),
                                        ("manifest.json", '{"version": 2, "files": {}}'),
                                        ("manifest.json", "")])
def test_unreadable_page_keys_or_manifest_reuse_no_page(cache: SiteCache, name: str, text: str) -> None:
    (cache.folder / "school-1" / name).write_text(text)
    assert cache.reusable_pages("school-1", KEYS) == {}


def test_prune_forgets_the_organizations_that_are_gone(tmp_path: Path, cache: SiteCache) -> None:
    cache.store("school-2", "digest-2", "{}", built_site(tmp_path / "built-2"))
    cache.prune({"school-2"})
    assert cache.output("school-1") is None and not (cache.folder / "school-1").exists()
    assert cache.lookup("school-2", "digest-2") is not None


def test_the_manifest_round_trips_and_anything_else_is_refused() -> None:
    files = {"assets": None, "index.html": (17, "ab" * 32), "posts/Семинар.html": (0, hashlib.sha256(b"").hexdigest())}
    data = manifest_bytes(files)
    assert parse_manifest(data) == files
    assert manifest_bytes(parse_manifest(data)) == data  # the same bytes: sorted, compact
    for bad in (b"", b"[]", b'{"version": 2, "files": {}}', b'{"version": 1}', b'{"version": 1, "files": {"a": [1]}}',
                b'{"version": 1, "files": {"a": ["x", "y"]}}', b'{"version": 1, "files": []}'):
        assert parse_manifest(bad) is None, bad


def test_the_manifest_describes_every_folder_and_file_of_the_stored_output(cache: SiteCache) -> None:
    files = parse_manifest((cache.folder / "school-1/manifest.json").read_bytes())
    expected = {rel: (len(text.encode()), hashlib.sha256(text.encode()).hexdigest()) for rel, text in PAGES.items()}
    assert files == {**expected, "assets": None, "posts": None}


def test_copying_a_cached_site_out_gives_its_files_as_new_ones(tmp_path: Path, cache: SiteCache) -> None:
    out = cache.output("school-1")
    link_tree(out, tmp_path / "school-1-published")
    copy = tmp_path / "school-1-published"
    assert tree_of(copy) == tree_of(out)
    assert os.stat(copy / "index.html").st_ino != os.stat(out / "index.html").st_ino


DAMAGES = {
    "garbled": lambda out: (out / "posts/leto.html").write_bytes(b"<p>Zeto</p>"),
    "deleted": lambda out: (out / "posts/leto.html").unlink(),
    "added": lambda out: (out / "posts/extra.html").write_text("не из сборки"),
    "folder for a file": lambda out: ((out / "feed.xml").unlink(), (out / "feed.xml").mkdir()),
    "link for a file": lambda out: link_to_same_bytes(out / "feed.xml"),
}


def link_to_same_bytes(path: Path) -> None:
    """The file replaced by a link to a copy of it outside the entry: its bytes right, but not the cache's own."""
    twin = path.parents[3] / "twin"
    twin.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(twin)


@pytest.mark.parametrize("damage, named", [("garbled", "out/posts/leto.html"), ("deleted", "out/posts/leto.html"),
                                           ("added", "out/posts/extra.html"), ("folder for a file", "out/feed.xml"),
                                           ("link for a file", "out/feed.xml")])
def test_a_damaged_entry_is_found_as_it_is_copied_out_and_dropped(tmp_path: Path, cache: SiteCache, damage: str,
                                                                  named: str) -> None:
    out = cache.output("school-1")
    DAMAGES[damage](out)
    dest = tmp_path / "school-1-published"
    with pytest.raises(DamagedCacheEntry) as raised:
        link_tree(out, dest)
    assert str(raised.value) == (f"кэш сайта «school-1» повреждён ({named}); сайт будет собран заново: "
                                 "запустите сборку ещё раз")
    assert not dest.exists()  # no half-copied site is left to be published
    assert cache.lookup("school-1", "digest-1") is None and cache.recorded("school-1")[1] == ""


def test_an_entry_without_its_manifest_is_damaged(tmp_path: Path, cache: SiteCache) -> None:
    (cache.folder / "school-1/manifest.json").unlink()
    with pytest.raises(DamagedCacheEntry, match=r"\(manifest.json\)"):
        link_tree(cache.output("school-1"), tmp_path / "copy")
    assert cache.output("school-1") is None


def test_page_keys_stored_are_the_ones_given(cache: SiteCache) -> None:
    assert json.loads((cache.folder / "school-1/page-keys.json").read_text()) == KEYS
