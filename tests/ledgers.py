"""Helpers of the ledger tests: a workbook as a clerk fills it, an import,
an export read back."""

from io import BytesIO

from openpyxl import Workbook

from org.ledgers import LEDGERS, export_workbook, import_ledger


def workbook(headers, *rows) -> BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = BytesIO()
    book.save(out)
    out.seek(0)
    return out


def run(slug, upload, user, apply=True):
    return import_ledger(LEDGERS[slug], upload, user=user, apply=apply)


def messages(report):
    return [(p.row, p.column, p.message) for p in report.problems]


def exported(slug, user) -> BytesIO:
    out = BytesIO()
    export_workbook(LEDGERS[slug], user=user, target=out)
    out.seek(0)
    return out
