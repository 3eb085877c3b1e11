from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from assessments.models import Inspection, InspectionItemResult
from assessments.services.inspections import (
    amend_inspection,
    record_item,
    start_inspection,
    submit_inspection,
    update_draft,
)
from org.models import Post
from tests.factories import (
    CommitteeFactory,
    GroupFactory,
    PersonFactory,
    PostFactory,
)

from .factories import (
    Role,
    cadre,
    draft_inspection,
    item,
    resident_rep,
    submitted_inspection,
)

pytestmark = pytest.mark.django_db

D = Decimal


def refused_panel(compound, inspector, panel):
    """The panel is refused when it is chosen: no draft is stored."""
    with pytest.raises(ValidationError) as refused:
        draft_inspection(compound, inspector, panel=panel)
    assert not Inspection.objects.filter(compound=compound).exists()
    return refused.value.messages


def test_start_creates_a_row_per_item_of_the_scheme_in_force(compound, street):
    inspection = draft_inspection(compound, cadre(street))
    assert inspection.results.count() == 25
    assert inspection.status == Inspection.Status.DRAFT
    assert inspection.month == timezone.localdate().replace(day=1)
    assert inspection.street == street


def test_submit_scores_and_locks(compound, street):
    inspector = cadre(street)
    inspection = submitted_inspection(
        compound, inspector, occurrences={"A1": 1, "C1": 30}, poll=(8, 2, 0)
    )
    # A1 loses 3, C1 is capped at its 5 points: 92 of 100.
    assert inspection.score == D("92.00")
    assert inspection.status == Inspection.Status.SUBMITTED
    assert inspection.is_locked and inspection.is_current
    c1 = inspection.results.get(item__code="C1")
    assert c1.points == D("0.00")


def test_panel_without_resident_representative_is_refused(compound, street):
    inspector = cadre(street)
    messages = refused_panel(compound, inspector, [(inspector.person, Role.CADRE)])
    assert len(messages) == 1 and "居民代表" in messages[0]


def test_panel_without_cadre_is_refused(compound, street):
    inspector = cadre(street)
    refused_panel(compound, inspector, [(resident_rep(street), Role.RESIDENT_REP)])


@pytest.mark.parametrize("link", ["registered", "grid_post", "group_post", "committee"])
def test_representative_may_not_score_their_own_compound(compound, street, link):
    inspector = cadre(street)
    if link == "registered":
        rep = resident_rep(compound.grid)
    elif link == "grid_post":
        rep = resident_rep(street)
        PostFactory(person=rep, unit=compound.grid, role=Post.Role.BUILDING_HEAD)
    elif link == "group_post":
        rep = resident_rep(street)
        group = GroupFactory(parent=compound.grid)
        PostFactory(person=rep, unit=group, role=Post.Role.SECRETARY)
    else:
        rep = resident_rep(street)
        committee = CommitteeFactory(compound=compound)
        committee.members.create(person=rep, role="member")
    with translation.override("zh-hans"):
        messages = refused_panel(
            compound,
            inspector,
            [(inspector.person, Role.CADRE), (rep, Role.RESIDENT_REP)],
        )
    assert rep.name in " ".join(messages)
    assert "不能为自己所在的小区打分" in " ".join(messages)


def test_representative_from_another_grid_may_score(compound, other_grid, street):
    inspector = cadre(street)
    rep = resident_rep(other_grid)
    inspection = draft_inspection(
        compound,
        inspector,
        panel=[(inspector.person, Role.CADRE), (rep, Role.RESIDENT_REP)],
    )
    submit_inspection(inspection=inspection, actor=inspector)


def test_panel_member_without_the_post_is_refused(compound, street):
    inspector = cadre(street)
    stranger = PersonFactory(unit=street)
    refused_panel(
        compound,
        inspector,
        [(inspector.person, Role.CADRE), (stranger, Role.RESIDENT_REP)],
    )


def test_future_date_is_refused_and_nothing_is_stored(compound, street):
    inspector = cadre(street)
    with pytest.raises(ValidationError) as refused:
        draft_inspection(
            compound, inspector, on=timezone.localdate() + timedelta(days=1)
        )
    assert "date" in refused.value.message_dict
    assert not Inspection.objects.exists()


