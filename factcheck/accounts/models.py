from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factcheck.db import Base, utcnow

ROLES = ("editor", "reviewer", "admin")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None]
    # Stored in each desk session cookie at sign-in; a cookie whose number differs is
    # refused. Raised on sign-out, a password change and disabling: every session of
    # the user ends at once, however old its (signed, still valid) cookie.
    session_generation: Mapped[int] = mapped_column(default=0, server_default=text("0"))

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")

    def has_role(self, *roles: str) -> bool:
        """Admins may do everything; others only what their role names."""
        return self.role == "admin" or self.role in roles


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")


class ThrottleCount(Base):
    """Sign-in tries counted per key (an address, an account and address, an
    account's failures) and time window, for the embedded default; production keeps
    these counts in Redis. A row of window 0 is an account's slow-down slot, whose
    ``hits`` is the Unix time it is held until (``factcheck.accounts.throttle``)."""

    __tablename__ = "throttle_counts"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    window_start: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    hits: Mapped[int] = mapped_column(default=0)
