"""The application factory: a readable list of configure_* steps."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from flask import Flask, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from sqlalchemy import exc as sqlalchemy_exc
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from werkzeug.middleware.proxy_fix import ProxyFix

from nastavnik import __version__, access
from nastavnik.config import Config, from_environment
from nastavnik.extensions import csrf, db, has_written, htmx, login_manager, migrate, ping_when_idle
from nastavnik.periods import AcademicYear, ru_date, ru_years
from nastavnik.plugins.manager import build_plugin_manager, registry
from nastavnik.plugins.templating import nav_links, run_hook
from nastavnik.timeutil import today
from nastavnik.web.converters import BoundedIntConverter
from nastavnik.web.htmx import is_htmx
from nastavnik.web.uploads import StorageFull
from nastavnik.web.words import plural, plural_word

ROOT = Path(__file__).resolve().parent.parent
# From a checkout the top-level folders are used; an installed wheel carries them under share/nastavnik.
SHARED = ROOT if (ROOT / "templates").is_dir() else Path(sys.prefix) / "share" / "nastavnik"


def create_app(config=None, plugins=None) -> Flask:
    """Build the app.

    :param config: a config class or object, or a dict of overrides (tests).
    :param plugins: exact plugin modules to load instead of the ``nastavnik.plugins`` entry points.
    """
    app = Flask(
        "nastavnik",
        instance_path=os.environ.get("NASTAVNIK_INSTANCE_PATH", str(ROOT / "instance")),
        instance_relative_config=True,
        template_folder=str(SHARED / "templates"),
        static_folder=str(Path(__file__).parent / "static"),
    )
    app.url_map.converters["int"] = BoundedIntConverter  # before any route: ids past a column's range are 404
    configure_config(app, config)
    configure_extensions(app)
    build_plugin_manager(app, plugins)
    configure_requests(app)
    configure_templates(app)
    configure_errors(app)
    configure_cli(app)
    return app


def configure_config(app: Flask, config) -> None:
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    if not app.config.get("TESTING"):
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(from_environment())
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'nastavnik.sqlite'}"
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config["SQLALCHEMY_DATABASE_URI"],
                                                             app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")
    configure_deployment(app)


def engine_options(uri: str, options: dict) -> dict:
    """The connection pool's settings for the database at ``uri`` (``options`` given win)."""
    url = make_url(uri)
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return dict(options)  # one connection, shared
    # A pooled connection for each of the server's threads (8, as the README runs waitress). With five,
    # the pool opened and closed extra connections under load: each a new PostgreSQL backend, without
    # the prepared statements (a SQLite connection setting its pragmas again).
    # The last connection returned is the next one lent (LIFO): at a quiet hour one connection serves,
    # its statements prepared, while the others stay idle. (A connection idle for a while is checked
    # before use: extensions.ping_when_idle.)
    return {"pool_size": 10, "pool_use_lifo": True} | options


def configure_deployment(app: Flask) -> None:
    """Behind a reverse proxy and over HTTPS (README, «Развёртывание»)."""
    hops = int(app.config.get("PROXY_FIX") or 0)
    if hops > 0:  # only then is X-Forwarded-For believed: anyone can send the header
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
    if app.config.get("HTTPS"):
        app.config.update(
            SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True, PREFERRED_URL_SCHEME="https",
        )


