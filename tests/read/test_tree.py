"""read/tree.py: the organizations are the folders of sites/ that hold a site.yml; the tree answers
parents, members, URLs and which organization owns a path, and reports a bad tree as path:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from fedsite.model.diagnostics import Diagnostics
from fedsite.read.tree import Tree, discover

from conftest import FIXTURES

ONE_ROOT = "в sites/ должна быть ровно одна корневая организация (папка с site.yml), а здесь: "


def card(name: str, kind: str = "primary") -> str:
    return f"name: {name}\nkind: {kind}\n"


def write(repo: Path, rel: str, text: str) -> Path:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def read_tree(repo: Path) -> tuple[Tree | None, list[str]]:
    """The tree discovered in the repository, and its problems as printed."""
    diags = Diagnostics(repo)
    tree = discover(repo, diags)
    return tree, [str(p) for p in diags.sorted()]


def ids(orgs) -> list[str]:
    return [org.id for org in orgs]


@pytest.fixture(scope="module")
def mini_tree() -> Tree:
    """The mini fixture's tree, read in place (discovery writes nothing)."""
    repo = FIXTURES / "mini"
    tree, problems = read_tree(repo)
    assert tree is not None and problems == []
    return tree


def test_each_folder_with_a_card_is_an_organization_placed_by_its_folders(tmp_path: Path) -> None:
    # Written out of order: members come in the order of their folders' names, not of their creation.
    write(tmp_path, "sites/region/site.yml", "name: Регион\nshort_name: РО\nkind: regional\n")
    write(tmp_path, "sites/region/b-district/site.yml", card("Район Б", "territorial"))
    write(tmp_path, "sites/region/b-district/school-1/site.yml", card("Школа 1"))
    write(tmp_path, "sites/region/a-district/site.yml", card("Район А", "territorial"))
    write(tmp_path, "sites/region/a-district/school-2/site.yml", card("Школа 2"))
    write(tmp_path, "sites/region/a-district/school-10/site.yml", card("Школа 10"))
    tree, problems = read_tree(tmp_path)
    assert problems == [] and tree is not None
    assert tree.root == "region"
    assert set(tree.orgs) == {"region", "a-district", "b-district", "school-1", "school-2", "school-10"}
    root = tree["region"]
    assert (root.parent, root.url_path, root.rel, root.folder) == (None, "", "sites/region", tmp_path / "sites/region")
    assert root.members == ("a-district", "b-district")
    assert tree["a-district"].members == ("school-10", "school-2")  # by name, as the folders are listed
    school = tree["school-2"]
    assert (school.parent, school.url_path, school.rel) == ("a-district", "a-district/school-2/",
                                                            "sites/region/a-district/school-2")
    assert school.folder == tmp_path / "sites/region/a-district/school-2"
    assert school.card == {"name": "Школа 2", "kind": "primary"}
    assert (root.name, root.short_name, root.kind) == ("Регион", "РО", "regional")
    assert (school.short_name, tree["b-district"].kind) == ("Школа 2", "territorial")  # no short_name: the name


def test_content_hidden_and_card_less_folders_are_not_members(tmp_path: Path) -> None:
    write(tmp_path, "sites/region/site.yml", card("Регион", "regional"))
    for folder in ("posts", "pages", "assets", ".drafts"):  # a site.yml in them is content, not a member
        write(tmp_path, f"sites/region/{folder}/site.yml", card("Не организация"))
    write(tmp_path, "sites/region/docs/readme.txt", "просто папка")
    write(tmp_path, "sites/region/school-1/site.yml", card("Школа 1"))
    tree, problems = read_tree(tmp_path)
    assert problems == [] and tree is not None
    assert set(tree.orgs) == {"region", "school-1"}
    assert tree["region"].members == ("school-1",)


def test_a_card_without_kind_or_name_falls_back_and_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "sites/region/site.yml", card("Регион", "regional"))
    write(tmp_path, "sites/region/school-1/site.yml", "short_name: Школа\n")
    tree, problems = read_tree(tmp_path)
    assert tree is not None
    school = tree["school-1"]
    assert (school.name, school.short_name, school.kind) == ("school-1", "Школа", "primary")
    assert problems == [
        "sites/region/school-1/site.yml:1: нет обязательного поля «kind» (вид: regional, territorial или primary); "
        "добавьте строку «kind: …»",
        "sites/region/school-1/site.yml:1: нет обязательного поля «name» (полное название организации); "
        "добавьте строку «name: …»",
    ]


