"""Fuzzing of what press secretaries write (issue 20): random front matter and Markdown, broken
YAML and stray bytes must give `check` and `build` an exit code of 0 or 1 with `path:line`
messages, never a traceback, in bounded time and memory.

Each example runs the real command line in a child process limited to MEMORY bytes of address
space and TIMEOUT seconds, on a copy of the mini federation with one post replaced."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import NOW, PROJECT, copy_federation

MEMORY = 2 * 1024**3
EXAMPLES = int(os.environ.get("FEDSITE_FUZZ_EXAMPLES", "30"))  # a longer run: FEDSITE_FUZZ_EXAMPLES=1000
TIMEOUT = 60
POST = "sites/region/district-a/school-1/posts/2026-05-10-fuzz.md"

FIELDS = ["title", "date", "updated", "tags", "projects", "summary", "cover", "author", "draft", "slug",
          "id", "audio", "video", "event", "gallery"]
WORDS = ["семинар", "учителей", "Профсоюз", "2024-03-17", "17.03.2024 14:30", "01.01.0001", "9999-12-31",
         "../", "..", "/etc/passwd", "index", "events", "about", "assets/x.jpg", "https://vk.com/x",
         "javascript:alert(1)", "\\", "#", "%", " ", "🎉", "!!!", "\t", "\r", "\x00", "\u202e", "\ufeff"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True),
    st.sampled_from(WORDS), st.text(max_size=40),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(FIELDS + ["start", "end", "place", "x"]),
                                                 inner, max_size=4)), max_leaves=12)
front_matter = st.dictionaries(st.sampled_from(FIELDS + ["unknown", "Title"]), values, max_size=8)

TOKENS = ["[", "]", "(", ")", "![", "](", "*", "**", "_", "`", "```", "~~~", "#", "## ", ">", "- ", "* ",
          "1. ", "\n", "\n\n", "    ", "  ", "|", "|---|", ":", "<!-- more -->", "<iframe src=\"", "\">",
          "<div markdown=\"1\">", "</div>", "<script>", "&amp;", "&#0;", "[^1]", "[^1]: ", "{: #id }",
          "!!! note", "??? tip", "===", "---", "../school-2/posts/", ".md", "#якорь", "https://", "<", ">",
          "\\", "$$", "==", "^^", "~~", "++", ":smile:", "\t", "\r", "\u0000", "семинары", "🎉", " "]
bodies = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=12)), max_size=120).map("".join)
# Text that is mostly YAML-like, with the marks that break it
yaml_text = st.lists(st.sampled_from(["title", ":", " ", "\n", "  ", "- ", "\"", "'", "&a", "*a", "!!python/name:x",
                                      "{", "}", "[", "]", "#", "|", ">", "---", "\t", "date", "2024-01-01",
                                      "семинар", "<<: *a", "?", "%YAML 1.1"]), max_size=40).map("".join)


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_cli(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "FEDSITE_NOW": NOW, "SOURCE_DATE_EPOCH": "1700000000", "LANG": "C.UTF-8"}
    return subprocess.run([sys.executable, str(PROJECT / "build.py"), "--repo", str(repo), *args],
                          capture_output=True, text=True, errors="replace", timeout=TIMEOUT,
                          preexec_fn=_limits, env=env)


def assert_handled(result: subprocess.CompletedProcess) -> None:
    output = result.stdout + result.stderr
    assert result.returncode in (0, 1), output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    assert "Внутренняя ошибка" not in output, output[-3000:]
    if result.returncode == 1:
        assert ".md:" in result.stderr or "site.yml:" in result.stderr, result.stderr[-3000:]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_federation("mini", tmp_path_factory.mktemp("fuzz"))


def fresh_copy(pristine: Path, content: bytes) -> Path:
    repo = pristine.parent / "case"
    shutil.rmtree(repo, ignore_errors=True)
    shutil.copytree(pristine, repo)
    (repo / POST).write_bytes(content)
    return repo


def post_bytes(meta: dict, body: str) -> bytes:
    text = yaml.safe_dump(meta, allow_unicode=True, default_flow_style=None)
    return f"---\n{text}---\n\n{body}\n".encode("utf-8", "surrogatepass")


fuzz = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@fuzz
@given(meta=front_matter, body=bodies)
def test_check_survives_random_posts(pristine: Path, meta: dict, body: str) -> None:
    assert_handled(run_cli(fresh_copy(pristine, post_bytes(meta, body)), "check"))


@fuzz
@given(front=yaml_text, body=bodies)
def test_check_survives_broken_yaml(pristine: Path, front: str, body: str) -> None:
    content = f"---\n{front}\n---\n{body}\n".encode("utf-8", "surrogatepass")
    assert_handled(run_cli(fresh_copy(pristine, content), "check"))


@fuzz
@given(data=st.binary(max_size=300))
def test_check_survives_random_bytes(pristine: Path, data: bytes) -> None:
    assert_handled(run_cli(fresh_copy(pristine, b"---\ntitle: x\n---\n" + data), "check"))


@settings(max_examples=max(1, EXAMPLES // 3), deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(meta=front_matter, body=bodies)
def test_build_survives_random_posts(pristine: Path, meta: dict, body: str) -> None:
    """The build goes further than check (pages, feeds, calendars): what check lets through must build."""
    meta = {"title": "Пост", **meta}
    repo = fresh_copy(pristine, post_bytes(meta, body))
    result = run_cli(repo, "build", "--jobs", "1", "--no-cache", "--out", str(repo / "public"))
    assert_handled(result)
