"""Ledger exports (台账导出): a scoped queryset out as a formatted workbook.

Each app declares its ledgers once, as a `Ledger`: a name, a title and a
function that turns the rows a user may see (the same `visible_to(user)`
queryset, filtered and selected, that the list shows) into the sheets of
`common.xlsx`. The admin's "导出 Excel" action and the list pages call
`org.downloads.ledger_response`, which runs `export_ledger` in the request
or, for a large ledger, in a Celery job (`run_export_job`); it writes the
workbook and records the export in the audit trail: who, which ledger,
which scope, how many rows.

Residents' phone numbers are masked in every export: the pages show them
only on an explicit, audited reveal of one concern, and a spreadsheet of
numbers would bypass that rule.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, QuerySet
from django.utils import translation
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from common.xlsx import Column, Kind, Sheet, write_workbook

from .audit import record_event
from .jobs import (
    claim_job,
    finish_job,
    load_query,
    report_progress,
)
from .models import AuditEvent, LedgerJob, User
from .scope import user_scope

log = logging.getLogger(__name__)

# Rows fetched per round trip while streaming a ledger.
CHUNK = 2000

# Every Ledger by name, for the worker that runs a large export by name.
_LEDGERS: dict[str, Ledger] = {}


@dataclass(frozen=True)
class Ledger:
    """One exportable ledger: its rows' model and how they become sheets."""

    name: str
    title: str | Promise
    model: type[Model]
    # The sheets of the rows in a queryset, for the user who exports them.
    sheets: Callable[[QuerySet, User], list[Sheet]]

    def __post_init__(self) -> None:
        _LEDGERS[self.name] = self

    def filename(self, day) -> str:
        return f"{self.name}-{day:%Y%m%d}.xlsx"


def ledger_named(name: str) -> Ledger:
    """The ledger called `name`, from the `exports` module of any app."""
    if name not in _LEDGERS:
        autodiscover_modules("exports")
    return _LEDGERS[name]


def choice(label: str | Promise, key: str, choices) -> Column:
    """A column showing a choice field's label, read from `.values()`."""
    labels = {value: str(text) for value, text in choices}
    return Column(str(label), lambda row: labels.get(row[key], row[key]))


def col(label: str | Promise, key: Any, kind: Kind = Kind.TEXT, **options) -> Column:
    """A column whose label is translated when the export runs."""
    return Column(str(label), key, kind, **options)


def streamed(queryset: QuerySet, *fields: str, **expressions) -> Iterable[dict]:
    """The rows as dicts, fetched in chunks: set-based, never all in memory."""
    return queryset.values(*fields, **expressions).iterator(chunk_size=CHUNK)


def scope_label(user: User) -> str:
    """The scope of an export as people say it ("济阳街道", "大禹社区")."""
    scope = user_scope(user)
    if scope.everything:
        return _("all streets")
    names = [unit.name for unit in scope.units]
    if names:
        return "、".join(names)
    if scope.company_ids:
        return _("own company")
    return ""


