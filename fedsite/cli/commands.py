"""The commands beyond build and check: scaffolding, serve, report, codeowners, guide-fields, deploy."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fedsite.model.diagnostics import UsageError



def cmd_new_post(args: argparse.Namespace) -> int:
    from fedsite.model.dates import now
    from fedsite.cli.scaffold import new_post

    if not any(ch.isprintable() and not ch.isspace() for ch in args.title):  # blank, or invisible characters
        raise UsageError(f"заголовок новости пуст. Напишите его в кавычках, например: "
                         f"python build.py new-post {args.id} \"Итоги конференции\"")
    path = new_post(args.repo, args.id, args.title, now().astimezone(_tz(args.repo)))
    print(path.relative_to(args.repo))
    return 0


def cmd_new_report(args: argparse.Namespace) -> int:
    from fedsite.model.dates import now
    from fedsite.cli.scaffold import new_report

    print(new_report(args.repo, args.id, args.year, now().astimezone(_tz(args.repo))).relative_to(args.repo))
    return 0


def _tz(repo: Path):
    from fedsite.model.diagnostics import Diagnostics
    from fedsite.read.settings import load_settings

    return load_settings(repo, Diagnostics(repo)).tz


def cmd_new_site(args: argparse.Namespace) -> int:
    from fedsite.cli.scaffold import new_site

    folder = new_site(args.repo, args.id, args.parent, args.kind, args.name)
    print(folder.relative_to(args.repo))
    return 0


def cmd_codeowners(args: argparse.Namespace) -> int:
    from fedsite.cli.scaffold import codeowners_text

    path = args.repo / ".github" / "CODEOWNERS"
    text = codeowners_text(args.repo)
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            print(f"{path.relative_to(args.repo)}:1: файл устарел; запустите «python build.py codeowners» "
                  "и добавьте изменения в коммит", file=sys.stderr)
            return 1
        print("CODEOWNERS актуален.")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(path.relative_to(args.repo))
    return 0


def cmd_guide_fields(args: argparse.Namespace) -> int:
    from fedsite.cli.scaffold import GUIDE, guide_text

    path, current, text = guide_text(args.repo)
    if args.check:
        if current != text:
            pairs = zip(current.splitlines(), text.splitlines())
            line = next((n for n, (now, then) in enumerate(pairs, 1) if now != then), current.count("\n") + 1)
            print(f"{GUIDE}:{line}: таблицы полей не совпадают со схемой (fedsite/model/schema.py); запустите "
                  "«python build.py guide-fields» и добавьте изменения в коммит", file=sys.stderr)
            return 1
        print("Таблицы полей в руководстве актуальны.")
        return 0
    path.write_text(text, encoding="utf-8")
    print(GUIDE)
    return 0


def cmd_deploy(args: argparse.Namespace) -> int:
    from fedsite.deploy.publish import deploy_branch, deploy_s3, deploy_split
    from fedsite.deploy.ready import refuse_unready
    from fedsite.model.diagnostics import Diagnostics
    from fedsite.read.settings import load_settings

    out = args.repo / "public"
    if args.split and args.target:
        raise UsageError("укажите что-то одно: --split (репозитории GitHub Pages) или --target s3://…")
    if (args.endpoint or args.dry_run) and not args.target:
        raise UsageError("--endpoint и --dry-run относятся к публикации в хранилище: добавьте --target s3://…")
    if args.push and args.target:
        raise UsageError("--push относится к публикации в git; с --target файлы сразу отправляются в хранилище")
    refuse_unready(args.repo, out)
    if args.target:
        deploy_s3(args.repo, out, args.target, args.endpoint, args.dry_run)
        return 0
    settings = load_settings(args.repo, Diagnostics(args.repo))
    if args.split:
        deploy_split(args.repo, out, settings, args.push)
        return 0
    deploy_branch(args.repo, out, settings, args.push)
    print("Опубликовано в ветку gh-pages" + (" и отправлено" if args.push else ""))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from fedsite.cli.serve import serve

    return serve(args.repo, args.id, args.port)


def cmd_report(args: argparse.Namespace) -> int:
    from fedsite.cli.report import run_report

    return run_report(args.repo, args.year, args.format)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the other commands' parsers."""
    p = sub.add_parser("new-post", help="создать новость")
    p.add_argument("id", help="код организации (имя её папки)")
    p.add_argument("title", help="заголовок новости")
    p.set_defaults(func=cmd_new_post)
    p = sub.add_parser("new-site", help="создать организацию")
    p.add_argument("id")
    p.add_argument("--parent", required=True)
    p.add_argument("--kind", required=True, choices=["regional", "territorial", "primary"])
    p.add_argument("--name", required=True)
    p.set_defaults(func=cmd_new_site)
    p = sub.add_parser("new-report", help="создать открытый отчёт за год")
    p.add_argument("id", help="код организации (имя её папки)")
    p.add_argument("year", help="год, за который отчёт, например 2025")
    p.set_defaults(func=cmd_new_report)
    p = sub.add_parser("serve", help="предпросмотр сайта организации с автообновлением")
    p.add_argument("id")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("report", help="мониторинг информационной работы")
    p.add_argument("--year", type=int)
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("codeowners", help="записать .github/CODEOWNERS из site.yml")
    p.add_argument("--check", action="store_true", help="только проверить, что файл актуален")
    p.set_defaults(func=cmd_codeowners)
    p = sub.add_parser("guide-fields", help="записать таблицы полей в docs/guide.md из схемы")
    p.add_argument("--check", action="store_true", help="только проверить, что таблицы актуальны")
    p.set_defaults(func=cmd_guide_fields)
    p = sub.add_parser("deploy", help="опубликовать public/: в gh-pages, по репозиториям (--split) или в S3")
    p.add_argument("--push", action="store_true", help="отправить ветки в удалённые репозитории")
    p.add_argument("--split", action="store_true",
                   help="корневой сайт и каждое территориальное поддерево — в свой репозиторий (extra.federation.deploy)")
    p.add_argument("--target", metavar="s3://КОРЗИНА[/ПАПКА]", help="опубликовать в S3-совместимое хранилище")
    p.add_argument("--endpoint", metavar="URL", help="адрес хранилища, например https://storage.yandexcloud.net")
    p.add_argument("--dry-run", action="store_true", help="только показать, что будет отправлено и удалено")
    p.set_defaults(func=cmd_deploy)
