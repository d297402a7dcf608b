"""The property test's edits of everything but posts: organizations added, removed, moved and renamed,
cards, intros, pages and assets, the projects, shared pages and assets, settings and theme, the clock,
and what a CI runner keeps between builds."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from datetime import timedelta

from hypothesis import note
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from property_machine import (ASSETS, EXTENSIONS, ORG_IDS, ZONES, FederationMachine, payloads, pictures, titles,
                              words)
from property_model import LOGO, MSK, SITE_URLS, THEME_EDITS, Org, Page, Post

has_members = FederationMachine.has_members


class SiteEdits(FederationMachine):
    """The rules that edit organizations, what the federation shares, and time."""


    def has_free_id(self) -> bool:
        return any(org not in self.model.orgs for org in ORG_IDS)

    @precondition(has_free_id)
    @rule(data=st.data())
    def add_org(self, data: st.DataObject) -> None:
        free = [org for org in ORG_IDS if org not in self.model.orgs]
        org_id = data.draw(st.sampled_from(free), label="id")
        parent = self.pick_org(data)
        kind = data.draw(st.sampled_from(("territorial", "primary")), label="kind")
        self.model.orgs[org_id] = Org(parent, kind, f"Организация {org_id}")
        for _ in range(data.draw(st.integers(0, 2), label="posts")):
            when = self.when(data)
            self.model.posts[self.next_post] = Post(org_id, "dated", when.date(), when, "file",
                                                    data.draw(titles, label="title"))
            self.next_post += 1
        self.done(f"organization {org_id} added under {parent}", data)

    @precondition(has_members)
    @rule(data=st.data())
    def remove_org(self, data: st.DataObject) -> None:
        """An organization leaves with its members."""
        org_id = self.pick_org(data, root=False)
        gone = self.model.subtree(org_id)
        shutil.rmtree(self.repo / self.model.folder(org_id))
        for other in gone:
            del self.model.orgs[other]
        numbers = {n for n, post in self.model.posts.items() if post.org in gone}
        for number in numbers:
            del self.model.posts[number]
        self.unlink_posts(numbers)
        self.done(f"organization {org_id} removed with {sorted(gone - {org_id})}", data)

    @precondition(has_members)
    @rule(data=st.data())
    def move_org(self, data: st.DataObject) -> None:
        """An organization moved under another parent (its folder moved; links to its posts follow)."""
        org_id = self.pick_org(data, root=False)
        parents = sorted(set(self.model.orgs) - self.model.subtree(org_id) - {self.model.orgs[org_id].parent})
        if not parents:
            return
        parent = data.draw(st.sampled_from(parents), label="new parent")
        old = self.repo / self.model.folder(org_id)
        self.model.orgs[org_id].parent = parent
        os.rename(old, self.repo / self.model.folder(org_id))
        self.done(f"organization {org_id} moved under {parent}", data)

    @precondition(has_free_id)
    @rule(data=st.data())
    def rename_org_folder(self, data: st.DataObject) -> None:
        """An organization's folder renamed: its id, its URL and its members' URLs change."""
        org_id = self.pick_org(data)
        new_id = data.draw(st.sampled_from([org for org in ORG_IDS if org not in self.model.orgs]), label="new id")
        old = self.repo / self.model.folder(org_id)
        self.model.orgs[new_id] = self.model.orgs.pop(org_id)
        for org in self.model.orgs.values():
            if org.parent == org_id:
                org.parent = new_id
        for post in self.model.posts.values():
            if post.org == org_id:
                post.org = new_id
        os.rename(old, self.repo / self.model.folder(new_id))
        self.done(f"organization {org_id} renamed {new_id}", data)

    @rule(data=st.data())
    def edit_card(self, data: st.DataObject) -> None:
        """site.yml: a new name (a parent's shows in its members' chains), short name, chair, contacts, social,
        the picture for previews, the kind."""
        org_id = self.pick_org(data)
        org = self.model.orgs[org_id]
        what = data.draw(st.sampled_from(("name", "short_name", "chair", "email", "vk", "image", "kind")),
                         label="field")
        if what == "name":
            org.name = data.draw(words, label="name") + " организация"
        elif what == "short_name":
            org.short_name = "" if org.short_name else data.draw(words, label="short name")
        elif what == "chair":
            org.chair = "" if org.chair else "Иванова Мария Петровна"
        elif what == "email":
            org.email = "" if org.email else f"{org_id}@example.org"
        elif what == "vk":
            org.vk = "" if org.vk else f"https://vk.com/{org_id}"
        elif what == "image":
            org.image = data.draw(st.sampled_from(["", *(a for a in sorted(org.assets) if a.endswith(".png"))]),
                                  label="image")
        elif org.parent is not None:
            org.kind = "primary" if org.kind == "territorial" else "territorial"
        self.done(f"{org_id}/site.yml: {what} edited", data)

    @rule(data=st.data())
    def edit_intro(self, data: st.DataObject) -> None:
        org_id = self.pick_org(data)
        org = self.model.orgs[org_id]
        org.intro = data.draw(st.one_of(st.just(""), words), label="intro")
        self.done(f"{org_id}/index.md: «{org.intro}»", data)

    @rule(data=st.data())
    def edit_page(self, data: st.DataObject) -> None:
        """An organization's page added, edited (text, title, menu order, a link to a post) or removed."""
        org_id = self.pick_org(data)
        pages = self.model.orgs[org_id].pages
        name = data.draw(st.sampled_from(sorted(pages) + [f"stranica-{self.next_page}.md"]), label="page")
        self.next_page += name not in pages
        if name in pages and data.draw(st.booleans(), label="remove"):
            del pages[name]
        else:
            page = pages.get(name) or Page("Страница", "Текст.")
            pages[name] = replace(
                page, title=data.draw(titles, label="title"), text=data.draw(words, label="text"),
                order=data.draw(st.one_of(st.none(), st.integers(1, 3)), label="order"),
                link=data.draw(st.sampled_from([None, *self.published_posts()]), label="link"))
        self.done(f"{org_id}/pages/{name} edited", data)

    @rule(data=st.data())
    def put_asset(self, data: st.DataObject) -> None:
        """A file added to an organization's assets, or one of them replaced (the same name, new bytes)."""
        existing = sorted((org_id, name) for org_id, org in self.model.orgs.items() for name in org.assets)
        used = sorted({(post.org, name) for post in self.model.posts.values() for name in (post.cover, post.audio)}
                      & set(existing))  # a post's cover or recording: what other sites' pages and feeds show
        if existing and data.draw(st.booleans(), label="replace"):
            choices = used if used and data.draw(st.booleans(), label="one a post uses") else existing
            org_id, name = data.draw(st.sampled_from(choices), label="asset")
        else:
            org_id = self.pick_org(data)
            name = data.draw(st.sampled_from(ASSETS), label="asset")
        self.model.orgs[org_id].assets[name] = data.draw(pictures if name.endswith(".png") else payloads, label="bytes")
        self.done(f"{org_id}/assets/{name} written", data)

    @rule(data=st.data())
    def remove_asset(self, data: st.DataObject) -> None:
        org_id = self.pick_org(data)
        assets = self.model.orgs[org_id].assets
        if not assets:
            return
        name = data.draw(st.sampled_from(sorted(assets)), label="asset")
        del assets[name]
        org = self.model.orgs[org_id]
        org.image = "" if org.image == name else org.image
        for post in self.model.posts.values():
            if post.org == org_id:
                post.cover = "" if post.cover == name else post.cover
                post.audio = "" if post.audio == name else post.audio
        self.done(f"{org_id}/assets/{name} removed", data)

    # What the federation shares

    @rule(data=st.data())
    def edit_projects(self, data: st.DataObject) -> None:
        """shared/data/projects.yml: a project added, retitled, described or removed (and taken off its posts)."""
        projects = self.model.projects
        pid = data.draw(st.sampled_from(sorted(set(projects) | {"sport", "molodezh"})), label="project")
        if pid in projects and data.draw(st.booleans(), label="remove"):
            del projects[pid]
            for post in self.model.posts.values():
                post.projects = tuple(p for p in post.projects if p != pid)
        else:
            projects[pid] = (data.draw(titles, label="title"), data.draw(st.one_of(st.just(""), words), label="text"))
        self.done(f"project {pid} edited", data)

    @rule(data=st.data())
    def edit_shared_page(self, data: st.DataObject) -> None:
        pages = self.model.shared_pages
        name = data.draw(st.sampled_from(sorted(set(pages) | {"obshchaya.md", "podpiska.md"})), label="page")
        if name in pages and data.draw(st.booleans(), label="remove"):
            del pages[name]
        else:
            pages[name] = (data.draw(titles, label="title"), data.draw(words, label="text"))
        self.done(f"shared/pages/{name} edited", data)

    @rule(data=st.data())
    def put_shared_asset(self, data: st.DataObject) -> None:
        """shared/assets/: the logo replaced, or a shared picture added or removed."""
        name = data.draw(st.sampled_from(("logo.svg", "plakat.png")), label="asset")
        if name == "plakat.png" and name in self.model.shared_assets and data.draw(st.booleans(), label="remove"):
            del self.model.shared_assets[name]
        else:
            version = data.draw(st.integers(0, 9), label="version")
            self.model.shared_assets[name] = LOGO.replace(b"</svg>", b"<!-- %d --></svg>" % version) \
                if name == "logo.svg" else data.draw(pictures, label="bytes")
        self.done(f"shared/assets/{name} edited", data)

    @rule(data=st.data())
    def change_setting(self, data: st.DataObject) -> None:
        """extra.federation in mkdocs.yml, the base URL or the Markdown extensions."""
        key = data.draw(st.sampled_from(("feed_items", "own_feed_items", "posts_per_page", "home_posts", "member_news",
                                         "rollup_items", "silent_days", "title", "time_zone", "site_url",
                                         "extensions", "iframe_hosts")), label="setting")
        if key == "site_url":
            self.model.site_url = data.draw(st.sampled_from(SITE_URLS), label="site_url")
        elif key == "iframe_hosts":
            hosts = data.draw(st.sampled_from((None, ["rutube.ru"], ["vk.com", "dzen.ru"])), label="hosts")
            if hosts is None:
                self.model.settings.pop(key, None)
            else:
                self.model.settings[key] = hosts
        elif key == "extensions":
            self.model.extensions = tuple(data.draw(st.lists(st.sampled_from(EXTENSIONS), unique=True),
                                                    label="extensions"))
        elif key == "time_zone":
            self.model.settings[key] = data.draw(st.sampled_from(ZONES), label="time zone")
        elif key == "title":
            self.model.settings[key] = data.draw(words, label="title")
        else:
            self.model.settings[key] = data.draw(st.integers(1, 6 if key != "silent_days" else 400), label=key)
        self.done(f"setting {key} changed", data)

    @rule(data=st.data())
    def edit_theme(self, data: st.DataObject) -> None:
        """A template, the footer partial or the style sheet edited; or the home page made to count every
        page (a template that reads `pages`: no page is reused from the last build then), or not."""
        what = data.draw(st.sampled_from(THEME_EDITS), label="theme edit")
        if what == "pages":
            self.model.theme["pages"] = 1 - self.model.theme.get("pages", 0)
        else:
            self.model.theme[what] = data.draw(st.integers(0, 3), label="revision")
        self.done(f"theme: {what} edited", data)

    # Time, and what CI keeps

    @rule(hours=st.integers(1, 24 * 40))
    def time_passes(self, hours: int) -> None:
        """The nightly build: a later clock moves events and dates 'days since the last post'."""
        self.now += timedelta(hours=hours)
        note(f"the clock moves to {self.now}")

    def has_scheduled(self) -> bool:
        return any(self.model.moment(post) > self.now for post in self.model.posts.values())

    @precondition(has_scheduled)
    @rule(minutes=st.integers(0, 90))
    def scheduled_post_comes_due(self, minutes: int) -> None:
        """The clock moves just past the next scheduled post's date: the build publishes it."""
        due = min(m for m in map(self.model.moment, self.model.posts.values()) if m > self.now)
        self.now = due.astimezone(MSK) + timedelta(minutes=minutes)
        note(f"the clock moves to {self.now}")

    @rule(what=st.sampled_from(("no public/", "save .cache/", "an older .cache/")))
    def ci_runner(self, what: str) -> None:
        """What a CI runner starts with: the cache restored but not public/; the cache saved now, to be
        restored later; or that older cache restored (the last save failed or was evicted), without public/."""
        kept = self.root / "kept-cache"
        if what == "save .cache/":
            shutil.rmtree(kept, ignore_errors=True)
            shutil.copytree(self.repo / ".cache", kept, symlinks=True)
        else:
            shutil.rmtree(self.repo / "public", ignore_errors=True)
        if what == "an older .cache/" and kept.exists():
            shutil.rmtree(self.repo / ".cache")
            shutil.copytree(kept, self.repo / ".cache", symlinks=True)
        note(f"CI runner: {what}")
