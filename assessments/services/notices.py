"""Publishing a street's quarter (通报) and guarding what was published.

`publish_notice` issues the quarterly notice with the next document number
(文号) of the street's series. A published quarter's result (each company's
rank, score, prize and exit-ladder step) changes again only with a re-rank
decision (`ReRankDecision`), which `assessments.services.scoring.rank_quarter`
stores as a `QuarterReRank` beside the result before and after.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from common.periods import Quarter
from org.models import OrgUnit
from org.rights import require

from ..exports import quarter_label
from ..models import (
    AssessmentScheme,
    NoticeSeries,
    QuarterlyRanking,
    QuarterNotice,
    QuarterReRank,
    ScoringRun,
)
from ..models.notices import default_notice_prefix


class PublishedQuarterChanged(ValidationError):
    """A ranking run would change a published quarter without a decision."""


@dataclass(frozen=True)
class ReRankDecision:
    """The street office's decision to rank one published quarter again."""

    street_id: int
    decided_by_id: int
    reason: str


def _street(actor, street: OrgUnit) -> OrgUnit:
    if not OrgUnit.objects.streets().visible_to(actor).filter(pk=street.pk).exists():
        raise PermissionDenied(_("This street lies outside your area."))
    return street


def ranking_summary(quarter: str, street_id: int) -> list[dict]:
    """A street's quarter as published: company, rank, score, prize, step."""
    rows = (
        QuarterlyRanking.objects.filter(quarter=quarter, street_id=street_id)
        .order_by(F("rank").asc(nulls_last=True), "company__name", "company_id")
        .values_list(
            "company_id",
            "company__name",
            "rank",
            "score",
            "prize__title",
            "ladder_step__kind",
        )
    )
    return [
        {
            "company_id": company_id,
            "company": name,
            "rank": rank,
            "score": f"{score:.2f}",
            "prize": prize or "",
            "ladder": ladder or "",
        }
        for company_id, name, rank, score, prize, ladder in rows
    ]


def published_notices(quarter: Quarter, street_id: int | None = None):
    notices = QuarterNotice.objects.filter(quarter=str(quarter))
    if street_id is not None:
        notices = notices.filter(street_id=street_id)
    return notices


def refuse_published(quarter: Quarter, street: OrgUnit | None) -> None:
    """Refuse an ordinary run of a quarter already published (run page)."""
    notice = (
        published_notices(quarter, street.pk if street else None)
        .select_related("street")
        .first()
    )
    if notice is not None:
        raise ValidationError(
            {
                "period": _(
                    "%(quarter)s of %(street)s has been published (notice "
                    "%(number)s). Ranking it again needs a re-rank decision "
                    "with a reason, taken on the ranking page."
                )
                % {
                    "quarter": quarter_label(str(quarter)),
                    "street": notice.street.name,
                    "number": notice.number,
                }
            },
            code="published_quarter",
        )


class PublishedGuard:
    """The published results of a ranking run's streets, taken before it.

    `settle` runs after the rows are written, in the run's transaction:
    a changed result without a decision raises (the run rolls back), and a
    decision is stored with the result before and after.
    """

    def __init__(
        self,
        quarter: Quarter,
        street_id: int | None,
        decision: ReRankDecision | None,
    ):
        self.quarter = quarter
        self.decision = decision
        self.notices = {
            n.street_id: n
            for n in published_notices(quarter, street_id).select_related("street")
        }
        if decision is not None and decision.street_id not in self.notices:
            raise ValidationError(
                _(
                    "%(quarter)s has not been published for this street; rank "
                    "it without a re-rank decision."
                )
                % {"quarter": quarter_label(str(quarter))},
                code="not_published",
            )
        self.before = {
            street_id: ranking_summary(str(quarter), street_id)
            for street_id in self.notices
        }

    def settle(
        self, *, scheme: AssessmentScheme, run: ScoringRun | None
    ) -> list[QuarterReRank]:
        decided = []
        for street_id, old in self.before.items():
            new = ranking_summary(str(self.quarter), street_id)
            notice = self.notices[street_id]
            if self.decision is None or self.decision.street_id != street_id:
                if new != old:
                    raise PublishedQuarterChanged(
                        _(
                            "%(quarter)s of %(street)s has been published "
                            "(notice %(number)s) and ranking it again would "
                            "change its result; nothing was changed. The "
                            "street office can rank it again with a re-rank "
                            "decision on the ranking page."
                        )
                        % {
                            "quarter": quarter_label(str(self.quarter)),
                            "street": notice.street.name,
                            "number": notice.number,
                        },
                        code="published_quarter",
                    )
                continue
            decided.append(
                QuarterReRank.objects.create(
                    street_id=street_id,
                    quarter=str(self.quarter),
                    notice=notice,
                    reason=self.decision.reason,
                    decided_by_id=self.decision.decided_by_id,
                    scheme=scheme,
                    old_result=old,
                    new_result=new,
                    changed=new != old,
                    run=run if run is not None and run.pk else None,
                )
            )
        return decided


