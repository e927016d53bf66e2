"""Caseworker accounts and login sessions (argon2id password hashes; only a hash of the session cookie stored)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.db import session_factory
from bot.desk.models import DeskSession
from bot.handoff.models import ROLES, DeskUser
from knowledge.clock import as_utc, utcnow

SESSION_HOURS = 12
MIN_PASSWORD = 10
_HASHER = PasswordHasher()  # stateless parameters object (argon2id, library defaults)


class UserError(ValueError):
    """A bad account request; the message is for the person at the keyboard."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: str
    team: str

    @property
    def is_supervisor(self) -> bool:
        """The one test of the supervisor role (the desk's pages ask it through ``auth.require_supervisor``)."""
        return self.role == "supervisor"


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str
    token_hash: str


@cache
def _dummy_hash() -> str:
    """What an unknown username is checked against, so it costs as much as a wrong password (made on first use,
    not at import)."""
    return _HASHER.hash("not a real password, only for constant-time failures")


def _user(row: DeskUser) -> User:
    return User(row.id, row.username, row.display_name, row.role, row.team)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(engine: Engine, username: str, password: str, role: str = "caseworker", team: str = "general",
                display_name: str | None = None) -> User:
    username = (username or "").strip().lower()
    if not username or len(username) > 64 or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise UserError("Usernames use letters, digits, dots, dashes or underscores (up to 64).")
    if role not in ROLES:
        raise UserError(f"Role must be one of: {', '.join(ROLES)}.")
    if len(password or "") < MIN_PASSWORD:
        raise UserError(f"Passwords need at least {MIN_PASSWORD} characters.")
    row = DeskUser(username=username, display_name=(display_name or username).strip()[:120],
                   password_hash=_HASHER.hash(password), role=role, team=team, active=True, available=True,
                   created_at=utcnow())
    try:
        with session_factory(engine)() as s, s.begin():
            s.add(row)
    except IntegrityError:
        raise UserError(f"There is already a user called {username}.") from None
    return _user(row)


def set_password(engine: Engine, username: str, password: str) -> None:
    username = (username or "").strip()
    if len(password or "") < MIN_PASSWORD:
        raise UserError(f"Passwords need at least {MIN_PASSWORD} characters.")
    with session_factory(engine)() as s, s.begin():
        done = s.execute(update(DeskUser).where(DeskUser.username == username.lower())
                         .values(password_hash=_HASHER.hash(password)))
        if not done.rowcount:
            raise UserError(f"No user called {username}.")
        s.execute(delete(DeskSession).where(DeskSession.user_id.in_(
            select(DeskUser.id).where(DeskUser.username == username.lower())))
            .execution_options(synchronize_session=False))  # no Python evaluation of the subquery


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    """The user if the password matches an active account; the same work is done either way."""
    with session_factory(engine)() as s:
        row = s.scalars(select(DeskUser).where(DeskUser.username == (username or "").strip().lower())).first()
    try:
        _HASHER.verify(row.password_hash if row else _dummy_hash(), password or "")
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    if _HASHER.check_needs_rehash(row.password_hash):
        with session_factory(engine)() as s, s.begin():
            s.execute(update(DeskUser).where(DeskUser.id == row.id).values(password_hash=_HASHER.hash(password)))
    return _user(row)


def start_session(engine: Engine, user: User) -> tuple[str, Session]:
    """A new session: the cookie value (returned once, never stored) and the session."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with session_factory(engine)() as s, s.begin():
        s.execute(delete(DeskSession).where(DeskSession.expires_at < utcnow()))
        s.add(DeskSession(token_hash=_digest(token), user_id=user.id, csrf_token=csrf, created_at=utcnow(),
                          expires_at=utcnow() + timedelta(hours=SESSION_HOURS)))
    return token, Session(user, csrf, _digest(token))


def load_session(engine: Engine, token: str | None) -> Session | None:
    if not token:
        return None
    with session_factory(engine)() as s:
        found = s.execute(select(DeskSession, DeskUser).join(DeskUser, DeskUser.id == DeskSession.user_id)
                          .where(DeskSession.token_hash == _digest(token))).first()
    if found is None:
        return None
    session, user = found
    if as_utc(session.expires_at) < utcnow() or not user.active:
        return None
    return Session(_user(user), session.csrf_token, session.token_hash)


def end_session(engine: Engine, token_hash: str) -> None:
    with session_factory(engine)() as s, s.begin():
        s.execute(delete(DeskSession).where(DeskSession.token_hash == token_hash))


def touch_presence(engine: Engine, user_id: int, available: bool | None = None) -> None:
    values: dict[str, object] = {"last_seen_at": utcnow()}
    if available is not None:
        values["available"] = available
    with session_factory(engine)() as s, s.begin():
        s.execute(update(DeskUser).where(DeskUser.id == user_id).values(**values))


def is_available(engine: Engine, user_id: int) -> bool:
    with session_factory(engine)() as s:
        return bool(s.scalar(select(DeskUser.available).where(DeskUser.id == user_id)))


def colleagues(engine: Engine) -> list[User]:
    with session_factory(engine)() as s:
        return [_user(r) for r in s.scalars(select(DeskUser).where(DeskUser.active.is_(True))
                                            .order_by(DeskUser.team, DeskUser.username))]
