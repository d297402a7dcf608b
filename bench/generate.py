"""Generate a federation of any size in the SPEC layout, seeded and deterministic.

    python bench/generate.py OUT --orgs 1023 --posts 60 [--seed 1] [--words 630] [--photos 0.001]

One regional organization, 22 territorial ones (fewer for small federations), the rest primary;
posts with Russian-like text, tags, projects, a cover image per organization. A share of the posts
(--photos, default 0.1 %: 61 of the 61,380 posts at 1,023 sites, about 0.3 GB) has a phone's photo as its
cover instead: a 4000×3000 JPEG of 4-6 MB with the GPS position in its EXIF, as press secretaries upload
them (SPEC §4). The photos come from their own random stream: the rest of the federation is the same
whatever the share."""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import struct
import io
import zlib
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SYLLABLES = ["про", "фсо", "юз", "об", "ра", "зо", "ва", "ние", "учи", "тель", "шко", "ла", "сад", "кол",
             "лед", "ж", "ка", "ми", "тет", "на", "ро", "дно", "го", "ин", "фор", "ма", "ци", "он", "ный"]
TAGS = ["семинар", "конкурс", "спорт", "молодёжь", "обучение", "здоровье", "праздник", "вебинар",
        "отчёт", "собрание", "ветераны", "культура"]
PROJECTS = ["cifrovizaciya", "profobrazovanie", "territoriya-zdorovya", "korporativnaya-kultura"]


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4)))


def sentence(rng: random.Random, n: int) -> str:
    text = " ".join(word(rng) for _ in range(n))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, words: int) -> str:
    out, left = [], words
    while left > 0:
        n = min(left, rng.randint(6, 16))
        out.append(sentence(rng, n))
        left -= n
    return " ".join(out)


def png(path: Path, rng: random.Random) -> None:
    w, h = 64, 36
    c = [rng.randint(0, 255) for _ in range(3)]
    raw = b"".join(b"\x00" + bytes(c) * w for _ in range(h))

    def chunk(t: bytes, d: bytes) -> bytes:
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def phone_photo(path: Path, rng: random.Random) -> None:
    """A phone's photo: 4000×3000, blotches and grain (so it weighs what a photo does), maker, model and
    GPS position in its EXIF."""
    from PIL import Image, ImageChops

    width, height = 4000, 3000
    blotches = Image.frombytes("RGB", (400, 300), rng.randbytes(400 * 300 * 3)).resize((width, height), Image.BICUBIC)
    grain = Image.frombytes("L", (width, height), rng.randbytes(width * height)).point(lambda v: v // 10)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "Phone", "Phone 12", 1
    exif.get_ifd(0x8825).update({1: "N", 2: (50.0, 36.0, rng.randint(0, 5999) / 100), 3: "E",
                                 4: (36.0, 35.0, rng.randint(0, 5999) / 100)})
    out = io.BytesIO()
    ImageChops.add(blotches, grain.convert("RGB")).save(out, "JPEG", quality=90, exif=exif)
    path.write_bytes(out.getvalue())


def post_text(rng: random.Random, words: int, start: datetime, i: int, cover: str = "cover.png") -> str:
    when = start + timedelta(days=i * 18 + rng.randint(0, 10), hours=rng.randint(8, 18))
    tags = rng.sample(TAGS, rng.randint(1, 3))
    projects = rng.sample(PROJECTS, rng.randint(0, 2))
    paras = [paragraph(rng, words // 5) for _ in range(5)]
    return (f"---\ntitle: {sentence(rng, rng.randint(3, 8))[:-1]}\ndate: {when:%d.%m.%Y %H:%M}\n"
            f"tags: [{', '.join(tags)}]\nprojects: [{', '.join(projects)}]\ncover: ../assets/{cover}\n"
            f"author: {word(rng).capitalize()} {word(rng).capitalize()}\n---\n\n"
            + paras[0] + "\n\n<!-- more -->\n\n## " + sentence(rng, 4)[:-1] + "\n\n" + "\n\n".join(paras[1:]) + "\n")


def org_ids(n: int) -> list[tuple[str, str | None, str]]:
    """(id, parent id, kind) for n organizations: root, territorial ones, primary ones round-robin."""
    territorial = min(22, max(1, (n - 1) // 10)) if n > 1 else 0
    orgs = [("region", None, "regional")]
    orgs += [(f"to-{t:02d}", "region", "territorial") for t in range(territorial)]
    for p in range(n - 1 - territorial):
        orgs.append((f"ppo-{p:04d}", f"to-{p % territorial:02d}" if territorial else "region", "primary"))
    return orgs


def generate(out: Path, orgs: int, posts: int, seed: int, words: int, photos: float = 0.001) -> None:
    """Write a whole repository: mkdocs.yml, theme, shared/ and sites/."""
    rng = random.Random(seed)
    photo_rng = random.Random(f"photos {seed}")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", out / "mkdocs.yml")
    shutil.copytree(ROOT / "theme", out / "theme")
    shutil.copytree(ROOT / "shared", out / "shared")
    folders: dict[str, Path] = {}
    start = datetime(2023, 1, 10)
    for org_id, parent, kind in org_ids(orgs):
        folder = (folders[parent] / org_id) if parent else out / "sites" / org_id
        folders[org_id] = folder
        (folder / "posts").mkdir(parents=True)
        (folder / "assets").mkdir()
        png(folder / "assets" / "cover.png", rng)
        (folder / "site.yml").write_text(
            f"name: Организация {org_id} {word(rng)}\nkind: {kind}\n"
            f"social: {{vk: https://vk.com/{org_id}}}\ncontacts: {{email: {org_id}@example.org}}\n",
            encoding="utf-8")
        for i in range(posts):
            cover = "cover.png"
            if photo_rng.random() < photos:
                cover = f"foto-{i:03d}.jpg"
                phone_photo(folder / "assets" / cover, photo_rng)
            text = post_text(rng, words, start, i, cover)
            (folder / "posts" / f"post-{i:03d}.md").write_text(text, encoding="utf-8")
    (out / ".gitignore").write_text("public/\n.cache/\n", encoding="utf-8")
    commit(out, "generated federation")


def commit(repo: Path, message: str) -> None:
    """A federation lives in git, as in CI: the build then takes file hashes from git's index."""
    if not (repo / ".git").exists():
        subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org", "commit", "-q",
                    "-m", message], cwd=repo, check=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("out", type=Path)
    p.add_argument("--orgs", type=int, default=1023)
    p.add_argument("--posts", type=int, default=60)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--words", type=int, default=630)
    p.add_argument("--photos", type=float, default=0.001, help="share of posts with a phone's photo as cover")
    a = p.parse_args()
    generate(a.out, a.orgs, a.posts, a.seed, a.words, a.photos)


if __name__ == "__main__":
    main()
