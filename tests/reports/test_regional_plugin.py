"""The example regional plugin, installed with pip as a separate distribution: it appears on the plugins
page, computes and renders (HTML, print, .xlsx, its official blank), and a broken variant leaves the app
running. pip installs into a temporary target that is put on sys.path, so the shared venv is untouched."""

from __future__ import annotations

import importlib
import io
import shutil
import subprocess
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from nastavnik.app import create_app
from nastavnik.config import TestingConfig
from nastavnik.extensions import db
from nastavnik.reports.indicators import ensure_indicators
from nastavnik.reports.models import ReportRun
from tests.conftest import login
from tests.factories import make_org, make_person, make_user
from tests.reports.conftest import add_pair

PLUGIN = Path(__file__).resolve().parents[2] / "plugins" / "report_krsk"
MODULE = "nastavnik_report_krsk"


def pip_install(source: Path, target: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",  # noqa: S603
                    "--target", str(target), str(source)], check=True, capture_output=True)
    return target


def variant(good: Path, tmp: Path, edit) -> Path:
    """A copy of the installed distribution with its module edited: the same entry point, a broken plugin."""
    site = tmp / "site"
    shutil.copytree(good, site)
    plugin = site / MODULE / "plugin.py"
    plugin.write_text(edit(plugin.read_text(encoding="utf-8")), encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    good = pip_install(PLUGIN, tmp_path_factory.mktemp("krsk_good"))
    return {
        "good": good,
        "broken_import": variant(good, tmp_path_factory.mktemp("krsk_import"),
                                 lambda s: s + '\nraise RuntimeError("плагин сломан")\n'),
        "broken_compute": variant(good, tmp_path_factory.mktemp("krsk_compute"), lambda s: s.replace(
            "layout=\"grid\", rows=ROWS, columns=COLUMNS, cells=cells,",
            "layout=\"grid\", cells=_boom,") + "\n\ndef _boom(registry):\n    raise ZeroDivisionError(\"ошибка в форме\")\n"),
    }


@contextmanager
def installed(site: Path):
    """The target on sys.path, so importlib.metadata finds the plugin's entry point; removed afterwards."""
    sys.path.insert(0, str(site))
    importlib.invalidate_caches()
    try:
        yield
    finally:
        sys.path.remove(str(site))
        for name in [m for m in sys.modules if m == MODULE or m.startswith(MODULE + ".")]:
            del sys.modules[name]
        importlib.invalidate_caches()


@contextmanager
def app_with_entry_points(tmp_path):
    app = create_app(TestingConfig)  # plugins=None: the real entry points, as in production
    app.instance_path = str(tmp_path)
    with app.app_context():
        db.create_all()
        try:
            yield app
        finally:
            db.session.remove()
            db.drop_all()


def school_world():
    region = make_org(kind="region", name="Красноярский край")
    authority = make_org(kind="authority", name="МКУ УО", parent=make_org(kind="municipality", name="Район", parent=region))
    school = make_org(name="СОШ № 7", parent=authority)
    older = make_person(school, kind="student", birth_date=date(2009, 1, 1))
    pupils = [make_person(school, kind="student", birth_date=date(2013, 1, 1)) for _ in range(3)]
    add_pair(school, older, pupils[0], date(2025, 9, 5))
    make_user("admin", "admin", region)
    make_user("curator", "curator", school)
    ensure_indicators()
    db.session.commit()
    return school


def test_installed_with_pip_it_appears_computes_and_fills_its_blank(sites, tmp_path):
    with installed(sites["good"]), app_with_entry_points(tmp_path) as app:
        from nastavnik.plugins.manager import plugin_state
        from nastavnik.reports.services import edition_for

        info = plugin_state().infos["report_krsk"]
        assert info.state == "active" and info.version == "2025.1"
        assert edition_for("krsk_monitoring", date(2025, 1, 10)).version == "2024"
        assert edition_for("krsk_monitoring", date(2025, 9, 20)).version == "2025"
        school = school_world()
        client = app.test_client()
        page = login(client, "admin").get("/admin/plugins").data.decode()
        assert "report_krsk" in page and "krsk_monitoring@2025" in page
        client = login(app.test_client(), "curator")
        assert "Красноярский край, пример" in client.get("/reports/").data.decode()
        form = {"org_id": school.id, "as_of": "20.09.2025"}
        bad = client.post("/reports/run/krsk_monitoring@2025", data={**form, "manual_r10_n": "900"})
        assert bad.status_code == 422 and "Значение должно быть от 0 до 500." in bad.data.decode()
        response = client.post("/reports/run/krsk_monitoring@2025", data={**form, "manual_r10_n": "12"})
        assert response.status_code == 303, response.data.decode()[:2000]
        run = db.session.get(ReportRun, int(response.headers["Location"].rsplit("/", 1)[1]))
        assert (run.plugin, run.plugin_version, run.format_version) == ("report_krsk", "2025.1", "2025")
        assert run.data["total"]["r1_n"][0] == 4 and run.data["total"]["r2_n"][0] == 1
        assert run.data["total"]["r2_pct"][:3] == [25.0, 1, 4]
        # Satisfaction comes from monitoring's counters: nobody surveyed yet, so 0 of 0 and no share.
        assert run.data["total"]["r11_pct"][:3] == [None, 0, 0]
        assert client.get(f"/reports/runs/{run.id}").status_code == 200
        assert client.get(f"/reports/runs/{run.id}/print").status_code == 200
        sheet = load_workbook(io.BytesIO(client.get(f"/reports/runs/{run.id}/report.xlsx").data))["Форма"]
        formulas = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
        assert any(f.startswith('=IF(') for f in formulas)
        blank = load_workbook(io.BytesIO(client.get(f"/reports/runs/{run.id}/blank.xlsx").data))["Мониторинг"]
        assert blank["C3"].value == "СОШ № 7" and blank["C4"].value == "20.09.2025"
        assert blank["C8"].value == 4 and blank["C9"].value == 1 and blank["C17"].value == 12
        assert blank["D9"].value == 0.25 and blank["D9"].number_format == "0.0%"
        assert blank["C8"].fill.fgColor.rgb.endswith("FFF2CC")  # the blank's own formatting is kept
        assert blank["B8"].value == "Обучающиеся 10–18 лет, всего"


def test_a_plugin_that_fails_to_import_leaves_the_app_running(sites, tmp_path):
    with installed(sites["broken_import"]), app_with_entry_points(tmp_path) as app:
        from nastavnik.plugins.manager import plugin_state, registry

        assert plugin_state().infos["report_krsk"].state == "broken"
        assert "r145" in registry().report_formats and "krsk_monitoring@2025" not in registry().report_formats
        school = school_world()
        page = login(app.test_client(), "admin").get("/admin/plugins").data.decode()
        assert "плагин сломан" in page
        client = login(app.test_client(), "curator")
        assert client.get("/reports/").status_code == 200
        response = client.post("/reports/run/r145", data={"org_id": school.id, "as_of": "20.09.2025"})
        assert response.status_code == 303


def test_a_report_failing_while_computing_fails_alone(sites, tmp_path):
    with installed(sites["broken_compute"]), app_with_entry_points(tmp_path) as app:
        school = school_world()
        client = login(app.test_client(), "curator")
        response = client.post("/reports/run/krsk_monitoring@2025", data={"org_id": school.id, "as_of": "20.09.2025"})
        assert response.status_code == 422
        page = response.data.decode()
        assert "Отчёт не рассчитан" in page and "ошибка в форме" in page
        assert db.session.query(ReportRun).count() == 0
        assert client.get("/reports/").status_code == 200
        ok = client.post("/reports/run/r145", data={"org_id": school.id, "as_of": "20.09.2025"})
        assert ok.status_code == 303