def test_chain_runs_from_the_root_down_to_the_organization(mini_tree: Tree) -> None:
    assert ids(mini_tree.chain("school-1")) == ["region", "district-a", "school-1"]
    assert ids(mini_tree.chain("district-b")) == ["region", "district-b"]
    assert ids(mini_tree.chain("region")) == ["region"]


def test_descendants_are_depth_first_in_folder_order(mini_tree: Tree) -> None:
    assert ids(mini_tree.descendants("region")) == ["district-a", "school-1", "school-2", "district-b"]
    assert ids(mini_tree.descendants("district-a")) == ["school-1", "school-2"]
    assert mini_tree.descendants("school-2") == []
    assert ids(mini_tree.in_order()) == ["region", "district-a", "school-1", "school-2", "district-b"]


def test_parents_members_and_urls_agree_everywhere(mini_tree: Tree) -> None:
    """Whatever stage asks (chain, descendants, members, URLs), the tree gives one consistent answer."""
    in_order = mini_tree.in_order()
    assert sorted(ids(in_order)) == sorted(mini_tree.orgs)  # each organization exactly once
    for org in in_order:
        if org.parent is None:
            assert org.id == mini_tree.root and org.url_path == ""
            continue
        parent = mini_tree[org.parent]
        assert org.id in parent.members
        assert org.url_path == f"{parent.url_path}{org.id}/"
        assert org.rel == f"{parent.rel}/{org.id}"
        assert mini_tree.chain(org.id)[-2] == parent
        assert all(org in mini_tree.descendants(a.id) for a in mini_tree.chain(org.id)[:-1])


@pytest.mark.parametrize("rel, owner", [
    ("sites/region/district-a/school-1/posts/2024-05-01-uroki.md", "school-1"),
    ("sites/region/district-a/posts/Семинар в районе.md", "district-a"),
    ("sites/region/district-a", "district-a"),
    ("sites/region/district-a-old/posts/x.md", "region"),  # starts like a member's folder, is not inside it
    ("sites/region/assets/lecture.mp3", "region"),
    ("sites/regional/x.md", None),
    ("shared/pages/obshchaya.md", None),
])
def test_owner_of_is_the_organization_whose_own_folder_holds_the_path(mini_tree: Tree, rel: str,
                                                                       owner: str | None) -> None:
    found = mini_tree.owner_of(rel)
    assert (found.id if found else None) == owner


def test_a_reserved_member_name_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "sites/region/site.yml", card("Регион", "regional"))
    write(tmp_path, "sites/region/search/site.yml", card("Поиск"))  # Material writes its index there
    _, problems = read_tree(tmp_path)
    assert problems == ["sites/region/search/site.yml:1: имя папки «search» зарезервировано; переименуйте папку"]


def test_the_roots_folder_name_is_not_in_any_url_so_it_is_not_reserved(tmp_path: Path) -> None:
    write(tmp_path, "sites/search/site.yml", card("Регион", "regional"))
    tree, problems = read_tree(tmp_path)
    assert problems == [] and tree is not None and tree[tree.root].url_path == ""


@pytest.mark.parametrize("name", ["School-3", "school_3", "-school", "школа-3", "school.3"])
def test_a_folder_name_that_cannot_be_an_id_is_reported(tmp_path: Path, name: str) -> None:
    write(tmp_path, "sites/region/site.yml", card("Регион", "regional"))
    write(tmp_path, f"sites/region/{name}/site.yml", card("Школа"))
    _, problems = read_tree(tmp_path)
    assert problems == [f"sites/region/{name}/site.yml:1: имя папки «{name}» не годится как код организации: "
                        "только строчные латинские буквы, цифры и дефис, например school-1"]


