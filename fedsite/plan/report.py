"""Monitoring report (SPEC §9): per organization, per territorial organization and for the federation.

Score for the contest «Лучшая организация информационной работы» (documented in the README):
    min(posts, 48) + 3 × months with a post + 3 × social networks filled + 2 × contacts filled
    + 2 × projects covered + 5 if an open report (SPEC §12) was approved and published in the year.
Regular posting weighs most; presence in social networks and open contacts follow. A report's
announcement is not counted as a post: it has its own columns, one per report year.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from fedsite.read.content import Post
from fedsite.model.schema import CONTACTS, KINDS, SOCIAL
from fedsite.read.reports import report_year
from fedsite.read.tree import Org, Tree

MONTHS_RU = ["янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"]


@dataclass(frozen=True)
class OrgRow:
    """One organization's line of the report."""

    id: str
    name: str
    kind: str
    parent: str
    posts: int
    months: tuple[int, ...]
    last_post: str
    days_since: int | None
    projects: dict[str, int]
    social: tuple[str, ...]
    contacts: tuple[str, ...]
    score: int
    silent: bool
    reports: dict[str, bool]  # report year -> whether its open report was published by the report's date


@dataclass(frozen=True)
class Totals:
    """Sums over a group of organizations (a territorial organization with its members, or all)."""

    id: str
    name: str
    organizations: int
    posts: int
    months: tuple[int, ...]
    projects: dict[str, int]
    silent: int
    reports: dict[str, int]  # report year -> how many published it


@dataclass(frozen=True)
class Report:
    year: int
    date: str
    silent_days: int
    report_years: tuple[int, ...]  # a column each: the year before the report's and every year reported on
    rows: tuple[OrgRow, ...]
    territorial: tuple[Totals, ...]
    federation: Totals


def report_date(year: int, now: datetime) -> date:
    """Today for the current year, the year's last day for a past one."""
    today = now.date()
    return today if year >= today.year else date(year, 12, 31)


REPORT_POINTS = 5


def score(posts: int, months: tuple[int, ...], social: int, contacts: int, projects: int,
          reported: bool = False) -> int:
    return (min(posts, 48) + 3 * sum(1 for m in months if m) + 3 * social + 2 * contacts + 2 * projects
            + REPORT_POINTS * reported)


@dataclass(frozen=True)
class YearCount:
    """What a report line counts of one organization's posts in one year."""

    posts: int
    months: tuple[int, ...]
    projects: Counter
    latest: date  # the year's last day with a post


@dataclass(frozen=True)
class PostDays:
    """One organization's published posts as a report counts them: by year of their local day. A
    report's day is never before a published post's (it is today, or a past year's last day), so a
    year's counts are all there is to count; the root's reports need them for every organization."""

    counts: dict[int, YearCount]
    reports: dict[int, date] = field(default_factory=dict)  # report year -> the local day it was approved

    def reported(self, on: date) -> dict[int, bool]:
        """Report year -> published by `on`, for the reports approved by then."""
        return {year: True for year, day in self.reports.items() if day <= on}

    def approved_in(self, year: int, on: date) -> bool:
        """Whether a report (of any year) was approved in `year`, by `on`: what the year's score counts."""
        return any(day.year == year and day <= on for day in self.reports.values())

    @property
    def first_year(self) -> int | None:
        return min(self.counts, default=None)

    def year(self, year: int) -> YearCount | None:
        return self.counts.get(year)

    def last_day(self, year: int) -> date | None:
        """The last day with a post in `year` or before."""
        return max((counts.latest for y, counts in self.counts.items() if y <= year), default=None)


def _count(days: list[tuple[date, tuple[str, ...]]]) -> YearCount:
    by_month = Counter(day.month for day, _ in days)
    projects = Counter(pid for _, post_projects in days for pid in dict.fromkeys(post_projects))
    return YearCount(len(days), tuple(by_month[m] for m in range(1, 13)), projects, max(day for day, _ in days))


def local_days(posts: list[Post], tz) -> PostDays:
    by_year: dict[int, list[tuple[date, tuple[str, ...]]]] = {}
    reports: dict[int, date] = {}
    for post in posts:
        day = post.date.astimezone(tz).date()
        reported = report_year(post)
        if reported is not None:
            reports[reported] = day
            continue
        by_year.setdefault(day.year, []).append((day, post.projects))
    return PostDays({year: _count(days) for year, days in by_year.items()}, reports)


NO_POSTS = PostDays({})
NO_COUNT = YearCount(0, (0,) * 12, Counter(), date.min)


def org_row(org: Org, days: PostDays, year: int, on: date, projects: list[str], silent_days: int,
            report_years: tuple[int, ...] = ()) -> OrgRow:
    """The report line of one organization for a year, on `on` (today, or a past year's last day)."""
    reported = days.reported(on)
    counts = days.year(year) or NO_COUNT
    last = days.last_day(year)
    per_project = {pid: counts.projects[pid] for pid in projects}
    social = tuple(k for k in SOCIAL if (org.card.get("social") or {}).get(k))
    contacts = tuple(k for k in CONTACTS if (org.card.get("contacts") or {}).get(k))
    days_since = (on - last).days if last else None
    return OrgRow(
        id=org.id, name=org.name, kind=org.kind, parent=org.parent or "", posts=counts.posts,
        months=counts.months, last_post=last.isoformat() if last else "", days_since=days_since,
        projects=per_project, social=social, contacts=contacts,
        silent=days_since is None or days_since > silent_days,
        score=score(counts.posts, counts.months, len(social), len(contacts),
                    sum(1 for v in per_project.values() if v), days.approved_in(year, on)),
        reports={str(y): reported.get(y, False) for y in report_years},
    )


