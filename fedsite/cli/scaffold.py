"""Scaffolding: a new post, a new organization, and CODEOWNERS from every site.yml."""

from __future__ import annotations

import difflib
from datetime import datetime
from pathlib import Path

import yaml
from fedsite.model.slugs import slug as make_slug

from fedsite.model.diagnostics import Diagnostics, UsageError
from fedsite.model.schema import KINDS, as_list
from fedsite.read.tree import ORG_ID, RESERVED, Tree, discover

POST_TEMPLATE = """---
title: {title}
date: {date}
# Необязательные поля: уберите «# » в начале строки, чтобы включить поле.
# updated: {day}               # дата обновления
# tags: [новости]              # метки
# projects: [{project}]        # проекты из shared/data/projects.yml
# summary: Кратко о новости     # текст для списков и лент; иначе — первый абзац
# cover: ../assets/photo.jpg   # обложка: картинка из папки assets
# author: Имя Фамилия          # автор
# draft: true                  # черновик: не публикуется
# slug: {slug}                 # адрес страницы латиницей
# id: {stem}                   # постоянный номер для лент, не меняйте после публикации
# audio: ../assets/lecture.mp3 # аудиолекция: файл или адрес
# video: https://rutube.ru/video/...  # видео: файл или адрес
# event:                       # мероприятие (вебинар, семинар)
#   start: {day} 10:00
#   end: {day} 12:00
#   place: Место проведения
#   online: https://vkvideo.ru/...
---

Первый абзац — главное о событии: что, где, когда.

<!-- more -->

Подробности.
"""


def tree_or_fail(repo: Path) -> Tree:
    diags = Diagnostics(repo)
    tree = discover(repo, diags)
    if tree is None:
        raise UsageError("; ".join(str(p) for p in diags.sorted()))
    return tree


def find_org(tree: Tree, org_id: str) -> Path:
    """The folder of an organization, or a usage error that lists similar ids."""
    if org_id in tree.orgs:
        return tree[org_id].folder
    close = difflib.get_close_matches(org_id, list(tree.orgs), n=5, cutoff=0.5)
    hint = f" Похожие: {', '.join(close)}." if close else ""
    raise UsageError(f"организация «{org_id}» не найдена.{hint}")


def new_post(repo: Path, org_id: str, title: str, now: datetime) -> Path:
    """Create posts/YYYY-MM-DD-<slug>.md with every field of the post schema."""
    folder = find_org(tree_or_fail(repo), org_id) / "posts"
    slug = make_slug(title) or "post"
    day = now.strftime("%Y-%m-%d")
    path = folder / f"{day}-{slug}.md"
    if path.exists():
        raise UsageError(f"файл {path.relative_to(repo)} уже есть; выберите другой заголовок")
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(POST_TEMPLATE.format(title=yaml_scalar(title), date=now.strftime("%d.%m.%Y %H:%M"),
                                         day=day, slug=slug, stem=path.stem, project="cifrovizaciya"),
                    encoding="utf-8")
    return path


def yaml_scalar(text: str) -> str:
    return yaml.safe_dump(text, allow_unicode=True, default_style=None, width=1000).strip().removesuffix("\n...")


def new_site(repo: Path, org_id: str, parent: str, kind: str, name: str) -> Path:
    """Create an organization's folder under its parent, with site.yml and index.md."""
    tree = tree_or_fail(repo)
    if not ORG_ID.match(org_id) or org_id in RESERVED:
        raise UsageError(f"«{org_id}» не годится как код организации: только строчные латинские буквы, "
                         "цифры и дефис, не posts, pages, assets, search")
    if org_id in tree.orgs:
        raise UsageError(f"код «{org_id}» уже занят: {tree[org_id].rel}")
    if kind not in KINDS:
        raise UsageError(f"вид «{kind}» неизвестен; допустимы: {', '.join(KINDS)}")
    folder = find_org(tree, parent) / org_id
    (folder / "posts").mkdir(parents=True)
    card = {"name": name, "kind": kind}
    (folder / "site.yml").write_text(
        yaml.safe_dump(card, allow_unicode=True, sort_keys=False)
        + "# short_name: Краткое название\n# description: Описание\n# chair: Председатель\n"
          "# contacts: {address: ..., phone: ..., email: ...}\n"
          "# social: {vk: https://vk.com/..., ok: https://ok.ru/..., telegram: https://t.me/...}\n"
          "# owners: [логин-github]\n", encoding="utf-8")
    (folder / "index.md").write_text(f"Добро пожаловать на сайт организации «{name}».\n", encoding="utf-8")
    return folder


CODEOWNERS_HEADER = ("# Этот файл создан командой `python build.py codeowners` из полей owners в site.yml.\n"
                     "# Не правьте его вручную: измените site.yml и запустите команду снова.\n")


def codeowners_text(repo: Path) -> str:
    """Each organization's folder owned by its press secretaries and its ancestors' ones."""
    tree = tree_or_fail(repo)
    lines = [CODEOWNERS_HEADER]
    for org in tree.in_order():
        owners: list[str] = []
        for o in tree.chain(org.id):
            for login in as_list(o.card.get("owners")):
                handle = "@" + login.lstrip("@")
                if handle not in owners:
                    owners.append(handle)
        if owners:
            lines.append(f"/{org.rel}/ {' '.join(owners)}\n")
    return "".join(lines)
