"""Everything that touches MkDocs: per-site config from the base mkdocs.yml, a plugin that feeds
the planned pages in, and the build (with templating.py, the shared theme). Swapping the engine means
rewriting this package only."""

from __future__ import annotations

import logging
import posixpath
import re
import tempfile
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from markupsafe import Markup
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from fedsite.engine.templating import REUSED_TEMPLATE, STYLESHEET, SharedTheme, shared_theme, src_uri

if TYPE_CHECKING:  # plain data handed over by the planner: not part of the engine's code (cache/keys.py)
    from fedsite.plan.site import PageSpec, SitePlan


class PlannedPage(Page):
    """A page whose HTML the pipeline already rendered: MkDocs' own Markdown pass (a new Markdown
    instance per page, 1.2 ms each, ~110 s of CPU at 95k pages) has nothing to do. Plugins may
    set File.page to a Page subclass, as Material's blog plugin does."""

    def __init__(self, nav_title: str | None, spec: PageSpec, file: File, config: Any, site_date: str,
                 reused: str | None) -> None:
        super().__init__(nav_title, file, config)
        self.spec = spec
        self.update_date = spec.updated or site_date  # the sitemap's lastmod: from content, not the clock
        self.reused = reused  # the page's HTML from the site's last build, when nothing it shows changed

    def read_source(self, config: Any) -> None:
        # Material prints titles and descriptions unescaped: what press secretaries wrote is text.
        self.markdown = ""
        template = REUSED_TEMPLATE if self.reused is not None else self.spec.template
        self.meta = {"title": escape(self.spec.title), "template": template}
        if self.spec.description:
            self.meta["description"] = escape(self.spec.description[:300])

    def render(self, config: Any, files: Files) -> None:
        self.content = self.spec.html
        self.toc = get_toc(list(self.spec.toc))


class FederationPlugin(BasePlugin):
    """Gives MkDocs the planned pages instead of a docs folder, and the data their templates show."""

    def __init__(self, plan: SitePlan, reused: dict[str, str]) -> None:
        super().__init__()
        self.plan = plan
        self.specs: dict[str, PageSpec] = {src_uri(p.url): p for p in plan.pages}
        self.reused = reused
        self.in_menu: set[str] = set()  # the pages of the menu, by src_uri
        self.fragments: dict[tuple[str, str], str] = {}  # see `fragment`

    def on_files(self, files: Files, *, config: Any) -> Files:
        is_root = self.plan.url_path == ""
        out = Files([f for f in files if is_root and not f.is_documentation_page() and not _unused(f.dest_uri)])
        ours = out.get_file_from_path(STYLESHEET)
        if ours is not None and isinstance(config.theme, SharedTheme):  # in the federation's one stylesheet
            out.remove(ours)
            name, css = config.theme.stylesheet()
            out.append(File.generated(config, name, content=css))
        nav_titles = dict(_nav_entries(config.nav or []))
        for uri, spec in self.specs.items():
            file = File.generated(config, uri, content="")
            PlannedPage(nav_titles.get(uri), spec, file, config, self.plan.updated, self.reused.get(spec.url))
            out.append(file)
        for source, dest in self.plan.files:
            if out.get_file_from_path(dest) is None:
                out.append(File.generated(config, dest, abs_src_path=source))
        return out

    def on_nav(self, nav: Any, *, config: Any, files: Files) -> Any:
        self.in_menu = {page.file.src_uri for page in nav.pages}
        return nav

    def on_page_context(self, context: Any, *, page: Page, config: Any, nav: Any) -> Any:
        spec = self.specs[page.file.src_uri]
        in_menu = page.file.src_uri in self.in_menu
        context["fed"] = {"site": self.plan.site, "page": spec.data, "fragments": self.fragments, "in_menu": in_menu}
        if not in_menu:
            context["fed"]["fragment_folder"] = posixpath.dirname(page.url)
        if isinstance(page, PlannedPage) and page.reused is not None:
            context["fed"]["reused"] = Markup(page.reused)
        return context

    def on_template_context(self, context: Any, *, template_name: str, config: Any) -> Any:
        context["fed"] = {"site": self.plan.site, "page": {}}
        return context

    def on_post_page(self, output: str, *, page: Page, config: Any) -> str:
        return collapse_whitespace(output)


