import pytest
from django.core.exceptions import ValidationError

from org.models import OrgUnit

from ..factories import CommunityFactory, GridFactory, GroupFactory, StreetFactory

pytestmark = pytest.mark.django_db


def test_grid_under_a_street_is_refused_and_nothing_is_stored(street):
    with pytest.raises(ValidationError) as excinfo:
        OrgUnit.objects.create(kind=OrgUnit.Kind.GRID, name="错位网格", parent=street)
    assert "parent" in excinfo.value.message_dict
    assert not OrgUnit.objects.filter(name="错位网格").exists()


def test_street_cannot_have_a_parent(street):
    with pytest.raises(ValidationError):
        StreetFactory(parent=street, code="")


def test_four_tiers_in_order(street):
    community = CommunityFactory(parent=street)
    grid = GridFactory(parent=community)
    group = GroupFactory(parent=grid)
    assert list(OrgUnit.objects.subtree_of(street)) == [street, community, grid, group]
    assert group.ancestor_of_kind(OrgUnit.Kind.COMMUNITY) == community


def test_grid_code_must_have_15_digits_and_start_with_its_community(community):
    with pytest.raises(ValidationError) as excinfo:
        GridFactory(parent=community, code="37081101200100")
    assert "code" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        GridFactory(parent=community, code="370811099001001")


def test_moving_a_grid_under_a_grid_is_refused(community):
    grid = GridFactory(parent=community)
    other = GridFactory(parent=community)
    grid.parent = other
    with pytest.raises(ValidationError):
        grid.save()


def test_a_misplaced_unit_gets_a_chinese_message(street):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as excinfo:
        OrgUnit(kind=OrgUnit.Kind.GROUP, name="错位党小组", parent=street).full_clean()
    assert (
        "楼院党小组必须直接隶属于网格党支部" in excinfo.value.message_dict["parent"][0]
    )


def test_a_street_cannot_be_moved_under_another_street(street):
    community = CommunityFactory(parent=street)
    other_street = StreetFactory()
    street.parent = other_street
    with pytest.raises(ValidationError):
        street.save()
    assert OrgUnit.objects.get(pk=street.pk).parent is None
    assert community.parent == street


def test_a_street_code_has_nine_digits():
    with pytest.raises(ValidationError) as excinfo:
        StreetFactory(code="37081101")
    assert "code" in excinfo.value.message_dict


def test_a_cross_appointment_seat_has_one_holder_at_a_time(grid):
    from org.models import CrossAppointment

    from ..factories import PersonFactory

    CrossAppointment.objects.create(
        branch=grid,
        seat="community",
        person=PersonFactory(),
        source_organisation="社区",
    )
    second = CrossAppointment(
        branch=grid,
        seat="community",
        person=PersonFactory(),
        source_organisation="社区",
    )
    with pytest.raises(ValidationError):
        second.full_clean()