def test_a_duplicate_id_keeps_the_first_folder_and_drops_the_second_from_its_parent(tmp_path: Path) -> None:
    write(tmp_path, "sites/region/site.yml", card("Регион", "regional"))
    write(tmp_path, "sites/region/a/site.yml", card("А", "territorial"))
    write(tmp_path, "sites/region/a/school-1/site.yml", card("Школа 1 района А"))
    write(tmp_path, "sites/region/b/site.yml", card("Б", "territorial"))
    write(tmp_path, "sites/region/b/school-1/site.yml", card("Школа 1 района Б"))
    write(tmp_path, "sites/region/b/school-2/site.yml", card("Школа 2 района Б"))
    tree, problems = read_tree(tmp_path)
    assert problems == ["sites/region/b/school-1/site.yml:1: код организации «school-1» уже занят: "
                        "sites/region/a/school-1; переименуйте одну из папок"]
    assert tree is not None
    assert tree["school-1"].parent == "a" and tree["school-1"].card["name"] == "Школа 1 района А"
    assert tree["b"].members == ("school-2",)  # no member that is another folder's organization
    assert ids(tree.in_order()) == ["region", "a", "school-1", "b", "school-2"]


@pytest.mark.parametrize("layout", ["no sites folder", "empty sites", "a folder without a card"])
def test_no_root_is_reported_and_gives_no_tree(tmp_path: Path, layout: str) -> None:
    if layout != "no sites folder":
        (tmp_path / "sites").mkdir()
    if layout == "a folder without a card":
        write(tmp_path, "sites/region/posts/x.md", "---\ntitle: Т\n---\n")
    tree, problems = read_tree(tmp_path)
    assert tree is None
    assert problems == [f"sites/site.yml:1: {ONE_ROOT}нет ни одной"]


def test_a_site_yml_that_is_a_folder_is_reported_and_the_organization_kept(tmp_path: Path) -> None:
    write(tmp_path, "sites/region/site.yml", card("Регион", "regional"))
    (tmp_path / "sites/region/school-1/site.yml").mkdir(parents=True)
    tree, problems = read_tree(tmp_path)
    assert problems == ["sites/region/school-1/site.yml:1: site.yml должен быть файлом с карточкой организации, "
                        "а это папка или что-то другое; удалите это и создайте файл site.yml"]
    assert tree is not None and tree["school-1"].card == {} and tree["region"].members == ("school-1",)


def test_bad_cards_are_reported_at_their_lines_and_the_tree_goes_on(tmp_path: Path) -> None:
    write(tmp_path, "sites/region/site.yml", card("Регион", "regional"))
    write(tmp_path, "sites/region/a/site.yml", "name: А\nkind: territorial\nname: Б\n")
    write(tmp_path, "sites/region/a/school-1/site.yml", "name: Школа\nkind: primry\n")
    tree, problems = read_tree(tmp_path)
    assert problems == [
        "sites/region/a/school-1/site.yml:2: вид организации «primry» неизвестен; пишите regional, territorial "
        "или primary",
        "sites/region/a/site.yml:3: поле «name» записано дважды (первый раз в строке 1); оставьте одно",
    ]
    assert tree is not None and tree["school-1"].url_path == "a/school-1/"  # members below a bad card are found


def test_a_member_folder_linking_back_up_the_tree_is_refused_not_followed(tmp_path: Path) -> None:
    write(tmp_path, "sites/region/site.yml", card("Регион", "regional"))
    write(tmp_path, "sites/region/a/site.yml", card("А", "territorial"))
    (tmp_path / "sites/region/a/up").symlink_to("..", target_is_directory=True)  # would be region/ again
    tree, problems = read_tree(tmp_path)
    assert problems == ["sites/region/a/up:1: символическая ссылка ведёт в папку, которая её же и содержит "
                        "(петля); удалите ссылку"]
    assert tree is not None and set(tree.orgs) == {"region", "a"} and tree["a"].members == ()


def test_a_member_folder_linked_from_elsewhere_in_the_repository_is_a_member(tmp_path: Path) -> None:
    write(tmp_path, "sites/region/site.yml", card("Регион", "regional"))
    write(tmp_path, "archive/school-9/site.yml", card("Школа 9"))
    (tmp_path / "sites/region/school-9").symlink_to(tmp_path / "archive/school-9", target_is_directory=True)
    tree, problems = read_tree(tmp_path)
    assert problems == [] and tree is not None
    assert tree["school-9"].url_path == "school-9/" and tree["school-9"].rel == "sites/region/school-9"