def test_negative_occurrences_are_refused(compound, street):
    inspector = cadre(street)
    inspection = draft_inspection(compound, inspector)
    with pytest.raises(ValidationError):
        record_item(
            inspection=inspection,
            item=item(inspection, "A1"),
            occurrences=-1,
            actor=inspector,
        )
    assert inspection.results.get(item__code="A1").occurrences == 0


def test_not_applicable_only_where_the_item_allows(compound, street):
    inspector = cadre(street)
    inspection = draft_inspection(compound, inspector)
    with pytest.raises(ValidationError):
        record_item(
            inspection=inspection,
            item=item(inspection, "A1"),
            occurrences=0,
            not_applicable=True,
            actor=inspector,
        )
    record_item(
        inspection=inspection,
        item=item(inspection, "D1"),
        occurrences=0,
        not_applicable=True,
        actor=inspector,
    )
    update_draft(inspection=inspection, actor=inspector, satisfied=10)
    inspection = submit_inspection(inspection=inspection, actor=inspector)
    assert inspection.results.get(item__code="D1").points is None
    assert inspection.score == D("100.00")


def test_small_poll_leaves_the_satisfaction_item_out(compound, street):
    inspection = submitted_inspection(
        compound, cadre(street), occurrences={"A1": 1}, poll=(3, 0, 0)
    )
    assert inspection.results.get(item__code="G1").points is None
    # 82 of 85
    assert inspection.score == D("96.47")


def test_veto_makes_the_score_zero(compound, street):
    inspector = cadre(street)
    inspection = draft_inspection(compound, inspector)
    update_draft(
        inspection=inspection,
        actor=inspector,
        satisfied=10,
        veto=inspection.scheme.vetoes.get(),
        veto_note="燃气爆炸",
    )
    inspection = submit_inspection(inspection=inspection, actor=inspector)
    assert inspection.score == D("0.00")


def test_editing_a_submitted_inspection_is_refused_in_chinese(compound, street):
    inspector = cadre(street)
    inspection = submitted_inspection(compound, inspector)
    before = list(
        InspectionItemResult.objects.filter(inspection=inspection).values_list(
            "occurrences", "points"
        )
    )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        record_item(
            inspection=inspection,
            item=item(inspection, "A1"),
            occurrences=2,
            actor=inspector,
        )
    assert refused.value.code == "locked"
    assert "已提交" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        update_draft(inspection=inspection, actor=inspector, satisfied=0)
    with pytest.raises(ValidationError):
        submit_inspection(inspection=inspection, actor=inspector)
    after = list(
        InspectionItemResult.objects.filter(inspection=inspection).values_list(
            "occurrences", "points"
        )
    )
    assert after == before
    inspection.refresh_from_db()
    assert inspection.satisfied == 8


def test_amendment_creates_version_two_and_only_the_current_counts(compound, street):
    inspector = cadre(street)
    original = submitted_inspection(compound, inspector, occurrences={"A1": 1})
    amendment = amend_inspection(
        inspection=original, reason="A1 记错了", actor=inspector
    )
    assert amendment.version == 2
    assert amendment.supersedes == original
    assert amendment.status == Inspection.Status.DRAFT
    assert amendment.results.get(item__code="A1").occurrences == 1
    assert amendment.panel.count() == 2
    # Until the amendment is submitted, the original still counts.
    assert list(Inspection.objects.scored()) == [original]
    record_item(
        inspection=amendment,
        item=item(amendment, "A1"),
        occurrences=0,
        actor=inspector,
    )
    submit_inspection(inspection=amendment, actor=inspector)
    original.refresh_from_db()
    assert not original.is_current
    assert list(Inspection.objects.scored()) == [amendment]
    amendment.refresh_from_db()
    assert amendment.score == D("100.00")
    assert original.score == D("97.00")


def test_amendment_needs_a_reason(compound, street):
    inspector = cadre(street)
    original = submitted_inspection(compound, inspector)
    with pytest.raises(ValidationError):
        amend_inspection(inspection=original, reason=" ", actor=inspector)
    assert Inspection.objects.count() == 1


def test_company_staff_cannot_start_an_inspection(compound, property_manager):
    with pytest.raises(PermissionDenied):
        start_inspection(
            compound=compound,
            date=timezone.localdate(),
            panel=[],
            actor=property_manager,
        )


