"""Output is swapped in atomically; --keep-going keeps a broken organization's last good output."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from fedsite.build.pipeline import build
from fedsite.model.diagnostics import Diagnostics

SCHOOL = "sites/region/district-a/school-1"


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_failed_build_leaves_public_byte_for_byte(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert build(mini, mini / "public", Diagnostics(mini), jobs=1)
    before = snapshot(mini / "public")
    calls = []

    def explode(*args: object) -> int:
        calls.append(args)
        if len(calls) == 3:
            raise RuntimeError("interrupted in the middle of the build")
        return real(*args)

    from fedsite.build import sites

    real = sites.build_unit
    monkeypatch.setattr(sites, "build_unit", explode)
    (mini / SCHOOL / "posts/2024-06-01-novoe.md").write_text("---\ntitle: Новое\n---\nНовое\n")
    with pytest.raises(RuntimeError):
        build(mini, mini / "public", Diagnostics(mini), jobs=1)
    assert snapshot(mini / "public") == before
    assert sorted(p.name for p in mini.iterdir() if p.name.startswith(".public")) == []


def test_content_errors_leave_public_untouched(mini: Path) -> None:
    assert build(mini, mini / "public", Diagnostics(mini), jobs=1)
    before = snapshot(mini / "public")
    (mini / SCHOOL / "posts/bad.md").write_text("---\ntitle: Т\ndate: 31.02.2024\n---\n")
    diags = Diagnostics(mini)
    assert build(mini, mini / "public", diags, jobs=1) is None
    assert diags and snapshot(mini / "public") == before


@pytest.mark.parametrize("cached", [False, True], ids=["assembled", "swapped-in-place"])
def test_keep_going_keeps_the_broken_schools_last_good_output(mini: Path, cached: bool) -> None:
    cache = mini / ".cache" if cached else None
    assert build(mini, mini / "public", Diagnostics(mini), jobs=1, cache=cache)
    school_before = {k: v for k, v in snapshot(mini / "public").items()
                     if k.startswith("district-a/school-1/")}
    (mini / SCHOOL / "posts/bad.md").write_text("---\ntitle: Т\ndate: 31.02.2024\n---\n")
    (mini / "sites/region/posts/2024-06-01-novaya.md").write_text("---\ntitle: Новая новость региона\n---\nТекст\n")
    diags = Diagnostics(mini)
    result = build(mini, mini / "public", diags, jobs=1, keep_going=True, cache=cache)
    assert result is not None and result.kept == ("school-1",)
    assert len(diags.problems) == 1
    after = snapshot(mini / "public")
    assert {k: v for k, v in after.items() if k.startswith("district-a/school-1/")} == school_before
    assert "Новая новость региона" in (mini / "public/index.html").read_text()


def test_hostile_paths_write_nothing_outside_the_output(mini: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside-marker"
    (mini / SCHOOL / "posts/a.md").write_text("---\ntitle: Т\ndate: 2024-01-01\nslug: ../../../outside-marker\n---\n")
    (mini / SCHOOL / "posts/b.md").write_text("---\ntitle: Т\ndate: 2024-01-01\nid: ../../x\n"
                                              "cover: ../../../../../../../../etc/passwd\n---\n")
    write_pages = mini / SCHOOL / "pages"
    write_pages.mkdir()
    (write_pages / "..%2F..%2Fevil.md").write_text("# Злая страница\n")
    before = {p for p in tmp_path.rglob("*") if "public" not in p.parts}
    build(mini, mini / "public", Diagnostics(mini), jobs=1, keep_going=True)
    after = {p for p in tmp_path.rglob("*") if "public" not in p.parts}
    assert not outside.exists()
    assert after == before
    for path in (mini / "public").rglob("*"):
        assert path.resolve().is_relative_to((mini / "public").resolve())
