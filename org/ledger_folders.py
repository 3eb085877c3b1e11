"""Every ledger of a street as a folder of workbooks, and back.

`export_folder` writes one workbook per registered ledger (`<slug>.xlsx`,
in the template's layout); `import_folder` imports them in the ledgers'
rank order (the street and its units, staff, companies, compounds, then
what hangs on compounds), each ledger in its own transaction, and stops at
the first workbook that does not import cleanly. Importing a folder twice
changes nothing the second time. `manage.py export_ledgers` and
`manage.py rebuild_from_ledgers` call these (docs/ledgers.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from .ledgers import LEDGERS, ImportReport, Ledger, export_workbook, import_ledger


@dataclass(frozen=True)
class FolderImport:
    ledger: Ledger
    report: ImportReport


def export_folder(folder: Path, *, user) -> dict[str, int]:
    """Write every ledger `user` sees into `folder`; rows per ledger slug.

    A ledger without rows writes no file (an empty workbook would not
    import: "no data rows").
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for slug, ledger in LEDGERS.items():
        target = BytesIO()
        written[slug] = export_workbook(ledger, user=user, target=target)
        path = folder / f"{slug}.xlsx"
        if written[slug]:
            path.write_bytes(target.getvalue())
        else:
            path.unlink(missing_ok=True)
    return written


def import_folder(folder: Path, *, user, apply: bool = True) -> list[FolderImport]:
    """Import the folder's workbooks in rank order; stop at the first one
    with problems (the earlier ones stay imported)."""
    done = []
    for slug, ledger in LEDGERS.items():
        path = folder / f"{slug}.xlsx"
        if not path.exists():
            continue
        with path.open("rb") as upload:
            report = import_ledger(ledger, upload, user=user, apply=apply)
        done.append(FolderImport(ledger, report))
        if not report.ok:
            break
    return done
