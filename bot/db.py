"""One database for everything: app tables, Rasa's tracker store and its SQL event broker.

The URL is ``DATABASE_URL`` (SQLite file under ``var/`` by default, PostgreSQL in production).
Code is SQLAlchemy 2.0-style on 1.4 (``future=True``), because Rasa 3.6 pins SQLAlchemy <1.5.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import declarative_base, sessionmaker
from sqlalchemy.pool import QueuePool

from bot.secret_files import PRIVATE_DIR
from bot.settings import PROJECT_ROOT

Base = declarative_base()

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseUnavailable(RuntimeError):
    """The database at the configured URL cannot be reached; the message names the URL, password masked."""


def mask_url(url: str | URL) -> str:
    """The URL with any password replaced by ``***`` — safe to print and log."""
    try:
        parsed = make_url(str(url)) if not isinstance(url, URL) else url
    except Exception:  # not a URL at all: show nothing secret
        return "<unparseable database URL>"
    if parsed.password:
        parsed = parsed.set(password="***")
    return parsed.render_as_string(hide_password=False)


def normalise_url(url: str, root: Path = PROJECT_ROOT) -> str:
    """Resolve a relative SQLite path against the project root so every process opens the same file."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database)
        if not path.is_absolute():
            path = root / path
        path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)  # var/: conversations' data, private
        parsed = parsed.set(database=str(path))
    return parsed.render_as_string(hide_password=False)


def sqlite_pragmas(dbapi_connection, _record=None) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the Rasa server, the action server and the desk read while one of them writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL is safe against process crashes and skips an fsync per commit; Rasa commits every
    # event, so FULL costs ~100 ms a turn on a VM disk. A power cut may lose the last few transactions.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def replace_engine(engine: Engine) -> Engine:
    """An engine like :func:`make_engine` for the URL of one made elsewhere (Rasa's tracker store and event
    broker), which then is disposed: Rasa's own has no pool for SQLite, so every event would reconnect."""
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    return make_engine(url)


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine for ``url`` (no connection is made yet)."""
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 10})
        if make_url(url).database not in (None, "", ":memory:"):
            # SQLAlchemy 1.4 gives file SQLite a NullPool: every query would reconnect and re-run the pragmas.
            kwargs.setdefault("poolclass", QueuePool)
        engine = create_engine(url, future=True, **kwargs)
        event.listen(engine, "connect", sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, future=True, **kwargs)


def check_connection(engine: Engine) -> None:
    """Fail with :class:`DatabaseUnavailable` naming the (masked) URL when the database cannot be reached."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else type(exc).__name__
        raise DatabaseUnavailable(f"cannot reach the database at {mask_url(engine.url)}: {reason}") from exc


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation: escape % in passwords
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Apply Alembic migrations up to ``revision`` (idempotent)."""
    from alembic import command

    check_connection(make_engine(url))
    command.upgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    """The applied revision(s), comma separated when feature branches have their own heads."""
    from alembic.migration import MigrationContext

    engine = make_engine(url)
    with engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return ", ".join(sorted(heads)) or None
