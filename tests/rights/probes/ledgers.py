from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from compounds.models import Compound, PropertyCompany, ServiceContract

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


def _upload_then_confirm(client, target):
    dry = client.post(target["url"], {"workbook": _xlsx(*target["rows"])})
    if dry.status_code >= 400:
        return dry
    return client.post(target["url"], {"token": dry.context["token"]})


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
]
