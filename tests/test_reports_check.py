"""Open yearly reports (SPEC §12): each kind of bad report told at its line in Russian, new-report's file,
and incremental builds equal to full builds when a report is added."""

from __future__ import annotations

from pathlib import Path

from conftest import run_check
from test_commands import cli
from test_incremental import cached, full_build
from test_output import snapshot

REPORTS = "sites/region/district-a/school-1/reports"
SCHOOL = "sites/region/district-a/school-1"

BAD = {
    "otchet.md": "---\napproved: {date: 01.02.2026, body: собрание}\n---\nТекст.\n",
    "2027.md": "---\napproved: {date: 01.02.2026, body: собрание}\n---\nТекст.\n",
    "2025.md": "---\ntitle: Отчёт без утверждения\n---\nТекст.\n",
    "2024.md": "---\ntitle: Отчёт\napproved: вчера\n---\nТекст.\n",
    "2023.md": "---\napproved:\n  date: 32.01.2024\n  body: собрание\n---\nТекст.\n",
    "2022.md": "---\napproved: {date: 01.02.2023}\n---\nТекст.\n",
    "2021.md": "---\napproved: {date: 01.02.2020, body: собрание}\n---\nТекст.\n",
    "2020.md": "---\napproved: {date: 01.02.2021, body: собрание}\ndocument: 2020.pdf\n---\nТекст.\n",
    "2019.md": "---\napproved: {date: 01.02.2020, body: собрание}\ndocument: ../assets/otchet.txt\n---\nТекст.\n",
}


def test_every_kind_of_bad_report_is_told_at_its_line(mini: Path) -> None:
    folder = mini / REPORTS
    folder.mkdir()
    for name, text in BAD.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "2018.md").write_text("---\napproved: {date: 01.02.2019, body: собрание}\n---\nВерный.\n")
    problems = [p for p in run_check(mini) if p.startswith(REPORTS)]
    assert problems == [
        f"{REPORTS}/2019.md:3: документ «../assets/otchet.txt» должен быть файлом PDF или DOCX; сохраните отчёт "
        "в одном из этих форматов",
        f"{REPORTS}/2020.md:3: файл «2020.pdf» не найден; проверьте имя (и большие и маленькие буквы) и путь "
        "относительно этого отчёта",
        f"{REPORTS}/2021.md:2: отчёт за 2021 год утверждён 1 февраля 2020 г., раньше, чем начался 2021 год; "
        "проверьте approved.date или год в имени файла",
        f"{REPORTS}/2022.md:2: в поле «approved» нет «body» (кем утверждён); пишите так: "
        "approved: {date: 20.02.2026, body: заседание профкома}",
        f"{REPORTS}/2023.md:3: поле «approved.date»: дата «32.01.2024» не распознана: такого дня нет; "
        "пишите 17.03.2024, 17.03.2024 14:30, 2024-03-17 или 2024-03-17 14:30",
        f"{REPORTS}/2024.md:3: поле «approved» должно быть: набор полей (утверждение: date, body)",
        f"{REPORTS}/2025.md:2: нет обязательного поля «approved» (утверждение: date, body); добавьте строку "
        "«approved: …»",
        f"{REPORTS}/2027.md:1: отчёт за 2027 год: этот год ещё не наступил (сейчас 2026); проверьте год в имени "
        "файла",
        f"{REPORTS}/otchet.md:1: имя файла «reports/otchet.md» — не год: отчёт называется по году, за который он "
        "написан, и лежит прямо в папке reports/, например reports/2025.md; переименуйте файл",
    ]


def test_new_report_writes_a_report_that_passes_check(mini: Path) -> None:
    proc = cli(mini, "new-report", "school-1", "2025")
    assert proc.returncode == 0, proc.stderr
    path = mini / proc.stdout.strip()
    assert path == mini / REPORTS / "2025.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\napproved: {date: 17.03.2026, body: заседание профкома}\n")
    for field in ("title", "document", "summary", "cover"):
        assert f"\n# {field}: " in text  # every other field of the schema, commented out
    for section in ("## Правовая основа", "## Численность и членство в Профсоюзе", "По видам учреждений",
                    "## Работа за год по направлениям", "### Охрана труда"):
        assert section in text
    switched_on = text.replace("# document: 2025.pdf", "document: 2025.pdf")
    path.write_text(switched_on, encoding="utf-8")
    (mini / REPORTS / "2025.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert run_check(mini) == []
    again = cli(mini, "new-report", "school-1", "2025")
    assert again.returncode == 2 and "уже есть" in again.stderr
    future = cli(mini, "new-report", "school-1", "2027")
    assert future.returncode == 2 and "«2027» не годится как год отчёта" in future.stderr
    assert not (mini / REPORTS / "2027.md").exists()


def test_adding_a_report_rebuilds_its_site_and_ancestors_equal_to_a_full_build(mini: Path, tmp_path: Path) -> None:
    cached(mini, mini / "public")
    (mini / REPORTS).mkdir()
    (mini / REPORTS / "2025.md").write_text("---\napproved: {date: 01.03.2026, body: собрание}\n---\nОтчёт.\n",
                                            encoding="utf-8")
    result = cached(mini, mini / "public")
    assert result.sites - result.reused == 3  # school-1, district-a and the region show it
    assert (mini / "public/district-a/school-1/reports/2025.html").is_file()
    assert snapshot(mini / "public") == full_build(mini, tmp_path / "full")
    (mini / "sites/region/district-b/reports").mkdir()
    (mini / "sites/region/district-b/reports/2025.md").write_text(
        "---\napproved: {date: 02.03.2026, body: пленум}\n---\nОтчёт района.\n", encoding="utf-8")
    result = cached(mini, mini / "public")
    assert result.sites - result.reused == 2  # district-b and the region
    assert snapshot(mini / "public") == full_build(mini, tmp_path / "full2")


def test_a_report_approved_later_is_published_by_the_first_build_after_that_day(mini: Path, tmp_path: Path,
                                                                               monkeypatch) -> None:
    (mini / REPORTS).mkdir()
    (mini / REPORTS / "2025.md").write_text("---\napproved: {date: 15.06.2026, body: собрание}\n---\nОтчёт.\n",
                                            encoding="utf-8")
    cached(mini, mini / "public")  # conftest's clock: 1 June 2026
    school = mini / "public/district-a/school-1"
    assert not (school / "reports/2025.html").exists()
    assert "2025.html" not in (school / "reports/index.html").read_text(encoding="utf-8")
    assert "reports/2025.html" not in (school / "feed.xml").read_text(encoding="utf-8")
    monkeypatch.setenv("FEDSITE_NOW", "2026-06-16T09:00:00+03:00")
    cached(mini, mini / "public")
    assert (school / "reports/2025.html").is_file()
    assert "reports/2025.html" in (school / "feed.xml").read_text(encoding="utf-8")
    assert snapshot(mini / "public") == full_build(mini, tmp_path / "full")
