"""The "Мониторинг информационной работы" pages and their CSV/JSON downloads, per year."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fedsite.cache.keys import stage_code
from fedsite.cache.store import Store
from fedsite.model.dates import russian_date
from fedsite.plan.report import MONTHS_RU, PostDays, Report, build_report, local_days, to_csv, to_json
from fedsite.model.schema import KINDS
from fedsite.plan.pagedata import MonitoringPageData
from fedsite.plan.sitepages import PageSpec
from fedsite.plan.view import FederationView
from fedsite.plan.svgchart import column_chart, hbar_chart
from fedsite.read.tree import Org

TITLE = "Мониторинг информационной работы"
POST_DAYS = "post-days.pickle"  # in .cache/report/


def has_monitoring(org: Org, view: FederationView) -> bool:
    """The root reports on the whole federation, each territorial organization on its members."""
    return org.id == view.tree.root or (org.kind == "territorial" and bool(org.members))


def years(org: Org, view: FederationView) -> list[int]:
    """From the first published post's year to the current year, newest first."""
    return view.memo.get(("monitoring years", org.id), lambda: _years(org, view))


def _years(org: Org, view: FederationView) -> list[int]:
    current = view.local_now().year
    days = subtree_days(org, view)
    first = min((days[o.id].first_year for o in (org, *view.tree.descendants(org.id))
                 if days[o.id].first_year is not None), default=current)
    return list(range(current, min(first, current) - 1, -1))


def subtree_days(org: Org, view: FederationView) -> dict:
    """`local_days` by organization, filled in for the organization's subtree (once per build)."""
    return {member.id: view.memo.get(("local days", member.id),
                                     lambda: local_days(view.posts.get(member.id, []), view.settings.tz))
            for member in (org, *view.tree.descendants(org.id))}


class PostDaysCache:
    """Each organization's `local_days` kept between builds (.cache/report/post-days.pickle): the
    root's reports count every post of the federation, 0.1 s of each build that rebuilt the root.
    An organization's days hold while its read key (its files; the time zone) and the number of its
    published posts are the same. The file carries its own digest: a damaged one (a garbled byte may
    still unpickle, into other counts) is only counted again."""

    def __init__(self, folder: Path | None, read_keys: dict[str, str]) -> None:
        self.store = Store(folder, "report")
        self.read_keys = read_keys
        self.loaded: dict[str, PostDays] = {}

    def _key(self, org_id: str, view: FederationView) -> str:
        read_key = self.read_keys.get(org_id)
        return f"{stage_code('plan')}:{read_key}:{len(view.posts.get(org_id, []))}" if read_key else ""

    def load_into(self, view: FederationView) -> None:
        stored = self.store.get(POST_DAYS, dict) or {}
        for org_id, entry in stored.items():
            key, days = entry if isinstance(entry, tuple) and len(entry) == 2 else ("", None)
            if key and isinstance(days, PostDays) and key == self._key(org_id, view):
                self.loaded[org_id] = days  # anything else in the file (damaged, older) is only counted again
        for org_id, days in self.loaded.items():  # what they stand for: the organization's posts
            view.memo.seed(("local days", org_id), days, frozenset({("posts", org_id)}))

    def save(self, view: FederationView) -> None:
        """Keep what this build counted, if it counted anything new."""
        days = {key[1]: value for key, (value, _) in view.memo.values.items()
                if isinstance(key, tuple) and key[0] == "local days"}
        if self.store.folder is None or days.keys() <= self.loaded.keys():
            return
        keyed = {org_id: (self._key(org_id, view), d) for org_id, d in days.items()}
        self.store.put(POST_DAYS, {org_id: entry for org_id, entry in keyed.items() if entry[0]})


def page_url(year: int, current: int) -> str:
    return "pages/monitoring.html" if year == current else f"pages/monitoring-{year}.html"


