"""The demo street, assessments part: a year of inspections and its rankings.

Builds on `org.demo` and `compounds.demo`. For the twelve finished months
before today, every company-served compound of the demo street gets one
submitted unannounced inspection under the default scheme, with item
results and an on-site poll. Companies differ in quality, so the monthly
job and the quarterly ranking (run here exactly as in production) give
meaningful figures: prizes in four quarters (approved, the older ones paid)
and one company (佳和) in the bottom group quarter after quarter, with its
exit case open. Deterministic for a given day and safe to load twice.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from assessments.default_scheme import ensure_default_scheme
from assessments.models import (
    ExitCase,
    ExitCaseDocument,
    ExitLadderStep,
    Inspection,
    InspectionItemResult,
    InspectionPanelMember,
    QuarterlyBonus,
    Reward,
)
from assessments.scoring import (
    ItemInput,
    Poll,
    inspection_score,
    item_points,
    round_points,
)
from assessments.services.scoring import rank_quarter, score_month
from common.periods import Month, Quarter
from compounds.models import (
    Compound,
    PropertyCompany,
    ServiceContract,
    periods_overlap_q,
)
from demo.compounds import COMPANIES
from demo.org import STREET_CODE
from org.models import OrgUnit, Person, Post, User
from org.scope import NON_STAFF_POST_ROLES

MONTHS = 12
# Chance that an item shows a fault at an inspection, per company (keys of
# compounds.demo.COMPANIES) and quarter (oldest first). The weak companies
# take turns in the bottom group, so only 佳和 stays there long enough for
# an exit case; the others show warnings and interviews.
FAULT_RATE = {
    "A": (0.03, 0.03, 0.03, 0.03),
    "B": (0.06, 0.06, 0.06, 0.06),
    "H": (0.05, 0.05, 0.05, 0.05),
    "C": (0.08, 0.08, 0.08, 0.08),
    "D": (0.19, 0.09, 0.19, 0.19),
    "E": (0.19, 0.20, 0.09, 0.10),
    "I": (0.10, 0.20, 0.20, 0.09),
    "F": (0.09, 0.10, 0.10, 0.20),
    "G": (0.30, 0.30, 0.30, 0.32),
}
EXIT_COMPANY = "G"  # 佳和: bottom every quarter → exit case
VETO_COMPANY = "G"


def demo_months(today: date) -> list[date]:
    """The first days of the finished months before `today`, oldest first."""
    current = Month.of(today)
    return [current.shifted(-back).start for back in range(MONTHS, 0, -1)]


def demo_quarters(months: list[date]) -> list[Quarter]:
    """The quarters of `months` that have ended."""
    last = Month.of(months[-1]).last_day
    quarters = []
    for month in months:
        q = Quarter.of(month)
        if q not in quarters and q.last_day <= last:
            quarters.append(q)
    return quarters


def company_key(company_name: str) -> str:
    return next((row.key for row in COMPANIES if row.name == company_name), "D")


def panel_people(street: OrgUnit) -> tuple[list[Person], list[Person]]:
    posts = Post.objects.active().filter(unit=street)
    cadres = list(
        Person.objects.filter(
            posts__in=posts.filter(role=Post.Role.INSPECTOR)
        ).order_by("pk")
    )
    reps = list(
        Person.objects.filter(
            posts__in=posts.filter(role=Post.Role.RESIDENT_REPRESENTATIVE)
        ).order_by("pk")
    )
    return cadres, reps


def build_inspections(street: OrgUnit, scheme, months: list[date]) -> int:
    items = list(scheme.items())
    veto = scheme.vetoes.order_by("code").first()
    cadres, reps = panel_people(street)
    quarters = demo_quarters(months)
    compounds = list(
        Compound.objects.filter(street=street).order_by("name").select_related("grid")
    )
    done = set(
        Inspection.objects.filter(
            street=street, month__in=months, scheme=scheme
        ).values_list("compound_id", "month")
    )
    made = 0
    vetoed_once = False
    for month in months:
        for compound in compounds:
            contract = (
                ServiceContract.objects.filter(compound=compound)
                .filter(periods_overlap_q(month, Month.of(month).last_day))
                .select_related("company")
                .order_by("-start")
                .first()
            )
            if contract is None or (compound.pk, month) in done:
                continue
            key = company_key(contract.company.name)
            q = Quarter.of(month)
            q_index = quarters.index(q) if q in quarters else len(quarters) - 1
            rate = FAULT_RATE.get(key, (0.12,) * 4)[min(q_index, 3)]
            rng = random.Random(f"{compound.name}:{month.isoformat()}")
            day = month + timedelta(days=rng.randint(2, 24))
            polled = rng.randint(10, 18)
            unhappy = min(polled, round(polled * rate * 1.5 + rng.random()))
            basically = min(polled - unhappy, rng.randint(1, 4))
            poll = Poll(polled - unhappy - basically, basically, unhappy)
            is_veto = (
                key == VETO_COMPANY
                and not vetoed_once
                and veto is not None
                and month == months[-4]
            )
            vetoed_once = vetoed_once or is_veto
            inputs = []
            for item in items:
                occurrences = 0
                if not item.is_satisfaction_poll and rng.random() < rate * 3:
                    occurrences = rng.randint(1, 3)
                not_applicable = item.allows_na and rng.random() < 0.08
                inputs.append(
                    ItemInput(
                        code=item.code,
                        max_points=item.max_points,
                        deduction=item.deduction,
                        occurrences=occurrences,
                        not_applicable=not_applicable,
                        is_satisfaction_poll=item.is_satisfaction_poll,
                    )
                )
            result = inspection_score(
                inputs,
                poll=poll,
                min_sample=scheme.satisfaction_min_sample,
                vetoed=is_veto,
                veto_score=scheme.veto_score,
                poll_as_item=scheme.poll_as_item,
            )
            submitted = timezone.make_aware(
                timezone.datetime(day.year, day.month, day.day, 16, 30)
            )
            inspection = Inspection.objects.create(
                compound=compound,
                scheme=scheme,
                date=day,
                status=Inspection.Status.SUBMITTED,
                satisfied=poll.satisfied,
                basically_satisfied=poll.basically_satisfied,
                dissatisfied=poll.dissatisfied,
                veto=veto if is_veto else None,
                veto_note="电动车飞线充电引发火情，已造成财产损失。" if is_veto else "",
                score=result.score,
                submitted_at=submitted,
                created_at=submitted,
            )
            InspectionItemResult.objects.bulk_create(
                InspectionItemResult(
                    inspection=inspection,
                    item=item,
                    occurrences=data.occurrences,
                    not_applicable=data.not_applicable,
                    points=_points(data, poll, scheme.satisfaction_min_sample),
                )
                for item, data in zip(items, inputs, strict=True)
            )
            members = []
            if cadres:
                members.append(
                    InspectionPanelMember(
                        inspection=inspection,
                        person=cadres[made % len(cadres)],
                        role=InspectionPanelMember.Role.CADRE,
                    )
                )
            if reps:
                members.append(
                    InspectionPanelMember(
                        inspection=inspection,
                        person=reps[made % len(reps)],
                        role=InspectionPanelMember.Role.RESIDENT_REP,
                    )
                )
            InspectionPanelMember.objects.bulk_create(members)
            made += 1
    return made


def _points(data: ItemInput, poll: Poll, min_sample: int) -> Decimal | None:
    points = item_points(data, poll, min_sample)
    return None if points is None else round_points(points)


def bonuses(street: OrgUnit, quarters: list[Quarter]) -> None:
    commended = PropertyCompany.objects.filter(name="济宁水景物业服务有限公司").first()
    if commended is None or len(quarters) < 2:
        return
    QuarterlyBonus.objects.get_or_create(
        company=commended,
        street=street,
        quarter=str(quarters[-2]),
        reason="业主赠送锦旗并获区住建局通报表扬",
        defaults={"points": Decimal("3")},
    )


def settle_rewards(street: OrgUnit, quarters: list[Quarter]) -> None:
    """Approve every prize; pay all but the latest quarter's."""
    # The street office's login (street_admin in the demo) approves.
    approver = (
        User.objects.filter(person__posts__unit=street, is_active=True)
        .exclude(person__posts__role__in=NON_STAFF_POST_ROLES)
        .order_by("pk")
        .first()
    )
    for quarter in quarters:
        rewards = Reward.objects.filter(
            ranking__street=street, ranking__quarter=str(quarter)
        ).select_related("ranking")
        approved_at = timezone.make_aware(
            timezone.datetime.combine(
                quarter.last_day + timedelta(days=20), timezone.datetime.min.time()
            )
        )
        for reward in rewards:
            if reward.is_paid:
                # A paid reward is a record and is never saved again.
                continue
            if reward.approved_at is None:
                reward.approved_at = approved_at
                reward.approved_by = approver
                reward.save(update_fields=["approved_at", "approved_by"])
            if quarter != quarters[-1]:
                reward.pay(
                    by=approver,
                    reference=f"JYWY-{quarter}-{reward.ranking.rank:02d}",
                    paid_on=quarter.last_day + timedelta(days=35),
                )


