"""Which posts a search bundle's recent part holds and which its settled part (outputs/search.py).

Recent: posts dated on or after the start of the current month in the federation's time zone.
Settled: older posts (and, in the bundles, the undated pages and «О нас»). The month is read as a coarse
fact, ("month", ""): a part that reads it is made again when the month turns, not every build. The
settled posts of an organization are read as ("settled", id), whose digest covers only those posts'
fields and renderings, so that a new post of this month leaves every settled part's key as it was."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fedsite.model.digest import canonical_digest
from fedsite.plan.view import FederationView
from fedsite.read.content import Post
from fedsite.read.tree import Org


def month_start(clock: datetime, tz: ZoneInfo) -> datetime:
    """Midnight of the first day of the clock's month, in the federation's time zone."""
    local = clock.astimezone(tz)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def month_of(view: FederationView) -> str:
    """The digest of ("month", ""): «2026-06»."""
    return month_start(view.clock, view.settings.tz).strftime("%Y-%m")


def settled_of(org_id: str, view: FederationView) -> str:
    """The digest of ("settled", id): what a search record takes from each post dated before this month."""
    start = month_start(view.clock, view.settings.tz)
    rendered = view.rendered.untracked
    return canonical_digest([(p.source.rel, p.url, p.title, p.date.isoformat(), p.tags, p.summary,
                              rendered.digest(p.source.rel) if p.source.rel in rendered else "-")
                             for p in view.posts.untracked.get(org_id, []) if p.date < start])


def recent_posts(org: Org, view: FederationView) -> list[Post]:
    """The organization's posts of this month (its posts and the month read)."""
    view.recorder.record("month")
    start = month_start(view.clock, view.settings.tz)
    return [p for p in view.posts.get(org.id, []) if p.date >= start]


def settled_posts(org: Org, view: FederationView) -> list[Post]:
    """The organization's posts of earlier months, read as ("settled", id) alone: their renderings are
    read untracked by whoever indexes them, as the settled digest covers them."""
    view.recorder.record("settled", org.id)
    start = month_start(view.clock, view.settings.tz)
    return [p for p in view.posts.untracked.get(org.id, []) if p.date < start]
