"""The `report` command (SPEC §9): the monitoring report of the whole federation, on stdout."""

from __future__ import annotations

import sys
from pathlib import Path

from fedsite.cli.printing import print_problems
from fedsite.model.dates import now
from fedsite.model.diagnostics import Diagnostics
from fedsite.plan.report import build_report, local_days, to_csv, to_json, to_table
from fedsite.read.federation import read_federation
from fedsite.render.federation import published_posts


def run_report(repo: Path, year: int | None, fmt: str) -> int:
    """The `report` command: checks the content first, then prints the report."""
    diags = Diagnostics(repo)
    fed = read_federation(repo, diags)
    if fed is None:
        print_problems(diags)
        return 1
    moment = now()
    tz = fed.settings.tz
    days = {org: local_days(posts, tz) for org, posts in published_posts(fed, moment).items()}
    report = build_report(fed.tree, days, list(fed.projects), year or moment.astimezone(tz).year,
                          moment.astimezone(tz), fed.settings.silent_days)
    sys.stdout.write({"csv": to_csv, "json": to_json, "table": to_table}[fmt](report))
    print_problems(diags)
    return 1 if diags else 0
