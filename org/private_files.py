"""Private file storage: files kept for their owner, never served.

The location is read from the settings on every use, so tests and the
worker (another process) may point it elsewhere at run time.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateJobStorage(FileSystemStorage):
    """Files of ledger jobs, under LEDGER_JOB_DIR (not under MEDIA_ROOT)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def base_location(self) -> str:
        return str(settings.LEDGER_JOB_DIR)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:
        return None
