"""Settings read the environment and touch no disk."""

import os
import subprocess
import sys

from django.conf import settings


def test_importing_the_settings_creates_no_folder_but_setup_makes_sqlites(tmp_path):
    database = tmp_path / "var" / "db.sqlite3"
    code = (
        "import pathlib, sys, django; import jiyang.settings; "
        f"before = pathlib.Path({str(database.parent)!r}).exists(); "
        "django.setup(); "
        f"sys.exit(0 if not before and pathlib.Path({str(database.parent)!r}).is_dir()"
        " else 1)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jiyang.settings",
        "DATABASE_URL": f"sqlite:///{database}",
    }

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr
