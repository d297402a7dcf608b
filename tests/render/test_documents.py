"""The render stage (render/): each document rendered once and then taken from the cache while its
body, its place and every link it resolved are the same; HTML kept by its sha256 outside memory;
renderings of a group reused whole known by digest and summary without loading them."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import pytest

from fedsite.cache.checked import DamagedCacheEntry
from fedsite.model.diagnostics import Diagnostics
from fedsite.read.federation import read_federation
from fedsite.render import documents
from fedsite.render.federation import Rendering, render_federation
from fedsite.render.htmlstore import HtmlStore, remove_temporary_stores
from fedsite.render.markup import Rendered
from fedsite.render.rendercache import RenderCache, group_name

from conftest import NOW

SCHOOL = "sites/region/district-a/school-1"
UROKI = f"{SCHOOL}/posts/2024-05-01-uroki.md"
LECTURE = "sites/region/posts/2024-03-17-lekciya.md"
SEMINAR = "sites/region/district-a/posts/Семинар в районе.md"
DOCUMENTS = 9  # published posts, pages (own and shared) and intros of the mini federation


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the documents rendered (by Markdown, not taken from the cache), in order."""
    done: list[str] = []
    real = documents.render_one

    def counting(renderer, job):
        done.append(job.rel)
        return real(renderer, job)

    monkeypatch.setattr(documents, "render_one", counting)
    return done


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The render cache groups (one per organization folder) whose renderings were loaded from disk."""
    done: list[str] = []
    real = RenderCache.group

    def counting(self, name):
        done.append(name)
        return real(self, name)

    monkeypatch.setattr(RenderCache, "group", counting)
    return done


def render(repo: Path) -> Rendering:
    """Read and render the federation with the repository's cache, as a build does."""
    diags = Diagnostics(repo)
    fed = read_federation(repo, diags, repo / ".cache")
    assert fed is not None
    rendering = render_federation(fed, datetime.fromisoformat(NOW), diags, repo / ".cache")
    assert not diags, [str(p) for p in diags.sorted()]
    return rendering


def html(rendering: Rendering, rel: str) -> str:
    return rendering.store.html(rendering.rendered[rel])


def test_each_document_is_rendered_once_then_taken_from_the_cache(mini: Path, renders: list[str]) -> None:
    first = render(mini)
    assert sorted(renders) == sorted(first.rendered) and len(renders) == DOCUMENTS
    renders.clear()
    second = render(mini)
    assert renders == []
    assert sorted(second.rendered) == sorted(first.rendered)
    for rel in first.rendered:
        assert second.rendered.digest(rel) == first.rendered.digest(rel)
        assert html(second, rel) == html(first, rel)
    assert "Провели открытые уроки." in html(second, UROKI)


def test_an_edited_body_renders_that_document_alone_again(mini: Path, renders: list[str]) -> None:
    first = render(mini)
    post = mini / UROKI
    post.write_text(post.read_text(encoding="utf-8").replace("Итоги подведены.", "Итоги подведены заново."),
                    encoding="utf-8")
    renders.clear()
    second = render(mini)
    assert renders == [UROKI]
    assert "Итоги подведены заново." in html(second, UROKI)
    assert second.rendered.digest(UROKI) != first.rendered.digest(UROKI)
    assert all(second.rendered.digest(rel) == first.rendered.digest(rel) for rel in first.rendered if rel != UROKI)


def test_a_moved_link_target_renders_the_unchanged_document_that_links_to_it(mini: Path, renders: list[str]) -> None:
    render(mini)
    assert '<a href="../district-a/school-1/posts/uroki.html#итоги">' in html(render(mini), LECTURE)
    post = mini / UROKI
    post.write_text(post.read_text(encoding="utf-8").replace("title: Открытые уроки\n",
                                                             "title: Открытые уроки\nslug: uroki-2024\n"),
                    encoding="utf-8")
    renders.clear()
    moved = render(mini)
    assert sorted(renders) == sorted([LECTURE, UROKI])  # the lecture's own file did not change
    assert '<a href="../district-a/school-1/posts/uroki-2024.html#итоги">' in html(moved, LECTURE)


