"""`deploy --target s3://BUCKET[/PREFIX]`: S3-compatible static hosting (Yandex Object Storage, VK Cloud).

What the bucket holds is known from the manifest the last deploy left in it (MANIFEST_KEY): only files
whose sha256 differs are sent, files no longer built are deleted. Order, so that a reader never gets
a page whose styles, scripts or pictures are not there yet: every other file first, then the pages
(HTML), then the new manifest, and the deletions last."""

from __future__ import annotations

import json
import mimetypes
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from fedsite.deploy.manifest import Files
from fedsite.model.diagnostics import UsageError

MANIFEST_KEY = ".fedsite-deploy.json"
# The new files a deploy is about to send, written before it sends them: if it is interrupted, the next
# deploy knows they are in the bucket (to send again, or to delete when they are no longer built).
PENDING_KEY = ".fedsite-deploy-pending.json"
SHORT = "public, max-age=300"  # pages and feeds: a new post shows within five minutes
LONG = "public, max-age=86400"  # photos, files, icons: a day
FOREVER = "public, max-age=31536000, immutable"  # Material's assets carry their content's hash in the name
HASHED = re.compile(r"\.[0-9a-f]{8,}(\.min)?\.(css|js)$")
TEXT_TYPES = {".html": "text/html", ".xml": "application/xml", ".ics": "text/calendar", ".json": "application/json",
              ".css": "text/css", ".js": "text/javascript", ".txt": "text/plain", ".csv": "text/csv",
              ".svg": "image/svg+xml", ".webmanifest": "application/manifest+json"}
FEED_TYPES = {"feed": "application/rss+xml", "atom": "application/atom+xml"}
SHORT_LIVED = (".html", ".xml", ".ics", ".json", ".txt", ".csv")


@dataclass(frozen=True)
class Plan:
    """What a deploy sends and deletes, in the order it does it."""

    assets: tuple[str, ...]
    pages: tuple[str, ...]
    deletions: tuple[str, ...]


def headers(path: str) -> tuple[str, str]:
    """Content-Type (UTF-8 charset on text) and Cache-Control of a published file."""
    name = path.rsplit("/", 1)[-1]
    suffix = os.path.splitext(name)[1].lower()
    if suffix == ".xml" and name.split("-")[0].split(".")[0] in FEED_TYPES:
        kind = FEED_TYPES[name.split("-")[0].split(".")[0]]
    else:
        kind = TEXT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if suffix in TEXT_TYPES and suffix != ".svg":
        kind += "; charset=utf-8"
    if suffix in SHORT_LIVED:
        cache = SHORT
    elif HASHED.search(name):
        cache = FOREVER
    else:
        cache = LONG
    return kind, cache


def plan(local: Files, remote: dict[str, str]) -> Plan:
    """Files whose digest the bucket's manifest does not have, and the files it has that are gone."""
    send = sorted(path for path, (_, digest) in local.items() if remote.get(path) != digest)
    return Plan(tuple(p for p in send if not p.endswith(".html")), tuple(p for p in send if p.endswith(".html")),
                tuple(sorted(remote.keys() - local.keys())))


