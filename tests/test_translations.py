"""Every string marked for translation has its Simplified Chinese text.

The catalogues are extracted afresh from a copy of the tree, exactly as
`make messages` does it, so a string added to a template or to Python code
without a zh_Hans translation fails here, not on a resident's screen.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import need

ROOT = Path(__file__).resolve().parent.parent
APPS = ("org", "compounds", "consultations", "civic", "open311", "assessments")
SKIP = shutil.ignore_patterns(".venv", "var", ".git", "__pycache__", "*.mo", "tests")


def makemessages(where: Path, *extra: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans"]
        + ["--no-obsolete", "-v", "0", *extra],
        cwd=where,
        env=env,
        check=True,
        capture_output=True,
    )


def gaps(po: Path) -> str:
    """msgfmt's statistics line when something is untranslated or fuzzy."""
    result = subprocess.run(
        ["msgfmt", "--statistics", "-o", os.devnull, str(po)],
        capture_output=True,
        text=True,
        check=True,
    )
    line = result.stderr.strip()
    return line if ("untranslated" in line or "fuzzy" in line) else ""


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    need(shutil.which("msgfmt") is not None, "GNU gettext (msgfmt) is needed")
    tree = tmp_path_factory.mktemp("tree")
    for name in (*APPS, "jiyang", "common", "demo", "bench", "templates", "locale"):
        shutil.copytree(ROOT / name, tree / name, ignore=SKIP)
    for app in APPS:
        makemessages(tree / app)
    makemessages(tree, *(f"--ignore={name}" for name in APPS))
    return tree


@pytest.mark.parametrize("catalogue", [*APPS, "project"])
def test_every_marked_string_has_a_chinese_translation(extracted, catalogue):
    folder = extracted if catalogue == "project" else extracted / catalogue
    po = folder / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

    assert gaps(po) == "", f"{po.relative_to(extracted)}: {gaps(po)}"