def test_an_unchanged_groups_digests_and_summaries_are_known_without_loading_it(
        mini: Path, renders: list[str], loads: list[str]) -> None:
    render(mini)
    loads.clear()
    renders.clear()
    second = render(mini)
    loaded = len(loads)
    assert second.rendered.summary(SEMINAR) == "Семинар прошёл."
    page = second.store.read(second.rendered.html_key(SEMINAR))
    assert page == "<p>Семинар прошёл.</p>"
    assert second.rendered.digest(SEMINAR) == hashlib.sha256(f"{page}\0Семинар прошёл.".encode()).hexdigest()
    assert len(loads) == loaded  # none of these loaded district-a's renderings
    assert second.rendered[SEMINAR].summary == "Семинар прошёл."
    assert len(loads) == loaded + 1  # asking for the rendering itself does, once
    assert second.rendered[SEMINAR].anchors == frozenset() and len(loads) == loaded + 1
    assert renders == []


# -- the HtmlStore -------------------------------------------------------------------------------

def rendered(text: str) -> Rendered:
    return Rendered(text, (), frozenset(), "сводка", "digest")


def test_the_store_keeps_html_by_its_sha256_and_gives_it_back(tmp_path: Path) -> None:
    store = HtmlStore(tmp_path)
    page = "<p>Привет, мир</p>"
    kept = store.put(rendered(page))
    key = hashlib.sha256(page.encode()).hexdigest()
    assert (kept.html, kept.html_key, kept.summary) == ("", key, "сводка")  # memory keeps the key, not the HTML
    assert (tmp_path / "html" / key[:2] / f"{key}.html").read_bytes() == page.encode()
    assert store.html(kept) == page
    again = HtmlStore(tmp_path)  # the next build
    assert again.has(key) and key in again.stored() and again.read(key) == page
    assert store.put(rendered(page)) == kept and len(list((tmp_path / "html").rglob("*.html"))) == 1
    empty = store.put(rendered(""))
    assert empty.html_key == "" and store.html(empty) == "" and store.has("")


def test_the_store_renders_damaged_html_again_or_drops_it_and_says_so(tmp_path: Path) -> None:
    store = HtmlStore(tmp_path)
    page = "<p>Текст</p>"
    key = store.put(rendered(page)).html_key
    path = tmp_path / "html" / key[:2] / f"{key}.html"
    path.write_bytes(b"<p>Te\xd0\xbaxt</p>")
    store.repair = lambda k: page if k == key else None
    assert store.read(key) == page and path.read_bytes() == page.encode()  # written again
    path.unlink()
    store.repair = None
    with pytest.raises(DamagedCacheEntry, match="кэш сборки повреждён"):
        store.read(key)
    assert not path.exists()


def test_pruning_keeps_only_the_html_still_referred_to(tmp_path: Path) -> None:
    store = HtmlStore(tmp_path)
    keep, drop = store.put(rendered("<p>1</p>")).html_key, store.put(rendered("<p>2</p>")).html_key
    store.prune({keep})
    assert HtmlStore(tmp_path).stored() == {keep}
    assert store.has(keep) and not store.has(drop)


def test_without_a_cache_folder_the_store_uses_a_temporary_one_removed_afterwards() -> None:
    store = HtmlStore(None)
    kept = store.put(rendered("<p>Временно</p>"))
    folder = store.folder
    assert folder is not None and folder.is_dir() and store.html(kept) == "<p>Временно</p>"
    store.prune(set())  # not persistent: nothing a later build could reuse, nothing to prune
    assert store.html(kept) == "<p>Временно</p>"
    remove_temporary_stores()
    assert not folder.exists()


def test_a_removed_document_leaves_neither_its_rendering_nor_its_html_in_the_cache(mini: Path) -> None:
    first = render(mini)
    page = "sites/region/district-b/pages/kontakty.md"
    key = first.rendered.html_key(page)
    group = group_name("sites/region/district-b")
    assert {f"{group}.pickle", f"{group}.index"} <= {p.name for p in (mini / ".cache/render").iterdir()}
    (mini / page).unlink()
    second = render(mini)
    assert page not in second.rendered
    assert not any(p.name.startswith(group) for p in (mini / ".cache/render").iterdir())
    assert key not in HtmlStore(mini / ".cache").stored()
    assert first.rendered.html_key(UROKI) in HtmlStore(mini / ".cache").stored()
