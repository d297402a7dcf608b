"""Outputs that span sites: made from the whole federation, not from one organization's site.

Each is a unit of its own (build/federation.py): the reads that made it are recorded as a site's
are, it is cached with them and made again only when one of them changed, and its files are placed
at the root of the output, beside the root site's (by the build or shard that builds the root). The
federation's search index and the deploy manifest belong here; so do robots.txt and the sitemap index."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from fedsite.outputs.crawlers import crawler_files
from fedsite.outputs.search import search_outputs
from fedsite.plan.view import FederationView


@dataclass(frozen=True)
class FederationOutput:
    name: str  # names its cache entry
    # output-root-relative path -> bytes; or, made later (on another core), a function that gives them
    # and reads nothing more of the view (its reads are recorded while `make` runs)
    make: Callable[[FederationView], dict[str, bytes] | Callable[[], dict[str, bytes]]]


def federation_outputs(view: FederationView) -> tuple[FederationOutput, ...]:
    """The outputs of this federation: search bundles per member of the root, settled and recent, so that a
    new post makes again only the recent bundle of its subtree's group (outputs/search.py). Which bundles
    there are is the tree's shape, read here outside any output's recording: a new member of the root is a
    new output, not a change."""
    tree = view.tree.untracked
    return (FederationOutput("crawlers", crawler_files),
            *(FederationOutput(name, make) for name, make in search_outputs(tree.root, tree[tree.root].members)))
