"""Roadmap evidence: checked by content, kept under a generated name, never half-kept.

Before: a .xlsx zip bomb or a .docx with an external entity was accepted as evidence (only the
extension and the zip's first bytes were looked at), and the file lived in the database under the
name the client sent.
"""

from __future__ import annotations

import errno
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from nastavnik.extensions import db
from nastavnik.roadmaps import services as roadmap_services
from nastavnik.roadmaps.models import EVIDENCE_FOLDER, RoadmapEvidence
from nastavnik.roadmaps.services import delete_roadmap
from nastavnik.web import uploads
from nastavnik.web.uploads import display_name, store_file, stored_path
from tests.hostile import files
from tests.roadmaps.test_roadmap_web import HX, school_roadmap

PDF = b"%PDF-1.4\n% test\n"


def post_evidence(client, item, data: bytes, name: str, **fields):
    form = {"file": (io.BytesIO(data), name), **fields}
    return client.post(f"/roadmaps/items/{item.id}/evidence", data=form, content_type="multipart/form-data", headers=HX)


def folder(app) -> Path:
    return Path(app.instance_path) / "uploads" / EVIDENCE_FOLDER


def kept_files(app) -> list[str]:
    return sorted(p.name for p in folder(app).iterdir()) if folder(app).exists() else []


def evidence_count() -> int:
    return db.session.scalar(select(func.count(RoadmapEvidence.id)))


