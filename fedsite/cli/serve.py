"""Preview one organization's site on localhost with live reload."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from fedsite.model.diagnostics import Diagnostics, UsageError


def serve(repo: Path, org_id: str, port: int) -> int:
    """Build the site, serve it on 127.0.0.1:port, rebuild on every change; errors keep the last good page."""
    from fedsite.build.pipeline import build
    from fedsite.engine.livereload import serve_with_reload
    from fedsite.cli.printing import print_problems
    from fedsite.cli.scaffold import find_org, tree_or_fail
    from fedsite.read.settings import theme_folder

    tree = tree_or_fail(repo)
    find_org(tree, org_id)
    out = Path(tempfile.mkdtemp(prefix="fedsite-serve-")) / "public"

    def rebuild() -> None:
        diags = Diagnostics(repo)
        # The root site too: it publishes the theme assets every site links to.
        result = build(repo, out, diags, only=(org_id, tree.root), keep_going=True, cache=repo / ".cache")
        print_problems(diags)
        if result is not None and not diags:
            print("Сайт обновлён.", flush=True)

    rebuild()
    if not (out / tree[org_id].url_path).is_dir():
        raise UsageError("сайт не удалось собрать; исправьте ошибки выше")
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(f"Предпросмотр: http://127.0.0.1:{port}/{tree[org_id].url_path}index.html  (Ctrl+C — выход)",
          flush=True)
    watched = [tree[org_id].folder, repo / "shared", theme_folder(repo), repo / "mkdocs.yml"]
    serve_with_reload(rebuild, out, port, watched)
    return 0
