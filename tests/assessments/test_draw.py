from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from assessments.draw import derive_plan, draw_month, verify_plan
from assessments.models import AssessmentScheme, InspectionPlan, PlannedVisit
from tests.factories import CompoundFactory, GridFactory, ServiceContractFactory

from .factories import cadre, default_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_july_2026():
    with time_machine.travel(date(2026, 7, 1), tick=False):
        yield


@pytest.fixture
def seven_compounds(grid, other_grid):
    default_scheme()
    return [CompoundFactory(grid=g) for g in [grid, other_grid] * 3 + [grid]]


@pytest.fixture
def drawer(street):
    return cadre(street)


def drawn(plan) -> set[int]:
    return set(plan.visits.values_list("compound_id", flat=True))


def draw_quarter(street, drawer, start_month=7):
    return [
        draw_month(
            street=street,
            month=date(2026, m, 1),
            seed=f"seed-{m}",
            actor=drawer,
        )
        for m in range(start_month, start_month + 3)
    ]


def test_the_draw_is_reproducible_from_its_seed(street, seven_compounds, drawer):
    plan = draw_month(street=street, month=date(2026, 7, 1), actor=drawer)
    assert len(plan.seed) == 32
    assert len(plan.plan_hash) == 64
    assert verify_plan(plan)


def test_a_changed_plan_fails_verification(street, seven_compounds, drawer):
    plan = draw_month(street=street, month=date(2026, 7, 1), actor=drawer)
    visit = plan.visits.first()
    spare = next(c for c in seven_compounds if c.pk not in drawn(plan))
    visit.compound = spare
    visit.save()
    assert not verify_plan(plan)


def test_same_seed_gives_the_same_plan(street, other_community, seven_compounds):
    # Same candidates, same seed, same month: same visits and hash.
    first = draw_month(
        street=street, month=date(2026, 7, 1), seed="abc", actor=cadre(street)
    )
    visits = sorted(first.visits.values_list("compound", "window_start"))
    hash_ = first.plan_hash
    first.delete()
    again = draw_month(
        street=street, month=date(2026, 7, 1), seed="abc", actor=cadre(street)
    )
    assert sorted(again.visits.values_list("compound", "window_start")) == visits
    assert again.plan_hash == hash_


def no_second_visits():
    AssessmentScheme.objects.update(second_visit_percent=0)


def test_without_second_visits_every_compound_is_drawn_once_a_quarter(
    street, seven_compounds, drawer
):
    no_second_visits()
    plans = draw_quarter(street, drawer)
    counts = [len(drawn(p)) for p in plans]
    assert counts == [3, 2, 2]
    everyone = set().union(*(drawn(p) for p in plans))
    assert everyone == {c.pk for c in seven_compounds}


def test_every_compound_is_drawn_at_least_once_a_quarter(
    street, seven_compounds, drawer
):
    for start in (7, 10):
        with time_machine.travel(date(2026, start, 1), tick=False):
            plans = draw_quarter(street, drawer, start_month=start)
        everyone = set().union(*(drawn(p) for p in plans))
        assert everyone == {c.pk for c in seven_compounds}
        assert all(verify_plan(p) for p in plans)


def test_without_second_visits_no_compound_is_drawn_twice_in_a_row(
    street, seven_compounds, drawer
):
    no_second_visits()
    plans = draw_quarter(street, drawer)
    with time_machine.travel(date(2026, 9, 15), tick=False):
        october = draw_month(
            street=street, month=date(2026, 10, 1), seed="x", actor=drawer
        )
    assert not drawn(plans[0]) & drawn(plans[1])
    assert not drawn(plans[1]) & drawn(plans[2])
    assert not drawn(plans[2]) & drawn(october)


def test_second_visits_come_at_the_documented_rate():
    # 400 fixed seeds × 50 compounds already visited: 20,000 chances of
    # 20 % each (standard deviation 0.3 points), the same on every run.
    covered = list(range(100, 150))
    seconds = 0
    for n in range(400):
        plan = derive_plan(
            month=date(2026, 11, 1),
            seed=f"rate-{n}",
            candidates=list(range(1, 11)),
            quota=5,
            second_candidates=covered,
            second_percent=20,
        )
        chosen = [v.compound_id for v in plan]
        assert len(chosen) == len(set(chosen))
        assert len([pk for pk in chosen if pk < 100]) == 5
        seconds += len([pk for pk in chosen if pk >= 100])
    assert 0.19 <= seconds / 20_000 <= 0.21


def test_a_plan_without_second_candidates_takes_no_second_visit():
    plain = derive_plan(
        month=date(2026, 8, 1), seed="s", candidates=[1, 2, 3, 4], quota=2
    )
    none_eligible = derive_plan(
        month=date(2026, 8, 1),
        seed="s",
        candidates=[1, 2, 3, 4],
        quota=2,
        second_candidates=[],
        second_percent=100,
    )
    assert plain == none_eligible
    assert len(plain) == 2


def test_a_visit_last_month_may_be_followed_by_a_second_one(
    street, seven_compounds, drawer
):
    AssessmentScheme.objects.update(second_visit_percent=100)
    july, august, september = draw_quarter(street, drawer)
    assert drawn(august) >= drawn(july)
    assert drawn(september) == {c.pk for c in seven_compounds}
    assert set(september.second_visit_candidates) == drawn(july) | drawn(august)
    assert september.second_visit_percent == 100
    assert all(verify_plan(p) for p in (july, august, september))


