"""Everything that touches MkDocs: per-site config from the base mkdocs.yml, a plugin that feeds
the planned pages in, and the build. Swapping the engine means rewriting this module only."""

from __future__ import annotations

import json
import logging
from html import escape
import posixpath
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

import jinja2
from markupsafe import Markup
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.theme import Theme
from mkdocs.utils.templates import url_filter

from fedsite.cache.checked import dumps_checked, loads_checked
from fedsite.render.markup import relative_link
from fedsite.model.files import write_atomic
if TYPE_CHECKING:  # plain data handed over by the planner: not part of the engine's code (cache/keys.py)
    from fedsite.plan.site import PageSpec, SitePlan

_THEMES: dict[tuple, "SharedTheme"] = {}
# Theme files every site would otherwise copy: the root site publishes them once for all.
SHARED_PREFIX = "assets/"
SEARCH_INDEX = "search/search_index.json"
REUSED_TEMPLATE = "fedsite-reused.html"  # prints a page's HTML from the last build as it was


class _ListedOnce(jinja2.FileSystemLoader):
    """A loader that walks the theme folders (Material's 14,500 icons) once per process."""

    _listing: list[str] | None = None

    def list_templates(self) -> list[str]:
        # Icons are only ever included by name, never listed: leave them out of every site's file scan.
        if self._listing is None:
            self._listing = [t for t in super().list_templates() if not t.startswith(".icons/")]
        return self._listing


class SharedTheme(Theme):
    """The base config's theme, with one Jinja environment (compiled templates) for every site, and
    compiled templates kept on disk between builds when there is a cache folder."""

    _env: jinja2.Environment | None = None
    bytecode_dir: Path | None = None

    def get_env(self) -> jinja2.Environment:
        if self._env is None:
            env = super().get_env()
            env.loader = jinja2.ChoiceLoader([_ListedOnce(self.dirs),
                                              jinja2.DictLoader({REUSED_TEMPLATE: "{{ fed.reused }}"})])
            env.filters["url"] = shared_url
            env.filters["fed"] = fed_url
            env.globals["fed_fragment"] = fragment
            env.globals["fed_translate"] = translator(env)
            if self.bytecode_dir is not None:  # a fresh worker compiled Material's templates in ~0.4 s
                self.bytecode_dir.mkdir(parents=True, exist_ok=True)
                env.bytecode_cache = CheckedBytecodeCache(str(self.bytecode_dir))
            env.trim_blocks = env.lstrip_blocks = True  # template indentation is ~10% of a page
            # A stat of every template on every use was 5% of a site's build: templates edited between
            # builds in one process (`serve`) get a new theme instead (see shared_theme).
            env.auto_reload = False
            # Cyrillic as UTF-8, not \uXXXX: Material's page config is ~2 KB smaller on every page.
            env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
            self._env = env
        return self._env


class CheckedBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's compiled templates in .cache/jinja/, each file with the sha256 of its content
    (checked.py): a damaged file is compiled again instead of failing every build that loads it."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            with open(self._get_cache_filename(bucket), "rb") as f:
                code = loads_checked(f.read())
        except OSError:
            return
        if isinstance(code, bytes):
            try:
                bucket.bytecode_from_string(code)
            except Exception:  # noqa: BLE001 (whole, yet not Jinja's: compiled again)
                bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            write_atomic(Path(self._get_cache_filename(bucket)), dumps_checked(bucket.bytecode_to_string()))
        except OSError:
            pass  # only a slower next build


def shared_theme(theme: Theme, inputs: str, bytecode_dir: Path | None = None) -> SharedTheme:
    """One SharedTheme per theme setup and process, built from the validated config's theme; a new
    one when `inputs` (the digest of mkdocs.yml and the theme folder) changed since the last build."""
    key = (theme.name, theme.custom_dir, str(theme.locale), bytecode_dir, inputs)
    if key not in _THEMES:
        if len(_THEMES) >= 8:  # a long `serve` session: older setups are not used again
            _THEMES.clear()
        options = {k: v for k, v in theme.items() if k not in ("name", "locale")}
        _THEMES[key] = SharedTheme(name=theme.name, custom_dir=theme.custom_dir, locale=str(theme.locale),
                                   static_templates=theme.static_templates, **options)
        _THEMES[key].bytecode_dir = bytecode_dir
    return _THEMES[key]


