"""A Pagefind index made from records, with Pagefind's bundled binary (`pagefind --service`), and
written so that the same records always give the same bytes.

The pagefind package's own client waits 0.1 s before reading each answer of the binary (its poll
loop sleeps between reads): 100 s for 1,000 records. This client speaks the same protocol (base64 of
a JSON message, then a comma, each way) one request at a time, and a record costs the binary's work.

The filter file is the one part of Pagefind's output whose order changes from run to run (its values
come out of a hash map); it is written again with its values sorted, and the names that point to it
(the meta file's, the entry's) follow, so that a sharded build and a full one give the same files."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import subprocess
from dataclasses import dataclass, field

import cbor2
from pagefind.service import get_executable

LANGUAGE = "ru"
SIGNATURE = b"pagefind_dcd"  # what Pagefind puts before each decompressed file's CBOR
# What the browser needs of a bundle: the engine only where the reader's search starts (see search.py).
ENGINE_FILES = ("pagefind.js", "pagefind-worker.js", f"wasm.{LANGUAGE}.pagefind")
DATA_PREFIXES = ("pagefind-entry.json", f"pagefind.{LANGUAGE}_", "index/", "fragment/", "filter/")


@dataclass(frozen=True)
class Record:
    """One page as the index knows it: its URL (output-root-relative), its text, what a result shows
    (title, organization, date) and the filter values it answers to."""

    url: str
    text: str
    meta: dict[str, str]
    filters: dict[str, list[str]] = field(default_factory=dict)


class PagefindError(RuntimeError):
    """The binary refused a record or could not be run (said in Russian: the build prints it)."""


class _Service:
    def __init__(self) -> None:
        binary = get_executable()
        if binary is None:
            raise PagefindError("не установлена программа Pagefind для поискового индекса: выполните "
                                "bash scripts/build.sh (она ставит пакет pagefind[bin] из pyproject.toml)")
        try:
            self.process = subprocess.Popen([str(binary), "--service"], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError as e:
            raise PagefindError(f"не запускается программа Pagefind ({binary}): {e.strerror}; выполните "
                                "bash scripts/build.sh") from e
        self.next_id = 0

    def send(self, payload: dict) -> dict:
        self.next_id += 1
        message = json.dumps({"message_id": self.next_id, "payload": payload}).encode("utf-8")
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(base64.b64encode(message) + b",")
        self.process.stdin.flush()
        answer = bytearray()
        while not answer.endswith(b","):
            chunk = self.process.stdout.read1(1 << 20)
            if not chunk:
                raise PagefindError("программа Pagefind перестала отвечать при сборке поискового индекса")
            answer += chunk
        reply = json.loads(base64.b64decode(bytes(answer[:-1])))["payload"]
        if reply.get("type") == "Error":
            raise PagefindError("Pagefind не принял запись поискового индекса: " + str(reply.get("message", "")))
        return reply

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.terminate()
        self.process.wait()


def pagefind_files(records: list[Record], with_engine: bool) -> dict[str, bytes]:
    """The bundle's files (bundle-relative path -> bytes): its data, and the engine when asked."""
    service = _Service()
    try:
        index_id = service.send({"type": "NewIndex", "config": {"force_language": LANGUAGE}})["index_id"]
        for record in records:
            service.send({"type": "AddRecord", "index_id": index_id, "url": record.url, "content": record.text,
                          "language": LANGUAGE, "meta": record.meta, "filters": record.filters or None})
        made = service.send({"type": "GetFiles", "index_id": index_id})["files"]
    finally:
        service.close()
    files = {f["path"]: base64.b64decode(f["content"]) for f in made}
    wanted = DATA_PREFIXES + (ENGINE_FILES if with_engine else ())
    return steady_filters({path: data for path, data in files.items() if path.startswith(wanted)})


def steady_filters(files: dict[str, bytes]) -> dict[str, bytes]:
    """The same files with each filter's values in sorted order, renamed by their content, and the meta
    file and entry pointing to the new names."""
    renames: dict[str, str] = {}
    out = {path: data for path, data in files.items() if not path.startswith("filter/")}
    for path, data in files.items():
        if path.startswith("filter/"):
            name, values = cbor2.loads(_unpacked(data))
            sorted_values = sorted(values, key=lambda pair: pair[0])
            packed = _packed(cbor2.dumps([name, sorted_values]))
            old = path[len("filter/"):-len(".pf_filter")]
            new = f"{LANGUAGE}_{hashlib.sha256(packed).hexdigest()[:len(old) - len(LANGUAGE) - 1]}"
            renames[old] = new
            out[f"filter/{new}.pf_filter"] = packed
    if not renames:
        return out
    meta_path = next(p for p in out if p.startswith("pagefind.") and p.endswith(".pf_meta"))
    meta = _unpacked(out.pop(meta_path))
    for old, new in renames.items():
        meta = meta.replace(old.encode(), new.encode())
    packed_meta = _packed(meta)
    old_hash = meta_path[len("pagefind."):-len(".pf_meta")]
    new_hash = f"{LANGUAGE}_{hashlib.sha256(packed_meta).hexdigest()[:len(old_hash) - len(LANGUAGE) - 1]}"
    out[f"pagefind.{new_hash}.pf_meta"] = packed_meta
    entry = json.loads(out["pagefind-entry.json"])
    entry["languages"][LANGUAGE]["hash"] = new_hash
    out["pagefind-entry.json"] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return out


def _unpacked(data: bytes) -> bytes:
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE):
        raise PagefindError("файл поискового индекса без подписи Pagefind: другая версия Pagefind?")
    return raw[len(SIGNATURE):]


def _packed(cbor: bytes) -> bytes:
    return gzip.compress(SIGNATURE + cbor, compresslevel=9, mtime=0)