def text_pdf(text: str) -> bytes:
    """A one-page PDF of `text` in the readers' built-in Song font (STSong-Light,
    no font embedded), one line per line of text: the upload policy takes PDFs
    and images for exit-case documents, not plain text."""
    lines = [
        f"BT /F1 14 Tf 56 {780 - 24 * n} Td <{line.encode('utf-16-be').hex()}> Tj ET"
        for n, line in enumerate(text.splitlines())
    ]
    stream = "\n".join(lines).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light "
        b"/Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def exit_case_documents(street: OrgUnit) -> None:
    for case in ExitCase.objects.filter(street=street):
        if case.documents.exists():
            continue
        document = ExitCaseDocument(case=case, title="约谈记录及限期整改通知书")
        text = (
            f"{case.company}：\n贵公司连续{case.opened_quarter}等季度考核排名末位，"
            "依据《物业管理工作考核办法》启动退出程序，请配合业主意见征询及交接工作。\n"
            "济阳街道物业办\n"
        )
        document.file.save(
            f"exit-{case.pk}.pdf", ContentFile(text_pdf(text)), save=False
        )
        document.save()
    ExitLadderStep.objects.filter(
        street=street, kind=ExitLadderStep.Kind.INTERVIEW, interview_on__isnull=True
    ).update(note="街道物业办约谈企业负责人，下达限期整改通知书。")


@transaction.atomic
def load(*, stdout=None) -> None:
    street = OrgUnit.objects.streets().get(code=STREET_CODE)
    scheme = ensure_default_scheme()
    months = demo_months(timezone.localdate())
    made = build_inspections(street, scheme, months)
    for month in months:
        score_month(Month.of(month))
    quarters = demo_quarters(months)
    bonuses(street, quarters)
    for quarter in quarters:
        rank_quarter(quarter)
    settle_rewards(street, quarters)
    exit_case_documents(street)
    if stdout is not None:
        stdout.write(
            f"assessments: {made} inspections added; {len(months)} months scored; "
            f"quarters ranked: {', '.join(map(str, quarters))}"
        )
