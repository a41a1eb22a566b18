"""The plugin contract over every registered entry point, and how the app survives bad plugins."""

from __future__ import annotations

import configparser
import inspect
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import pluggy
import pytest

from nastavnik.app import create_app
from nastavnik.config import TestingConfig, from_environment
from nastavnik.extensions import db
from nastavnik.participants.models import PERSON_KINDS
from nastavnik.plugins import ENTRY_POINT_GROUP, PROJECT, manager, spec
from nastavnik.plugins.registry import (
    REGISTRY_HOOKS,
    Choice,
    MentoringKind,
    MissingKind,
    Registry,
    validate_contribution,
)
from plugins.student_student import plugin as student_student
from plugins.teacher_teacher import plugin as teacher_teacher
from tests.conftest import login
from tests.factories import make_org, make_user
from tests.plugins_fixtures import blueprint_fails, duplicate_kind, good_extra, misspelled_hook, wrong_type

ROOT = Path(__file__).resolve().parent.parent
ENTRY_POINTS = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)


# --- Contract over every entry point ------------------------------------------------------------


def test_there_are_entry_points():
    assert {"teacher_teacher", "student_student"} <= {ep.name for ep in ENTRY_POINTS}


def test_setup_cfg_declares_the_group_and_matches_installed_metadata():
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg", encoding="utf-8")
    assert ENTRY_POINT_GROUP in parser["options.entry_points"]
    declared = {}
    for line in parser["options.entry_points"][ENTRY_POINT_GROUP].strip().splitlines():
        name, _, target = line.partition("=")
        declared[name.strip()] = target.strip()
    # the installed metadata is not stale (re-run `pip install -e .` after changing setup.cfg)
    assert declared == {ep.name: ep.value for ep in ENTRY_POINTS}


@pytest.mark.parametrize("ep", ENTRY_POINTS, ids=lambda ep: ep.name)
def test_entry_point_loads_and_validates(ep):
    module = ep.load()
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(spec)
    pm.register(module, name=ep.name)
    pm.check_pending()  # every hookimpl names a real hook with matching arguments
    implemented = [name for name in dir(module) if name.startswith("nastavnik_")]
    assert implemented, "a plugin implements at least one hook"
    assert all(hasattr(spec, name) for name in implemented)


@pytest.mark.parametrize("ep", ENTRY_POINTS, ids=lambda ep: ep.name)
def test_entry_point_registry_values(ep):
    module = ep.load()
    registry = Registry()
    for hook_name, (_, expected) in REGISTRY_HOOKS.items():
        impl = getattr(module, hook_name, None)
        if impl is None:
            continue
        values = validate_contribution(ep.name, hook_name, impl(), registry)  # types, unique codes
        codes = [value.code for value in values]
        assert len(codes) == len(set(codes)) and all(codes)
        for value in values:
            assert isinstance(value, expected)
            assert value.title if hasattr(value, "title") else value.name
            if isinstance(value, MentoringKind):
                _check_kind(value)


def _check_kind(kind: MentoringKind) -> None:
    assert kind.code.isidentifier() and kind.title
    for choices in (kind.variations, kind.mentee_categories):
        assert isinstance(choices, tuple) and choices
        assert all(isinstance(c, Choice) and c.code and c.title for c in choices)
        assert len({c.code for c in choices}) == len(choices)
    assert kind.mentor_person_kinds and set(kind.mentor_person_kinds) <= set(PERSON_KINDS)
    assert kind.mentee_person_kinds and set(kind.mentee_person_kinds) <= set(PERSON_KINDS)
    assert isinstance(kind.groups_allowed, bool)


def test_codes_unique_across_all_entry_points():
    registry = Registry()
    from nastavnik.plugins.registry import add_contribution

    for ep in ENTRY_POINTS:
        module = ep.load()
        for hook_name in REGISTRY_HOOKS:
            impl = getattr(module, hook_name, None)
            if impl is not None:
                add_contribution(
                    ep.name, hook_name, validate_contribution(ep.name, hook_name, impl(), registry), registry
                )
    # validate_contribution raises on a duplicate; the registry must also really hold the in-repo forms
    assert {"teacher_teacher", "student_student"} <= set(registry.kinds)


def _hookspecs():
    return [(name, f) for name, f in vars(spec).items() if callable(f) and hasattr(f, f"{PROJECT}_spec")]


def test_spec_has_hooks():
    assert len(_hookspecs()) >= 8


