"""The monitoring page prints dates as the rest of the site does ("1 января 2025 г."), with the ISO
date kept for machines in <time datetime>."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup

RUSSIAN_DATE = re.compile(r"^\d{1,2} (января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|"
                          r"ноября|декабря) \d{4} г\.$")


def test_the_monitoring_table_prints_russian_dates(built_mini: Path):
    soup = BeautifulSoup((built_mini / "pages/monitoring.html").read_text(encoding="utf-8"), "html.parser")
    assert "По данным сайтов на 1 июня 2026 г." in soup.get_text(" ", strip=True)
    cells = [row.find_all("td")[3] for row in soup.select("table.fed-monitoring tbody tr")]
    dated = [cell.find("time") for cell in cells if cell.find("time")]
    assert dated and len(dated) < len(cells)  # an organization that never posted shows a dash
    for time in dated:
        assert RUSSIAN_DATE.match(time.get_text()), time
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", time["datetime"])
    assert {"1 января 2025 г."} <= {t.get_text() for t in dated}
    assert all(cell.get_text() == "—" for cell in cells if not cell.find("time"))
    assert not re.search(r"\b\d{4}-\d\d-\d\d\b", soup.select_one("table.fed-monitoring").get_text())