def src_uri(url: str) -> str:
    """The virtual Markdown path MkDocs knows a planned page by ('posts/x.html' -> 'posts/x.md')."""
    return url[: -len(".html")] + ".md"


def _here(context: Any) -> str:
    """The public-root-relative URL of the page being rendered."""
    page = context.get("page")
    site = context.get("fed", {}).get("site", {})
    return site.get("root", "") + (page.url if page is not None else "index.html")


@jinja2.pass_context
def fed_url(context: Any, target: str) -> str:
    """A public-root-relative URL as a link relative to the page being rendered."""
    if not target or "://" in target or target.startswith(("#", "mailto:", "tel:")):
        return target
    return relative_link(posixpath.dirname(_here(context)), target)


def translator(env: jinja2.Environment) -> Callable[..., str]:
    """Material's `lang.t(key)`, each word looked up once per process: Material's macro built its
    whole dictionary of a language anew for every word, 24 times a page (7% of its time)."""
    known: dict[tuple[str, str], str] = {}

    @jinja2.pass_context
    def translate(context: Any, key: str) -> str:
        language = context["config"].theme["language"]
        if (language, key) not in known:
            words = env.get_template(f"partials/languages/{language}.html").module
            fallback = env.get_template("partials/languages/en.html").module
            known[language, key] = words.t(key) or fallback.t(key) or key
        return known[language, key]

    return translate


TITLE_MARK = "\x00fedsite:title\x00"  # where a shared header shows the page's title


@jinja2.pass_context
def fragment(context: Any, name: str, render: Callable[[], str], titled: bool = False) -> str:
    """A part of the page (header, menu, tabs, footer, page config: see theme/main.html) rendered once
    per folder of a site for the pages that are not in the menu (posts, tags, archive: most pages).
    On them the menu has no item active, so these parts differ only by their relative links, which
    depend on the page's folder alone, and (`titled`: the header) by the page's title, which is put
    in afterwards. Material drew them anew for every page: a third of a site's build time."""
    fed = context.get("fed") or {}
    folder, fragments = fed.get("fragment_folder"), fed.get("fragments")
    if folder is None or fragments is None:
        return render()
    key = (name, folder)
    if key not in fragments:
        fragments[key] = _with_title_marked(context["page"], render) if titled else render()
    if titled:
        return Markup(str(fragments[key]).replace(TITLE_MARK, str(context["page"].meta["title"])))
    return fragments[key]


def _with_title_marked(page: Page, render: Callable[[], str]) -> str:
    """A rendering in which the page's title is TITLE_MARK (templates print page.meta.title as it is)."""
    title = page.meta["title"]
    page.meta["title"] = TITLE_MARK
    try:
        return render()
    finally:
        page.meta["title"] = title


@jinja2.pass_context
def shared_url(context: Any, value: str) -> str:
    """MkDocs' url filter, except that theme assets point at the root site's single copy."""
    if str(value).startswith(SHARED_PREFIX) and context.get("fed"):
        return fed_url(context, str(value))
    return url_filter(context, value)


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
        out = Files([f for f in files if is_root and not f.is_documentation_page()])
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
        context["fed"] = {"site": self.plan.site, "page": spec.data, "fragments": self.fragments}
        if page.file.src_uri not in self.in_menu:
            context["fed"]["fragment_folder"] = posixpath.dirname(page.url)
        if isinstance(page, PlannedPage) and page.reused is not None:
            context["fed"]["reused"] = Markup(page.reused)
        return context

    def on_template_context(self, context: Any, *, template_name: str, config: Any) -> Any:
        context["fed"] = {"site": self.plan.site, "page": {}}
        return context

    @event_priority(-100)  # after the search plugin has written its index
    def on_post_build(self, *, config: Any) -> None:
        compact_search_index(Path(config.site_dir) / SEARCH_INDEX)


def compact_search_index(path: Path) -> None:
    """Rewrite the search index with Cyrillic as UTF-8: Material escapes every letter as \\uXXXX,
    which made a Russian index three times its size."""
    if path.is_file():
        data = json.loads(path.read_bytes())
        path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


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
        config.plugins["fedsite"] = FederationPlugin(plan, reused or {})
        mkdocs_build(config)


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
