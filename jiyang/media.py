"""Who may fetch a stored upload (`/media/<name>`).

A file is served when the row that holds it is one the user may read, by
the same rule as the pages (`Model.objects.visible_to(user)`), or when it is
public: a photo that came with a concern Open311 publishes and whose text is
not hidden, and the attachment of a published disclosure. A page that shows
a file to someone without a login (the resident's tracking page, the
photos kept after a refused form) links it with `signed_media_url`, which
works for MEDIA_LINK_SECONDS. Anything else, a file no row holds included,
is a 404: the random names are not what protects a file. The superuser
reads every stored file.

It lives in the project package because it reads the uploads of every app.
"""

from collections.abc import Callable

from django.db.models import QuerySet

from assessments.models import (
    ExitCase,
    ExitCaseDocument,
    Inspection,
    InspectionPhoto,
    RectificationNotice,
    RectificationPhoto,
)
from civic.models import Disclosure, VisitPhoto, VisitReport
from consultations.models import Concern, ConcernPhoto
from org.scope import user_scope

__all__ = ["may_read_media"]


def _public_concern_photos() -> QuerySet:
    return ConcernPhoto.objects.filter(
        stage=ConcernPhoto.Stage.SUBMITTED,
        concern__in=Concern.objects.on_open311().filter(is_hidden=False),
    )


def _concern_photos(user, name: str) -> bool:
    if _public_concern_photos().filter(image=name).exists():
        return True
    return (
        _signed_in(user)
        and ConcernPhoto.objects.filter(
            image=name, concern__in=Concern.objects.visible_to(user)
        ).exists()
    )


def _disclosures(user, name: str) -> bool:
    attached = Disclosure.objects.filter(attachment=name)
    if attached.published().exists():
        return True
    return _signed_in(user) and attached.visible_to(user).exists()


def _held(user, name: str) -> bool:
    # Kept for a resident between a refused form and its fix: only the
    # signed links of that form page reach them.
    return False


def _through(model, field: str, owner: str, owners) -> Callable[[object, str], bool]:
    """The rule "the file's row belongs to an `owners` row the user reads"."""

    def rule(user, name: str) -> bool:
        return (
            _signed_in(user)
            and model.objects.filter(
                **{field: name, f"{owner}__in": owners.objects.visible_to(user)}
            ).exists()
        )

    return rule


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


# The first folder of a stored name → who may read it.
RULES: dict[str, Callable[[object, str], bool]] = {
    "concerns": _concern_photos,
    "held": _held,
    "inspections": _through(InspectionPhoto, "image", "result__inspection", Inspection),
    "rectifications": _through(
        RectificationPhoto, "image", "notice", RectificationNotice
    ),
    "visits": _through(VisitPhoto, "image", "report", VisitReport),
    "exit-cases": _through(ExitCaseDocument, "file", "case", ExitCase),
    "disclosures": _disclosures,
}


def may_read_media(user, name: str) -> bool:
    """Whether `user` (maybe anonymous) may fetch the stored file `name`."""
    if _signed_in(user) and user_scope(user).everything:
        return True
    rule = RULES.get(name.split("/", 1)[0])
    return rule is not None and rule(user, name)
