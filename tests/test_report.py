"""The monitoring report on the mini federation, whose counts are known."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import PROJECT


def report(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PROJECT / "build.py"), "report", *args], cwd=repo,
                          capture_output=True, text=True, env={"FEDSITE_NOW": "2025-03-01T12:00:00+03:00",
                                                               "PATH": "/usr/bin:/bin"})


def test_json_counts_posts_by_year_in_the_federations_time_zone(mini: Path) -> None:
    proc = report(mini, "--year", "2024", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    rows = {r["id"]: r for r in data["rows"]}
    assert data["date"] == "2024-12-31"
    assert rows["region"]["posts"] == 2  # lecture + 31.12.2024 23:30 MSK; the draft and the scheduled post don't count
    assert rows["region"]["months"][2] == 1 and rows["region"]["months"][11] == 1
    assert rows["school-1"]["posts"] == 1  # 2025-01-01T00:30+03:00 is 2025 in Moscow though 2024 in UTC
    assert rows["school-2"] == {**rows["school-2"], "posts": 0, "last_post": "", "days_since": None, "silent": True}
    assert rows["region"]["projects"] == {"zdorovie": 1, "obrazovanie": 1}
    assert rows["region"]["social"] == ["vk", "telegram"] and rows["region"]["contacts"] == ["phone", "email"]
    # score = min(posts,48) + 3*months with posts + 3*social + 2*contacts + 2*projects covered
    assert rows["region"]["score"] == 2 + 3 * 2 + 3 * 2 + 2 * 2 + 2 * 2
    district = {t["id"]: t for t in data["territorial"]}["district-a"]
    assert (district["organizations"], district["posts"], district["silent"]) == (3, 2, 3)
    assert data["federation"]["posts"] == 4
    assert data["silent"] == ["district-a", "school-1", "school-2", "district-b"]  # nothing since May


def test_current_year_counts_days_since_on_todays_date(mini: Path) -> None:
    data = json.loads(report(mini, "--format", "json").stdout)
    rows = {r["id"]: r for r in data["rows"]}
    assert data["year"] == 2025 and data["date"] == "2025-03-01"
    assert rows["school-1"]["posts"] == 1 and rows["school-1"]["last_post"] == "2025-01-01"
    assert rows["school-1"]["days_since"] == 59 and rows["school-1"]["silent"] is False
    assert rows["region"]["last_post"] == "2024-12-31" and rows["region"]["posts"] == 0


def test_csv_has_the_field_names_and_a_line_per_organization(mini: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(report(mini, "--year", "2024", "--format", "csv").stdout)))
    assert [r["id"] for r in rows] == ["region", "district-a", "school-1", "school-2", "district-b"]
    assert rows[0]["posts"] == "2" and rows[0]["m12"] == "1" and rows[0]["project_zdorovie"] == "1"
    assert rows[3]["last_post"] == "" and rows[3]["silent"] == "1"


def test_table_is_russian_and_lists_the_silent(mini: Path) -> None:
    out = report(mini, "--year", "2024").stdout
    assert out.startswith("Мониторинг информационной работы за 2024 год (на 2024-12-31)")
    assert "Молчат больше 90 дней: district-a, school-1, school-2, district-b" in out


def test_monitoring_pages_with_charts_and_downloads(built_mini: Path) -> None:
    page = BeautifulSoup((built_mini / "pages/monitoring.html").read_text(), "html.parser")
    assert page.h1.get_text() == "Мониторинг информационной работы за 2026 год"
    assert len(page.select("svg.fed-chart")) == 4 and not page.find("script", src=lambda s: s and "chart" in s)
    assert [a.get_text() for a in page.select("p a") if a.get_text().isdigit()] == ["2025", "2024", "2023"]
    assert (built_mini / "pages/monitoring-2024.html").is_file()
    data = json.loads((built_mini / "pages/monitoring-2024.json").read_text())
    assert data["federation"]["posts"] == 4
    assert (built_mini / "pages/monitoring-2024.csv").read_bytes().startswith("\ufeffid,".encode())
    district = BeautifulSoup((built_mini / "district-a/pages/monitoring.html").read_text(), "html.parser")
    assert [a.get_text() for a in district.select(".fed-monitoring a")] == ["ТО А", "Школа 1",
                                                                            "Первичная организация школы 2"]
    assert not (built_mini / "district-a/school-1/pages/monitoring.html").exists()