@pytest.mark.parametrize(
    ("name", "build", "message"),
    [
        ("bomb.xlsx", lambda: files.zip_bomb_xlsx(64), "распаковывается больше чем в 50 МБ"),
        ("ratio.xlsx", lambda: files.zip_bomb_xlsx(20), "сжат подозрительно сильно"),
        ("xxe.docx", files.docx_with_external_entity, "содержит объявление DTD или XML-сущности"),
        ("laughs.docx", files.docx_with_entity_expansion, "содержит объявление DTD или XML-сущности"),
        ("xxe.xlsx", files.xlsx_with_external_entity, "содержит объявление DTD или XML-сущности"),
        ("renamed.docx", lambda: files.sparse_sheet(10), "Содержимое файла не похоже на DOCX"),
    ],
)
def test_hostile_evidence_is_refused_by_content(app, world, as_user, name, build, message):
    item = school_roadmap(world).items()[0]
    response = post_evidence(as_user("curator"), item, build(), name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert evidence_count() == 0 and kept_files(app) == []


def test_a_real_docx_is_kept_under_a_generated_name(app, world, as_user):
    item = school_roadmap(world).items()[0]
    client = as_user("curator")
    data = files.roadmap_docx()
    response = post_evidence(client, item, data, "../../../etc/Приказ\x07 № 5<>.docx", title="Приказ")
    assert response.status_code == 200
    evidence = db.session.scalars(select(RoadmapEvidence)).one()
    assert re.fullmatch(r"[0-9a-f]{32}\.docx", evidence.stored_name)
    assert evidence.filename == "Приказ № 5.docx"  # the client's name, cleaned, for display only
    assert evidence.content is None
    assert kept_files(app) == [evidence.stored_name]
    assert (folder(app) / evidence.stored_name).read_bytes() == data
    download = client.get(f"/roadmaps/evidence/{evidence.id}")
    assert download.status_code == 200 and download.data == data
    assert "attachment" in download.headers["Content-Disposition"]
    assert "etc" not in download.headers["Content-Disposition"]


def test_no_client_name_reaches_the_disk(app, world, as_user):
    item = school_roadmap(world).items()[0]
    client = as_user("curator")
    for name in ("..\\..\\win.ini.pdf", "/etc/passwd.pdf", ".htaccess.pdf", "a" * 400 + ".pdf", "CON.pdf"):
        assert post_evidence(client, item, PDF, name).status_code == 200, name
    names = kept_files(app)
    assert len(names) == 5 and all(re.fullmatch(r"[0-9a-f]{32}\.pdf", n) for n in names)
    everything = [p.relative_to(app.instance_path).as_posix() for p in Path(app.instance_path).rglob("*") if p.is_file()]
    assert all(path.startswith("uploads/evidence/") for path in everything), everything
    shown = [e.filename for e in db.session.scalars(select(RoadmapEvidence).order_by(RoadmapEvidence.id))]
    assert shown[:3] == ["win.ini.pdf", "passwd.pdf", "htaccess.pdf"]
    assert len(shown[3]) == 255 and shown[3].endswith(".pdf")


def test_display_name_and_stored_path(tmp_path):
    assert display_name("C:\\Users\\x\\Отчёт.pdf") == "Отчёт.pdf"
    assert display_name("") == "файл" and display_name("...") == "файл"
    assert display_name('a<b>:"c"|?*.docx') == "abc.docx"
    for bad in ("../x", "x.pdf", "0" * 32 + "/../../x", "0" * 31 + ".pdf", ""):
        with pytest.raises(ValueError):
            stored_path("/srv", bad)
    with pytest.raises(ValueError):
        store_file(tmp_path, b"", suffix="/../x")


def test_legacy_evidence_in_the_database_still_downloads(app, world, as_user):
    item = school_roadmap(world).items()[0]
    db.session.add(RoadmapEvidence(item=item, kind="file", filename="old.pdf", content=PDF, size=len(PDF),
                                   content_type="application/pdf"))
    db.session.commit()
    evidence_id = db.session.scalar(select(RoadmapEvidence.id))
    assert as_user("curator").get(f"/roadmaps/evidence/{evidence_id}").data == PDF


def test_a_kept_file_goes_with_its_roadmap_and_stays_on_rollback(app, world, as_user):
    roadmap = school_roadmap(world)
    client = as_user("curator")
    assert post_evidence(client, roadmap.items()[0], PDF, "a.pdf").status_code == 200
    assert len(kept_files(app)) == 1
    db.session.delete(db.session.scalars(select(RoadmapEvidence)).one())
    db.session.flush()
    db.session.rollback()  # a deletion that does not commit keeps the file
    assert len(kept_files(app)) == 1
    delete_roadmap(roadmap)  # the ORM cascade deletes the evidence row …
    assert evidence_count() == 0
    assert kept_files(app) == []  # … and the file goes with it


# --- a full disk -------------------------------------------------------------------------------------------------


class FullDisk:
    """A file that takes some bytes and then fails with ENOSPC, like a disk filling up mid-write."""

    def __init__(self, path, mode):
        self._file = open(path, mode)  # noqa: SIM115 - closed by __exit__

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._file.close()

    def write(self, data):
        self._file.write(data[: len(data) // 2])
        self._file.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self):
        self._file.flush()

    def fileno(self):
        return self._file.fileno()


def test_full_disk_during_an_evidence_upload_leaves_no_row_and_no_partial_file(app, world, as_user, monkeypatch):
    item = school_roadmap(world).items()[0]
    client = as_user("curator")
    folder(app).mkdir(parents=True)
    monkeypatch.setattr(uploads, "open", FullDisk, raising=False)
    response = post_evidence(client, item, PDF * 1000, "big.pdf")
    assert response.status_code == 507
    html = response.get_data(as_text=True)
    assert "закончилось место на диске" in html and "Traceback" not in html
    assert evidence_count() == 0
    assert list(folder(app).iterdir()) == []  # not even the .part file
    monkeypatch.undo()
    assert post_evidence(client, item, PDF, "ok.pdf").status_code == 200  # and nothing is stuck


def test_a_failed_commit_removes_the_written_file(app, world, as_user, monkeypatch):
    item = school_roadmap(world).items()[0]
    client = as_user("curator")

    def disk_full_in_the_database():
        raise OperationalError("INSERT", {}, Exception("database or disk is full"))

    monkeypatch.setattr(roadmap_services.db.session, "commit", disk_full_in_the_database)
    response = post_evidence(client, item, PDF, "a.pdf")
    assert response.status_code == 503
    monkeypatch.undo()
    assert evidence_count() == 0
    assert kept_files(app) == []


def test_full_disk_while_keeping_an_import_for_confirmation_leaves_nothing(app, world, as_user, monkeypatch):
    client = as_user("curator")
    monkeypatch.setattr(uploads, "open", FullDisk, raising=False)
    data = "ФИО;Должность\nИванова Анна Петровна;учитель\n".encode()
    response = client.post(
        "/banks/import",
        data={"file": (io.BytesIO(data), "kadry.csv"), "kind": "staff", "org_id": world.school.id},
        content_type="multipart/form-data",
    )
    assert response.status_code == 507
    assert list((Path(app.instance_path) / "imports").iterdir()) == []
