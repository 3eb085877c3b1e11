"""The default 100-point scheme in 7 categories (《物业管理工作考核办法》).

`ensure_default_scheme()` runs after every migrate (see `apps.py`) and may
run any number of times: it creates version 1 once and never touches it
again, since a scheme in use is frozen.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction

from .models import (
    AssessmentScheme,
    PrizeTier,
    SchemeCategory,
    SchemeItem,
    VetoRule,
)

DEFAULT_SCHEME_NAME = "物业管理工作考核办法"
DEFAULT_VALID_FROM = date(2022, 1, 1)

D = Decimal

# code, name, name_en, max, [(code, name, name_en, max, deduction, rule,
# allows_na, is_poll)]
CATEGORIES = [
    (
        "A",
        "党建引领",
        "Party-building leadership",
        D("10"),
        [
            (
                "A1",
                "成立党组织或选派党建指导员，交叉任职落实",
                "Party organisation or party-building instructor in place, cross-appointment done",
                D("3"),
                D("3"),
                "缺失扣3分",
                False,
                False,
            ),
            (
                "A2",
                "每月召开物业联席会议并有记录",
                "Joint property meeting held monthly with minutes",
                D("3"),
                D("1"),
                "未召开扣3分（计3次）；记录不全扣1分",
                False,
                False,
            ),
            (
                "A3",
                "党员亮身份（挂牌、设岗、承诺公示）",
                "Party members on duty with badges, posts and undertakings displayed",
                D("2"),
                D("1"),
                "每缺一岗扣1分",
                False,
                False,
            ),
            (
                "A4",
                "项目经理走访日（每月第二个周六）及敲门行动记录",
                "Project-manager visit day (2nd Saturday) and door-knock records",
                D("2"),
                D("1"),
                "每缺一次走访日扣1分",
                True,
                False,
            ),
        ],
    ),
    (
        "B",
        "综合管理与客户服务",
        "General management & customer service",
        D("15"),
        [
            (
                "B1",
                "设服务台有人值守，公布24小时服务电话",
                "Service desk staffed and 24 h hotline published",
                D("3"),
                D("1"),
                "每发现一处缺失扣1分",
                False,
                False,
            ),
            (
                "B2",
                "公示栏及时更新（服务内容、收费标准、公共收益、联系方式）",
                "Disclosure board up to date (services, fees, public income, contacts)",
                D("4"),
                D("1"),
                "每缺一项扣1分",
                False,
                False,
            ),
            (
                "B3",
                "报修投诉台账完整、按时办结",
                "Repair and complaint ledger complete, closed on time",
                D("4"),
                D("0.5"),
                "每超期一单扣0.5分",
                False,
                False,
            ),
            (
                "B4",
                "居民诉求2个工作日内响应",
                "Concern response within 2 working days",
                D("4"),
                D("1"),
                "每迟延一件扣1分",
                False,
                False,
            ),
        ],
    ),
    (
        "C",
        "房屋及共用设施设备",
        "Building & shared facilities",
        D("25"),
        [
            (
                "C1",
                "屋面、外墙、楼道无渗漏破损",
                "Roof, walls and stairwells free of leaks and damage",
                D("5"),
                D("0.2"),
                "每处扣0.2分",
                False,
                False,
            ),
            (
                "C2",
                "道路及井盖完好",
                "Roads and manhole covers",
                D("4"),
                D("0.5"),
                "每处扣0.5分",
                False,
                False,
            ),
            (
                "C3",
                "排水管道、化粪池通畅",
                "Drains and sewers clear",
                D("4"),
                D("0.5"),
                "每处扣0.5分",
                False,
                False,
            ),
            (
                "C4",
                "公共照明完好率≥90%",
                "Public lighting at least 90% working",
                D("4"),
                D("0.5"),
                "每低于1个百分点扣0.5分",
                False,
                False,
            ),
            (
                "C5",
                "门禁、道闸、车棚运行正常",
                "Access control, barrier gates and bike sheds working",
                D("4"),
                D("0.5"),
                "每处扣0.5分",
                True,
                False,
            ),
            (
                "C6",
                "电动车充电桩运行正常，无飞线充电",
                "E-bike charging piles working; no flying-wire charging",
                D("4"),
                D("0.5"),
                "每处飞线扣0.5分",
                True,
                False,
            ),
        ],
    ),
    (
        "D",
        "公共秩序与安全",
        "Order & safety",
        D("15"),
        [
            (
                "D1",
                "门岗值守到位（封闭小区）",
                "Duty post staffed (closed compounds)",
                D("4"),
                D("0.5"),
                "每发现脱岗、睡岗一次扣0.5分",
                True,
                False,
            ),
            (
                "D2",
                "外来人员登记",
                "Visitor registration",
                D("3"),
                D("1"),
                "无制度扣2分（计2次）；执行不严扣1分",
                False,
                False,
            ),
            (
                "D3",
                "停车有序，消防通道畅通",
                "Parking order, fire lanes clear",
                D("4"),
                D("0.5"),
                "每处违停扣0.5分",
                False,
                False,
            ),
            (
                "D4",
                "消防设施及燃气安全（含液化气改管道气进度）",
                "Fire equipment and gas safety (including LPG-to-pipeline progress)",
                D("4"),
                D("1"),
                "每处隐患扣1分",
                False,
                False,
            ),
        ],
    ),
    (
        "E",
        "环境卫生",
        "Sanitation",
        D("15"),
        [
            (
                "E1",
                "道路及公共区域干净整洁",
                "Roads and public areas clean",
                D("5"),
                D("0.2"),
                "每处扣0.2分",
                False,
                False,
            ),
            (
                "E2",
                "垃圾日产日清、分类投放",
                "Garbage cleared daily and sorted",
                D("4"),
                D("0.5"),
                "未日产日清每次扣0.5分",
                False,
                False,
            ),
            (
                "E3",
                "楼道无杂物堆放、无小广告",
                "Stairwells clear of clutter and small ads",
                D("4"),
                D("0.2"),
                "每处扣0.2分",
                False,
                False,
            ),
            (
                "E4",
                "定期消杀",
                "Periodic pest control and disinfection",
                D("2"),
                D("1"),
                "未开展扣1分",
                False,
                False,
            ),
        ],
    ),
    (
        "F",
        "绿化养护",
        "Greening",
        D("5"),
        [
            (
                "F1",
                "绿地无侵占、无毁损",
                "No encroachment or damage",
                D("2"),
                D("0.5"),
                "每处扣0.5分",
                True,
                False,
            ),
            (
                "F2",
                "植物长势良好、修剪及时",
                "Plants healthy and trimmed",
                D("3"),
                D("0.1"),
                "每处扣0.1分",
                True,
                False,
            ),
        ],
    ),
    (
        "G",
        "居民满意度",
        "Resident satisfaction",
        D("15"),
        [
            (
                "G1",
                "居民代表现场随机测评（不少于10户）",
                "On-site spot poll of at least 10 households by resident representatives",
                D("15"),
                D("0"),
                "得分 = 15 × 满意率（满意＋基本满意）",
                False,
                True,
            ),
        ],
    ),
]

VETOES = [("V1", "发生重大安全事故", "Major safety incident")]

PRIZES = [
    (1, "一等奖", "First prize", D("5000")),
    (2, "二等奖", "Second prize", D("3000")),
    (3, "三等奖", "Third prize", D("2000")),
]


# The quarter formula (SCORING.md, "Quarter"): the poll scores as item G1,
# the residents' ratings make the satisfaction term. A term with fewer
# answers than its minimum takes the inspection average (neutral).
DEFAULT_QUARTER_TERMS = {
    "poll_role": "item",
    "weight_inspection": D("0.60"),
    "weight_satisfaction": D("0.20"),
    "weight_concern_timeliness": D("0.10"),
    "weight_reopen_rate": D("0.05"),
    "weight_visit_day": D("0.05"),
    "satisfaction_min_answers": 5,
    "concern_timeliness_min_answers": 5,
    "reopen_rate_min_answers": 5,
    "visit_day_min_answers": 1,
}


@transaction.atomic
def ensure_default_scheme():
    """Create version 1 of the default scheme unless it exists; return it."""
    existing = AssessmentScheme.objects.filter(name=DEFAULT_SCHEME_NAME).order_by(
        "version"
    )
    if existing.exists():
        return existing.first()
    scheme = AssessmentScheme.objects.create(
        name=DEFAULT_SCHEME_NAME,
        version=1,
        valid_from=DEFAULT_VALID_FROM,
        description=(
            "月度暗访百分制，7大类；扣分＝每次扣分×次数，以该项分值为限；"
            "发生重大安全事故当月得0分；每季度加分不超过5分。"
            "季度得分：暗访60%、居民满意度20%、诉求按时办结10%、"
            "重办率5%、走访日5%。"
        ),
        **DEFAULT_QUARTER_TERMS,
    )
    for order, (code, name, name_en, max_points, items) in enumerate(CATEGORIES):
        category = SchemeCategory.objects.create(
            scheme=scheme,
            code=code,
            name=name,
            name_en=name_en,
            max_points=max_points,
            order=order,
        )
        SchemeItem.objects.bulk_create(
            SchemeItem(
                category=category,
                code=item_code,
                name=item_name,
                name_en=item_en,
                max_points=item_max,
                deduction=deduction,
                rule=rule,
                allows_na=allows_na,
                is_satisfaction_poll=is_poll,
                order=i,
            )
            for i, (
                item_code,
                item_name,
                item_en,
                item_max,
                deduction,
                rule,
                allows_na,
                is_poll,
            ) in enumerate(items)
        )
    VetoRule.objects.bulk_create(
        VetoRule(scheme=scheme, code=code, name=name, name_en=name_en)
        for code, name, name_en in VETOES
    )
    PrizeTier.objects.bulk_create(
        PrizeTier(scheme=scheme, rank=rank, title=title, title_en=en, amount=amount)
        for rank, title, en, amount in PRIZES
    )
    return scheme


def ensure_default_scheme_after_migrate(sender, using="default", **kwargs) -> None:
    """`post_migrate` receiver (connected in `apps.py`)."""
    if using == "default":
        ensure_default_scheme()
