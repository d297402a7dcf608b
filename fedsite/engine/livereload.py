"""MkDocs' live-reload server, for `serve`: the engine's, like everything else of MkDocs."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from mkdocs.livereload import LiveReloadServer


def serve_with_reload(rebuild: Callable[[], None], root: Path, port: int, watched: list[Path]) -> None:
    """Serve `root` on 127.0.0.1:port and call `rebuild` whenever a watched path changes, until Ctrl-C."""
    server = LiveReloadServer(builder=rebuild, host="127.0.0.1", port=port, root=str(root), mount_path="/")
    for path in watched:
        if path.exists():
            server.watch(str(path))
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