def test_december_draws_compounds_served_by_a_company(street, grid, drawer):
    # The company-served compounds were all visited in October, as in the
    # demo street; December still draws some of them, for most seeds.
    default_scheme()
    served = [ServiceContractFactory(compound__grid=grid).compound for _ in range(10)]
    unserved = [CompoundFactory(grid=grid) for _ in range(4)]
    with time_machine.travel(date(2026, 10, 1), tick=False):
        october = InspectionPlan.objects.create(
            street=street, month=date(2026, 10, 1), seed="o", plan_hash="x" * 64
        )
        PlannedVisit.objects.bulk_create(
            PlannedVisit(
                plan=october,
                compound=c,
                window_start=date(2026, 10, 1),
                window_end=date(2026, 10, 7),
            )
            for c in served
        )
    with_company = 0
    with time_machine.travel(date(2026, 12, 1), tick=False):
        for n in range(10):
            december = draw_month(
                street=street, month=date(2026, 12, 1), seed=f"dec-{n}", actor=drawer
            )
            chosen = drawn(december)
            assert {c.pk for c in unserved} <= chosen
            assert verify_plan(december)
            with_company += bool(chosen & {c.pk for c in served})
            december.delete()
    assert with_company >= 7


def test_a_changed_second_visit_input_fails_verification(
    street, seven_compounds, drawer
):
    AssessmentScheme.objects.update(second_visit_percent=100)
    september = draw_quarter(street, drawer)[2]
    assert verify_plan(september)
    september.second_visit_percent = 0
    assert not verify_plan(september)
    september.refresh_from_db()
    september.second_visit_candidates = september.second_visit_candidates[1:]
    assert not verify_plan(september)
    september.refresh_from_db()
    september.visits.filter(compound_id=september.second_visit_candidates[0]).delete()
    assert not verify_plan(september)


def test_visit_windows_lie_inside_the_month(street, seven_compounds, drawer):
    plan = draw_month(street=street, month=date(2026, 7, 1), actor=drawer)
    for visit in plan.visits.all():
        assert date(2026, 7, 1) <= visit.window_start <= visit.window_end
        assert visit.window_end <= date(2026, 7, 31)


def test_a_month_is_drawn_once(street, seven_compounds, drawer):
    draw_month(street=street, month=date(2026, 7, 1), actor=drawer)
    with pytest.raises(ValidationError):
        draw_month(street=street, month=date(2026, 7, 1), actor=drawer)


def test_a_past_month_cannot_be_drawn(street, seven_compounds, drawer):
    with pytest.raises(ValidationError):
        draw_month(street=street, month=date(2026, 6, 1), actor=drawer)


def test_only_street_cadres_may_draw(
    street, seven_compounds, inspector, grid_secretary
):
    for user in (inspector, grid_secretary):
        with pytest.raises(PermissionDenied):
            draw_month(street=street, month=date(2026, 7, 1), actor=user)
    assert not InspectionPlan.objects.exists()


def test_company_users_never_see_a_plan(
    street, seven_compounds, drawer, property_manager, inspector, grid_secretary
):
    draw_month(street=street, month=date(2026, 7, 1), actor=drawer)
    assert InspectionPlan.objects.visible_to(drawer).count() == 1
    for user in (property_manager, inspector, grid_secretary):
        assert not InspectionPlan.objects.visible_to(user).exists()
        assert not PlannedVisit.objects.visible_to(user).exists()


def test_company_staff_holding_a_street_post_still_see_no_plan(
    street, seven_compounds, drawer, property_manager
):
    from org.models import Post
    from tests.factories import PostFactory

    PostFactory(person=property_manager.person, unit=street, role=Post.Role.INSPECTOR)
    draw_month(street=street, month=date(2026, 7, 1), actor=drawer)
    vars(property_manager).pop("scope", None)  # drop a scope cached earlier
    assert not InspectionPlan.objects.visible_to(property_manager).exists()


def test_plans_of_another_street_stay_hidden(street, seven_compounds, drawer):
    far = GridFactory().parent.parent
    other_drawer = cadre(far)
    draw_month(street=street, month=date(2026, 7, 1), actor=drawer)
    assert not InspectionPlan.objects.visible_to(other_drawer).exists()


def test_company_user_gets_404_for_a_plan_in_the_admin(
    client, street, seven_compounds, drawer, property_manager
):
    from django.contrib.auth.models import Permission

    plan = draw_month(street=street, month=date(2026, 7, 1), actor=drawer)
    property_manager.user_permissions.add(
        Permission.objects.get(codename="view_inspectionplan")
    )
    client.force_login(property_manager)
    url = f"/admin/assessments/inspectionplan/{plan.pk}/change/"
    assert client.get(url).status_code == 404
    listing = client.get("/admin/assessments/inspectionplan/")
    assert plan.seed not in listing.content.decode()


def test_phone_pages_show_no_planned_visit_to_company_users(
    client, street, seven_compounds, drawer, property_manager
):
    plan = draw_month(street=street, month=date(2026, 7, 1), actor=drawer)
    name = plan.visits.first().compound.name
    client.force_login(drawer)
    assert name in client.get("/assessments/inspections/").content.decode()
    client.force_login(property_manager)
    response = client.get("/assessments/inspections/")
    assert response.status_code == 403
    assert name not in client.get("/assessments/rectifications/").content.decode()


def test_cadre_draws_a_month_on_the_plans_page(client, street, seven_compounds, drawer):
    client.force_login(drawer)
    response = client.post(
        "/assessments/inspections/plans/", {"street": street.pk, "month": "2026-07"}
    )
    assert response.status_code == 302
    plan = InspectionPlan.objects.get()
    assert verify_plan(plan)
    page = client.get("/assessments/inspections/plans/").content.decode()
    assert plan.visits.first().compound.name in page


def test_plans_page_is_closed_to_company_users_and_representatives(
    client, street, seven_compounds, property_manager, inspector
):
    for user in (property_manager, inspector):
        client.force_login(user)
        assert client.get("/assessments/inspections/plans/").status_code == 403
