from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from factcheck import audit
from factcheck.accounts.models import ROLES, ApiToken, User
from factcheck.db import utcnow
from factcheck.errors import Conflict, InvalidInput, NotFound
from factcheck.sources.text import CONTROL

TOKEN_PREFIX = "fct_"


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough: nobody can guess
    # one from its hash, and lookups stay a single indexed equality.
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(session: Session, name: str, role: str, display_name: str = "") -> User:
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
    if not name.strip() or CONTROL.search(name):
        raise InvalidInput("a user name needs a printable character and no control characters")
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise Conflict(f"a user named {name!r} exists already")
    user = User(name=name, role=role, display_name=display_name or name)
    session.add(user)
    session.flush()
    audit.record(session, "user.created", user, after={"name": name, "role": role})
    return user


def issue_token(session: Session, user: User, expires_at: datetime | None = None) -> str:
    """Create an API token for ``user``; the plain token is returned once, never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), expires_at=expires_at))
    return token


# Every API request runs this query. Built once: composing it cost more than running it.
_TOKEN_OWNER = (
    select(User)
    .join(ApiToken, User.id == ApiToken.user_id)
    .where(
        ApiToken.token_hash == bindparam("token_hash"),
        ApiToken.revoked_at.is_(None),
        or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > bindparam("now")),
        User.disabled_at.is_(None),
    )
)


def user_for_token(session: Session, token: str) -> User | None:
    """The active user owning ``token``, or None if it is unknown, revoked or expired."""
    return session.scalar(_TOKEN_OWNER, {"token_hash": hash_token(token), "now": utcnow()})


PRODUCTION_HASHER = PasswordHasher()  # Argon2id with the library's current recommended costs
_hasher = PRODUCTION_HASHER
MIN_PASSWORD_LENGTH = 10


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Checked when the name is unknown, so an attempt costs the same either way. Made
    on first use: at import it would add a production-cost hash to every start-up."""
    return hasher.hash("not a real password")


def use_hasher(hasher: PasswordHasher) -> None:
    """Hash and check passwords with ``hasher`` from now on.

    Tests pass cheap costs so that signing in does not dominate their time; a
    hash keeps its costs inside it, so hashes made either way still verify.
    """
    global _hasher
    _hasher = hasher


def set_password(session: Session, user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = _hasher.hash(password)
    end_sessions(session, user)  # a password change signs out every browser that knew the old one
    audit.record(session, "user.password_set", user, after={"name": user.name})


def end_sessions(session: Session, user: User) -> None:
    """End every desk session of ``user``: cookies made before now are refused.

    Written as ``session_generation + 1`` in the UPDATE, so that two concurrent ends
    cannot both write the number one of them read; the attribute reloads when next read.
    """
    if user.id is None:
        session.flush()  # an expression is for an UPDATE, not an INSERT
    user.session_generation = User.session_generation + 1


def check_password(session: Session, name: str, password: str) -> User | None:
    """The active user with this name and password, or None."""
    user = user_by_name(session, name)
    stored = user.password_hash if user and user.password_hash else _dummy_hash(_hasher)
    try:
        _hasher.verify(stored, password)
    except (VerifyMismatchError, InvalidHashError):
        return None
    if user is None or user.password_hash is None or user.disabled_at:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def user_by_name(session: Session, name: str) -> User | None:
    return session.scalar(select(User).where(User.name == name))


def active_users(session: Session, role: str) -> list[User]:
    """Users who can act in ``role`` (admins included), by name."""
    return list(
        session.scalars(
            select(User)
            .where(User.role.in_((role, "admin")), User.disabled_at.is_(None))
            .order_by(User.name)
        )
    )


def get_user(session: Session, name: str) -> User:
    user = user_by_name(session, name)
    if user is None:
        raise NotFound(f"there is no user named {name!r}")
    return user


def list_users(session: Session) -> list[tuple[User, int]]:
    """Every user with the number of tokens that still work."""
    now = utcnow()
    live = (
        select(func.count())
        .where(
            ApiToken.user_id == User.id,
            ApiToken.revoked_at.is_(None),
            (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now),
        )
        .scalar_subquery()
    )
    return [
        (user, count) for user, count in session.execute(select(User, live).order_by(User.name))
    ]


def set_disabled(session: Session, user: User, disabled: bool, actor_id: int | None = None) -> None:
    """A disabled user can neither sign in nor use a token; nothing of theirs is deleted."""
    before = user.disabled_at is not None
    user.disabled_at = utcnow() if disabled else None
    if disabled:  # else enabling the user again would bring their old cookies back
        end_sessions(session, user)
    audit.record(
        session,
        "user.disabled" if disabled else "user.enabled",
        user,
        actor_id=actor_id,
        before={"disabled": before},
        after={"disabled": disabled},
    )


def revoke_tokens(session: Session, user: User, actor_id: int | None = None) -> int:
    """Revoke every working token of ``user``; return how many."""
    now = utcnow()
    tokens = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for token in tokens:
        token.revoked_at = now
    audit.record(
        session, "user.tokens_revoked", user, actor_id=actor_id, after={"revoked": len(tokens)}
    )
    return len(tokens)
