from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from openpyxl import Workbook

from compounds.models import (
    BuildingHead,
    Committee,
    Compound,
    Facility,
    PropertyCompany,
    ServiceContract,
    ServicePackage,
)
from consultations.deadlines import CalendarOverride
from org.models import OrgUnit, Post

from ...factories import credit_code
from . import Probe


def _xlsx(*rows) -> SimpleUploadedFile:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = BytesIO()
    book.save(out)
    return SimpleUploadedFile("ledger.xlsx", out.getvalue())


def _compounds_file(world):
    grid = world["grid"]
    return {
        "url": reverse("compounds:ledger-import", args=["compounds"]),
        "rows": (
            ("小区名称", "社区", "网格", "类型", "管理方式"),
            ("台账导入的小区", grid.parent.name, grid.name, "老旧小区", "楼长"),
        ),
    }


def _companies_file(world):
    return {
        "url": reverse("compounds:ledger-import", args=["companies"]),
        "rows": (
            ("统一社会信用代码", "企业名称"),
            (credit_code(4242), "台账导入的物业公司"),
        ),
    }


def _contracts_file(world):
    compound = world["compound"]
    return {
        "url": reverse("compounds:ledger-import", args=["contracts"]),
        "rows": (
            ("社区", "小区名称", "统一社会信用代码", "开始日期", "结束日期"),
            (
                compound.community.name,
                compound.name,
                world["company"].credit_code,
                "2001-01-01",
                "2001-12-31",
            ),
        ),
        "compound": compound,
    }


def _file(slug, *rows, **extra):
    def arrange(world):
        return {
            "url": reverse("compounds:ledger-import", args=[slug]),
            "rows": tuple(row(world) if callable(row) else row for row in rows),
            **{name: value(world) for name, value in extra.items()},
        }

    return arrange


def _compound_cells(world):
    return (world["compound"].community.name, world["compound"].name)


def _upload_then_confirm(client, target):
    """Upload (the dry run is a job, run after the request commits; the
    upload leads to its page), then confirm the job."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        dry = client.post(target["url"], {"workbook": _xlsx(*target["rows"])})
    if dry.status_code >= 400:
        return dry
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(f"{dry['Location']}confirm/")


PROBES = [
    Probe(
        "compounds.import_compounds",
        "page",
        arrange=_compounds_file,
        act=_upload_then_confirm,
        happened=lambda target: Compound.objects.filter(name="台账导入的小区").exists(),
    ),
    Probe(
        "compounds.import_companies",
        "page",
        arrange=_companies_file,
        act=_upload_then_confirm,
        happened=lambda target: PropertyCompany.objects.filter(
            name="台账导入的物业公司"
        ).exists(),
    ),
    Probe(
        "compounds.import_contracts",
        "page",
        arrange=_contracts_file,
        act=_upload_then_confirm,
        happened=lambda target: ServiceContract.objects.filter(
            compound=target["compound"], start="2001-01-01"
        ).exists(),
    ),
    Probe(
        "compounds.import_packages",
        "page",
        arrange=_file(
            "packages",
            ("片区名称", "统一社会信用代码", "社区", "牵头小区", "开始日期"),
            lambda w: (
                "台账导入的片区",
                w["company"].credit_code,
                *_compound_cells(w),
                "2001-01-01",
            ),
        ),
        act=_upload_then_confirm,
        happened=lambda target: ServicePackage.objects.filter(
            name="台账导入的片区"
        ).exists(),
    ),
    Probe(
        "compounds.import_committees",
        "page",
        arrange=_file(
            "committees",
            (
                "社区",
                "小区名称",
                "委员会名称",
                "类型",
                "成立日期",
                "本届开始",
                "本届结束",
            ),
            lambda w: (
                *_compound_cells(w),
                "台账导入的业委会",
                "业委会",
                "2001-01-01",
                "2001-01-01",
                "2001-12-31",
            ),
        ),
        act=_upload_then_confirm,
        happened=lambda target: Committee.objects.filter(
            name="台账导入的业委会"
        ).exists(),
    ),
    Probe(
        "compounds.import_building_heads",
        "page",
        arrange=_file(
            "building-heads",
            ("社区", "小区名称", "楼栋", "姓名"),
            lambda w: (*_compound_cells(w), "台账9号楼", "台账楼长"),
        ),
        act=_upload_then_confirm,
        happened=lambda target: BuildingHead.objects.filter(
            building="台账9号楼"
        ).exists(),
    ),
    Probe(
        "compounds.import_facilities",
        "page",
        arrange=_file(
            "facilities",
            ("类型", "社区", "小区名称", "位置"),
            lambda w: ("智能门禁", *_compound_cells(w), "台账导入的门禁"),
        ),
        act=_upload_then_confirm,
        happened=lambda target: Facility.objects.filter(
            location="台账导入的门禁"
        ).exists(),
    ),
    Probe(
        "org.edit_tree",
        "page",
        name="ledger",
        arrange=_file(
            "units",
            ("层级", "名称", "上级单位"),
            lambda w: ("网格", "台账导入的网格", w["community"].code),
        ),
        act=_upload_then_confirm,
        happened=lambda target: OrgUnit.objects.filter(name="台账导入的网格").exists(),
    ),
    Probe(
        "org.edit_people",
        "page",
        name="ledger",
        arrange=_file(
            "staff",
            ("任职单位", "职务", "姓名"),
            lambda w: (w["grid"].code, "网格员", "台账导入的网格员"),
        ),
        act=_upload_then_confirm,
        happened=lambda target: Post.objects.filter(
            person__name="台账导入的网格员"
        ).exists(),
    ),
    Probe(
        "calendar.edit_holidays",
        "page",
        name="ledger",
        arrange=_file("holidays", ("日期", "类型"), ("2031.1.2", "放假")),
        act=_upload_then_confirm,
        happened=lambda target: CalendarOverride.objects.filter(
            date="2031-01-02"
        ).exists(),
    ),
]
