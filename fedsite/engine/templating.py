"""The theme as every site of the federation shares it: one Jinja environment per setup, its compiled
templates checked, and the filters and functions our templates use (fed, url, fed_fragment, fed_translate)."""

from __future__ import annotations

import hashlib
import posixpath
import re
from pathlib import Path
from typing import Any, Callable

import jinja2
from markupsafe import Markup
from mkdocs.structure.pages import Page
from mkdocs.theme import Theme
from mkdocs.utils.templates import url_filter

from fedsite.cache.store import Store
from fedsite.render.markup import relative_link

_THEMES: dict[tuple, "SharedTheme"] = {}
# Theme files every site would otherwise copy: the root site publishes them once for all.
SHARED_PREFIX = "assets/"
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
    _stylesheet: tuple[str, str] | None = None
    bytecode_dir: Path | None = None

    def stylesheet(self) -> tuple[str, str]:
        """The federation's one stylesheet as (site-relative name, content), named by its content's digest:
        a name that changes with the content can be cached for good (deploy/s3.py: HASHED)."""
        if self._stylesheet is None:
            css = federation_stylesheet(self.dirs)
            self._stylesheet = (f"assets/fedsite.{hashlib.sha256(css.encode()).hexdigest()[:8]}.css", css)
        return self._stylesheet

    def get_env(self) -> jinja2.Environment:
        if self._env is None:
            env = super().get_env()
            env.loader = jinja2.ChoiceLoader([_ListedOnce(self.dirs),
                                              jinja2.DictLoader({REUSED_TEMPLATE: "{{ fed.reused }}"})])
            env.filters["url"] = shared_url
            env.filters["fed"] = fed_url
            env.globals["fed_fragment"] = fragment
            env.globals["fed_translate"] = translator(env)
            env.globals["fed_stylesheet"] = self.stylesheet()[0]
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
    """Jinja's compiled templates in .cache/jinja/, each an entry of the cache store (cache/store.py):
    a damaged file is compiled again instead of failing every build that loads it."""

    def __init__(self, directory: str) -> None:
        super().__init__(directory)
        folder = Path(directory)
        self.store = Store(folder.parent, folder.name)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.store.get(Path(self._get_cache_filename(bucket)).name, bytes)
        if code is not None:
            try:
                bucket.bytecode_from_string(code)
            except Exception:  # noqa: BLE001 (whole, yet not Jinja's: compiled again)
                bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            self.store.put(Path(self._get_cache_filename(bucket)).name, bucket.bytecode_to_string())
        except OSError:
            pass  # only a slower next build


STYLESHEET = "assets/fedsite.css"  # the theme's own stylesheet, published inside the federation's one
_SOURCE_MAP = re.compile(r"/\*# sourceMappingURL=[^*]*\*/\s*$")


def federation_stylesheet(dirs: list[str]) -> str:
    """The stylesheet every page links (theme/main.html), published once by the root site: Material's (its
    source map is not published) followed by the theme's assets/fedsite.css, which overrides it. One file
    instead of two: a request and a <link> a page fewer."""
    material = _first(dirs, "assets/stylesheets/main.*.min.css")
    ours = _first(dirs, STYLESHEET)
    return _SOURCE_MAP.sub("", material.read_text(encoding="utf-8")) + "\n" + ours.read_text(encoding="utf-8")


def _first(dirs: list[str], pattern: str) -> Path:
    """The theme's file of that name (a glob), from the first folder that has one (the custom_dir first)."""
    for folder in dirs:
        found = sorted(Path(folder).glob(pattern))
        if found:
            return found[0]
    raise FileNotFoundError(f"the theme has no {pattern}")


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
