"""Open yearly reports (SPEC §12, issue 19): a federation where some organizations have published their
reports and some have not; every listing, the counts, the news and feeds, and the monitoring."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

from conftest import build_once, copy_federation
from fedsite.outputs.feeds import item_id

REGION = "sites/region"
SCHOOL = "sites/region/district-a/school-1"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def with_reports(repo: Path) -> Path:
    """The mini federation (the clock at 1 June 2026) with reports: the region for 2024 and 2025 (with a
    PDF), school-1 for 2025, district-b for 2024; district-a and school-2 have none."""
    (repo / REGION / "reports").mkdir(parents=True)
    (repo / REGION / "reports/2025.pdf").write_bytes(PDF)
    write(repo / REGION / "reports/2025.md", "---\napproved: {date: 20.02.2026, body: заседание президиума}\n"
                                             "document: 2025.pdf\n---\n## Правовая основа\n\nУстав Профсоюза.\n")
    write(repo / REGION / "reports/2024.md", "---\ntitle: Отчёт президиума за 2024 год\napproved:\n"
                                             "  date: 2025-02-27\n  body: заседание президиума\n---\nТекст.\n")
    write(repo / SCHOOL / "reports/2025.md", "---\napproved: {date: 01.03.2026, body: профсоюзное собрание}\n"
                                             "summary: Итоги года профкома школы\n---\nТекст школы.\n")
    write(repo / "sites/region/district-b/reports/2024.md",
          "---\napproved: {date: 10.03.2025, body: пленум}\n---\nТекст района Б.\n")
    return repo


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_once(with_reports(copy_federation("mini", tmp_path_factory.mktemp("reports"))))


def page(public: Path, rel: str) -> BeautifulSoup:
    soup = BeautifulSoup((public / rel).read_text(encoding="utf-8"), "html.parser")
    return soup.select_one("article.md-content__inner") or soup


def texts(nodes) -> list[str]:
    return [" ".join(n.get_text(" ", strip=True).split()) for n in nodes]


def test_report_page_shows_its_approval_document_and_text(public: Path) -> None:
    main = page(public, "reports/2025.html")
    assert texts(main.select("h1")) == ["Открытый отчёт за 2025 год"]  # the default title
    approved = texts(main.select(".fed-report__approved"))[0]
    assert approved == "Утверждён 20 февраля 2026 г. : заседание президиума"
    assert main.select_one(".fed-report__approved time")["datetime"].startswith("2026-02-20")
    link = main.select_one(".fed-report__document a")
    assert link["href"] == "2025.pdf" and link.has_attr("download")
    assert (public / "reports/2025.pdf").read_bytes() == PDF
    assert texts(main.select(".fed-report__file")) == [f"PDF, {len(PDF)} байт"]
    assert "Устав Профсоюза." in texts(main.select(".fed-post__content"))[0]
    assert page(public, "reports/2024.html").h1.get_text(strip=True) == "Отчёт президиума за 2024 год"
    head = BeautifulSoup((public / "reports/2025.html").read_text(encoding="utf-8"), "html.parser").head
    og = {m["property"]: m["content"] for m in head.select("meta[property]")}
    assert og["og:type"] == "article" and og["article:published_time"] == "2026-02-20T00:00:00+03:00"
    assert og["og:url"] == "https://fed.example.org/reports/2025.html"


def test_every_site_lists_its_reports_newest_first_with_a_menu_entry(public: Path) -> None:
    own = page(public, "reports/index.html").select(".fed-reports__own li")
    assert [li.a["href"] for li in own] == ["2025.html", "2024.html"]
    assert "PDF" in texts(own)[0] and "PDF" not in texts(own)[1]
    school2 = page(public, "district-a/school-2/reports/index.html")
    assert texts(school2.select(".fed-reports__own li")) == ["Отчётов пока нет."]
    assert not school2.select(".fed-reports__year")  # a site without members lists only its own
    menu = BeautifulSoup((public / "district-a/school-2/index.html").read_text(encoding="utf-8"), "html.parser")
    assert "Открытые отчёты" in texts(menu.select("nav.md-nav a"))


def year_section(public: Path, rel: str, year: int) -> BeautifulSoup:
    return page(public, rel).select_one(f"#year-{year}")


def test_a_site_with_members_shows_who_published_each_year_with_counts(public: Path) -> None:
    main = page(public, "reports/index.html")
    assert [s["id"] for s in main.select(".fed-reports__year")] == ["year-2025", "year-2024"]
    y2025 = year_section(public, "reports/index.html", 2025)
    assert texts(y2025.select(".fed-reports__total")) == ["Опубликовали отчёт: 1 из 4"]
    rows = [texts(tr.select("td")) for tr in y2025.select(".fed-reports__counts tbody tr")]
    assert rows == [["ТО А", "1", "3"], ["Территориальная организация Б", "0", "1"]]
    assert [a["href"] for a in y2025.select(".fed-reports__counts a")] == [
        "../district-a/reports/index.html", "../district-b/reports/index.html"]
    published = [a["href"] for a in y2025.select(".fed-reports__published a")]
    missing = [a["href"] for a in y2025.select(".fed-reports__missing a")]
    assert published == ["../district-a/school-1/reports/2025.html"]
    assert missing == ["../district-a/index.html", "../district-a/school-2/index.html", "../district-b/index.html"]
    y2024 = year_section(public, "reports/index.html", 2024)
    assert texts(y2024.select(".fed-reports__total")) == ["Опубликовали отчёт: 1 из 4"]
    assert [a["href"] for a in y2024.select(".fed-reports__published a")] == ["../district-b/reports/2024.html"]
    district = year_section(public, "district-a/reports/index.html", 2025)
    assert texts(district.select(".fed-reports__total")) == ["Опубликовали отчёт: 1 из 2"]
    assert not page(public, "district-a/reports/index.html").select("#year-2024")  # nobody below reported


def test_a_report_is_in_the_news_and_feeds_on_its_approval_date_with_a_stable_id(public: Path) -> None:
    feed = feedparser.parse((public / "feed.xml").read_bytes())
    assert feed.bozo == 0
    entry = next(e for e in feed.entries if e.title == "Открытый отчёт за 2025 год")
    assert entry.link == "https://fed.example.org/reports/2025.html"
    assert entry.id == item_id("region", "report-2025")
    assert entry.published_parsed[:3] == (2026, 2, 19)  # 20 February, 00:00 in Moscow
    atom = feedparser.parse((public / "district-a/atom-all.xml").read_bytes())
    school = next(e for e in atom.entries if e.id == item_id("school-1", "report-2025"))
    assert school.link == "https://fed.example.org/district-a/school-1/reports/2025.html"
    assert school.summary == "Итоги года профкома школы"
    news = page(public, "posts/index.html")
    assert "../reports/2025.html" in [a["href"] for a in news.select("a")]


def monitoring_rows(public: Path, year: int) -> dict[str, dict[str, str]]:
    text = (public / f"pages/monitoring-{year}.csv").read_text(encoding="utf-8-sig")
    return {row["id"]: row for row in csv.DictReader(io.StringIO(text))}


def test_monitoring_has_a_column_per_report_year_and_counts_it_in_the_score(public: Path) -> None:
    rows = monitoring_rows(public, 2026)
    assert {k for k in rows["region"] if k.startswith("report_")} == {"report_2024", "report_2025"}
    assert [(r["report_2024"], r["report_2025"]) for r in rows.values()] == [
        ("1", "1"), ("0", "0"), ("0", "1"), ("0", "0"), ("1", "0")]  # region, district-a, school-1, school-2, b
    # A report approved in 2026 is worth 5 in 2026's score; district-b's (approved in 2025) is not.
    assert int(rows["school-1"]["score"]) == 5 and int(rows["district-b"]["score"]) == 0
    past = monitoring_rows(public, 2025)  # on 31 December 2025 only the 2024 reports were out
    assert {k for k in past["region"] if k.startswith("report_")} == {"report_2024"}
    assert past["region"]["report_2024"] == past["district-b"]["report_2024"] == "1"
    assert int(past["district-b"]["score"]) == 5
    data = json.loads((public / "pages/monitoring-2026.json").read_text(encoding="utf-8"))
    assert data["report_years"] == [2024, 2025]
    assert {r["id"]: r["reports"] for r in data["rows"]}["school-1"] == {"2024": False, "2025": True}
    assert data["federation"]["reports"] == {"2024": 2, "2025": 2}
    table = page(public, "pages/monitoring.html").select_one("table.fed-monitoring")
    assert texts(table.select("th"))[6:8] == ["Отчёт за 2024", "Отчёт за 2025"]
    school = next(tr for tr in table.select("tbody tr") if tr.a.get_text(strip=True) == "Школа 1")
    assert school.select("td")[7].a["href"] == "../district-a/school-1/reports/2025.html"



def test_report_pages_are_valid_html(public: Path) -> None:
    import subprocess

    from test_html_validator import MATERIALS_TOGGLES, VNU_DIR

    jar = VNU_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if not jar.is_file():
        pytest.skip("vnu.jar is not installed (scripts/test.sh installs it; tests/test_html_validator.py fetches it)")
    pages = ["reports/index.html", "reports/2025.html", "reports/2024.html", "district-a/reports/index.html",
             "district-a/school-1/reports/2025.html", "pages/monitoring.html"]
    done = subprocess.run(["java", "-jar", str(jar), "--errors-only", "--format", "json",
                           *[str(public / p) for p in pages]], capture_output=True, text=True, timeout=600)
    messages = json.loads(done.stderr)["messages"]
    errors = [f"{m['url'].rsplit('/public/', 1)[-1]}:{m.get('lastLine')}: {m['message']}" for m in messages
              if m["type"] in ("error", "non-document-error") and not m["message"].startswith(MATERIALS_TOGGLES)]
    assert errors == []
