"""The one store every on-disk cache uses (fedsite/cache/store.py): what was put is got back, a
missing, damaged or foreign entry is a miss (never an exception), and pruning removes exactly the
entries nothing references."""

from __future__ import annotations

from pathlib import Path

import pytest

from fedsite.cache.store import Store, stems


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / ".cache", "read")


def test_a_value_put_is_got_back_and_lives_in_its_kinds_folder(store: Store, tmp_path: Path) -> None:
    store.put("school-1.pickle", {"posts": ["Летний лагерь"]})
    assert store.get("school-1.pickle") == {"posts": ["Летний лагерь"]}
    assert (tmp_path / ".cache/read/school-1.pickle").is_file()


def test_a_keyed_value_is_got_only_under_the_same_key(store: Store) -> None:
    store.put_keyed("school-1.pickle", "key-1", [1, 2])
    assert store.get_keyed("school-1.pickle", "key-1") == [1, 2]
    assert store.get_keyed("school-1.pickle", "key-2") is None


def garble(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [
    garble,
    lambda path: path.write_bytes(path.read_bytes()[:-3]),
    lambda path: path.write_bytes(b""),
    lambda path: path.write_bytes(b"\x80\x04K\x01."),  # a valid pickle, but not a checked one
    lambda path: path.unlink(),
    lambda path: (path.unlink(), path.mkdir()),  # a folder where the file was
])
def test_a_damaged_or_missing_entry_is_a_miss(store: Store, damage) -> None:
    store.put_keyed("school-1.pickle", "key-1", {"title": "Уроки"})
    damage(store.path("school-1.pickle"))
    assert store.get_keyed("school-1.pickle", "key-1") is None
    assert store.get("school-1.pickle") is None


def test_an_entry_of_another_shape_is_a_miss(store: Store) -> None:
    store.put("index", ["not", "a", "tuple"])
    assert store.get("index", tuple) is None and store.get_keyed("index", "not") is None
    assert store.get("index", list) == ["not", "a", "tuple"]


def test_a_write_replaces_the_entry_whole_and_leaves_no_temporary_file(store: Store) -> None:
    store.put("a.pickle", "first")
    store.put("a.pickle", "second")
    store.write_bytes("b/digest", b"abc")
    assert store.get("a.pickle") == "second" and store.read_text("b/digest") == "abc"
    assert store.names() == ["a.pickle", "b"] and sorted(p.name for p in store.folder.joinpath("b").iterdir()) == ["digest"]


def test_text_entries_that_are_missing_or_not_utf8_read_as_empty(store: Store) -> None:
    assert store.read_text("school-1/digest") == "" and store.read_bytes("school-1/digest") is None
    store.write_bytes("school-1/digest", b"\xff\xfe")
    assert store.read_text("school-1/digest") == ""


def test_without_a_cache_folder_nothing_is_kept_and_nothing_fails() -> None:
    store = Store(None, "read")
    store.put("a.pickle", 1)
    store.put_keyed("a.pickle", "k", 1)
    store.write_bytes("b/digest", b"x")
    store.drop("a.pickle")
    assert store.get("a.pickle") is None and store.read_text("b/digest") == ""
    assert store.names() == [] and store.prune(set()) == []


def test_pruning_removes_what_nothing_references_and_keeps_the_rest(store: Store) -> None:
    for org in ("school-1", "school-2", "gone"):
        store.put(f"{org}.pickle", org)
    store.write_bytes("gone-site/out/index.html", b"<p>")  # a folder entry goes whole
    store.folder.joinpath(".school-1.pickle.tmp-999").write_bytes(b"half")  # a killed write's leftover
    removed = store.prune(stems({"school-1", "school-2"}, ".pickle"))
    assert sorted(removed) == [".school-1.pickle.tmp-999", "gone-site", "gone.pickle"]
    assert store.names() == ["school-1.pickle", "school-2.pickle"]
    assert store.get("school-1.pickle") == "school-1" and store.get("school-2.pickle") == "school-2"


def test_pruning_by_names_keeps_folder_entries_that_are_named(store: Store) -> None:
    store.write_bytes("school-1/digest", b"1")
    store.write_bytes("school-2/digest", b"2")
    store.prune({"school-2"})
    assert store.names() == ["school-2"] and store.read_text("school-2/digest") == "2"


def test_stems_match_only_the_given_suffixes() -> None:
    referenced = stems({"abc"}, ".pickle", ".index")
    assert referenced("abc.pickle") and referenced("abc.index")
    assert not referenced("abc.summaries") and not referenced("abcd.pickle") and not referenced("ab.pickle")