def _instance_secret(path: Path) -> str:
    """A random key made once per installation and kept in instance/ (git-ignored)."""
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def configure_extensions(app: Flask) -> None:
    from nastavnik.audit.services import install as install_audit
    from nastavnik.orgs.services import install as install_tree

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            ping_when_idle(engine)
    migrate.init_app(app, db, directory=str(SHARED / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Войдите, чтобы продолжить."
    login_manager.session_protection = "strong"
    install_audit()
    install_tree()


@migrate.configure
def _plugin_migrations(config):
    """Add every plugin's migrations folder to Alembic's version_locations."""
    from nastavnik.plugins.manager import hook

    locations = [str(SHARED / "migrations" / "versions")]
    locations += [path for path in hook().nastavnik_load_migrations() if path]
    config.set_main_option("version_locations", " ".join(locations))
    return config


def configure_requests(app: Flask) -> None:
    app.before_request(access.enforce_declared)
    app.teardown_appcontext(end_reads_with_commit)  # before Flask-SQLAlchemy's, which ends the session

    @app.after_request
    def security_headers(response):
        headers = response.headers
        # htmx runs without eval or inline scripts: see htmx-config in base.html.
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint != "static":
            headers["Cache-Control"] = "no-store"  # pages carry personal data
        if app.config.get("HTTPS") and app.config.get("HSTS_SECONDS"):
            headers.setdefault("Strict-Transport-Security", f"max-age={int(app.config['HSTS_SECONDS'])}")
        return response


def end_reads_with_commit(exc: BaseException | None) -> None:
    """teardown_appcontext: a session whose transaction wrote nothing ends it with COMMIT, which changes
    nothing, instead of the ROLLBACK that ending the session sends. psycopg forgets a connection's
    prepared statements at every ROLLBACK (the transaction may have dropped what they name), so on
    PostgreSQL the statements every page repeats, prepared after five runs on a connection, were
    planned again on every request: half of a school dashboard's time (72 → 36 ms). Whatever a
    request wrote and did not commit itself is rolled back as before."""
    if exc is not None or not db.session.registry.has():
        return
    session = db.session()
    if session.in_transaction() and not has_written(session):
        try:
            session.commit()
        except sqlalchemy_exc.SQLAlchemyError:  # the database went away: ending the session rolls back
            pass


def configure_templates(app: Flask) -> None:
    app.jinja_env.filters["ru_date"] = ru_date
    app.jinja_env.filters["years"] = ru_years
    app.jinja_env.filters["plural"] = plural
    app.jinja_env.filters["plural_word"] = plural_word
    app.jinja_env.globals.update(
        run_hook=run_hook,
        nav_links=nav_links,
        csrf_token=generate_csrf,
        registry=registry,
        can=lambda permission, org_id=None: access.can(current_user, permission, org_id),
        today=today,
        current_academic_year=lambda: AcademicYear.of(today()),
        is_htmx=is_htmx,
        version=__version__,
    )


def configure_errors(app: Flask) -> None:
    messages = {
        400: "Неверный запрос.",
        403: "Недостаточно прав для этого действия.",
        404: "Страница или запись не найдена (или недоступна вам).",
        405: "Действие не поддерживается.",
        413: "Файл слишком большой: допускается не более {limit} МБ.",
        500: "Внутренняя ошибка. Изменения не сохранены; сообщите администратору.",
    }

    def handler(code):
        def handle(error):
            if code == 500 and getattr(error, "original_exception", None) is not None:
                from nastavnik.plugins.failures import record_unhandled

                record_unhandled(error.original_exception, request.path)
            message = messages[code].format(limit=app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024))
            template = "errors/_error.html" if is_htmx() else "errors/error.html"
            return render_template(template, code=code, message=message), code

        return handle

    for code in messages:
        app.register_error_handler(code, handler(code))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        message = "Форма устарела или отправлена не со страницы приложения (нет CSRF-токена). Обновите страницу и повторите."
        template = "errors/_error.html" if is_htmx() else "errors/error.html"
        return render_template(template, code=400, message=message), 400

    @app.errorhandler(StorageFull)
    def storage_full(error):
        app.logger.error("upload refused: %s", error)
        message = "На сервере закончилось место на диске: файл не сохранён, ничего не записано. Сообщите администратору."
        template = "errors/_error.html" if is_htmx() else "errors/error.html"
        return render_template(template, code=507, message=message), 507

    @app.errorhandler(OverflowError)
    @app.errorhandler(sqlalchemy_exc.DataError)
    def number_past_the_column(error):
        """A number no column can hold reached a query (an id from a form or the query string): no such record.

        URL ids are bounded by BoundedIntConverter and posted ones by web.converters.db_id; this is the
        net for any other place. Other overflows and data errors stay 500s.
        """
        if not _out_of_range(error):
            raise error
        db.session.rollback()
        return handler(404)(error)

    @app.errorhandler(OperationalError)
    @app.errorhandler(sqlalchemy_exc.TimeoutError)
    def database_unavailable(error):
        """The database cannot be reached (or is locked, or full): a page that needs none of it, no details."""
        app.logger.exception("database unavailable")
        try:
            db.session.rollback()
        except Exception:  # noqa: S110 - the connection is gone already; the page must still answer
            pass
        return render_template("errors/unavailable.html"), 503, {"Retry-After": "60"}


def _out_of_range(error: Exception) -> bool:
    if isinstance(error, OverflowError):
        return "SQLite INTEGER" in str(error)  # sqlite3 refuses ints past 64 bits before the query runs
    return getattr(getattr(error, "orig", None), "sqlstate", None) == "22003"  # PostgreSQL: numeric value out of range


def configure_cli(app: Flask) -> None:
    from nastavnik.cli import make_cli

    group = make_cli()
    app.extensions["nastavnik"].pm.hook.nastavnik_cli(cli=group)
    app.cli.add_command(group)


