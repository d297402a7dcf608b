"""deploy --target s3:// against a real S3 server on 127.0.0.1 (moto's server mode), checked by fetching
what a reader fetches: the objects over HTTP, with their Content-Type and Cache-Control."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import feedparser
import pytest

from conftest import NOW, PROJECT

KEYS = {"AWS_ACCESS_KEY_ID": "fedsite-test", "AWS_SECRET_ACCESS_KEY": "fedsite-test-secret"}
POST = "sites/region/district-a/school-2/posts/2026-05-20-novaya.md"
OLD_POST = "sites/region/district-a/school-1/posts/2023-06-01-leto.md"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(endpoint: str, request: pytest.FixtureRequest) -> str:
    import boto3

    name = "fed-" + hashlib.sha256(request.node.name.encode()).hexdigest()[:12]
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"], aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"])
    client.create_bucket(Bucket=name)
    # As a static site's bucket is set up: anyone may read its objects.
    client.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{name}/*"}]}))
    return name


def cli(repo: Path, *args: str, keys: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.run([sys.executable, str(PROJECT / "build.py"), *args], cwd=repo, capture_output=True,
                          text=True, env={**env, "FEDSITE_NOW": NOW, **(KEYS if keys is None else keys)})


def deploy(repo: Path, endpoint: str, target: str, *more: str) -> subprocess.CompletedProcess:
    proc = cli(repo, "deploy", "--target", target, "--endpoint", endpoint, *more)
    assert proc.returncode == 0, proc.stderr
    return proc


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """A reader's GET (no credentials); header names in lower case."""
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, b""


def digests(public: Path) -> dict[str, str]:
    return {p.relative_to(public).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in public.rglob("*") if p.is_file() and p.name != ".fedsite-output"}


def read_count(proc: subprocess.CompletedProcess) -> int:
    return int(proc.stdout.split("прочитано для сверки ")[1].split(")")[0])


def sent_count(proc: subprocess.CompletedProcess) -> int:
    return int(proc.stdout.split("отправлено файлов ")[1].split(",")[0])


def test_a_reader_gets_every_file_with_its_type_and_caching(mini: Path, endpoint: str, bucket: str) -> None:
    assert cli(mini, "build").returncode == 0
    proc = deploy(mini, endpoint, f"s3://{bucket}/site")
    public = mini / "public"
    assert sent_count(proc) == len(digests(public))
    base = f"{endpoint}/{bucket}/site/"
    expected = {"index.html": ("text/html; charset=utf-8", "max-age=300"),
                "district-a/school-1/posts/uroki.html": ("text/html; charset=utf-8", "max-age=300"),
                "feed.xml": ("application/rss+xml; charset=utf-8", "max-age=300"),
                "atom.xml": ("application/atom+xml; charset=utf-8", "max-age=300"),
                "events.ics": ("text/calendar; charset=utf-8", "max-age=300"),
                "search/bundles.json": ("application/json; charset=utf-8", "max-age=300"),
                "assets/fedsite.js": ("text/javascript; charset=utf-8", "max-age=86400"),
                "assets/images/favicon.png": ("image/png", "max-age=86400")}
    # Material's stylesheet and the theme's, one file named by its content's digest (fedsite/engine/templating.py)
    css = next(p for p in digests(public) if re.fullmatch(r"assets/fedsite\.[0-9a-f]{8}\.css", p))
    expected[css] = ("text/css; charset=utf-8", "max-age=31536000, immutable")
    for path, (kind, caching) in expected.items():
        status, headers, body = fetch(base + path)
        assert status == 200, path
        assert headers["content-type"] == kind, path
        assert caching in headers["cache-control"], path
        assert body == (public / path).read_bytes(), path
    feed = feedparser.parse(fetch(base + "feed.xml")[2])
    assert not feed.bozo and feed.entries


