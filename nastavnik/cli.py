"""``flask nastavnik …`` commands."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from nastavnik.audit.services import acting_as
from nastavnik.extensions import db


def make_cli() -> click.Group:
    @click.group("nastavnik", help="Команды nastavnik: администратор, демо-данные, плагины, обезличивание.")
    def group():
        pass

    for command in (create_admin, demo, plugins, anonymise, backup, restore):
        group.add_command(command)
    return group


@click.command("create-admin")
@click.option("--username", prompt="Логин")
@click.option("--password", prompt="Пароль", hide_input=True, confirmation_prompt=True)
@click.option("--name", "display_name", default="Администратор")
@with_appcontext
def create_admin(username, password, display_name):
    """Создать первого администратора (роль admin на верхнем уровне)."""
    from nastavnik.auth.models import User
    from nastavnik.auth.passwords import password_problem
    from nastavnik.auth.services import create_user
    from nastavnik.orgs.models import Organisation

    problem = password_problem(password, username)
    if problem:
        raise click.ClickException(problem)
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise click.ClickException(f"Пользователь «{username}» уже есть.")
    root = db.session.scalar(select(Organisation).where(Organisation.parent_id.is_(None)).order_by(Organisation.id))
    if root is None:
        root = Organisation(kind="region", name="Регион (переименуйте)")
        db.session.add(root)
        db.session.flush()
    create_user(username, password, display_name, roles=[("admin", root.id)])
    db.session.commit()
    click.echo(f"Администратор «{username}» создан.")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Только если в базе ещё нет организаций (для первого запуска).")
@with_appcontext
def demo(if_empty):
    """Загрузить демо-данные: муниципалитет, две школы, педагоги, обучающиеся, пользователи всех ролей."""
    from nastavnik.demo import DEMO_LOGINS, DEMO_PASSWORD, build_demo, has_data

    if has_data():
        if not if_empty:
            raise click.ClickException("База не пуста: демо-данные загружаются только в пустую базу.")
        click.echo("Демо-данные уже загружены.")
    else:
        with acting_as("демо-данные"):
            build_demo()
        click.echo("Демо-данные загружены.")
    click.echo(f"Пользователи демо-данных (пароль у всех: {DEMO_PASSWORD}):")
    for username, title in DEMO_LOGINS:
        click.echo(f"  {username:<12} {title}")


@click.command("plugins")
@with_appcontext
def plugins():
    """Список плагинов: версия и состояние."""
    from nastavnik.plugins.manager import plugin_state

    for info in plugin_state().infos.values():
        kind = "встроенный" if info.internal else "плагин"
        line = f"{info.name:<28} {info.version:<8} {kind:<10} {info.state_title}"
        click.echo(line + (f" — {info.error}" if info.error else ""))


@click.command("anonymise")
@click.option("--dry-run", is_flag=True, help="Только показать, кого обезличить.")
@with_appcontext
def anonymise(dry_run):
    """Обезличить данные тех, чьё согласие отозвано или истекло дольше срока хранения (для cron)."""
    from nastavnik.consents.services import anonymise as anonymise_person
    from nastavnik.consents.services import due_for_anonymisation, orphaned_guardians
    from nastavnik.timeutil import today

    people = due_for_anonymisation(today(), current_app.config["PD_RETENTION_DAYS"])
    verb = "будет обезличен" if dry_run else "обезличен"
    for person in people:
        click.echo(f"{verb}: участник №{person.id}")
        if dry_run:
            guardians = orphaned_guardians(person)
        else:
            with acting_as("обезличивание по сроку хранения"):
                guardians = anonymise_person(person)
        for guardian in guardians:
            click.echo(f"  {verb} вместе с ним: законный представитель №{guardian.id}")
    if not dry_run:
        db.session.commit()
    click.echo(f"Итого: {len(people)}.")


@click.command("backup")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Файл архива; по умолчанию instance/backups/nastavnik-backup-ДАТА.tar.gz.")
@with_appcontext
def backup(output):
    """Резервная копия: база (SQLite — онлайн-копией, PostgreSQL — pg_dump) и загруженные файлы в одном архиве."""
    from nastavnik.backup import BackupError, default_archive_name, make_backup

    archive = output or Path(current_app.instance_path) / "backups" / default_archive_name()
    try:
        manifest = make_backup(archive)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = sum(manifest["tables"].values())
    click.echo(f"Резервная копия: {archive} (база {manifest['backend']}, строк: {rows}, файлов: {manifest['files']}).")


@click.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Заменить непустую базу и папку файлов.")
@with_appcontext
def restore(archive, force):
    """Восстановить базу и загруженные файлы из архива «flask nastavnik backup»."""
    from nastavnik.backup import BackupError, restore_backup

    try:
        manifest = restore_backup(archive, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Восстановлено из {archive}: копия от {manifest['created_at']}, версия {manifest['app_version']}, "
               f"файлов: {manifest['files']}. Затем выполните «flask db upgrade heads».")
