"""Admin history and filters read in Chinese, whatever language saved them."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import override

from org.history import _field_names, change_message, field_label

from ..factories import PropertyCompanyFactory
from ..rights.probes import form_data

pytestmark = pytest.mark.django_db
OUR_APPS = {"org", "compounds", "consultations", "civic", "open311", "assessments"}
CJK = re.compile("[\u4e00-\u9fff]")


def test_a_change_saved_in_english_reads_in_chinese(client, street_admin, street):
    company = PropertyCompanyFactory(registered_with=street, party_member_count=1)
    client.force_login(street_admin)
    url = reverse("admin:compounds_propertycompany_change", args=[company.pk])
    data = form_data(client, url, party_member_count=4, address="济阳大街1号")
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302, response.context["adminform"].form.errors

    history = client.get(
        reverse("admin:compounds_propertycompany_history", args=[company.pk]),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()

    assert "党员人数" in history and "地址" in history
    assert "Party members" not in history and "Address" not in history


def test_history_names_fields_stored_by_name_or_label():
    entry = LogEntry(
        change_message='[{"changed": {"fields": ["Party members", "address"]}}]'
    )
    entry.content_type_id = None
    with override("zh-hans"):
        from compounds.models import PropertyCompany

        names = _field_names(PropertyCompany)
        assert field_label("Party members", names) == "党员人数"
        assert field_label("address", names) == "地址"
        assert entry.get_change_message() == "已修改 Party members 和 地址。"
        assert change_message(entry) == "已修改 党员人数 和 地址。"


def test_every_admin_field_label_reads_in_chinese():
    missing = []
    for model in admin.site._registry:
        if model._meta.app_label not in OUR_APPS:
            continue
        with override(None):
            stored = {
                str(capfirst(field.verbose_name)): field.name
                for field in model._meta.concrete_fields
                if field.editable and not field.auto_created
            }
        with override("zh-hans"):
            names = _field_names(model)
            for label, name in stored.items():
                if not CJK.search(field_label(label, names)):
                    missing.append(f"{model._meta.label}.{name}")
    assert missing == []


def test_list_filters_say_by_in_chinese(client, street_admin):
    client.force_login(street_admin)

    page = client.get(reverse("admin:org_person_changelist")).content.decode()

    assert "按性别" in page and "按党员" in page
    assert "以 " not in page