@pytest.mark.parametrize(("name", "hook"), _hookspecs(), ids=[n for n, _ in _hookspecs()])
def test_every_hook_is_documented(name, hook):
    doc = inspect.getdoc(hook) or ""
    assert len(doc) > 40, name
    assert "Called" in doc or "Вызывается" in doc, f"{name}: say when it is called"
    assert ":return:" in doc, f"{name}: say what it returns"
    for param in inspect.signature(hook).parameters:
        assert f":param {param}:" in doc, f"{name}: document {param}"


# --- Bad plugins at start-up --------------------------------------------------------------------


@pytest.fixture
def fake_entry_points(monkeypatch):
    """Add entry points (name -> module path) to the real ones, as if installed with pip."""

    def install(**extra):
        fakes = [EntryPoint(name, value, ENTRY_POINT_GROUP) for name, value in extra.items()]

        def fake(group=None, **kwargs):
            found = list(entry_points(group=group, **kwargs))
            return found + fakes if group == ENTRY_POINT_GROUP else found

        monkeypatch.setattr(manager, "entry_points", fake)

    return install


def _admin_page(app) -> str:
    with app.app_context():
        db.create_all()
        region = make_org(kind="region", name="Край")
        school = make_org(name="СОШ", parent=region)
        make_user("admin", "admin", region)
        make_user("curator", "curator", school)
        db.session.commit()
        client = app.test_client()
        login(client, "admin")
        response = client.get("/admin/plugins")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        curator = app.test_client()
        login(curator, "curator")
        assert curator.get("/participants/").status_code == 200  # the app keeps working
        db.session.remove()
        db.drop_all()
        return html


def test_broken_plugins_are_skipped_and_listed(fake_entry_points):
    fake_entry_points(broken_import="tests.plugins_fixtures.broken_import")
    app = create_app(TestingConfig, plugins=None)  # the real entry points plus the broken one
    state = app.extensions["nastavnik"]
    broken = state.infos["broken_import"]
    assert broken.state == "broken"
    assert "ImportError" in broken.error and "nastavnik_missing_dependency" in broken.error
    assert state.infos["teacher_teacher"].state == "active"
    assert state.infos["student_student"].state == "active"
    assert {"teacher_teacher", "student_student"} <= set(state.registry.kinds)
    html = _admin_page(app)
    assert "broken_import" in html and "ошибка" in html and "nastavnik_missing_dependency" in html
    # the IT admin is told what to do, and what the working plugins add reads in Russian
    assert "Плагин пропущен, остальное работает" in html and "pip uninstall" in html
    assert "форма наставничества: «учитель – учитель»" in html
    assert "nastavnik_mentoring_kinds:" not in html


@pytest.mark.parametrize(
    ("module", "error"),
    [
        (misspelled_hook, "nastavnik_mentoring_kind"),
        (duplicate_kind, "teacher_teacher"),
        (wrong_type, "ожидался MentoringKind"),
        (blueprint_fails, "шаблоны плагина не найдены"),
    ],
    ids=["misspelled", "duplicate", "wrong_type", "blueprint"],
)
def test_misbehaving_plugin_is_broken_others_work(module, error):
    app = create_app(TestingConfig, plugins=[teacher_teacher, student_student, module, good_extra])
    state = app.extensions["nastavnik"]
    name = module.__name__.rsplit(".", 1)[-1]
    info = state.infos[name]
    assert info.state == "broken", info
    assert error in info.error
    assert not state.pm.has_plugin(name)
    # nothing of the broken plugin is registered; the good ones are
    assert set(state.registry.kinds) == {"teacher_teacher", "student_student", "employer_student"}
    assert state.registry.kinds["teacher_teacher"] is teacher_teacher.KIND
    assert set(state.registry.partners) == {"ges"}
    assert all(owner != name for owner in state.registry.owner.values())
    for good in ("teacher_teacher", "student_student", "good_extra"):
        assert state.infos[good].state == "active"
    html = _admin_page(app)
    assert name in html and error in html


def test_duplicate_code_breaks_the_second_plugin_only():
    app = create_app(TestingConfig, plugins=[duplicate_kind, teacher_teacher])
    state = app.extensions["nastavnik"]
    assert state.infos["duplicate_kind"].state == "active"  # first come
    assert state.infos["teacher_teacher"].state == "broken"
    assert "уже зарегистрирован плагином duplicate_kind" in state.infos["teacher_teacher"].error