class Bucket:
    """One bucket (and prefix) reached with boto3; every failure said in Russian as a usage error."""

    def __init__(self, target: str, endpoint: str | None) -> None:
        import boto3
        from botocore.config import Config

        parsed = urlparse(target)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise UsageError(f"--target «{target}»: пишите s3://КОРЗИНА или s3://КОРЗИНА/ПАПКА")
        if not os.environ.get("AWS_ACCESS_KEY_ID") or not os.environ.get("AWS_SECRET_ACCESS_KEY"):
            raise UsageError("нет ключей доступа к хранилищу: задайте переменные окружения AWS_ACCESS_KEY_ID "
                             "и AWS_SECRET_ACCESS_KEY (статический ключ сервисного аккаунта)")
        self.name, self.prefix = parsed.netloc, parsed.path.strip("/") + "/" if parsed.path.strip("/") else ""
        self.endpoint = endpoint or "адрес по умолчанию (AWS)"
        region = os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or "us-east-1"
        config = Config(connect_timeout=10, read_timeout=60, retries={"max_attempts": 3}, max_pool_connections=16)
        self.client = boto3.client("s3", endpoint_url=endpoint, region_name=region, config=config)
        self.pending: object = None  # what an interrupted deploy was sending, as manifest() found it

    def manifest(self) -> dict[str, str]:
        """Path -> sha256 of what the last deploy left in the bucket ({} before the first); the files an
        interrupted deploy may have sent, with an empty digest."""
        doc = self._json(MANIFEST_KEY, {})
        files = doc.get("files", {}) if isinstance(doc, dict) else {}
        self.pending = self._json(PENDING_KEY, None)
        found = {str(path): str(digest) for path, digest in files.items()} if isinstance(files, dict) else {}
        for path in self.pending if isinstance(self.pending, list) else []:
            found.setdefault(str(path), "")
        return found

    def _json(self, key: str, missing: object) -> object:
        """A JSON object of ours in the bucket; `missing` if there is none (or it is not JSON)."""
        with self._said("чтение"):
            try:
                body = self.client.get_object(Bucket=self.name, Key=self.prefix + key)["Body"].read()
            except self.client.exceptions.NoSuchKey:
                self.client.head_bucket(Bucket=self.name)  # say so if the bucket itself is missing
                return missing
        try:
            return json.loads(body)
        except ValueError:
            return missing  # damaged: everything is sent again

    def save_pending(self, paths: list[str]) -> None:
        with self._said("запись списка файлов"):
            self.client.put_object(Bucket=self.name, Key=self.prefix + PENDING_KEY, Body=json.dumps(paths).encode(),
                                   ContentType="application/json; charset=utf-8", CacheControl="no-cache")

    def send(self, out: Path, paths: tuple[str, ...], jobs: int = 16) -> None:
        def one(path: str) -> None:
            kind, cache = headers(path)
            with open(out / path, "rb") as body:
                self.client.put_object(Bucket=self.name, Key=self.prefix + path, Body=body,
                                       ContentType=kind, CacheControl=cache)

        with self._said("отправка"), ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(one, paths))

    def save_manifest(self, local: Files) -> None:
        body = json.dumps({"version": 1, "files": {p: d for p, (_, d) in sorted(local.items())}}).encode()
        with self._said("запись списка файлов"):
            self.client.put_object(Bucket=self.name, Key=self.prefix + MANIFEST_KEY, Body=body,
                                   ContentType="application/json; charset=utf-8", CacheControl="no-cache")

    def delete(self, paths: tuple[str, ...]) -> None:
        with self._said("удаление"):
            for start in range(0, len(paths), 1000):  # the API's limit per request
                chunk = [{"Key": self.prefix + p} for p in paths[start:start + 1000]]
                self.client.delete_objects(Bucket=self.name, Delete={"Objects": chunk, "Quiet": True})

    def _said(self, doing: str) -> "_Russian":
        return _Russian(self, doing)


class _Russian:
    """Turns boto3's errors into usage errors that say what to check."""

    def __init__(self, bucket: Bucket, doing: str) -> None:
        self.bucket, self.doing = bucket, doing

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, error: BaseException | None, tb: object) -> bool:
        from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

        if error is None or not isinstance(error, (BotoCoreError, ClientError)):
            return False
        where = f"корзина «{self.bucket.name}» на {self.bucket.endpoint}"
        code = error.response.get("Error", {}).get("Code", "") if isinstance(error, ClientError) else ""
        if isinstance(error, EndpointConnectionError):
            message = f"хранилище {self.bucket.endpoint} недоступно ({self.doing}); проверьте адрес --endpoint и сеть"
        elif code in ("NoSuchBucket", "404", "NotFound"):
            message = f"{where}: такой корзины нет; создайте её в консоли хранилища или исправьте s3://…"
        elif code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "403", "Forbidden"):
            message = (f"{where}: хранилище отказало в доступе ({code}); проверьте AWS_ACCESS_KEY_ID и "
                       "AWS_SECRET_ACCESS_KEY и права ключа на запись в корзину")
        else:
            message = f"{where}: {self.doing} не удалась: {error}"
        raise UsageError(message) from None
