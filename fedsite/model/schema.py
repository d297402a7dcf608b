"""Each schema declared once, with the field's meaning beside it: site.yml, post and page front matter.

`check`, `build` and the scaffolding commands all use these declarations.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

from fedsite.model.dates import shown
from fedsite.model.diagnostics import Diagnostics
from fedsite.model.yamlfile import YamlDoc

KINDS = {"regional": "региональная", "territorial": "территориальная", "primary": "первичная"}
SOCIAL = {"vk": "ВКонтакте", "ok": "Одноклассники", "telegram": "Telegram", "mymir": "Мой Мир",
          "rutube": "Rutube", "youtube": "YouTube", "dzen": "Дзен"}
CONTACTS = {"address": "адрес", "phone": "телефон", "email": "эл. почта"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
GITHUB_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$|^@?[A-Za-z0-9-]+/[A-Za-z0-9._-]+$")


def _either(words: Iterable[str]) -> str:
    """«a, b или c»: the words of a closed list, as a field's meaning says them."""
    *rest, last = words
    return ", ".join(rest) + " или " + last


@dataclass(frozen=True)
class Field:
    """One front-matter or card field: its shape, what it means and how it is written (in Russian).

    The one declaration of a field: the reader and `check` validate with it, `new-post` and `new-site`
    write it (`example` as the value, `meaning` as the comment beside it), and the guide's tables
    (docs/guide.md, `python build.py guide-fields`) show it. `guide` is what the guide says beyond the
    meaning ({projects}: the project ids of shared/data/projects.yml); `needed`, when an optional field
    is required after all; `fields`, the sub-fields of a mapping that has a fixed set of them.
    """

    kind: str  # text | bool | list | mapping | date | file (a path beside the file, or a web address) | url | any
    required: bool
    meaning: str
    example: str = ""
    guide: str = ""
    needed: str = ""
    fields: dict[str, Field] | None = None


SITE_FIELDS: dict[str, Field] = {
    "name": Field("text", True, "полное название организации",
                  "Первичная профсоюзная организация МБОУ «СОШ № 1» г. Алексеевки"),
    "short_name": Field("text", False, "краткое название для меню и цепочки организаций", "ППО СОШ № 1",
                        "если его нет, везде пишется полное"),
    "kind": Field("text", True, "вид: " + _either(KINDS), "primary",
                  "то есть " + _either(KINDS.values())),
    "description": Field("text", False, "описание для поисковиков и справочника",
                         "Профсоюзная организация учителей школы № 1"),
    "chair": Field("text", False, "председатель: фамилия, имя, отчество", "Иванова Анна Петровна"),
    "contacts": Field("mapping", False, "контакты: " + ", ".join(CONTACTS),
                      '{address: "ул. Победы, 1", phone: "+7 (47234) 3-00-00", email: school1@example.ru}',
                      "любые из трёх; запятую внутри значения берите в кавычки"),
    "social": Field("mapping", False, "ссылки на группы: " + ", ".join(SOCIAL),
                    "{vk: https://vk.com/school1, telegram: https://t.me/school1}",
                    "полные адреса, начиная с https://"),
    "owners": Field("list", False, "логины GitHub ответственных за сайт", "[ivanova-press, petrov]",
                    "им приходят на проверку изменения сайта"),
    "image": Field("text", False, "картинка, которую показывают соцсети при репосте", "assets/emblema.jpg",
                   "файл JPEG, PNG, GIF или WebP в папке assets/ организации"),
}

EVENT_FIELDS: dict[str, Field] = {
    "start": Field("date", True, "начало", "10.12.2026 15:00"),
    "end": Field("date", False, "окончание", "10.12.2026 16:30"),
    "place": Field("text", False, "место", "онлайн"),
    "online": Field("url", False, "ссылка на трансляцию", "https://vkvideo.ru/video-…"),
}