def test_disabled_by_config():
    app = create_app(
        {
            **{k: v for k, v in vars(TestingConfig).items() if k.isupper()},
            "DISABLED_PLUGINS": ("student_student",),
        },
        plugins=[teacher_teacher, student_student],
    )
    state = app.extensions["nastavnik"]
    assert state.infos["student_student"].state == "disabled"
    assert "student_student" not in state.registry.kinds
    assert "teacher_teacher" in state.registry.kinds
    html = _admin_page(app)
    assert "отключён" in html


def test_disabled_by_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("NASTAVNIK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("NASTAVNIK_DATABASE_URL", "sqlite://")
    monkeypatch.setenv("NASTAVNIK_DISABLED_PLUGINS", " student_student , other ")
    assert from_environment()["DISABLED_PLUGINS"] == ("student_student", "other")
    app = create_app(plugins=None)  # production path: environment and entry points
    state = app.extensions["nastavnik"]
    assert state.infos["student_student"].state == "disabled"
    assert state.infos["teacher_teacher"].state == "active"
    assert "student_student" not in state.registry.kinds
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"
    assert (tmp_path / "secret_key").exists()


def test_missing_kind(app):
    from nastavnik.plugins.manager import registry

    kind = registry().kind("gone")
    assert isinstance(kind, MissingKind) and kind.missing
    assert kind.title == "gone (плагин не установлен)"
    assert "плагин не установлен" in kind.title
    assert kind.variations == () and kind.groups_allowed is False
    assert registry().kind("teacher_teacher").title == "учитель – учитель"


def test_real_entry_points_are_active():
    app = create_app(TestingConfig)  # plugins=None: discovered through entry points
    state = app.extensions["nastavnik"]
    for name in ("teacher_teacher", "student_student"):
        assert state.infos[name].state == "active"
        assert state.infos[name].version not in ("", "—")  # the distribution's version
    assert {"teacher_teacher", "student_student"} <= set(state.registry.kinds)


def test_cli_lists_plugins(fake_entry_points):
    fake_entry_points(broken_import="tests.plugins_fixtures.broken_import")
    app = create_app(TestingConfig)
    result = app.test_cli_runner().invoke(args=["nastavnik", "plugins"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines() if line.strip()}
    version = app.extensions["nastavnik"].infos["teacher_teacher"].version
    assert version in lines["teacher_teacher"] and "работает" in lines["teacher_teacher"]
    assert "работает" in lines["student_student"]
    assert "ошибка" in lines["broken_import"] and "ImportError" in lines["broken_import"]
    assert "встроенный" in lines["nastavnik.participants"]


def test_admin_plugins_page_is_admin_only(world, as_user):
    client = as_user("curator")
    assert client.get("/admin/plugins").status_code == 403


# --- Permissions, counters and fulfilment rules from plugins -----------------------------------


def test_plugin_permissions_join_the_access_policy():
    from nastavnik import access
    from tests.plugins_fixtures import adds_permission

    app = create_app(TestingConfig, plugins=[teacher_teacher, adds_permission])
    with app.app_context():
        assert access.grants("curator", "probe.edit")
        assert access.grants("observer", "probe.view") and not access.grants("observer", "probe.edit")
        assert not access.grants("mentor", "probe.view")
        assert access.grants("curator", "pairs.edit")  # the core's table is still there
        state = manager.plugin_state()
        assert state.registry.counters["probe_people"] is adds_permission.COUNTER
        assert state.registry.fulfilment_rules["probe.rule"] is adds_permission.RULE
    plain = create_app(TestingConfig, plugins=[teacher_teacher])
    with plain.app_context():
        assert not access.grants("curator", "probe.edit")


def test_failing_permissions_hook_marks_the_plugin_broken():
    from nastavnik import access
    from tests.plugins_fixtures import permissions_fail

    app = create_app(TestingConfig, plugins=[teacher_teacher, permissions_fail])
    with app.app_context():
        info = manager.plugin_state().infos["permissions_fail"]
        assert info.state == "broken" and "permissions table missing" in info.error
        assert access.grants("curator", "pairs.edit")


def test_duplicate_counter_code_is_refused():
    registry = Registry()
    from tests.plugins_fixtures.adds_permission import COUNTER

    values = validate_contribution("a", "nastavnik_counters", [COUNTER], registry)
    from nastavnik.plugins.registry import add_contribution

    add_contribution("a", "nastavnik_counters", values, registry)
    with pytest.raises(Exception, match="уже зарегистрирован"):
        validate_contribution("b", "nastavnik_counters", [COUNTER], registry)