def test_one_new_post_sends_only_changed_files_and_a_deleted_post_is_removed(mini: Path, endpoint: str,
                                                                             bucket: str) -> None:
    target = f"s3://{bucket}"
    assert cli(mini, "build").returncode == 0
    deploy(mini, endpoint, target)
    before = digests(mini / "public")
    assert sent_count(deploy(mini, endpoint, target)) == 0
    (mini / POST).parent.mkdir(parents=True, exist_ok=True)
    (mini / POST).write_text("---\ntitle: Новая новость школы\ndate: 2026-05-20T10:00:00+03:00\n---\n\nТекст.\n",
                             encoding="utf-8")
    assert cli(mini, "build").returncode == 0
    after = digests(mini / "public")
    changed = {p for p, d in after.items() if before.get(p) != d}
    dry = deploy(mini, endpoint, target, "--dry-run")
    listed = [line.split(": ", 1) for line in dry.stdout.splitlines() if line.startswith(("отправить: ", "удалить: "))]
    assert {path for verb, path in listed if verb == "отправить"} == changed
    html = [i for i, (_, path) in enumerate(listed) if path.endswith(".html")]
    assert html and all(not path.endswith(".html") for _, path in listed[:html[0]])  # what pages use goes first
    assert fetch(f"{endpoint}/{bucket}/district-a/school-2/posts/novaya.html")[0] == 404  # dry run sent nothing
    proc = deploy(mini, endpoint, target)
    assert sent_count(proc) == len(changed) < len(after) / 3
    # Digests come from the build's manifests: the deploy reads only changed files no site's manifest lists
    # (those beside the root site: the sitemap index, the search index), and nothing when nothing changed.
    assert read_count(proc) < len(changed)
    assert read_count(deploy(mini, endpoint, target)) == 0
    status, headers, body = fetch(f"{endpoint}/{bucket}/district-a/school-2/posts/novaya.html")
    assert status == 200 and "Новая новость школы" in body.decode()

    old_page = f"{endpoint}/{bucket}/district-a/school-1/posts/leto.html"
    assert fetch(old_page)[0] == 200
    (mini / OLD_POST).unlink()
    assert cli(mini, "build").returncode == 0
    proc = deploy(mini, endpoint, target)
    assert fetch(old_page)[0] == 404
    gone = before.keys() - digests(mini / "public").keys()
    assert "district-a/school-1/posts/leto.html" in gone and f"удалено {len(gone)}" in proc.stdout


def test_missing_bucket_missing_keys_and_unreachable_server_are_said_in_russian(mini: Path, endpoint: str) -> None:
    assert cli(mini, "build").returncode == 0
    cases = [(cli(mini, "deploy", "--target", "s3://no-such-bucket", "--endpoint", endpoint), "такой корзины нет"),
             (cli(mini, "deploy", "--target", "s3://fed", "--endpoint", endpoint, keys={}), "AWS_ACCESS_KEY_ID"),
             (cli(mini, "deploy", "--target", "s3://fed", "--endpoint", "http://127.0.0.1:9"), "недоступно"),
             (cli(mini, "deploy", "--target", "fed", "--endpoint", endpoint), "s3://КОРЗИНА")]
    for proc, words in cases:
        assert proc.returncode == 2 and words in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_nothing_is_sent_without_a_finished_build(mini: Path, endpoint: str, bucket: str) -> None:
    proc = cli(mini, "deploy", "--target", f"s3://{bucket}", "--endpoint", endpoint)
    assert proc.returncode == 2 and "сначала запустите" in proc.stderr
    assert fetch(f"{endpoint}/{bucket}/index.html")[0] == 404


def test_files_an_interrupted_deploy_sent_are_deleted_when_no_longer_built(mini: Path, endpoint: str,
                                                                          bucket: str) -> None:
    import boto3

    assert cli(mini, "build").returncode == 0
    deploy(mini, endpoint, f"s3://{bucket}")
    # What a deploy killed after sending a new page leaves: the page, and the list it wrote first.
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"], aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"])
    client.put_object(Bucket=bucket, Key="posts/half.html", Body=b"<p>half</p>")
    client.put_object(Bucket=bucket, Key=".fedsite-deploy-pending.json", Body=b'["posts/half.html"]')
    proc = deploy(mini, endpoint, f"s3://{bucket}")
    assert "удалено 1" in proc.stdout
    assert fetch(f"{endpoint}/{bucket}/posts/half.html")[0] == 404
    assert fetch(f"{endpoint}/{bucket}/.fedsite-deploy-pending.json")[0] == 404
