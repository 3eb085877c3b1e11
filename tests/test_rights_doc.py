"""docs/rights.md is the rights table as the code declares it now."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.utils import translation

from jiyang.rights_doc import rights_table_markdown
from org.rights import tasks

DOC = Path(__file__).resolve().parent.parent / "docs" / "rights.md"


def printed() -> str:
    out = StringIO()
    call_command("rights_table", stdout=out)
    return out.getvalue()


def test_docs_rights_md_is_what_the_command_prints():
    assert DOC.read_text(encoding="utf-8") == printed(), (
        "docs/rights.md is out of date: run `python manage.py rights_table --write`"
    )


def test_every_task_has_a_row_in_chinese():
    text = printed()

    for name in tasks():
        assert f"| `{name}` |" in text, name
    assert "| 查看本人待办 | `jiyang.view_my_tasks` | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ |" in text


def test_the_table_does_not_depend_on_the_language():
    with translation.override("en"):
        english = rights_table_markdown()

    assert english == rights_table_markdown()


def test_rows_are_sorted_by_app_then_task():
    names = [
        line.split("`")[1]
        for line in printed().splitlines()
        if line.startswith("| ") and "`" in line
    ]

    assert names == sorted(names, key=lambda name: (name.split(".")[0], name))