def export_ledger(
    *,
    user: User,
    ledger: Ledger,
    queryset: QuerySet,
    target: str | IO[bytes],
    request=None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the ledger's rows in `queryset` to `target`; the rows written.

    `queryset` must already be the user's scoped list (`visible_to(user)`,
    filtered as the list is); the export is recorded in the audit trail.
    `progress` hears the rows of the first sheet written so far.
    """
    scope = scope_label(user)
    sheets = ledger.sheets(queryset, user)
    if progress is not None and sheets:
        sheets[0].rows = _counted(sheets[0].rows, progress)
    rows = write_workbook(target, title=str(ledger.title), scope=scope, sheets=sheets)
    counts = ", ".join(f"{sheet.title} {sheet.row_count}" for sheet in sheets)
    record_event(
        action=AuditEvent.Action.EXPORT,
        actor=user,
        request=request,
        detail=f"{ledger.name} · {scope} · {counts}",
    )
    return rows


def _counted(rows: Iterable[Any], progress: Callable[[int], None]) -> Iterator[Any]:
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % CHUNK == 0:
            progress(done)
    progress(done)


# Large exports, as jobs -----------------------------------------------------------


def run_export_job(job_id: int) -> LedgerJob | None:
    """Write a queued export's workbook into private storage."""
    job = claim_job(job_id)
    if job is None:
        return None
    storage = job.result.storage
    name = f"results/{uuid.uuid4().hex}.xlsx"
    path = Path(storage.path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    written = [0]

    def progress(done: int) -> None:
        written[0] = done
        report_progress(job.pk, done, job.rows_total)

    try:
        with translation.override(job.language):
            ledger = ledger_named(job.ledger)
            queryset = load_query(ledger.model, job.query)
            export_ledger(
                user=job.user,
                ledger=ledger,
                queryset=queryset,
                target=str(path),
                progress=progress,
            )
    except Exception:
        log.exception("ledger export job %s failed", job.pk)
        path.unlink(missing_ok=True)
        with translation.override(job.language):
            finish_job(
                job,
                error=_("The export failed. Start it again, or ask the administrator."),
            )
        return job
    finish_job(job, result=name, rows_done=written[0])
    return job


KINDS = {
    "AutoField": Kind.INTEGER,
    "BigAutoField": Kind.INTEGER,
    "IntegerField": Kind.INTEGER,
    "BigIntegerField": Kind.INTEGER,
    "SmallIntegerField": Kind.INTEGER,
    "PositiveIntegerField": Kind.INTEGER,
    "PositiveSmallIntegerField": Kind.INTEGER,
    "PositiveBigIntegerField": Kind.INTEGER,
    "DecimalField": Kind.DECIMAL,
    "FloatField": Kind.DECIMAL,
    "DateField": Kind.DATE,
    "DateTimeField": Kind.DATETIME,
    "BooleanField": Kind.BOOLEAN,
}


@dataclass(frozen=True)
class Field:
    """A column read from a `.values()` path ("community__name") or an
    annotation; label and kind default to the model field's."""

    path: str
    label: str | Promise | None = None
    kind: Kind | None = None
    show: Callable[[Any], Any] | None = None


def _model_field(model: type[Model], path: str):
    """The first and the last field along `path`, or (None, None)."""
    first = last = None
    for part in path.split("__"):
        try:
            last = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None, None
        first = first or last
        model = last.related_model if last.is_relation else model
    return first, last


def column_for(model: type[Model], spec: str | Field) -> Column:
    """The sheet column of one `Field` (or bare path) of `model`."""
    spec = Field(spec) if isinstance(spec, str) else spec
    first, last = _model_field(model, spec.path)
    if spec.label is None and first is None:
        raise ValueError(f"{spec.path} is not a field of {model.__name__}: label it")
    label = spec.label if spec.label is not None else first.verbose_name
    kind = spec.kind or (KINDS.get(last.get_internal_type()) if last else None)
    show = spec.show
    if show is None and last is not None and last.choices:
        labels = {value: str(text) for value, text in last.flatchoices}
        show = lambda value: labels.get(value, value)  # noqa: E731
    path = spec.path
    if show is None:
        return Column(str(label), path, kind or Kind.TEXT)
    return Column(str(label), lambda row: show(row[path]), kind or Kind.TEXT)


def sheet_of(
    title: str | Promise,
    queryset: QuerySet,
    specs: Iterable[str | Field],
    **annotations,
) -> Sheet:
    """A sheet of `queryset`'s rows, one column per spec, streamed."""
    specs = [Field(s) if isinstance(s, str) else s for s in specs]
    columns = [column_for(queryset.model, spec) for spec in specs]
    paths = [s.path for s in specs if s.path not in annotations]
    rows = streamed(queryset.annotate(**annotations), *paths, *annotations)
    return Sheet(str(title), columns, rows)
