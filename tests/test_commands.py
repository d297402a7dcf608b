"""Scaffolding, CODEOWNERS, deploy and serve, run as a press secretary or CI would run them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import PROJECT, run_check

SCHOOL = "sites/region/district-a/school-1"


def cli(repo: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PROJECT / "build.py"), *args], cwd=repo, capture_output=True,
                          text=True, env={**os.environ, "FEDSITE_NOW": "2026-03-17T09:15:00+03:00", **(env or {})})


def test_new_post_has_every_field_and_passes_check(mini: Path) -> None:
    proc = cli(mini, "new-post", "school-1", "Семинар в школе: итоги")
    assert proc.returncode == 0, proc.stderr
    path = mini / proc.stdout.strip()
    assert path == mini / SCHOOL / "posts/2026-03-17-seminar-v-shkole-itogi.md"
    text = path.read_text(encoding="utf-8")
    for field in ["title", "date", "updated", "tags", "projects", "summary", "cover", "author", "draft",
                  "slug", "id", "audio", "video", "event", "start", "end", "place", "online"]:
        assert f"{field}:" in text, field
    assert "title: 'Семинар в школе: итоги'" in text and "date: 17.03.2026 09:15" in text
    assert run_check(mini) == []


def test_new_post_for_unknown_org_suggests_similar_ids(mini: Path) -> None:
    proc = cli(mini, "new-post", "school1", "Т")
    assert proc.returncode == 2
    assert "организация «school1» не найдена. Похожие: school-1, school-2." in proc.stderr


def test_new_site_creates_a_valid_member(mini: Path) -> None:
    proc = cli(mini, "new-site", "school-3", "--parent", "district-b", "--kind", "primary",
               "--name", "Первичная организация школы 3")
    assert proc.returncode == 0, proc.stderr
    assert (mini / "sites/region/district-b/school-3/site.yml").is_file()
    assert (mini / "sites/region/district-b/school-3/index.md").is_file()
    assert run_check(mini) == []
    again = cli(mini, "new-site", "school-3", "--parent", "district-a", "--kind", "primary", "--name", "Т")
    assert again.returncode == 2 and "код «school-3» уже занят" in again.stderr
    bad = cli(mini, "new-site", "Школа", "--parent", "district-a", "--kind", "primary", "--name", "Т")
    assert bad.returncode == 2 and "не годится как код организации" in bad.stderr


def test_codeowners_gives_ancestors_owners_and_check_catches_drift(mini: Path) -> None:
    assert cli(mini, "codeowners").returncode == 0
    text = (mini / ".github/CODEOWNERS").read_text()
    assert text.startswith("# Этот файл создан командой")
    assert "/sites/region/district-a/school-1/ @region-press @school1-press\n" in text
    assert cli(mini, "codeowners", "--check").returncode == 0
    card = mini / SCHOOL / "site.yml"
    card.write_text(card.read_text().replace("[school1-press]", "[school1-press, new-person]"))
    stale = cli(mini, "codeowners", "--check")
    assert stale.returncode == 1 and "файл устарел" in stale.stderr


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def test_deploy_publishes_to_gh_pages_and_refuses_without_a_build(mini: Path) -> None:
    _git(mini, "init", "-q", "-b", "main")
    _git(mini, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "--allow-empty", "-m", "init")
    refused = cli(mini, "deploy")
    assert refused.returncode == 2 and "сначала запустите" in refused.stderr
    config = mini / "mkdocs.yml"
    config.write_text(config.read_text().replace("  federation:\n", "  federation:\n    cname: profsoyuz.example.org\n"))
    assert cli(mini, "build").returncode == 0
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}
    proc = cli(mini, "deploy", env=env)
    assert proc.returncode == 0, proc.stderr
    files = _git(mini, "ls-tree", "-r", "--name-only", "gh-pages").split()
    assert {".nojekyll", "CNAME", "index.html", "district-a/school-1/index.html", "feed.xml"} <= set(files)
    assert _git(mini, "show", "gh-pages:CNAME").strip() == "profsoyuz.example.org"
    post = mini / SCHOOL / "posts/2026-03-17-novaya.md"
    post.write_text("---\ntitle: Новая\ndate: 2026-03-17T09:00:00+03:00\n---\n\nТекст.\n", encoding="utf-8")
    assert cli(mini, "build").returncode == 0 and cli(mini, "deploy", env=env).returncode == 0
    assert _git(mini, "rev-list", "--count", "gh-pages").strip() == "1"  # the branch does not grow
    assert "district-a/school-1/posts/novaya.html" in _git(mini, "ls-tree", "-r", "--name-only", "gh-pages").split()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
def test_serve_reloads_the_page_after_an_edit_and_keeps_it_on_an_error(mini: Path) -> None:
    from playwright.sync_api import sync_playwright

    port = _free_port()
    server = subprocess.Popen([sys.executable, str(PROJECT / "build.py"), "serve", "school-1", "--port", str(port)],
                              cwd=mini, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}/district-a/school-1/posts/uroki.html"
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                                                        "--disable-background-networking"])
            page = browser.new_page()
            page.goto(url)
            assert page.locator("h1").first.inner_text() == "Открытые уроки"
            post = mini / SCHOOL / "posts/2024-05-01-uroki.md"
            post.write_text(post.read_text(encoding="utf-8").replace("Открытые уроки", "Уроки после правки"),
                            encoding="utf-8")
            page.wait_for_function("document.querySelector('h1').innerText === 'Уроки после правки'",
                                   timeout=30000)
            post.write_text("---\ntitle: [сломано\n---\n", encoding="utf-8")
            time.sleep(4)
            page.reload()
            assert page.locator("h1").first.inner_text() == "Уроки после правки"
            browser.close()
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert "school-1/posts/2024-05-01-uroki.md:3: ошибка разметки YAML: не закрыта квадратная скобка" in output, output


def test_build_reports_its_stages_when_asked(mini: Path) -> None:
    done = cli(mini, "build", "--timings")
    assert done.returncode == 0, done.stderr
    stages = done.stdout.splitlines()[-1]
    assert stages.startswith("Этапы: чтение ") and "· сайты " in stages and stages.endswith(" с")
