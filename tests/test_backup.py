"""Issue 12: ``flask nastavnik backup`` and ``restore`` — a round trip of every table's rows and every
uploaded file, on SQLite always and on PostgreSQL in its stage; a non-empty target needs --force."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import MetaData, select

from nastavnik.app import create_app
from nastavnik.config import TestingConfig
from nastavnik.extensions import db
from tests.conftest import IN_REPO_PLUGINS
from tests.factories import make_consent, make_org, make_person, make_user
from tests.test_migrations import _drop_everything

POSTGRES_URL = os.environ.get("NASTAVNIK_TEST_DATABASE_URL", "")


def _app(url: str, uploads: Path, instance: Path):
    config = {key: value for key, value in vars(TestingConfig).items() if key.isupper()}
    config |= {"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(uploads)}
    app = create_app(config, plugins=IN_REPO_PLUGINS)
    app.instance_path = str(instance)
    return app


def _fill(app) -> None:
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        school = make_org(name="СОШ № 7 «Ёлочка»")
        teacher = make_person(school, last_name="Щукина", notes="многострочное\nпримечание; 'кавычки'")
        make_consent(teacher)
        make_user("curator", "curator", school, person=teacher)
        db.session.commit()
    folder = Path(app.config["UPLOAD_FOLDER"])
    (folder / "roadmaps" / "12").mkdir(parents=True)
    (folder / "roadmaps" / "12" / "приказ.docx").write_bytes(bytes(range(256)) * 40)
    (folder / "readme.txt").write_text("файл", encoding="utf-8")


def _snapshot(app) -> tuple[dict, dict]:
    """Every row of every table (alembic_version too), and every file with its bytes."""
    with app.app_context():
        meta = MetaData()
        meta.reflect(db.engine)
        with db.engine.connect() as connection:
            rows = {
                name: sorted(map(tuple, connection.execute(select(table))), key=repr)
                for name, table in meta.tables.items()
            }
    folder = Path(app.config["UPLOAD_FOLDER"])
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    return rows, files


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["nastavnik", *args])


def test_sqlite_round_trip_keeps_every_row_and_file(tmp_path):
    source = _app(f"sqlite:///{tmp_path / 'source.sqlite'}", tmp_path / "up1", tmp_path)
    _fill(source)
    before = _snapshot(source)
    assert before[0]["person"] and before[0]["alembic_version"] and len(before[1]) == 2

    archive = tmp_path / "copy.tar.gz"
    result = _cli(source, "backup", "--output", str(archive))
    assert result.exit_code == 0, result.output
    assert "Резервная копия" in result.output and archive.is_file()

    target = _app(f"sqlite:///{tmp_path / 'target.sqlite'}", tmp_path / "up2", tmp_path)
    result = _cli(target, "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert _snapshot(target) == before
    with target.app_context():  # the restored database works through the app
        assert db.session.execute(select(db.metadata.tables["user_account"].c.username)).scalar() == "curator"


def test_restore_refuses_a_non_empty_target_without_force(tmp_path):
    source = _app(f"sqlite:///{tmp_path / 'source.sqlite'}", tmp_path / "up1", tmp_path)
    _fill(source)
    archive = tmp_path / "copy.tar.gz"
    assert _cli(source, "backup", "-o", str(archive)).exit_code == 0

    target = _app(f"sqlite:///{tmp_path / 'target.sqlite'}", tmp_path / "up2", tmp_path)
    with target.app_context():
        flask_migrate.upgrade(revision="heads")
        make_org(name="Чужая школа")
        db.session.commit()
    refused = _cli(target, "restore", str(archive))
    assert refused.exit_code != 0
    assert "не пуста" in refused.output and "--force" in refused.output
    assert "Чужая школа" in repr(_snapshot(target)[0]["organisation"])

    forced = _cli(target, "restore", str(archive), "--force")
    assert forced.exit_code == 0, forced.output
    assert _snapshot(target) == _snapshot(source)


def test_restore_refuses_files_in_the_upload_folder_and_foreign_archives(tmp_path):
    source = _app(f"sqlite:///{tmp_path / 'source.sqlite'}", tmp_path / "up1", tmp_path)
    _fill(source)
    archive = tmp_path / "copy.tar.gz"
    _cli(source, "backup", "-o", str(archive))
    target = _app(f"sqlite:///{tmp_path / 'target.sqlite'}", tmp_path / "up2", tmp_path)
    (tmp_path / "up2").mkdir()
    (tmp_path / "up2" / "left-over.pdf").write_bytes(b"%PDF")
    assert "не пуста" in _cli(target, "restore", str(archive)).output
    not_ours = tmp_path / "other.tar.gz"
    shutil.make_archive(str(tmp_path / "other"), "gztar", root_dir=tmp_path / "up1")
    assert "Это не архив nastavnik" in _cli(target, "restore", str(not_ours), "--force").output


@pytest.mark.skipif(not POSTGRES_URL.startswith("postgresql"), reason="PostgreSQL stage only")
def test_postgresql_round_trip_with_pg_dump(tmp_path):
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pg_dump/pg_restore are missing: the PostgreSQL stage must test backups")
        pytest.skip("pg_dump is not installed here")
    _drop_everything(POSTGRES_URL)
    try:
        source = _app(POSTGRES_URL, tmp_path / "up1", tmp_path)
        _fill(source)
        before = _snapshot(source)
        archive = tmp_path / "copy.tar.gz"
        result = _cli(source, "backup", "-o", str(archive))
        assert result.exit_code == 0, result.output
        refused = _cli(source, "restore", str(archive))
        assert refused.exit_code != 0 and "не пуста" in refused.output
        with source.app_context():
            db.engine.dispose()
        _drop_everything(POSTGRES_URL)  # the server is empty again: restore as onto a new one
        shutil.rmtree(tmp_path / "up1")
        target = _app(POSTGRES_URL, tmp_path / "up1", tmp_path)
        result = _cli(target, "restore", str(archive))
        assert result.exit_code == 0, result.output
        assert _snapshot(target) == before
        assert _cli(target, "restore", str(archive), "--force").exit_code == 0
        assert _snapshot(target) == before
        with target.app_context():
            db.engine.dispose()
    finally:
        _drop_everything(POSTGRES_URL)
