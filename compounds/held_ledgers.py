"""Holding an uploaded ledger workbook between its dry run and its import.

The file waits in private storage (settings.LEDGER_UPLOAD_DIR, never
served) under an unguessable token that only its uploader can redeem; the
confirmation form carries the token, so nothing rides in the session.
"""

import re
import secrets

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage

TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def _storage() -> FileSystemStorage:
    return FileSystemStorage(location=settings.LEDGER_UPLOAD_DIR)


def _name(user, slug: str, token: str) -> str:
    return f"{user.pk}-{slug}-{token}.xlsx"


def hold_workbook(upload, *, user, slug: str) -> str:
    """Store the upload; the token that finds it again."""
    token = secrets.token_urlsafe(24)
    upload.seek(0)
    _storage().save(_name(user, slug, token), File(upload))
    return token


def held_workbook(token: str, *, user, slug: str):
    """The held file opened for reading, or None for an unknown token."""
    if not TOKEN.fullmatch(token or ""):
        return None
    storage, name = _storage(), _name(user, slug, token)
    if not storage.exists(name):
        return None
    return storage.open(name, "rb")


def release_workbook(token: str, *, user, slug: str) -> None:
    if TOKEN.fullmatch(token or ""):
        _storage().delete(_name(user, slug, token))
