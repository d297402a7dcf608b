"""The code part of every cache key: which source files each stage's results depend on.

A cached result is keyed by what it was made from (content digests, never mtimes) and by the code
that made it. The code is each stage's own: the source of every module its entry modules import
when they run (found by reading the imports, as tests/test_layout.py does), and the versions of
our libraries. So an edit of the feeds' code re-plans the sites but keeps every reading and every
rendering, a template of theme/ rebuilds the pages but renders no Markdown again, and an edit of
build/ or cli/ invalidates nothing. Imports under `if TYPE_CHECKING:` are left out: they do not run.

Where each key is made (each one covers its stage's code through `stage_code`); every cache lives in a
`Store` (store.py): written atomically, a damaged entry a miss, what nothing references pruned:

| cache (under .cache/) | key | module |
|---|---|---|
| read/<org>.pickle | the organization's files (git blob ids or bytes), card, place, settings, projects | read/readcache.py `ReadCache.key` |
| read/site-cards.parsed | each site.yml text | read/readcache.py |
| render/ groups | an organization's read key and how many of its posts are published | render/federation.py `DocGroup.key` |
| render/ documents, html/ | a document's body digest, path, URL and the renderer's settings | render/jobs.py `job_key` |
| sites/<org>/inputs | everything planning the site read (recorded) | sites/reads.py |
| sites/<org>/digest | the planned site: pages, copied files, feeds, generated files | sites/unit.py `site_unit` |
| sites/<org>/pages-digest | the pages part alone: a feeds-only change copies the pages, runs no MkDocs | sites/unit.py |
| sites/<org>/page-keys.json | one page and its site's frame | sites/unit.py `page_keys` |
| jinja/ | a template's source, and `engine_inputs` | engine/site.py |
| monitoring post days | the organization's read key | plan/monitoring.py |
| federation/<output>.pickle | everything making the output read (recorded) | build/federation.py |
| code/imports.pickle | a module's name and source (the imports found in it, for `stage_code`) | cache/keys.py |
"""

from __future__ import annotations

import ast
import hashlib
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from fedsite.cache.store import Store

PACKAGE = Path(__file__).resolve().parent.parent

# The modules whose results a stage's cache keeps; the code they import is part of the key too.
STAGE_ENTRIES = {
    "read": ("fedsite.read.federation",),
    "render": ("fedsite.render.federation",),
    "plan": ("fedsite.plan.site", "fedsite.plan.monitoring", "fedsite.outputs.feeds", "fedsite.outputs.events",
             "fedsite.outputs.federation", "fedsite.sites.unit"),
    "engine": ("fedsite.engine.site",),
    # A site's two parts (sites/unit.py): what MkDocs makes of its plan, and the feeds and files written after.
    "pages": ("fedsite.plan.site", "fedsite.sites.unit"),
    "feeds": ("fedsite.outputs.feeds", "fedsite.outputs.events", "fedsite.plan.monitoring"),
}

# Libraries whose upgrade may change what a cached result would be (every stage: upgrades are rare).
DEPENDENCIES = ("markdown", "pymdown-extensions", "PyYAML", "nh3", "python-slugify", "babel", "tzdata",
                "feedgen", "icalendar", "mkdocs", "mkdocs-material", "Jinja2")


def module_path(name: str) -> Path | None:
    """The source file of one of our modules (None for a library)."""
    if name != "fedsite" and not name.startswith("fedsite."):
        return None
    base = PACKAGE.parent.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


@lru_cache(maxsize=None)
def runtime_imports(path: Path, name: str, type_checking: bool = False) -> frozenset[str]:
    """The modules a file imports when it runs: at its top or in a function, and with `type_checking`
    those it imports for type checking too (tests/test_layout.py)."""
    return parse_imports(path.read_bytes(), name, path.name == "__init__.py", type_checking)


def parse_imports(source: bytes, name: str, is_package: bool, type_checking: bool = False) -> frozenset[str]:
    """The modules a module's source imports. Only statements are visited (an import is one): walking
    every expression cost a second a build."""
    package = name if is_package else name.rsplit(".", 1)[0]
    found: set[str] = set()
    todo = list(ast.parse(source).body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from package import module`
        elif isinstance(node, ast.If) and _is_type_checking(node.test) and not type_checking:
            todo += node.orelse
        else:
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                todo += [child for child in getattr(node, field, ()) if isinstance(child, ast.AST)]
    return frozenset(found)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


class ImportsMemo:
    """The imports found in each module, by the module's name and the sha256 of its source, kept
    between builds (.cache/code/imports.pickle): parsing 69 modules to find them was 0.2 s of every
    build. Keyed by content, not by mtime, so an edited module is parsed again whatever its stat says."""

    def __init__(self) -> None:
        self.store = Store(None, "code")
        self.found: dict[str, frozenset[str]] = {}
        self.new = False

    def use(self, cache: Path | None) -> None:
        """Read (and from now on keep) the memo of a cache folder."""
        self.store = Store(cache, "code")
        self.found.update(self.store.get("imports.pickle", dict) or {})

    def imports(self, name: str, source: bytes, is_package: bool) -> frozenset[str]:
        key = hashlib.sha256(name.encode() + b"\0" + source).hexdigest()
        if key not in self.found:
            self.found[key] = parse_imports(source, name, is_package)
            self.new = True
        return self.found[key]

    def save(self, keep: set[str]) -> None:
        if self.store.folder is not None:
            self.store.put("imports.pickle", {key: found for key, found in self.found.items() if key in keep})
            self.new = False


IMPORTS = ImportsMemo()


def remember_imports(cache: Path | None) -> None:
    """Let the stages' code digests use the imports found by earlier builds with this cache folder."""
    IMPORTS.use(cache)


def closure(entries: tuple[str, ...]) -> dict[str, tuple[Path, bytes]]:
    """Our modules that the entry modules import, directly or not (packages' __init__ included), each
    with its source."""
    seen: dict[str, tuple[Path, bytes]] = {}
    todo = list(entries)
    while todo:
        name = todo.pop()
        path = module_path(name)
        if path is None or name in seen:
            continue
        source = path.read_bytes()
        seen[name] = path, source
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]  # a module's packages run first
        todo += sorted(IMPORTS.imports(name, source, path.name == "__init__.py"))
    return seen


@lru_cache(maxsize=None)
def stage_code(stage: str) -> str:
    """The digest of a stage's code: its modules' sources and our libraries' versions."""
    h = hashlib.sha256(stage.encode() + b"\0")
    modules = closure(STAGE_ENTRIES[stage])
    for name, (_, source) in sorted(modules.items()):
        h.update(name.encode() + b"\0" + source + b"\0")
    if IMPORTS.new:  # keep only what the modules of today import: an old version's entries go
        IMPORTS.save({hashlib.sha256(name.encode() + b"\0" + source).hexdigest()
                      for entries in STAGE_ENTRIES.values() for name, (_, source) in closure(entries).items()})
    for name in DEPENDENCIES:
        try:
            h.update(f"{name}={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=-\0".encode())
    return h.hexdigest()