def totals(group_id: str, name: str, rows: list[OrgRow], projects: list[str]) -> Totals:
    return Totals(group_id, name, len(rows), sum(r.posts for r in rows),
                  tuple(sum(r.months[i] for r in rows) for i in range(12)),
                  {pid: sum(r.projects[pid] for r in rows) for pid in projects}, sum(r.silent for r in rows),
                  {y: sum(r.reports[y] for r in rows) for y in (rows[0].reports if rows else {})})


def report_columns(days: list[PostDays], year: int, on: date) -> tuple[int, ...]:
    """The report years a monitoring report shows: the year before its own (whose report is due in it) and
    every year up to its own that someone published a report for by `on`."""
    years = {year - 1} | {y for d in days for y in d.reported(on) if y <= year}
    return tuple(sorted(years))


def build_report(tree: Tree, days: dict[str, PostDays], projects: list[str], year: int,
                 now: datetime, silent_days: int, scope: str | None = None) -> Report:
    """The report for the whole federation, or for one organization and its descendants (`scope`), from
    each organization's `local_days`."""
    on = report_date(year, now)
    top = tree[scope or tree.root]
    orgs = [top, *tree.descendants(top.id)]
    columns = report_columns([days.get(o.id, NO_POSTS) for o in orgs], year, on)
    rows = {o.id: org_row(o, days.get(o.id, NO_POSTS), year, on, projects, silent_days, columns) for o in orgs}
    groups = [o for o in orgs if o.kind == "territorial"]
    territorial = tuple(totals(g.id, g.name, [rows[g.id]] + [rows[d.id] for d in tree.descendants(g.id)],
                               projects) for g in groups)
    return Report(year, on.isoformat(), silent_days, columns, tuple(rows[o.id] for o in orgs), territorial,
                  totals(top.id, top.name, list(rows.values()), projects))


CSV_FIELDS = ["id", "name", "kind", "parent", "posts", *[f"m{m:02d}" for m in range(1, 13)], "last_post",
              "days_since", "social", "contacts", "score", "silent"]


# What makes a spreadsheet read a cell as a formula (OWASP, CSV injection), fullwidth forms included.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def csv_cell(value: object) -> object:
    """A cell a spreadsheet shows as text: a string that would start a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(report: Report) -> str:
    """One line per organization with the report's field names; projects as project_<id> columns, open
    reports as report_<year> (1: published).
    Text cells are neutralized (`csv_cell`): a name like `=HYPERLINK(…)` is not a formula."""
    projects = list(report.federation.projects)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    years = [str(y) for y in report.report_years]
    writer.writerow([csv_cell(c) for c in CSV_FIELDS + [f"project_{p}" for p in projects]
                     + [f"report_{y}" for y in years]])
    for r in report.rows:
        row = [r.id, r.name, r.kind, r.parent, r.posts, *r.months, r.last_post,
               "" if r.days_since is None else r.days_since, ";".join(r.social),
               ";".join(r.contacts), r.score, int(r.silent)] + [r.projects[p] for p in projects]
        row += [int(r.reports[y]) for y in years]
        writer.writerow([csv_cell(c) for c in row])
    return out.getvalue()


def to_json(report: Report) -> str:
    # vars(), not dataclasses.asdict: asdict deep-copies every value, seconds for the root's 1,023 rows.
    data = {**vars(report), "silent": [r.id for r in report.rows if r.silent]}
    return json.dumps(data, ensure_ascii=False, default=vars)  # no indent: the C encoder, 10x faster


def to_table(report: Report) -> str:
    """An aligned Russian table for the terminal."""
    years = [str(y) for y in report.report_years]
    head = ["Код", "Вид", "Публ.", "Последняя", "Дней", "Соцсети", *[f"Отчёт {y}" for y in years], "Баллы", ""]
    lines = [[r.id, KINDS.get(r.kind, r.kind), str(r.posts), r.last_post or "—",
              "—" if r.days_since is None else str(r.days_since), str(len(r.social)),
              *["да" if r.reports[y] else "нет" for y in years], str(r.score),
              "молчит" if r.silent else ""] for r in report.rows]
    widths = [max(len(x[i]) for x in [head, *lines]) for i in range(len(head))]
    fmt = lambda row: "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()
    text = [f"Мониторинг информационной работы за {report.year} год (на {report.date})", fmt(head)]
    text += [fmt(row) for row in lines]
    text.append("")
    for t in (*report.territorial, report.federation):
        reported = "".join(f", отчёт за {y} год: {n}" for y, n in t.reports.items())
        text.append(f"Итого {t.name}: организаций {t.organizations}, публикаций {t.posts}, молчат {t.silent}"
                    + reported)
    silent = [r.id for r in report.rows if r.silent]
    text.append(f"Молчат больше {report.silent_days} дней: {', '.join(silent) or 'нет'}")
    return "\n".join(text) + "\n"
