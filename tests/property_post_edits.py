"""The property test's edits of posts: new, edited, retitled, redated, retagged, drafted, readdressed,
moved, deleted, linked, made an event, given a cover or a recording."""

from __future__ import annotations

from datetime import datetime

from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from property_machine import DATE_STYLES, NAME_STYLES, PLACES, SUBFOLDERS, TAGS, FederationMachine, titles, words
from property_model import Post

has_posts = FederationMachine.has_posts


class PostEdits(FederationMachine):
    """The rules that edit posts."""


    @rule(data=st.data())
    def new_post(self, data: st.DataObject) -> None:
        org = self.pick_org(data)
        when = self.when(data)
        name = data.draw(st.sampled_from(NAME_STYLES), label="file name")
        style = data.draw(st.sampled_from(DATE_STYLES if name == "dated" else DATE_STYLES[1:]), label="date style")
        post = Post(org, name, when.date(), when, style, data.draw(titles, label="title"),
                    subfolder=data.draw(st.sampled_from(SUBFOLDERS), label="subfolder"),
                    tags=tuple(data.draw(st.lists(st.sampled_from(TAGS), max_size=3, unique=True), label="tags")),
                    projects=tuple(data.draw(st.lists(st.sampled_from(sorted(self.model.projects)), max_size=2,
                                                      unique=True), label="projects")),
                    paragraphs=tuple(data.draw(st.lists(words, min_size=1, max_size=3), label="paragraphs")),
                    more=data.draw(st.booleans(), label="more"), heading=data.draw(st.booleans(), label="heading"),
                    author=data.draw(st.sampled_from(("", "", "Иванова")), label="author"))
        number = self.next_post
        self.next_post += 1
        self.model.posts[number] = post
        self.done(f"new post {number} in {org}, dated {self.model.moment(post)}", data)

    @precondition(has_posts)
    @rule(data=st.data())
    def edit_post_text(self, data: st.DataObject) -> None:
        number = self.pick_post(data)
        post = self.model.posts[number]
        what = data.draw(st.sampled_from(("paragraph", "summary", "more", "heading", "author", "updated",
                                          "markup")),
                         label="edit")
        if what == "paragraph":
            post.paragraphs = post.paragraphs + (data.draw(words, label="paragraph"),)
        elif what == "summary":
            post.summary = "" if post.summary else data.draw(words, label="summary")
        elif what == "more":
            post.more = not post.more
        elif what == "markup":
            post.markup = not post.markup
        elif what == "heading":
            linked = any(p.link == (number, True) for p in self.model.posts.values())
            post.heading = True if linked else not post.heading
        elif what == "author":
            post.author = "" if post.author else "Петров"
        else:  # the day of this edit, or none
            post.updated = None if post.updated else self.now.date()
        self.done(f"post {number}: {what} edited", data)

    @precondition(has_posts)
    @rule(data=st.data())
    def retitle_post(self, data: st.DataObject) -> None:
        number = self.pick_post(data)
        self.model.posts[number].title = data.draw(titles, label="title")
        self.done(f"post {number} retitled", data)

    @precondition(has_posts)
    @rule(data=st.data())
    def redate_post(self, data: st.DataObject) -> None:
        """A new date, maybe in the future (scheduled), maybe by renaming a dated file."""
        number = self.pick_post(data)
        post = self.model.posts[number]
        when = self.when(data, past=800, future=15)
        if post.name == "dated" and data.draw(st.booleans(), label="rename the file"):
            post.day, post.date_style = when.date(), "file"
        else:
            post.when = when
            post.date_style = data.draw(st.sampled_from(DATE_STYLES[1:]), label="date style")
        self.done(f"post {number} dated {self.model.moment(post)}", data)

    @precondition(has_posts)
    @rule(data=st.data())
    def retag_post(self, data: st.DataObject) -> None:
        number = self.pick_post(data)
        post = self.model.posts[number]
        post.tags = tuple(data.draw(st.lists(st.sampled_from(TAGS), max_size=3, unique=True), label="tags"))
        post.projects = tuple(data.draw(st.lists(st.sampled_from(sorted(self.model.projects)), max_size=2,
                                                 unique=True), label="projects"))
        self.done(f"post {number}: tags {post.tags}, projects {post.projects}", data)

    @precondition(has_posts)
    @rule(data=st.data())
    def toggle_draft(self, data: st.DataObject) -> None:
        number = self.pick_post(data)
        self.model.posts[number].draft = not self.model.posts[number].draft
        self.done(f"post {number}: draft {self.model.posts[number].draft}", data)

    @precondition(has_posts)
    @rule(data=st.data())
    def readdress_post(self, data: st.DataObject) -> None:
        """A slug or an id of its own given or taken back: the page's URL or the feeds' id changes."""
        number = self.pick_post(data)
        post = self.model.posts[number]
        if data.draw(st.booleans(), label="slug"):
            post.slug = "" if post.slug else f"statya-{number}-{data.draw(st.integers(1, 3), label='version')}"
        else:
            post.post_id = "" if post.post_id else f"n-{number}"
        self.done(f"post {number}: slug «{post.slug}», id «{post.post_id}»", data)

    @precondition(has_posts)
    @rule(data=st.data())
    def move_post(self, data: st.DataObject) -> None:
        """The file renamed or put in another folder of posts/ (links to it follow, as `check` asks)."""
        number = self.pick_post(data)
        post = self.model.posts[number]
        post.subfolder = data.draw(st.sampled_from(SUBFOLDERS), label="subfolder")
        post.name = data.draw(st.sampled_from(NAME_STYLES), label="file name")
        if post.date_style == "file" and post.name != "dated":
            post.when, post.date_style = datetime.combine(post.day, datetime.min.time()), "iso-day"
        self.done(f"post {number} moved to {self.model.post_file(post, number)}", data)

    @precondition(has_posts)
    @rule(data=st.data())
    def delete_post(self, data: st.DataObject) -> None:
        number = self.pick_post(data)
        del self.model.posts[number]
        self.unlink_posts({number})
        self.done(f"post {number} deleted", data)

    @precondition(has_posts)
    @rule(data=st.data())
    def link_post(self, data: st.DataObject) -> None:
        """A link to another post, of this site or another one, maybe to its #итоги; or the link removed."""
        number = self.pick_post(data)
        post = self.model.posts[number]
        targets = self.published_posts()
        if not targets or post.link and data.draw(st.booleans(), label="remove"):
            post.link = None
        else:
            target = data.draw(st.sampled_from(targets), label="target")
            post.link = (target, self.model.posts[target].heading and data.draw(st.booleans(), label="anchor"))
        self.done(f"post {number} links to {post.link}", data)

    @precondition(has_posts)
    @rule(data=st.data())
    def set_event(self, data: st.DataObject) -> None:
        number = self.pick_post(data)
        post = self.model.posts[number]
        if post.event and data.draw(st.booleans(), label="remove"):
            post.event = None
        else:
            post.event = (self.when(data, past=30, future=20), data.draw(st.sampled_from((0, 2, 30)), label="hours"),
                          data.draw(st.sampled_from(PLACES), label="place"))
        self.done(f"post {number}: event {post.event}", data)

    @precondition(has_posts)
    @rule(data=st.data())
    def set_media(self, data: st.DataObject) -> None:
        """A cover (an image of the organization's assets or a web address) or an audio file, or neither."""
        number = self.pick_post(data)
        post = self.model.posts[number]
        assets = self.model.orgs[post.org].assets
        images = sorted(name for name in assets if name.endswith(".png"))
        post.cover = data.draw(st.sampled_from(["", f"https://example.org/kartinka-{number}.jpg", *images]),
                               label="cover")
        post.audio = data.draw(st.sampled_from(["", *(name for name in sorted(assets) if name.endswith(".mp3"))]),
                               label="audio")
        self.done(f"post {number}: cover «{post.cover}», audio «{post.audio}»", data)
