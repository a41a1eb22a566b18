"""Backup and restore: the database and the uploaded files in one archive (``flask nastavnik backup``).

The archive is a .tar.gz with ``manifest.json`` (what, when, which app version and schema revision,
rows per table), the database — SQLite copied through its online backup API (safe while the app
runs), PostgreSQL dumped by ``pg_dump`` in the custom format — and ``files/``, the upload folder.
Restoring refuses a database or upload folder that is not empty unless told ``--force``.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import MetaData, func, inspect, select, text
from sqlalchemy.engine import make_url

from nastavnik import __version__
from nastavnik.extensions import db

FORMAT = 1
SQLITE_FILE, PG_FILE, MANIFEST, FILES = "database.sqlite", "database.dump", "manifest.json", "files"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the IT admin, in Russian."""


def backend() -> str:
    return db.engine.url.get_backend_name()  # "sqlite" | "postgresql"


def upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def table_counts() -> dict[str, int]:
    meta = MetaData()
    meta.reflect(db.engine)
    with db.engine.connect() as connection:
        return {name: connection.scalar(select(func.count()).select_from(table)) for name, table in meta.tables.items()}


def _revision() -> list[str]:
    if "alembic_version" not in inspect(db.engine).get_table_names():
        return []
    with db.engine.connect() as connection:
        return sorted(connection.scalars(text("SELECT version_num FROM alembic_version")))


def _pg_env() -> dict[str, str]:
    """libpq settings from the SQLAlchemy URL: the password goes by environment, not the command line."""
    url = make_url(db.engine.url)
    env = dict(os.environ)
    for key, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database),
                       ("PGSSLMODE", url.query.get("sslmode"))):
        if value:
            env[key] = str(value)
    return env


def _run(command: list[str]) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(f"Не найдена программа {command[0]}: установите клиент PostgreSQL той же версии, что и сервер.")
    done = subprocess.run([tool, *command[1:]], env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} завершился с ошибкой: {done.stderr.strip()[:2000]}")


def default_archive_name() -> str:
    return f"nastavnik-backup-{datetime.now(UTC):%Y%m%d-%H%M%S}.tar.gz"


def make_backup(archive: Path) -> dict:
    """Write the archive; returns the manifest."""
    db.session.remove()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        kind = backend()
        if kind == "sqlite":
            target = sqlite3.connect(work / SQLITE_FILE)
            with db.engine.connect() as connection:
                connection.connection.driver_connection.backup(target)
            target.close()
        elif kind == "postgresql":
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={work / PG_FILE}"])
        else:
            raise BackupError(f"Резервное копирование базы «{kind}» не поддерживается: только SQLite и PostgreSQL.")
        folder = upload_folder()
        files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
        manifest = {
            "format": FORMAT, "app_version": __version__, "backend": kind,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"), "alembic": _revision(),
            "tables": table_counts(), "files": len(files),
        }
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        archive.parent.mkdir(parents=True, exist_ok=True)
        partial = archive.with_name(archive.name + ".part")  # a half-written archive never has the final name
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(work / MANIFEST, MANIFEST)
            tar.add(work / (SQLITE_FILE if kind == "sqlite" else PG_FILE), SQLITE_FILE if kind == "sqlite" else PG_FILE)
            for path in files:
                tar.add(path, f"{FILES}/{path.relative_to(folder).as_posix()}")
        partial.replace(archive)
        archive.chmod(0o600)  # personal data
    return manifest


def is_empty() -> bool:
    """No rows in any table (an empty schema made by ``flask db upgrade`` counts as empty)."""
    return not any(count for name, count in table_counts().items() if name != "alembic_version")


def restore_backup(archive: Path, force: bool = False) -> dict:
    """Replace the database and the upload folder with the archive's; returns its manifest."""
    if not archive.is_file():
        raise BackupError(f"Архив не найден: {archive}")
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive, "r:gz") as tar:
        work = Path(tmp)
        tar.extractall(work, filter="data")  # no absolute paths, no «..», no links out of the folder
        try:
            manifest = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BackupError("Это не архив nastavnik: нет manifest.json.") from exc
        if manifest.get("format") != FORMAT:
            raise BackupError(f"Неизвестный формат архива: {manifest.get('format')}.")
        kind = backend()
        if manifest.get("backend") != kind:
            raise BackupError(f"Архив сделан с базы {manifest.get('backend')}, а сейчас настроена {kind}: "
                              "восстановите в базу того же вида.")
        folder = upload_folder()
        has_files = folder.is_dir() and any(folder.iterdir())
        if not force and (not is_empty() or has_files):
            raise BackupError("База или папка загруженных файлов не пуста: восстановление заменит всё, что в них есть. "
                              "Если это и нужно, повторите с --force.")
        db.session.remove()
        if kind == "sqlite":
            source = sqlite3.connect(work / SQLITE_FILE)
            with db.engine.connect() as connection:
                source.backup(connection.connection.driver_connection)
            source.close()
        else:
            meta = MetaData()
            meta.reflect(db.engine)
            meta.drop_all(db.engine)
            _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                  f"--dbname={_pg_env()['PGDATABASE']}", str(work / PG_FILE)])
        db.engine.dispose()
        if folder.is_dir():
            shutil.rmtree(folder)
        folder.mkdir(parents=True, exist_ok=True)
        if (work / FILES).is_dir():
            shutil.copytree(work / FILES, folder, dirs_exist_ok=True)
    return manifest
