"""Cached builds equal builds from scratch, whatever edits come between them (issue 15, item 7).

A hypothesis state machine keeps a small federation as a model (organizations, posts, pages, assets,
projects, shared pages, settings, theme, the clock) and writes it out as repository files. Each rule
is one edit a federation sees; after every step the federation is built with the cache into the
same public/ folder (as CI does) and without a cache into a fresh folder, and the two trees must be
the same byte for byte. Every edit leaves valid content: the build must succeed without a problem.

The suite runs a bounded number of steps (about a minute); `python bench/property.py` runs the same
machine for as long as it is asked to (FEDSITE_PROPERTY_EXAMPLES, FEDSITE_PROPERTY_STEPS here)."""

from __future__ import annotations
import os
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from property_machine import build_or_fail, differences, tree
from property_post_edits import PostEdits
from property_site_edits import SiteEdits

EXAMPLES = int(os.environ.get("FEDSITE_PROPERTY_EXAMPLES", "6"))
STEPS = int(os.environ.get("FEDSITE_PROPERTY_STEPS", "10"))


class FederationEdits(PostEdits, SiteEdits):
    """Edits of a federation, each followed by a cached and a fresh build that must agree (the model:
    tests/property_model.py; the machine: tests/property_machine.py; its rules: property_post_edits.py
    and property_site_edits.py)."""


def machine_settings(examples: int, steps: int, **options: object) -> settings:
    """`examples` sequences of up to `steps` edits, with no time limit on a step (a step is two builds)."""
    return settings(max_examples=examples, stateful_step_count=steps, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], **options)


def test_cached_builds_equal_fresh_builds_after_any_edits(tmp_path: Path) -> None:
    """The same sequences on every run (derandomized, no example database). A failure is reported as it
    was found, not shrunk (shrinking takes minutes): FEDSITE_PROPERTY_SHRINK=1 shrinks it, as the bench does."""
    phases = list(Phase) if os.environ.get("FEDSITE_PROPERTY_SHRINK") else [Phase.explicit, Phase.generate]
    run_state_machine_as_test(lambda: FederationEdits(tmp_path),
                              settings=machine_settings(EXAMPLES, STEPS, derandomize=True, database=None,
                                                        phases=phases, print_blob=False))


# --- what the machine found, shrunk to a plain test ----------------------------------------------------

def cached_and_fresh(repo: Path, fresh: Path) -> str:
    """A cached build into repo/public and a build from scratch into `fresh`: what differs between them."""
    build_or_fail(repo, repo / "public", cache=repo / ".cache")
    build_or_fail(repo, fresh, cache=None)
    return differences(tree(repo / "public"), tree(fresh))


def test_a_members_audio_file_replaced_updates_its_ancestors_feeds(mini: Path, tmp_path: Path) -> None:
    school = mini / "sites/region/district-a/school-1"
    (school / "assets").mkdir()
    (school / "assets/zvuk.mp3").write_bytes(b"ID3" + b"x" * 10)
    post = school / "posts/2024-05-01-uroki.md"
    post.write_text(post.read_text(encoding="utf-8").replace("tags: [обучение]", "tags: [обучение]\naudio: "
                                                             "../assets/zvuk.mp3"), encoding="utf-8")
    assert cached_and_fresh(mini, tmp_path / "fresh-1") == ""
    (school / "assets/zvuk.mp3").write_bytes(b"ID3" + b"x" * 1000)  # the same name, another length
    # district-a's and the region's feeds of their members' posts, and the region's project feeds
    assert cached_and_fresh(mini, tmp_path / "fresh-2") == ""
