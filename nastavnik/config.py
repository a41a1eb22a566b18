"""Configuration classes; values may be overridden by instance/config.py and NASTAVNIK_* variables."""

from __future__ import annotations

import os


class Config:
    SECRET_KEY: str | None = None  # read from instance/secret_key or NASTAVNIK_SECRET_KEY
    SQLALCHEMY_DATABASE_URI: str | None = None  # default: SQLite in instance/
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}  # and, by the database, see app.engine_options
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024  # uploads: 10 МБ
    UPLOAD_EXTENSIONS = ("xlsx", "csv", "docx")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    WTF_CSRF_TIME_LIMIT = None  # a curator keeps a form open all day; the token lives with the session
    DISABLED_PLUGINS: tuple[str, ...] = ()
    # Участники
    YOUNG_SPECIALIST_MAX_YEARS = 3  # «молодой специалист»: педагогический стаж до 3 лет
    YOUNG_SPECIALIST_MAX_AGE = 35  # и возраст до 35 лет (локальные положения)
    CONSENT_EXPIRING_DAYS = 30  # «скоро истекает»
    PD_RETENTION_DAYS = 30  # ст. 21 ч. 5 152-ФЗ: уничтожить в течение 30 дней после отзыва
    PAGE_SIZE = 25
    # Пары
    STALLED_PAIR_DAYS = 30  # пара без встреч дольше этого срока — отметка на главной куратора
    # Сводки по FIGURES_CACHE_MIN_ORGS организациям и больше (регион) хранятся в базе FIGURES_CACHE_SECONDS
    # и показываются «по состоянию на …»; школа и муниципалитет считаются сразу. 0 секунд — не хранить.
    FIGURES_CACHE_SECONDS = 600
    FIGURES_CACHE_MIN_ORGS = 200
    # Главная страница координатора (DASHBOARD_CACHE_MIN_ORGS организаций и больше) собирается заново не чаще
    # раза в DASHBOARD_CACHE_SECONDS для одного сеанса и говорит, когда собрана; 0 секунд — всегда заново.
    DASHBOARD_CACHE_SECONDS = 60
    DASHBOARD_CACHE_MIN_ORGS = 10
    # Вход
    LOGIN_MAX_FAILURES = 5  # неудачных попыток на одну учётную запись за LOGIN_LOCK_MINUTES
    LOGIN_MAX_FAILURES_PER_ADDRESS = 100  # с одного адреса (вся школа за одним NAT — один адрес)
    LOGIN_LOCK_MINUTES = 15
    PASSWORD_MIN_LENGTH = 8
    SIGN_IN_CODE_DAYS = 14  # срок одноразового кода с листка входа
    # Развёртывание
    PROXY_FIX = 0  # сколько доверенных прокси (nginx) перед приложением; 0 — X-Forwarded-* не читаются
    HTTPS = False  # cookie только по HTTPS (Secure)
    HSTS_SECONDS = 0  # Strict-Transport-Security: max-age; 0 — заголовок не отправляется
    UPLOAD_FOLDER: str | None = None  # загруженные файлы на диске; по умолчанию instance/uploads
    # Загружаемые файлы (nastavnik/web/uploads.py): что может стоить чтение одного файла
    UPLOAD_MAX_UNPACKED_MB = 50  # .xlsx/.docx в распакованном виде, все части вместе
    UPLOAD_MAX_RATIO = 100  # степень сжатия каждой части больше 1 МБ (у настоящих книг 5–20)
    UPLOAD_MAX_PARTS = 1000  # частей внутри .xlsx/.docx
    UPLOAD_MAX_XML_ELEMENTS = 1_000_000  # элементов разметки, разбираемых в память целиком
    UPLOAD_MAX_ROWS = 5000  # заполненных строк таблицы
    UPLOAD_MAX_COLUMNS = 200  # заполненных столбцов таблицы
    UPLOAD_MAX_CELL_CHARS = 32_767  # символов в ячейке (предел самого Excel)
    UPLOAD_READ_SECONDS = 20  # чтение одного файла


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"  # noqa: S105 - tests only
    SQLALCHEMY_DATABASE_URI = os.environ.get("NASTAVNIK_TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False  # tests that check CSRF switch it back on
    LOGIN_MAX_FAILURES = 3
    LOGIN_MAX_FAILURES_PER_ADDRESS = 10
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - fast hashing for tests; production: scrypt


ENV_SETTINGS = {
    "NASTAVNIK_DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "NASTAVNIK_SECRET_KEY": ("SECRET_KEY", str),
    "NASTAVNIK_DISABLED_PLUGINS": ("DISABLED_PLUGINS", lambda v: tuple(p.strip() for p in v.split(",") if p.strip())),
    "NASTAVNIK_PD_RETENTION_DAYS": ("PD_RETENTION_DAYS", int),
    "NASTAVNIK_YOUNG_SPECIALIST_MAX_YEARS": ("YOUNG_SPECIALIST_MAX_YEARS", int),
    "NASTAVNIK_YOUNG_SPECIALIST_MAX_AGE": ("YOUNG_SPECIALIST_MAX_AGE", int),
    "NASTAVNIK_PROXY_FIX": ("PROXY_FIX", int),
    "NASTAVNIK_HTTPS": ("HTTPS", lambda v: v.strip().lower() in ("1", "true", "yes", "on", "да")),
    "NASTAVNIK_HSTS_SECONDS": ("HSTS_SECONDS", int),
    "NASTAVNIK_UPLOAD_FOLDER": ("UPLOAD_FOLDER", str),
    "NASTAVNIK_LOGIN_MAX_FAILURES": ("LOGIN_MAX_FAILURES", int),
    "NASTAVNIK_LOGIN_MAX_FAILURES_PER_ADDRESS": ("LOGIN_MAX_FAILURES_PER_ADDRESS", int),
    "NASTAVNIK_LOGIN_LOCK_MINUTES": ("LOGIN_LOCK_MINUTES", int),
    "NASTAVNIK_UPLOAD_MAX_UNPACKED_MB": ("UPLOAD_MAX_UNPACKED_MB", int),
    "NASTAVNIK_UPLOAD_MAX_RATIO": ("UPLOAD_MAX_RATIO", int),
    "NASTAVNIK_UPLOAD_MAX_PARTS": ("UPLOAD_MAX_PARTS", int),
    "NASTAVNIK_UPLOAD_MAX_XML_ELEMENTS": ("UPLOAD_MAX_XML_ELEMENTS", int),
    "NASTAVNIK_UPLOAD_MAX_ROWS": ("UPLOAD_MAX_ROWS", int),
    "NASTAVNIK_UPLOAD_MAX_COLUMNS": ("UPLOAD_MAX_COLUMNS", int),
    "NASTAVNIK_UPLOAD_MAX_CELL_CHARS": ("UPLOAD_MAX_CELL_CHARS", int),
    "NASTAVNIK_UPLOAD_READ_SECONDS": ("UPLOAD_READ_SECONDS", float),
    "NASTAVNIK_FIGURES_CACHE_SECONDS": ("FIGURES_CACHE_SECONDS", int),
    "NASTAVNIK_FIGURES_CACHE_MIN_ORGS": ("FIGURES_CACHE_MIN_ORGS", int),
    "NASTAVNIK_DASHBOARD_CACHE_SECONDS": ("DASHBOARD_CACHE_SECONDS", int),
    "NASTAVNIK_DASHBOARD_CACHE_MIN_ORGS": ("DASHBOARD_CACHE_MIN_ORGS", int),
}


def from_environment(environ=os.environ) -> dict:
    """The NASTAVNIK_* variables that are set, as config keys."""
    return {key: convert(environ[name]) for name, (key, convert) in ENV_SETTINGS.items() if environ.get(name)}