def test_company_sees_only_submitted_inspections_of_its_compounds(
    compound, street, property_manager, other_compound
):
    inspector = cadre(street)
    draft = draft_inspection(compound, inspector)
    done = submitted_inspection(compound, inspector)
    submitted_inspection(other_compound, inspector)
    visible = set(Inspection.objects.visible_to(property_manager))
    assert visible == {done}
    assert draft not in Inspection.objects.visible_to(property_manager)
    assert draft in Inspection.objects.visible_to(inspector)


# The phone pages ----------------------------------------------------------


def test_pages_need_a_login(client):
    response = client.get("/assessments/inspections/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")


def post_sheet(client, inspection, occurrences, *, button="save", **headers):
    """Post the draft's sheet: a poll of 10 satisfied households and
    `occurrences` ({item: typed text})."""
    return client.post(
        f"/assessments/inspections/{inspection.pk}/",
        {
            **{f"occ_{item.pk}": text for item, text in occurrences.items()},
            "satisfied": "10",
            "basically_satisfied": "0",
            "dissatisfied": "0",
            button: "1",
        },
        **headers,
    )


def test_sheet_post_records_items_and_submits(client, compound, street):
    inspector = cadre(street)
    inspection = draft_inspection(compound, inspector)
    client.force_login(inspector)
    a1 = item(inspection, "A1")
    response = post_sheet(client, inspection, {a1: "2"}, button="submit")
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.SUBMITTED
    # A1 capped at 3 of 100 points
    assert inspection.score == D("97.00")
    page = client.get(f"/assessments/inspections/{inspection.pk}/")
    assert "97.00" in page.content.decode()


def test_refused_sheet_changes_nothing(client, compound, street):
    inspector = cadre(street)
    inspection = draft_inspection(compound, inspector)
    client.force_login(inspector)
    a1, b1 = item(inspection, "A1"), item(inspection, "B1")
    with translation.override("zh-hans"):
        response = post_sheet(
            client, inspection, {a1: "2", b1: "-1"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    assert response.status_code == 200
    assert inspection.results.get(item=a1).occurrences == 0
    inspection.refresh_from_db()
    assert inspection.satisfied == 0


def test_sheet_with_a_non_number_of_occurrences_is_refused_in_chinese(
    client, compound, street
):
    inspector = cadre(street)
    inspection = draft_inspection(compound, inspector)
    client.force_login(inspector)
    a1 = item(inspection, "A1")
    response = post_sheet(
        client, inspection, {a1: "two"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 200
    assert "A1：次数请填写整数。" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.satisfied == 0


def test_company_user_cannot_open_a_draft(client, compound, street, property_manager):
    inspection = draft_inspection(compound, cadre(street))
    client.force_login(property_manager)
    assert client.get(f"/assessments/inspections/{inspection.pk}/").status_code == 404


def test_submitted_inspection_is_read_only_on_its_page(client, compound, street):
    inspector = cadre(street)
    inspection = submitted_inspection(compound, inspector)
    client.force_login(inspector)
    a1 = item(inspection, "A1")
    response = client.post(
        f"/assessments/inspections/{inspection.pk}/",
        {f"occ_{a1.pk}": "2", "submit": "1"},
    )
    assert response.status_code == 200
    assert inspection.results.get(item=a1).occurrences == 0


def test_start_page_creates_a_draft(client, compound, street):
    inspector = cadre(street)
    rep = resident_rep(street)
    client.force_login(inspector)
    response = client.post(
        f"/assessments/inspections/new/?compound={compound.pk}",
        {
            "compound": compound.pk,
            "date": timezone.localdate().isoformat(),
            "cadres": [inspector.person.pk],
            "resident_reps": [rep.pk],
        },
    )
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert inspection.panel.count() == 2


def test_admin_pages_render_and_inspections_are_read_only(
    client, superuser, compound, street
):
    inspection = submitted_inspection(compound, cadre(street))
    client.force_login(superuser)
    for name in [
        "assessmentscheme",
        "schemecategory",
        "inspection",
        "inspectionplan",
        "rectificationnotice",
    ]:
        assert client.get(f"/admin/assessments/{name}/").status_code == 200
    url = f"/admin/assessments/inspection/{inspection.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url, {"satisfied": "0"}).status_code == 403
    inspection.refresh_from_db()
    assert inspection.satisfied == 8