POST_FIELDS: dict[str, Field] = {
    "title": Field("text", True, "заголовок новости", "Семинар в школе"),
    "date": Field("date", False, "дата публикации", "17.03.2026 14:30",
                  "можно без времени: 17.03.2026; если дата в будущем, новость появится сама в этот день",
                  needed="да, если даты нет в имени файла"),
    "updated": Field("date", False, "дата обновления", "18.03.2026", "обычно не нужна"),
    "tags": Field("list", False, "метки: список слов", "[спорт, конкурс]",
                  "по ним собираются страницы «Метка «спорт»»"),
    "projects": Field("list", False, "проекты из shared/data/projects.yml", "[cifrovizaciya]",
                      "коды проектов: {projects}. Новость попадёт и на страницы проекта у вышестоящих "
                      "организаций: там — последние 30 новостей и число материалов каждой организации-члена"),
    "summary": Field("text", False, "краткое содержание для списков и лент", "Кратко о событии",
                     "если его нет — всё, что выше строки `<!-- more -->`, а без неё — первые 300 знаков "
                     "первого абзаца"),
    "cover": Field("file", False, "обложка: путь к картинке рядом с новостью или адрес", "../assets/foto.jpg"),
    "author": Field("text", False, "автор", "Анна Иванова"),
    "draft": Field("bool", False, "черновик: true — не публиковать", "true", "черновик не появится нигде"),
    "slug": Field("text", False, "часть адреса страницы латиницей", "seminar-v-shkole",
                  "обычно не нужна: её берут из имени файла"),
    "id": Field("text", False, "постоянный номер новости для лент; не меняйте после публикации",
                "2026-03-17-seminar", "обычно не нужен: это имя файла без .md"),
    "audio": Field("file", False, "аудиофайл или его адрес", "../assets/lekciya.mp3",
                   "аудиолекцию слушают и в приложении для подкастов"),
    "video": Field("file", False, "видеофайл или его адрес", "https://rutube.ru/video/…"),
    "gallery": Field("any", False, "фотографии галереи: список путей к картинкам рядом с новостью или одна папка",
                     "[../assets/foto.jpg]", "или папка: ../assets/konkurs/ — все фотографии из неё; миниатюры "
                     "открываются во весь размер; обложкой станет первая фотография, если нет поля cover"),
    "event": Field("mapping", False, "мероприятие: " + ", ".join(EVENT_FIELDS),
                   guide="попадёт в раздел «Мероприятия» и в календарь", fields=EVENT_FIELDS),
}

APPROVED_FIELDS: dict[str, Field] = {
    "date": Field("date", True, "дата утверждения", "20.02.2026"),
    "body": Field("text", True, "кем утверждён", "заседание профкома"),
}

REPORT_FIELDS: dict[str, Field] = {
    "title": Field("text", False, "заголовок отчёта", "Открытый отчёт за 2025 год",
                   "если его нет — «Открытый отчёт за ГГГГ год» по имени файла"),
    "approved": Field("mapping", True, "утверждение: " + ", ".join(APPROVED_FIELDS),
                      guide="в этот день отчёт появится в новостях и лентах", fields=APPROVED_FIELDS),
    "document": Field("file", False, "подписанный отчёт: файл PDF или DOCX рядом с отчётом", "2025.pdf",
                      "на странице отчёта его можно скачать; путь пишется от папки reports/"),
    "summary": Field("text", False, "краткое содержание для списков и лент", "Итоги работы профкома за год"),
    "cover": Field("file", False, "обложка: путь к картинке рядом с отчётом или адрес", "../assets/foto.jpg"),
}

PAGE_FIELDS: dict[str, Field] = {
    "title": Field("text", False, "заголовок страницы", "Открытый отчёт"),
    "order": Field("any", False, "порядок в меню (число)", "10"),
    "summary": Field("text", False, "краткое содержание", "Отчёт о работе за год"),
}

_KIND_RU = {"text": "текст", "file": "текст", "url": "текст", "bool": "true или false", "list": "список",
            "mapping": "набор полей", "date": "дата", "any": "значение"}


def is_text(value: Any) -> bool:
    """Text as a field takes it: a string, or a number written without quotes (not true/false)."""
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _is_kind(value: Any, kind: str) -> bool:
    if kind in ("text", "file", "url"):
        return is_text(value)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "list":  # items are checked where the list is used (tags, projects, owners)
        return value is None or isinstance(value, (list, str))
    if kind == "mapping":
        return isinstance(value, dict)
    return True


def sub_line(doc: YamlDoc, key: str, sub: Any) -> int:
    """The line of `key.sub` (social.vk, event.place), else of `key`."""
    return doc.lines.get(f"{key}.{sub}") or doc.line(key)


def check_fields(doc: YamlDoc, fields: dict[str, Field], path: Path, diags: Diagnostics) -> bool:
    """Report unknown keys, missing required ones and wrong shapes; True if all is well."""
    ok = True
    for key in doc.data:
        if key not in fields:
            known = ", ".join(fields)
            diags.add(path, doc.line(key), f"неизвестное поле «{key}»; допустимые поля: {known}")
            ok = False
    for key, spec in fields.items():
        value = doc.data.get(key)
        if spec.required and (value is None or value == ""):
            diags.add(path, doc.first_line, f"нет обязательного поля «{key}» ({spec.meaning}); "
                                            f"добавьте строку «{key}: …»")
            ok = False
        elif key in doc.data and value is not None and not _is_kind(value, spec.kind):
            diags.add(path, doc.line(key), f"поле «{key}» должно быть: {_KIND_RU[spec.kind]} "
                                           f"({spec.meaning})")
            ok = False
    return ok


