"""Scaffolding: a new post, a new organization, CODEOWNERS from every site.yml, and the guide's field tables
(each written from the schema, fedsite/model/schema.py)."""

from __future__ import annotations

import difflib
import re
from datetime import datetime
from pathlib import Path

import yaml
from fedsite.model.slugs import slug as make_slug

from fedsite.model.diagnostics import Diagnostics, UsageError
from fedsite.model.schema import KINDS, POST_FIELDS, REPORT_FIELDS, SITE_FIELDS, Field, as_list
from fedsite.read.federation import read_projects
from fedsite.read.tree import ORG_ID, RESERVED, Tree, discover

OPTIONAL = "# Необязательные поля: уберите «# » в начале строки, чтобы включить поле.\n"
POST_BODY = """
Первый абзац — главное о событии: что, где, когда.

<!-- more -->

Подробности.
"""


def field_lines(key: str, field: Field, examples: dict[str, str], comment: str = "# ") -> list[str]:
    """A field as the scaffolding and the guide write it: `key: example` (`examples` overrides the schema's,
    by key or `key.sub`) with its meaning beside it; a mapping of fixed sub-fields one sub-field a line."""
    if not field.fields:
        return [f"{comment}{key}: {examples.get(key, field.example)}".ljust(30) + f" # {field.meaning}"]
    return [f"{comment}{key}:".ljust(30) + f" # {field.meaning}"] + [
        f"{comment}  {sub}: {examples.get(f'{key}.{sub}', spec.example)}".ljust(30)
        + f" # {spec.meaning}" + (", обязательно" if spec.required else "")
        for sub, spec in field.fields.items()]


def scaffold(fields: dict[str, Field], given: dict[str, str], examples: dict[str, str]) -> str:
    """A YAML card or front matter: the `given` fields (YAML text) first, then every other field of the
    schema commented out, with its example (or the one in `examples`) and its meaning."""
    lines = [f"{key}: {given[key]}" for key in fields if key in given] + [OPTIONAL.rstrip("\n")]
    for key, field in fields.items():
        if key not in given:
            lines += field_lines(key, field, examples)
    return "\n".join(lines) + "\n"


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
    given = {"title": yaml_scalar(title), "date": now.strftime("%d.%m.%Y %H:%M")}
    # What this post would get without the field (its address, its id), and a project this federation has.
    projects = list(read_projects(repo, Diagnostics(repo)) or {})
    examples = {"updated": day, "slug": slug, "id": path.stem, "event.start": f"{day} 10:00",
                "event.end": f"{day} 12:00", **({"projects": f"[{projects[0]}]"} if projects else {})}
    path.write_text("---\n" + scaffold(POST_FIELDS, given, examples) + "---\n" + POST_BODY, encoding="utf-8")
    return path


REPORT_BODY = """
Открытый отчёт выборного органа организации о работе за {year} год.

<!-- more -->

## Правовая основа

Отчёт подготовлен в соответствии с Уставом Профсоюза и решением о проведении открытых отчётов выборных
органов организаций Профсоюза всех уровней.

## Численность и членство в Профсоюзе

- Членов Профсоюза на 1 января {next_year} года: …
- Доля членов Профсоюза среди работников (охват): … %
- По видам учреждений:

| вид учреждения | организаций | членов Профсоюза | охват, % |
|---|---|---|---|
| общеобразовательные | … | … | … |
| дошкольные | … | … | … |
| дополнительного образования | … | … | … |
| профессиональные и высшие | … | … | … |

## Работа за год по направлениям

### Социальное партнёрство и коллективный договор

### Правозащитная работа

### Охрана труда

### Информационная работа

### Работа с молодёжью

### Оздоровление и культурно-массовая работа

### Финансовая работа

## Задачи на {next_year} год
"""


def new_report(repo: Path, org_id: str, year_text: str, now: datetime) -> Path:
    """Create reports/YYYY.md with its front matter (approved today) and the usual sections."""
    folder = find_org(tree_or_fail(repo), org_id) / "reports"
    if not re.fullmatch(r"\d{4}", year_text.strip()) or int(year_text) > now.year:
        raise UsageError(f"«{year_text}» не годится как год отчёта: напишите год четырьмя цифрами, не позже "
                         f"{now.year}, например: python build.py new-report {org_id} {now.year - 1}")
    year = int(year_text)
    path = folder / f"{year}.md"
    if path.exists():
        raise UsageError(f"файл {path.relative_to(repo)} уже есть: отчёт за {year} год пишется в нём")
    folder.mkdir(parents=True, exist_ok=True)
    given = {"approved": "{date: " + now.strftime("%d.%m.%Y") + ", body: заседание профкома}"}
    examples = {"title": f"Открытый отчёт за {year} год", "document": f"{year}.pdf"}
    path.write_text("---\n" + scaffold(REPORT_FIELDS, given, examples) + "---\n"
                    + REPORT_BODY.format(year=year, next_year=year + 1), encoding="utf-8")
    return path