def check_rerank_request(
    *, street: OrgUnit, quarter: Quarter, actor, reason: str
) -> str:
    """The reason of a re-rank decision the actor may take, or a refusal."""
    require(actor, "assessments.rerank_published_quarter")
    _street(actor, street)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Give the reason for ranking the quarter again.")}
        )
    if not published_notices(quarter, street.pk).exists():
        raise ValidationError(
            _(
                "%(quarter)s has not been published for this street; rank it "
                "on the run page."
            )
            % {"quarter": quarter_label(str(quarter))},
            code="not_published",
        )
    return reason


def notice_number(prefix: str, year: int, sequence: int) -> str:
    """济阳街道物业〔2026〕3号."""
    return f"{prefix}〔{year}〕{sequence}号"


@transaction.atomic
def publish_notice(*, street: OrgUnit, quarter: Quarter, actor) -> QuarterNotice:
    """Issue a street's quarterly notice with the next number of its series.

    A quarter is published once: asking again returns the notice issued.
    The series row is locked while the number is taken, so two notices
    published at the same moment get two numbers.
    """
    require(actor, "assessments.publish_notice")
    _street(actor, street)
    existing = QuarterNotice.objects.filter(street=street, quarter=str(quarter)).first()
    if existing is not None:
        return existing
    if not QuarterlyRanking.objects.filter(
        street=street, quarter=str(quarter)
    ).exists():
        raise ValidationError(
            _("%(quarter)s has not been ranked for this street yet.")
            % {"quarter": quarter_label(str(quarter))},
            code="not_ranked",
        )
    series, _created = NoticeSeries.objects.get_or_create(
        street=street, defaults={"prefix": default_notice_prefix(street)}
    )
    series = NoticeSeries.objects.select_for_update().get(pk=series.pk)
    existing = QuarterNotice.objects.filter(street=street, quarter=str(quarter)).first()
    if existing is not None:
        return existing
    year = timezone.localdate().year
    last = QuarterNotice.objects.filter(street=street, year=year).aggregate(
        n=Max("sequence")
    )["n"]
    sequence = (last or 0) + 1
    return QuarterNotice.objects.create(
        street=street,
        quarter=str(quarter),
        year=year,
        sequence=sequence,
        number=notice_number(series.prefix, year, sequence),
        published_by=actor,
    )


def published_quarters_under(scheme: AssessmentScheme) -> list[QuarterNotice]:
    """Published quarters a rerun would now rank under `scheme`, though they
    were ranked under another version (the admin warns of them)."""
    # Quarters are written "2026Q1", so their text sorts as they follow.
    notices = QuarterNotice.objects.filter(
        quarter__gte=str(Quarter.of(scheme.valid_from))
    ).select_related("street")
    found = []
    in_force: dict[str, int | None] = {}
    for notice in notices.order_by("quarter", "street__name"):
        if notice.quarter not in in_force:
            version = AssessmentScheme.objects.in_force(
                Quarter.parse(notice.quarter).last_day
            )
            in_force[notice.quarter] = version.pk if version else None
        if in_force[notice.quarter] != scheme.pk:
            continue
        used = (
            QuarterlyRanking.objects.filter(
                quarter=notice.quarter, street_id=notice.street_id
            )
            .values_list("scheme_id", flat=True)
            .first()
        )
        if used != scheme.pk:
            found.append(notice)
    return found
