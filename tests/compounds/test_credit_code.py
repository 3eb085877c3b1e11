"""Unified social credit codes: checked with their check character."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from compounds.models import PropertyCompany

from ..factories import credit_code

pytestmark = pytest.mark.django_db


def company(street, code):
    return PropertyCompany(name="测试物业", credit_code=code, registered_with=street)


def test_a_good_code_is_accepted_and_normalised(street):
    good = credit_code(77)
    candidate = company(street, f" {good.lower()} ")
    candidate.full_clean()
    candidate.save()
    assert PropertyCompany.objects.get().credit_code == good


def test_a_wrong_check_character_is_refused_in_chinese(street):
    good = credit_code(78)
    bad = good[:-1] + ("A" if good[-1] != "A" else "B")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as excinfo:
        company(street, bad).full_clean()
    assert excinfo.value.error_dict["credit_code"][0].code == "invalid_credit_code"
    with translation.override("zh-hans"):
        assert (
            "不是有效的统一社会信用代码" in excinfo.value.message_dict["credit_code"][0]
        )
    assert not PropertyCompany.objects.exists()
