"""Open yearly reports (SPEC §12): a page per report and «Открытые отчёты» on every site, with, on a
site with members, who of its subtree has published the year's report and who has not."""

from __future__ import annotations

from typing import Any

from fedsite.model.dates import russian_date
from fedsite.plan.pagedata import PostPageData, ReportPageData, ReportsPageData
from fedsite.plan.previews import with_previews
from fedsite.plan.sitepages import PageSpec
from fedsite.plan.view import FederationView, file_url
from fedsite.read.reports import REPORT_URL, Report
from fedsite.read.tree import Org

TITLE = "Открытые отчёты"
INDEX = "reports/index.html"


def with_reports(pages: list[PageSpec], org: Org, view: FederationView) -> list[PageSpec]:
    """The site's pages with each report's page (planned as a post's, for its neighbours, share links and
    preview) shown as a report, and the «Открытые отчёты» page added (with its preview)."""
    own = {r.year: r for r in view.reports.get(org.id, [])}
    out = []
    for page in pages:
        m = REPORT_URL.match(page.url) if page.template == "post.html" else None
        report = own.get(int(m.group(1))) if m else None
        if report is not None and isinstance(page.data, PostPageData):
            data = ReportPageData.of(page.data, report_card(report, org, view))
            page = PageSpec(page.url, page.title, "report.html", page.html, page.toc, data, page.description,
                            page.updated)
        out.append(page)
    return out + with_previews([index_page(org, view, list(own.values()))], org, view)


def report_card(report: Report, org: Org, view: FederationView) -> dict[str, Any]:
    """What a list and the report's page show of a report: its approval and its signed document."""
    document = None
    if report.document:
        document = {"url": file_url(org.url_path + report.document), "type": report.document_type,
                    "size": file_size_text(view.file_size(org, report.document)),
                    "name": report.document.rsplit("/", 1)[-1]}
    return {"year": report.year, "title": report.title, "url": org.url_path + report.post.url,
            "approved": russian_date(report.approved), "approved_iso": report.approved.isoformat(),
            "approved_by": report.approved_by, "document": document}


def file_size_text(size: int) -> str:
    """«820 КБ», «1,4 МБ»: a download's size as Russian readers write it."""
    if size < 1024:
        return f"{size} байт"
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} КБ"
    return f"{size / 2**20:.1f} МБ".replace(".", ",")


def subtree_years(org: Org, view: FederationView) -> dict[int, frozenset[str]]:
    """Year -> the organizations of the subtree (the organization itself included) that published their
    report for it; merged up the tree once per build."""
    def compute() -> dict[int, frozenset[str]]:
        years: dict[int, set[str]] = {}
        for report in view.reports.get(org.id, []):
            years.setdefault(report.year, set()).add(org.id)
        for member in org.members:
            for year, ids in subtree_years(view.tree[member], view).items():
                years.setdefault(year, set()).update(ids)
        return {year: frozenset(ids) for year, ids in years.items()}
    return view.memo.get(("report years", org.id), compute)


def index_page(org: Org, view: FederationView, own: list[Report]) -> PageSpec:
    data = ReportsPageData(heading=TITLE, own=[report_card(r, org, view) for r in own],
                           years=members_by_year(org, view) if org.members else [])
    return PageSpec(INDEX, TITLE, "reports.html", data=data,
                    description=f"Открытые отчёты выборного органа: {org.short_name}")


def members_by_year(org: Org, view: FederationView) -> list[dict[str, Any]]:
    """For each year any organization of the subtree reported on, newest first: who of the members (all
    levels below) has published the year's report and who has not, by member of the organization."""
    years = subtree_years(org, view)
    below = view.tree.descendants(org.id)
    out = []
    for year in sorted(years, reverse=True):
        done = years[year]
        groups = [_group(view.tree[m], view, year, done) for m in org.members]
        out.append({"year": year, "published": sum(1 for o in below if o.id in done), "total": len(below),
                    "groups": groups})
    return out


def _group(member: Org, view: FederationView, year: int, done: frozenset[str]) -> dict[str, Any]:
    """A member with its own subtree: who has published the year's report (a link to it) and who has
    not (a link to the site)."""
    orgs = [member, *view.tree.descendants(member.id)]
    published = [{"name": o.short_name, "url": o.url_path + f"reports/{year}.html"} for o in orgs if o.id in done]
    missing = [{"name": o.short_name, "url": o.url_path + "index.html"} for o in orgs if o.id not in done]
    return {"name": member.short_name, "url": member.url_path + INDEX, "published": published,
            "missing": missing, "count": len(published), "total": len(orgs)}