def yaml_scalar(text: str) -> str:
    return yaml.safe_dump(text, allow_unicode=True, default_style=None, width=1000).strip().removesuffix("\n...")


def new_site(repo: Path, org_id: str, parent: str, kind: str, name: str) -> Path:
    """Create an organization's folder under its parent, with site.yml and index.md."""
    tree = tree_or_fail(repo)
    if not ORG_ID.match(org_id) or org_id in RESERVED:
        raise UsageError(f"«{org_id}» не годится как код организации: только строчные латинские буквы, "
                         "цифры и дефис, не posts, pages, assets, reports, search")
    if org_id in tree.orgs:
        raise UsageError(f"код «{org_id}» уже занят: {tree[org_id].rel}")
    if kind not in KINDS:
        raise UsageError(f"вид «{kind}» неизвестен; допустимы: {', '.join(KINDS)}")
    folder = find_org(tree, parent) / org_id
    (folder / "posts").mkdir(parents=True)
    given = {"name": yaml_scalar(name), "kind": kind}
    (folder / "site.yml").write_text(scaffold(SITE_FIELDS, given, {}), encoding="utf-8")
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


GUIDE = Path("docs/guide.md")
GUIDE_TABLES = {"post": POST_FIELDS, "site": SITE_FIELDS, "report": REPORT_FIELDS}  # the guide's marked regions
REQUIRED_TABLES = ("post", "site")  # the report's region is written where the guide has one
_MARKED = re.compile(r"<!-- fields:(" + "|".join(GUIDE_TABLES) + r")\b[^>]*-->\n.*?<!-- /fields:\1 -->", re.S)


def guide_table(fields: dict[str, Field], projects: list[str]) -> str:
    """The guide's table of a schema's fields, then how each mapping of fixed sub-fields is written."""
    rows = ["| поле | обязательно | пример | что значит |", "|---|---|---|---|"]
    blocks: list[str] = []
    for key, field in fields.items():
        what = (field.meaning + (f"; {field.guide}" if field.guide else "")).replace(
            "{projects}", ", ".join(f"`{p}`" for p in projects))
        example = "см. ниже" if field.fields else f"`{key}: {field.example}`"
        rows.append(f"| `{key}` | {'да' if field.required else field.needed or 'нет'} | {example} | {what} |")
        if field.fields:
            blocks += ["", f"Поле `{key}` пишется так: каждое вложенное поле с новой строки, с двумя пробелами "
                           "в начале (после `#` — пояснение, его можно не писать):", "", "```yaml",
                       *field_lines(key, field, {}, comment=""), "```"]
    return "\n".join(rows + blocks) + "\n"


def guide_with_tables(text: str, projects: list[str]) -> str:
    """The guide with each marked region (`<!-- fields:post -->` … `<!-- /fields:post -->`) written afresh
    from the schema; a usage error if a region is missing."""
    found = {m.group(1) for m in _MARKED.finditer(text)}
    missing = [name for name in REQUIRED_TABLES if name not in found]
    if missing:
        raise UsageError(f"в {GUIDE} нет места для таблиц полей: добавьте строки «<!-- fields:{missing[0]} -->» "
                         f"и «<!-- /fields:{missing[0]} -->»")

    def table(m: re.Match) -> str:
        name = m.group(1)
        return (f"<!-- fields:{name}: таблицу пишет «python build.py guide-fields» из fedsite/model/schema.py -->"
                f"\n\n{guide_table(GUIDE_TABLES[name], projects)}\n<!-- /fields:{name} -->")

    return _MARKED.sub(table, text)


def guide_text(repo: Path) -> tuple[Path, str, str]:
    """docs/guide.md: its path, its text now, and its text with the field tables of today's schema."""
    path = repo / GUIDE
    if not path.is_file():
        raise UsageError(f"файла {GUIDE} нет")
    current = path.read_text(encoding="utf-8")
    return path, current, guide_with_tables(current, list(read_projects(repo, Diagnostics(repo)) or {}))
