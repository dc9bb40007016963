"""The key that signs session cookies and CSRF tokens.

``FACTCHECK_SECRET_KEY`` when it is set. Otherwise a random key made once and kept
in the data dir (readable by its owner only), so that a fresh install never runs
on a key anyone can read in this repository, and sessions outlive a restart.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
import socket
import tempfile
from pathlib import Path

from factcheck.settings import Settings

# The value earlier versions used by default: public, so anyone could forge a session
# with it. `up` refuses to listen beyond loopback with it; /readyz reports it.
DEVELOPMENT_KEY = "dev-only-secret-change-me"
KEY_FILE = "secret_key"


def secret_key(settings: Settings) -> str:
    """The key in use: the setting, else the data dir's key (made on first use)."""
    return settings.secret_key or stored_key(settings.data_dir)


def is_development(key: str) -> bool:
    return key == DEVELOPMENT_KEY


def stored_key(data_dir: Path) -> str:
    """The key kept in ``data_dir``, made first if there is none (OSError if the file
    cannot be read or made, ValueError if it is empty)."""
    path = data_dir / KEY_FILE
    if not path.exists():
        _make(path)
    key = path.read_text(encoding="ascii").strip()
    if not key:
        raise ValueError(f"{path} is empty")
    return key


def _make(path: Path) -> None:
    """Written to a temporary file (mode 0600, as mkstemp makes it), then linked into
    place: a reader sees no file or the whole key, and when several processes start
    at once the first link wins and all of them read its key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{KEY_FILE}.")
    try:
        with os.fdopen(handle, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(48) + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def is_loopback(host: str) -> bool:
    """Does ``host`` name only loopback addresses (127.0.0.0/8, ::1)?"""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return False
    return bool(found) and all(ipaddress.ip_address(f[4][0]).is_loopback for f in found)