# Text whose whitespace is shown as it is: left alone. Elsewhere a run of whitespace is one space to a
# browser (or one line break, kept for whoever reads the source): the theme's indentation was 1.5 KB of
# every page.
_KEPT = re.compile(r"(<(pre|textarea|script)\b.*?</\2>)", re.S | re.I)
_SPACES = re.compile(r"[ \t\n\r\f]{2,}")  # not \s: a no-break space is text
_BETWEEN_TAGS = re.compile(r">[ \t\n\r\f]+<")


def collapse_whitespace(html: str) -> str:
    """A page with every run of whitespace made one line break (if it held one) or one space, and none
    between the tags of <head>, but in <pre>, <textarea> and <script> (the same page to a reader;
    idempotent, so a reused page stays as it was)."""
    parts = _KEPT.split(html)
    out = []
    in_head = True
    for i in range(0, len(parts), 3):  # text, then a kept element and its tag name
        text = _SPACES.sub(_one_space, parts[i])
        if in_head:
            head, end, body = text.partition("</head>")
            text = _BETWEEN_TAGS.sub("><", head) + end + body
            in_head = not end
        out.append(text)
        if i + 1 < len(parts):
            out.append(parts[i + 1])
    return "".join(out)


def _one_space(run: re.Match) -> str:
    return "\n" if "\n" in run.group() else " "


def _unused(dest: str) -> bool:
    """Material's files that no page loads: its script and search workers (theme/main.html is our own page
    frame, without them), its stylesheets (in the federation's one: templating.federation_stylesheet) and
    source maps."""
    return dest.startswith(("assets/javascripts/", "assets/stylesheets/")) or dest.endswith(".map")


def _nav_entries(items: list) -> Iterator[tuple[str, str]]:
    """(page path, menu title) of every page in a nav config."""
    for item in items:
        for title, target in item.items():
            if isinstance(target, list):
                yield from _nav_entries(target)
            else:
                yield target, title


def _escaped_nav(items: list) -> list:
    out = []
    for item in items:
        for title, target in item.items():
            out.append({escape(title): _escaped_nav(target) if isinstance(target, list) else target})
    return out


def build_site(plan: SitePlan, base_config: Path, engine_key: str, site_dir: Path, bytecode_dir: Path | None = None,
               reused: dict[str, str] | None = None) -> None:
    """Build one organization's site with MkDocs into `site_dir` (which MkDocs empties first); pages
    in `reused` (URL -> HTML) are written as they are instead of being rendered again. `engine_key`
    is the digest of mkdocs.yml, the theme and the engine's code (sites/unit.engine_digest)."""
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="fed-docs-") as empty_docs:
        config = load_config(
            str(base_config), site_name=escape(plan.name), site_url=plan.site_url, docs_dir=empty_docs,
            site_dir=str(site_dir), nav=_escaped_nav(list(plan.nav)), use_directory_urls=False,
            # Pages arrive rendered (markup.py reads the extensions from mkdocs.yml): MkDocs needs none.
            markdown_extensions=[],
        )
        config.theme = shared_theme(config.theme, engine_key, bytecode_dir)
        _without_material_search(config)
        config.plugins["fedsite"] = FederationPlugin(plan, reused or {})
        mkdocs_build(config)


def _without_material_search(config: Any) -> None:
    """Switch off Material's search where a mkdocs.yml still names it (or has no `plugins:`, which means
    MkDocs' search): the federation's index (issue 17) is made by the build at the output's search/,
    where the root site would otherwise write its own."""
    for name, plugin in config.plugins.items():
        if name in ("search", "material/search") and "enabled" in plugin.config:
            plugin.config["enabled"] = False


def warm_up(plan: SitePlan, base_config: Path, engine_key: str, bytecode_dir: Path | None) -> None:
    """Build a one-page site nobody sees (plan.site.warm_up_plan), so that this process has MkDocs'
    plugins and the theme's templates loaded before its first real site (silently: the caller ignores
    its failures)."""
    with tempfile.TemporaryDirectory(prefix="fed-warm-up-") as out:
        logging.disable(logging.CRITICAL)
        try:
            build_site(plan, base_config, engine_key, Path(out) / "site", bytecode_dir)
        finally:
            logging.disable(logging.NOTSET)
