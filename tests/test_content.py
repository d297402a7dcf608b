"""Front matter: any text gives data or our own reported problem, never an exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from fedsite.read.source import split_front_matter
from fedsite.model.diagnostics import Diagnostics
from fedsite.model.yamlfile import parse_mapping


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text())
def test_front_matter_never_raises(tmp_path: Path, body: str) -> None:
    path = tmp_path / "post.md"
    path.write_text("---\n" + body + "\n---\nТекст", encoding="utf-8")
    diags = Diagnostics(tmp_path)
    source = split_front_matter(path, tmp_path, diags)
    assert (source is None) == bool(diags.problems)
    for problem in diags.problems:
        assert problem.line >= 1 and problem.message


@given(st.text(alphabet=st.sampled_from(list("ab: -[]{}\"'\n\t#&*!|>%@`,?"))))
def test_yaml_mapping_parser_never_raises(text: str) -> None:
    diags = Diagnostics(Path("."))
    doc = parse_mapping(text, Path("x.yml"), diags)
    assert doc is not None or diags.problems


def test_key_lines_count_from_the_file_start(tmp_path: Path) -> None:
    path = tmp_path / "post.md"
    path.write_text("---\ntitle: Т\n\ntags: [a]\n---\nТекст\n", encoding="utf-8")
    source = split_front_matter(path, tmp_path, Diagnostics(tmp_path))
    assert source.lines == {"title": 2, "tags": 4}
    assert source.body_line == 6