def as_list(value: Any) -> list[str]:
    """A list field as a list of strings: `tags: a` and an empty `tags:` are tolerated."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if not isinstance(value, list):
        return []
    return [shown(v) for v in value if (is_text(v) or isinstance(v, bool)) and str(v).strip()]


def is_web_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def check_site_card(doc: YamlDoc, path: Path, diags: Diagnostics) -> None:
    """Validate site.yml beyond shapes: kind, contacts, social URLs, owners (each only when its shape
    is right: a wrong shape is reported once, by check_fields)."""
    check_fields(doc, SITE_FIELDS, path, diags)
    data = doc.data
    kind = data.get("kind")
    if isinstance(kind, str) and kind not in KINDS:
        diags.add(path, doc.line("kind"), f"вид организации «{kind}» неизвестен; "
                                          "пишите regional, territorial или primary")
    contacts = data.get("contacts")
    if isinstance(contacts, dict):
        for key, value in contacts.items():
            line = sub_line(doc, "contacts", key)
            if key not in CONTACTS:
                diags.add(path, line, f"неизвестный контакт «{key}»; допустимы: " + ", ".join(CONTACTS))
            elif value is None:  # left empty: not filled in (the report and the pages skip it)
                continue
            elif not is_text(value):
                diags.add(path, line, f"контакт «{key}» ({CONTACTS[key]}) должен быть текстом, а записано: "
                                      f"{shown(value)}")
            elif key == "email" and not EMAIL.match(str(value)):
                diags.add(path, line, f"адрес почты «{value}» записан неверно; пример: info@example.ru")
    social = data.get("social")
    if isinstance(social, dict):
        for key, value in social.items():
            line = sub_line(doc, "social", key)
            if key not in SOCIAL:
                diags.add(path, line, f"неизвестная соцсеть «{key}»; допустимы: " + ", ".join(SOCIAL))
            elif value is None:  # left empty: not filled in
                continue
            elif not isinstance(value, str):
                diags.add(path, line, f"ссылка «{key}» должна быть адресом, начинающимся с https://, "
                                      f"а записано: {shown(value)}")
            elif not is_web_url(value):
                diags.add(path, line, f"ссылка «{key}: {value}» неверна; пишите полный адрес, начиная с https://")
    check_card_image(doc, path, diags)
    owners = data.get("owners")
    if isinstance(owners, list) and not all(v is None or is_text(v) for v in owners):
        diags.add(path, doc.line("owners"), "в поле «owners» должен быть простой список логинов GitHub, "
                                            "например: [ivanova-press, petrov]")
    elif _is_kind(owners, "list"):
        for owner in as_list(owners):
            if not GITHUB_LOGIN.match(owner.lstrip("@")):
                diags.add(path, doc.line("owners"), f"«{owner}» не похоже на логин GitHub")


IMAGE_TYPES = (".jpg", ".jpeg", ".png", ".gif", ".webp")  # what VK, Odnoklassniki and Telegram show
PUBLISHED_DIRS = ("assets", "posts", "pages")  # an organization's folders whose other files are published


def card_image(card: dict[str, Any]) -> str:
    """The site.yml's `image:` as a path in the organization's folder ('' if none)."""
    value = card.get("image")
    return posixpath.normpath(str(value).replace("\\", "/")) if is_text(value) and str(value).strip() else ""


def check_card_image(doc: YamlDoc, path: Path, diags: Diagnostics) -> None:
    """`image:` names a published picture of the organization's own folder, which exists."""
    value = doc.data.get("image")
    inner = card_image(doc.data)
    if not inner:
        return
    line, example = doc.line("image"), "например: image: assets/emblema.jpg"
    if "://" in str(value):
        diags.add(path, line, f"картинка «{value}» — адрес в интернете, а нужен файл в папке организации "
                              f"(чужой адрес может перестать работать); положите картинку в assets/, {example}")
    elif str(value).startswith("/") or inner.split("/", 1)[0] not in PUBLISHED_DIRS:
        diags.add(path, line, f"картинка «{value}» должна лежать в папке assets/ этой организации (путь "
                              f"пишется от папки, где лежит site.yml), {example}")
    elif not inner.lower().endswith(IMAGE_TYPES):
        diags.add(path, line, f"«{value}» — не картинка JPEG, PNG, GIF или WebP: соцсети показывают только "
                              f"такие; {example}")
    elif not (path.parent / inner).is_file():
        diags.add(path, line, f"картинка «{value}» не найдена; проверьте имя файла (и большие и маленькие "
                              f"буквы) и путь от папки, где лежит site.yml, {example}")


PROJECT_FIELDS = {"title": "название", "description": "описание"}


def project_card(pid: str, value: Any, doc: YamlDoc, path: Path, diags: Diagnostics) -> dict[str, str] | None:
    """One project of shared/data/projects.yml as {title, description}, or None after saying why:
    `title: [a, b]` became the title «['a', 'b']»."""
    if not isinstance(value, dict) or value.get("title") in (None, ""):
        diags.add(path, doc.line(pid), f"у проекта «{pid}» должно быть поле title (название)")
        return None
    ok = True
    for key, meaning in PROJECT_FIELDS.items():
        if value.get(key) is not None and not is_text(value[key]):
            diags.add(path, sub_line(doc, pid, key), f"поле «{key}» проекта «{pid}» ({meaning}) должно быть "
                                                     f"текстом, а записано: {shown(value[key])}")
            ok = False
    return {"title": str(value["title"]), "description": str(value.get("description") or "")} if ok else None
