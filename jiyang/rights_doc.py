"""docs/rights.md: the rights table (`org.rights`) printed, role × task.

`manage.py rights_table` writes it; tests/test_rights_doc.py fails when the
file in the repository is not what the tasks declared in code print now.
The order is fixed (by app, then task name; roles in their declared order)
and the labels are always the Chinese ones, so two runs print the same.
"""

from django.utils import translation

from org.rights import ROLE_LABELS, Role, tasks

HEADER = """\
# The rights table

What each role may do in the portal: one row per task, one column per role.
It is printed from the `TASKS` each app declares in its `roles.py` (read by
`org.rights`), so do not edit it by hand: after changing a task, run

```sh
python manage.py rights_table --write
```

A role comes from what its login holds: a staff post in the street office,
a community or a grid (or its party groups), an inspector's or a resident
representative's post, or a seat with a property company; a login holding
several has the rights of each. The superuser may do everything. The rights
say *what* a role may do; the scope rule (`visible_to`, see the README's
Architecture) still says *where*: a role does its tasks only on the rows
under its posts, or for its company. The model permissions a task lists go
to the role's logins with it, so the admin, the pages and the API read this
one table.
"""

# The superuser column would hold a ✓ in every row.
COLUMNS = [role for role in Role if role is not Role.SUPERUSER]


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def rights_table_markdown() -> str:
    """The Markdown of docs/rights.md, from the tasks declared now."""
    with translation.override("zh-hans"):
        head = ["任务", "代码", *(str(ROLE_LABELS[role]) for role in COLUMNS)]
        lines = [
            HEADER,
            "| " + " | ".join(_cell(cell) for cell in head) + " |",
            "|" + "---|" * len(head),
        ]
        ordered = sorted(
            tasks().values(), key=lambda task: (task.name.split(".", 1)[0], task.name)
        )
        for task in ordered:
            marks = ["✓" if role in task.roles else "" for role in COLUMNS]
            row = [_cell(task.label), f"`{task.name}`", *marks]
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"
