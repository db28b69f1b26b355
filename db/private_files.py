"""Files that hold personal data or the key are readable by the owner only (mode 0600).

The mode is set when the file is created (os.open with a mode), not by a chmod afterwards,
so there is no moment when another user on the server can open it; fchmod then puts it to
exactly 0600 whatever the umask was, and fixes a file that already existed with a wider mode.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE = 0o600


def create_private(path: Path | str, *, exclusive: bool = False) -> None:
    """Create ``path`` (empty, or truncated) with mode 0600; with ``exclusive``, fail with
    FileExistsError if it is there already (so two processes cannot both write a new key)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, PRIVATE)
    try:
        os.fchmod(fd, PRIVATE)
    finally:
        os.close(fd)


def write_private(path: Path | str, text: str) -> None:
    """Write a new file that must not exist yet, mode 0600 from its creation."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    try:
        os.fchmod(fd, PRIVATE)
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def ensure_private_file(path: Path | str) -> None:
    """An existing file is narrowed to 0600; a missing one is created empty with it (SQLite
    then takes the empty file as a new database, and gives its -wal/-shm files its mode)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE)
    try:
        os.fchmod(fd, PRIVATE)
    finally:
        os.close(fd)