def report_for(org: Org, view: FederationView, year: int) -> Report:
    """The year's report of the organization's subtree, computed once for its pages and downloads."""
    return view.memo.get(("monitoring", org.id, year), lambda: build_report(
        view.tree, subtree_days(org, view), list(view.projects), year, view.local_now(), view.settings.silent_days,
        scope=org.id))


def monitoring_pages(org: Org, view: FederationView) -> list[PageSpec]:
    """A page per year with the table and four SVG charts; links to the other years and downloads."""
    if not has_monitoring(org, view):
        return []
    all_years = years(org, view)
    links = [{"year": y, "url": org.url_path + page_url(y, all_years[0])} for y in all_years]
    return [_page(org, view, report_for(org, view, y), links, page_url(y, all_years[0])) for y in all_years]


def downloads(org: Org, view: FederationView) -> dict[str, bytes]:
    """Site-relative path -> bytes of the CSV and JSON of every year."""
    out = {}
    for year in years(org, view) if has_monitoring(org, view) else []:
        report = report_for(org, view, year)
        out[f"pages/monitoring-{year}.csv"] = to_csv(report).encode("utf-8-sig")  # BOM: Excel reads UTF-8
        out[f"pages/monitoring-{year}.json"] = to_json(report).encode("utf-8")
    return out


def _page(org: Org, view: FederationView, report: Report, links: list[dict], url: str) -> PageSpec:
    tree = view.tree
    rows = [{"name": tree[r.id].short_name, "url": tree[r.id].url_path + "index.html",
             "kind": KINDS.get(r.kind, r.kind), "posts": r.posts,
             "last_post": russian_day(r.last_post) or "—", "last_post_iso": r.last_post,
             "days": "—" if r.days_since is None else r.days_since, "social": len(r.social),
             "score": r.score, "silent": r.silent,
             "reports": [{"year": y, "published": r.reports[str(y)],
                          "url": tree[r.id].url_path + f"reports/{y}.html"} for y in report.report_years]}
            for r in report.rows]
    groups = [(tree[t.id].short_name, t.posts) for t in report.territorial] if org.id == tree.root else \
        [(tree[m].short_name, sum(r.posts for r in report.rows if r.id == m)) for m in org.members]
    total_projects = sum(report.federation.projects.values()) or 1
    ranking = sorted(report.rows, key=lambda r: (-r.score, r.id))[:10]
    titles = [f"Публикации по месяцам {report.year} года",
              "Публикации по территориальным организациям" if org.id == tree.root
              else "Публикации по членам организации",
              "Доля публикаций по проектам", "Рейтинг: 10 лучших по баллам"]
    svgs = [
        column_chart(MONTHS_RU, list(report.federation.months), titles[0]),
        hbar_chart(groups, titles[1]),
        hbar_chart([(view.projects[p]["title"], round(100 * n / total_projects, 1))
                    for p, n in report.federation.projects.items()], titles[2], " %"),
        hbar_chart([(tree[r.id].short_name, r.score) for r in ranking], titles[3]),
    ]
    charts = [{"title": t, "svg": svg} for t, svg in zip(titles, svgs)]
    heading = f"{TITLE} за {report.year} год"
    data = MonitoringPageData(
        heading=heading, date=russian_day(report.date), date_iso=report.date, rows=rows,
        charts=charts, years=links, year=report.year, silent_days=report.silent_days,
        silent=[row for row in rows if row["silent"]],
        totals=[{"name": t.name, "organizations": t.organizations, "posts": t.posts, "silent": t.silent,
                 "reports": [{"year": y, "count": n} for y, n in t.reports.items()]}
                for t in (*report.territorial, report.federation)],
        report_years=list(report.report_years),
        csv=org.url_path + f"pages/monitoring-{report.year}.csv",
        json=org.url_path + f"pages/monitoring-{report.year}.json")
    return PageSpec(url, heading, "monitoring.html", data=data)


def russian_day(iso: str) -> str:
    """'2024-03-17' as the rest of the site prints dates: '17 марта 2024 г.' ('' stays '')."""
    return russian_date(date.fromisoformat(iso)) if iso else ""
