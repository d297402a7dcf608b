"""Photos in formats browsers do not show (HEIC from an iPhone, TIFF from a scanner) are not published
as they are, with the place they were taken in their data (SPEC §4): `check` names each at its path
and says how to save it as JPEG."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_check

SCHOOL = "sites/region/district-a/school-1"


@pytest.mark.parametrize("name, kind", [("IMG_0001.HEIC", "HEIC"), ("skan.tiff", "TIFF"), ("foto.tif", "TIFF")])
def test_a_photo_browsers_do_not_show_is_an_error_with_the_fix(mini: Path, name: str, kind: str) -> None:
    (mini / SCHOOL / "assets").mkdir()
    (mini / SCHOOL / "assets" / name).write_bytes(b"\x00\x00\x00\x18ftypheic" if kind == "HEIC" else b"II*\x00")
    assert run_check(mini) == [
        f"{SCHOOL}/assets/{name}:1: фотографию в формате {kind} браузеры не покажут, а в её данных может быть "
        "место съёмки; сохраните её как JPEG (на iPhone: Настройки → Камера → Форматы → «Наиболее "
        "совместимый») и поправьте ссылки на неё"]


def test_a_shared_heic_photo_is_reported_once(mini: Path) -> None:
    (mini / "shared/assets").mkdir(parents=True, exist_ok=True)
    (mini / "shared/assets/IMG_0002.heic").write_bytes(b"\x00\x00\x00\x18ftypheic")
    problems = run_check(mini)
    assert len([p for p in problems if "IMG_0002.heic" in p]) == 1, problems
