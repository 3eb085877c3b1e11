"""Demo data of the consultations app: a year of the demo street's concerns,
visit days, tea tables, joint property meetings and disclosures.

Everything goes through the services, each step run on a demo clock set to
the moment it happened, so events, deadlines and overdue flags are what the
portal would have recorded. The plan is drawn from a fixed seed; each row
is found by a natural key before it is made, so loading twice changes
nothing.
"""

import heapq
import random
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import time_machine
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from civic import services as civic_services
from civic.models import (
    ActionItem,
    Disclosure,
    Meeting,
    MeetingAgendaItem,
    VisitNeed,
    VisitReport,
)
from common.periods import Month, Quarter
from compounds.models import Compound, ServiceContract
from consultations import services
from consultations.deadlines import add_working_days
from consultations.models import (
    Concern,
    ConcernCategory,
    ConcernEvent,
    Notification,
    Theme,
)
from consultations.models.concerns import new_tracking_code
from org.models import OrgUnit, User

SEED = "jiyang-demo-consultations"

# The article's examples: "有效解决了外墙保温、小区封闭、车辆停放、卫生提升等问题40余件".
# Each description names its theme, so the resolved ones can be counted.
ARTICLE_EXAMPLES: dict[str, tuple[str, list[str], list[str]]] = {
    "外墙保温": (
        "facility_repair",
        [
            "{b}号楼北侧外墙保温层大面积空鼓脱落，刮风时有碎块掉下来，楼下走路不安全。",
            "{b}号楼外墙保温板开裂渗水，顶层住户家里墙面发霉，希望尽快修复。",
            "{b}号楼山墙外墙保温层鼓包，下雨后往屋里渗水，老人住着不放心。",
        ],
        [
            "经联席会议议定使用专项维修资金，施工队已对{b}号楼外墙保温层空鼓部位全部铲除并重新粘贴，现场已验收。",
            "已对{b}号楼外墙保温开裂部位重新做防水和保温，住户室内墙面由物业协助粉刷。",
        ],
    ),
    "小区封闭": (
        "property_service",
        [
            "小区四面敞开，外来车辆和人员随意穿行，居民希望实施小区封闭管理，加装门禁。",
            "小区东侧围墙倒塌多年没有修，小区封闭不起来，夜里经常有陌生人进出。",
            "希望推进小区封闭改造，把南北两个豁口封上，只留一个大门并安排值守。",
        ],
        [
            "小区封闭改造已完成：补砌围墙，主出入口安装智能门禁和道闸，物业安排24小时值守。",
            "经居民协商同意，已封堵豁口，实行小区封闭管理，居民刷卡或人脸识别出入。",
        ],
    ),
    "车辆停放": (
        "parking",
        [
            "{b}号楼前车辆停放杂乱，占用消防通道，救护车进不来。",
            "小区门口车辆停放无序，早晚高峰进出困难，希望划线规范停车。",
            "{b}号楼东侧电动车和汽车乱停乱放，车辆停放堵住单元门口。",
        ],
        [
            "物业已重新施划停车位和消防通道标线，安排巡查劝导，车辆停放秩序明显好转。",
            "经协商在空地增设停车位，消防通道设置隔离桩，车辆停放已规范。",
        ],
    ),
    "卫生提升": (
        "sanitation",
        [
            "{b}号楼楼道堆放杂物，垃圾清运不及时，希望开展卫生提升。",
            "小区垃圾桶周边污水横流、异味重，盼望卫生提升整治。",
            "{b}号楼后面卫生死角多年无人清理，蚊蝇多，请安排卫生提升。",
        ],
        [
            "物业组织集中清理楼道杂物和卫生死角，垃圾改为每日两次清运，卫生提升效果经居民确认。",
            "已对垃圾桶点位冲洗消毒并加盖，安排专人保洁，卫生提升后居民表示满意。",
        ],
    ),
}
ARTICLE_RESOLVED_PER_THEME = 12
# Themes whose cases were decided at a meeting with an action item.
WORKS_THEMES = ("外墙保温", "小区封闭")

# Everyday concerns across categories: (category, description, answer).
EVERYDAY = [
    ("sanitation", "{b}号楼单元门口垃圾桶满了两天没人清理。", "已清运并调整清运时间。"),
    ("parking", "有车辆长期停在{b}号楼消防通道上。", "已联系车主挪车并张贴提示。"),
    ("facility_repair", "{b}号楼楼道灯坏了，晚上上下楼看不见。", "已更换楼道声控灯。"),
    ("facility_repair", "{b}号楼下水道堵塞，一楼返水。", "已疏通下水管道并清理污水。"),
    (
        "facility_repair",
        "小区主干道路面坑洼，下雨积水。",
        "已修补路面坑洼，疏通雨水口。",
    ),
    (
        "ev_charging",
        "{b}号楼有人从窗户拉电线给电动车飞线充电，很危险。",
        "已劝导拆除飞线，引导到充电桩充电。",
    ),
    ("ev_charging", "小区充电桩不够用，晚上排队充电。", "已协调增设一组平价充电桩。"),
    (
        "fire_gas_safety",
        "{b}号楼楼道里堆放纸箱，存在消防隐患。",
        "已清理楼道堆放物并开展消防宣传。",
    ),
    ("fire_gas_safety", "{b}号楼灭火器过期了，希望更换。", "已更换全部过期灭火器。"),
    ("greening", "小区绿化带杂草丛生，好久没修剪。", "已修剪绿化带并清除杂草。"),
    ("greening", "{b}号楼前的树枝挡住窗户，影响采光。", "已联系园林部门修剪树枝。"),
    ("noise", "楼下商铺晚上音响声音太大，影响休息。", "社区已约谈商户，调整营业音量。"),
    (
        "neighbour_dispute",
        "{b}号楼楼上漏水到楼下，两家协商不成。",
        "网格员组织调解，双方达成维修协议。",
    ),
    (
        "pets",
        "小区里有人遛狗不拴绳，孩子害怕。",
        "已张贴文明养犬提示，网格员上门劝导。",
    ),
    (
        "property_service",
        "物业收费公示不清楚，想了解收费标准。",
        "已在公示栏和公开栏公示收费标准。",
    ),
    (
        "property_service",
        "物业维修响应太慢，报修三天没人来。",
        "物业已约谈维修班组并建立报修回访制度。",
    ),
    (
        "owners_org",
        "想了解业委会换届选举什么时候开始。",
        "社区已答复换届时间安排并张贴公告。",
    ),
    (
        "utilities",
        "{b}号楼自来水水压低，高层用水困难。",
        "已协调供水公司调整二次供水设备。",
    ),
    (
        "utilities",
        "暖气不热，{b}号楼室温只有十四五度。",
        "已协调热力公司排气调试，室温达标。",
    ),
    (
        "illegal_construction",
        "{b}号楼一楼住户私搭乱建占用公共绿地。",
        "社区联合执法部门已督促拆除。",
    ),
    (
        "building_safety",
        "{b}号楼阳台外挂空调架锈蚀，担心掉落。",
        "已通知住户更换空调支架。",
    ),
    ("suggestion", "建议小区增设公共晾衣架。", "已在小区空地新建公共晾衣架。"),
    ("suggestion", "建议在小区里增加几组健身器材。", "已新增健身器材两组。"),
    ("other", "想咨询老旧小区改造的时间安排。", "社区已答复改造计划和时间。"),
]

# Needs heard on visit days; some become concerns.
VISIT_NEEDS = [
    ("facility_repair", "{b}号楼单元门禁坏了，门关不上。"),
    ("sanitation", "{b}号楼楼道需要清扫，扶手很脏。"),
    ("parking", "希望在{b}号楼旁边划几个停车位。"),
    ("ev_charging", "老人问电动车充电桩怎么办卡。"),
    ("greening", "{b}号楼前绿地被人种了菜。"),
    ("facility_repair", "{b}号楼楼顶防水老化，雨季担心漏水。"),
    ("property_service", "独居老人希望物业帮忙代购米面油。"),
    ("fire_gas_safety", "{b}号楼有住户还在用液化气罐，想改管道燃气。"),
]

VISIT_NOTES = [
    "逐户敲门走访，重点看望独居老人和困难家庭。",
    "与楼长一起走访，收集居民对物业服务的意见。",
    "走访中宣传电动车安全充电和垃圾分类。",
    "结合“敲门行动”走访，现场解答收费问题。",
]

SOURCES = [
    Concern.Source.WEB,
    Concern.Source.WEB,
    Concern.Source.WEB,
    Concern.Source.PHONE,
    Concern.Source.WALK_IN,
    Concern.Source.DOOR_KNOCK,
    Concern.Source.TEA_TABLE,
    Concern.Source.HOTLINE_12345,
    Concern.Source.STAFF,
]
KINDS = [
    Concern.Kind.HELP,
    Concern.Kind.HELP,
    Concern.Kind.COMPLAINT,
    Concern.Kind.CONSULTATION,
    Concern.Kind.REPORT,
    Concern.Kind.SUGGESTION,
]
SURNAMES = "王李张刘陈杨赵黄周吴孙马朱胡郭何高林罗郑"
EVERYDAY_COUNT = 180


@dataclass(order=True)
class Step:
    at: datetime
    seq: int
    run: Callable[[], None] = field(compare=False)


class Plan:
    """Steps to run in time order, each on the demo clock."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.steps: list[Step] = []

    def add(self, at: datetime, run: Callable[[], None]) -> None:
        # Nothing happens in the future: a chain simply stops where today is.
        if at < self.now:
            self.steps.append(Step(at, len(self.steps), run))


@contextmanager
def demo_clock(moment: datetime):
    """Stop the clock at `moment`: every now, localdate, field default and
    auto_now in between reads it (a patched `timezone.now` would miss the
    field defaults, which hold the original function)."""
    with time_machine.travel(moment, tick=False):
        yield


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class Demo:
    def __init__(self, stdout=None) -> None:
        self.stdout = stdout
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.rng = random.Random(SEED)
        self.plan = Plan(self.now)
        self.categories = {c.code: c for c in ConcernCategory.objects.all()}
        self.compounds = list(
            Compound.objects.select_related("community", "grid").order_by("pk")
        )
        self.by_community: dict[int, list[Compound]] = {}
        for compound in self.compounds:
            self.by_community.setdefault(compound.community_id, []).append(compound)
        self.communities = list(
            OrgUnit.objects.filter(pk__in=self.by_community).order_by("code", "name")
        )
        self.users = {u.username: u for u in User.objects.filter(is_staff=True)}
        self.existing = set(
            Concern.objects.filter(compound__in=self.compounds).values_list(
                "compound_id", "description"
            )
        )
        self.concerns: dict[str, Concern] = {}
        self.made: set[int] = set()
        self.counts = dict.fromkeys(
            ("concerns", "visit reports", "meetings", "disclosures"), 0
        )

    # Who acts -----------------------------------------------------------

    def staff(self, name: str):
        return self.users.get(name)

    def company_of(self, compound: Compound, day: date):
        if not hasattr(self, "_contracts"):
            self._contracts: dict[int, list[ServiceContract]] = {}
            for contract in ServiceContract.objects.select_related("company"):
                self._contracts.setdefault(contract.compound_id, []).append(contract)
        for contract in self._contracts.get(compound.pk, ()):
            if contract.start <= day and (contract.end is None or day <= contract.end):
                return contract.company
        return None

    def manager_for(self, company):
        """The demo manager's login when it works for `company`."""
        if not hasattr(self, "_manager_companies"):
            manager = self.staff("property_manager")
            self._manager_companies = set(
                manager.person.company_posts.values_list("company_id", flat=True)
                if manager and manager.person_id
                else []
            )
        if company is not None and company.pk in self._manager_companies:
            return self.staff("property_manager")
        return None

    # Concerns -----------------------------------------------------------

    def describe(self, template: str, compound: Compound) -> str:
        building = self.rng.randint(1, max(1, compound.buildings))
        return template.format(b=building)

    def resident(self) -> tuple[str, str]:
        if self.rng.random() < 0.4:
            return "", ""
        surname = self.rng.choice(SURNAMES)
        title = self.rng.choice(["先生", "女士", "大爷", "阿姨"])
        # Stored as submit_concern stores it (E.164), from real mobile blocks.
        prefix = self.rng.choice(["138", "139", "158", "188"])
        phone = f"+86{prefix}{self.rng.randint(0, 99999999):08d}"
        return f"{surname}{title}", phone

    def concern_chain(
        self,
        key: str,
        *,
        compound: Compound,
        category: str,
        description: str,
        answer: str,
        created: datetime,
        outcome: str,
        source: str | None = None,
        kind: str | None = None,
        submit: Callable[[], Concern] | None = None,
        respond_after: timedelta | None = None,
        history: bool = False,
        need: VisitNeed | None = None,
    ) -> None:
        """Plan a concern's life from submission to `outcome`.

        outcome: "closed", "basic", "reopened" (dissatisfied once, then
        closed), "rejected", or the last status to reach while still open.
        """
        if (compound.pk, description) in self.existing:
            return
        self.existing.add((compound.pk, description))
        category_obj = self.categories[category]
        name, phone = self.resident()
        source = source or self.rng.choice(SOURCES)
        kind = kind or self.rng.choice(KINDS)
        staff = self.staff("community_staff") or self.staff("street_admin")
        grid = self.staff("grid_secretary") or staff
        if (
            history
            and outcome in ("closed", "basic")
            and (self.now - created).days > 30
        ):
            concern, events = self.closed_concern(
                compound=compound,
                category=category_obj,
                description=description,
                answer=answer,
                created=created,
                rating=(
                    Concern.Rating.BASIC
                    if outcome == "basic"
                    else Concern.Rating.SATISFIED
                ),
                kind=kind,
                source=source,
                name=name,
                phone=phone,
                actors=(staff, grid),
            )
            if need is not None:
                events[0].actor = need.report.manager
            self.history.append((concern, events, need))
            return

        def do_submit():
            if submit is not None:
                concern = submit()
            else:
                concern = services.submit_concern(
                    compound=compound,
                    category=category_obj,
                    description=description,
                    kind=kind,
                    source=source,
                    name=name,
                    phone=phone,
                    actor=staff if source != Concern.Source.WEB else None,
                )
            self.concerns[key] = concern
            self.made.add(concern.pk)
            self.counts["concerns"] += 1

        def verb(function, **kwargs):
            def run():
                concern = self.concerns.get(key)
                if concern is not None:
                    self.concerns[key] = function(concern=concern, **kwargs)

            return run

        self.plan.add(created, do_submit)
        if outcome == "submitted":
            return
        t = created + timedelta(hours=self.rng.randint(1, 4))
        if outcome == "rejected":
            self.plan.add(
                t,
                verb(
                    services.reject,
                    actor=staff,
                    note="经核实不属于物业服务和社区受理范围，已告知居民向相关部门反映。",
                ),
            )
            return
        self.plan.add(t, verb(services.accept, actor=staff))
        if outcome == "accepted":
            return
        company = self.company_of(compound, created.date())
        handler = ConcernCategory.Handler
        if category == "neighbour_dispute":
            to = handler.GRID
        elif company is not None and category_obj.default_handler == handler.COMPANY:
            to = handler.COMPANY
        else:
            to = handler.COMMUNITY
        t += timedelta(hours=1)
        self.plan.add(t, verb(services.dispatch, actor=staff, to=to))
        if outcome == "dispatched":
            return
        handler_user = self.manager_for(company) if to == handler.COMPANY else staff
        t += timedelta(hours=self.rng.randint(2, 20))
        self.plan.add(t, verb(services.sign, actor=handler_user))
        if outcome == "signed":
            return
        t += timedelta(hours=self.rng.randint(1, 24))
        self.plan.add(t, verb(services.start, actor=handler_user))
        if outcome == "in_progress":
            return
        t += respond_after or timedelta(hours=self.rng.randint(12, 90))
        self.plan.add(t, verb(services.respond, actor=handler_user, note=answer))
        if outcome == "responded":
            return
        t += timedelta(hours=self.rng.randint(20, 60))
        # The follow-up call is independent of the handler and the answer.
        caller = grid
        if to == handler.GRID or handler_user == grid:
            caller = self.staff("street_admin") or grid
        if outcome == "reopened":
            self.plan.add(
                t,
                verb(
                    services.follow_up,
                    actor=caller,
                    rating=Concern.Rating.DISSATISFIED,
                    note="居民反映问题没有彻底解决。",
                ),
            )
            t += timedelta(hours=2)
            self.plan.add(t, verb(services.dispatch, actor=staff, to=to))
            t += timedelta(hours=3)
            self.plan.add(t, verb(services.sign, actor=handler_user))
            t += timedelta(hours=3)
            self.plan.add(t, verb(services.start, actor=handler_user))
            t += timedelta(days=2)
            self.plan.add(
                t,
                verb(
                    services.respond,
                    actor=handler_user,
                    note=answer + "（重办后已彻底处理）",
                ),
            )
            t += timedelta(days=1)
        rating = (
            Concern.Rating.BASIC if outcome == "basic" else Concern.Rating.SATISFIED
        )
        self.plan.add(
            t,
            verb(
                services.follow_up,
                actor=caller,
                rating=rating,
                note="网格员电话回访，居民认可处理结果。",
            ),
        )

    def closed_concern(
        self,
        *,
        compound,
        category,
        description,
        answer,
        created,
        rating,
        kind,
        source,
        name,
        phone,
        actors,
    ) -> tuple[Concern, list[ConcernEvent]]:
        """A closed concern of the past with the events the services write.

        For speed most of the year's closed concerns are written in bulk;
        their rows and events are what submit → accept → dispatch → sign →
        start → respond → follow-up would have stored.
        """
        staff, grid = actors
        company = self.company_of(compound, created.date())
        handler = category.Handler
        if category.code == "neighbour_dispute":
            unit, company = compound.grid, None
        elif company is not None and category.default_handler == handler.COMPANY:
            unit = None
        else:
            unit, company = compound.community, None
        handler_user = self.manager_for(company) if company else staff
        # The follow-up call is independent of the handler and the answer.
        caller = grid
        if unit == compound.grid or handler_user == grid:
            caller = self.staff("street_admin") or grid
        hours = self.rng.randint
        accepted = created + timedelta(hours=hours(1, 4))
        dispatched = accepted + timedelta(hours=1)
        signed = dispatched + timedelta(hours=hours(2, 20))
        started = signed + timedelta(hours=hours(1, 24))
        responded = started + timedelta(hours=hours(12, 90))
        closed = responded + timedelta(hours=hours(20, 60))
        due_at, fallback = services.deadline_for(category, "normal", created)
        concern = Concern(
            tracking_code=new_tracking_code(),
            compound=compound,
            street_id=compound.street_id,
            community_id=compound.community_id,
            grid_id=compound.grid_id,
            category=category,
            kind=kind,
            source=source,
            is_public_on_open311=source in Concern.SELF_SERVICE_SOURCES,
            description=description,
            name=name,
            phone=phone,
            status=Concern.Status.CLOSED,
            handler_company=company,
            handler_unit=unit,
            response=answer,
            due_at=due_at,
            due_on_fallback_calendar=fallback,
            sign_due_at=add_working_days(dispatched, 1).moment,
            rating=rating,
            rating_comment="",
            is_resolved=True,
            created_at=created,
            dispatched_at=dispatched,
            signed_at=signed,
            responded_at=responded,
            closed_at=closed,
        )
        S = Concern.Status
        handler_name = str(company or unit)
        label = Concern.Rating(rating).label
        steps = [
            (
                created,
                staff if source != "web" else None,
                "submit",
                "",
                S.SUBMITTED,
                str(Concern.Source(source).label),
            ),
            (accepted, staff, "accept", S.SUBMITTED, S.ACCEPTED, ""),
            (
                dispatched,
                staff,
                "dispatch",
                S.ACCEPTED,
                S.DISPATCHED,
                _("Dispatched to %(handler)s") % {"handler": handler_name},
            ),
            (signed, handler_user, "sign", S.DISPATCHED, S.SIGNED, ""),
            (started, handler_user, "start", S.SIGNED, S.IN_PROGRESS, ""),
            (responded, handler_user, "respond", S.IN_PROGRESS, S.RESPONDED, answer),
            (closed, caller, "follow_up", S.RESPONDED, S.CLOSED, str(label)),
        ]
        events = [
            ConcernEvent(
                actor=actor,
                action=action,
                from_status=from_status,
                to_status=to_status,
                note=note,
                is_public=True,
                created_at=moment,
            )
            for moment, actor, action, from_status, to_status, note in steps
        ]
        return concern, events

    def save_history(self) -> None:
        if not self.history:
            return
        concerns = Concern.objects.bulk_create([row[0] for row in self.history])
        Concern.objects.filter(pk__in=[c.pk for c in concerns]).update(
            updated_at=F("closed_at")
        )
        events = []
        needs = []
        for concern, rows, need in self.history:
            for event in rows:
                event.concern = concern
                event.copy_place()  # bulk_create does not call save()
                events.append(event)
            if need is not None:
                need.concern = concern
                needs.append(need)
        ConcernEvent.objects.bulk_create(events)
        VisitNeed.objects.bulk_update(needs, ["concern"])
        self.made.update(c.pk for c in concerns)
        self.history = []
        self.counts["concerns"] += len(concerns)

    def outcome_for(self, created: datetime) -> str:
        age = (self.now - created).days
        roll = self.rng.random()
        if age > 25:
            if roll < 0.04:
                return "rejected"
            if roll < 0.10:
                return "reopened"
            if roll < 0.25:
                return "basic"
            if roll < 0.28:
                return "in_progress"  # long overdue: the street's red list
            return "closed"
        return self.rng.choice(
            [
                "submitted",
                "accepted",
                "dispatched",
                "signed",
                "in_progress",
                "in_progress",
                "responded",
                "closed",
                "closed",
            ]
        )

    def random_moment(self, days_back_max: int, days_back_min: int = 1) -> datetime:
        day = self.today - timedelta(
            days=self.rng.randint(days_back_min, days_back_max)
        )
        return at(
            day, self.rng.randint(7, 20), self.rng.choice([0, 10, 20, 30, 40, 50])
        )

    def article_concerns(self) -> dict[str, list[tuple[str, Compound, datetime]]]:
        """48 resolved concerns on the article's four examples."""
        served = [c for c in self.compounds if c.management_mode == "company"]
        pool = served or self.compounds
        planned: dict[str, list[tuple[str, Compound, datetime]]] = {}
        for theme, (category, templates, answers) in ARTICLE_EXAMPLES.items():
            planned[theme] = []
            for n in range(ARTICLE_RESOLVED_PER_THEME):
                self.rng = random.Random(f"{SEED}:article:{theme}:{n}")
                compound = pool[(n * 5 + len(planned) * 7) % len(pool)]
                description = self.describe(templates[n % len(templates)], compound)
                answer = self.describe(answers[n % len(answers)], compound)
                created = self.random_moment(340, 40)
                key = f"article:{theme}:{n}"
                self.concern_chain(
                    key,
                    compound=compound,
                    category=category,
                    description=description,
                    answer=answer,
                    created=created,
                    outcome="closed" if n % 4 else "basic",
                    kind=Concern.Kind.HELP if n % 3 else Concern.Kind.SUGGESTION,
                    respond_after=timedelta(days=21),
                    # Only the big works wait for a meeting: the rest of
                    # the year's resolved cases are written in bulk.
                    history=theme not in WORKS_THEMES,
                )
                planned[theme].append((key, compound, created))
        return planned

    def everyday_concerns(self) -> None:
        for n in range(EVERYDAY_COUNT):
            self.rng = random.Random(f"{SEED}:everyday:{n}")
            category, template, answer = EVERYDAY[n % len(EVERYDAY)]
            compound = self.compounds[self.rng.randrange(len(self.compounds))]
            created = self.random_moment(360)
            self.concern_chain(
                f"everyday:{n}",
                compound=compound,
                category=category,
                description=self.describe(template, compound)
                + ("" if n < len(EVERYDAY) else f"（{compound.name}）"),
                answer=answer,
                created=created,
                outcome=self.outcome_for(created),
                history=True,
            )

    # Visit days ---------------------------------------------------------

    def visit_days(self) -> None:
        """A report per served compound and visit day, a few missing.

        Reports are plain rows without events, so they are bulk-created; the
        needs that became concerns go through `need_to_concern`.
        """
        this_month = Month.of(self.today)
        done = set(VisitReport.objects.values_list("compound_id", "date"))
        for back in range(11, -1, -1):
            month = this_month.shifted(-back).start
            day = civic_services.visit_day(month.year, month.month)
            if day > self.today:
                continue
            reports, needs = [], []
            for compound in self.compounds:
                company = self.company_of(compound, day)
                if company is None or (compound.pk, day) in done:
                    continue
                rng = random.Random(f"{SEED}:visit:{compound.pk}:{day}")
                # A few compounds miss their visit day: the street's list.
                if rng.random() < 0.08:
                    continue
                households = compound.households or 60
                reports.append(
                    VisitReport(
                        compound=compound,
                        company=company,
                        manager=self.manager_for(company),
                        date=day,
                        households_visited=rng.randint(
                            households // 10, households // 3 + 1
                        ),
                        notes=rng.choice(VISIT_NOTES),
                    )
                )
                needs.append(
                    [
                        (
                            category,
                            text.format(b=rng.randint(1, compound.buildings or 1)),
                        )
                        for category, text in rng.sample(VISIT_NEEDS, rng.randint(0, 2))
                    ]
                )
            with demo_clock(at(day, 18)):
                VisitReport.objects.bulk_create(reports)
            self.counts["visit reports"] += len(reports)
            rows = [
                VisitNeed(report=report, text=text)
                for report, heard in zip(reports, needs, strict=True)
                for _category, text in heard
            ]
            VisitNeed.objects.bulk_create(rows)
            categories = [c for heard in needs for c, _text in heard]
            for index, (need, category) in enumerate(
                zip(rows, categories, strict=True)
            ):
                if index % 3 == 0:
                    self.need_chain(need, category, day)

    def need_chain(self, need: VisitNeed, category: str, day: date) -> None:
        """Plan the life of a concern heard on a visit day."""
        self.rng = random.Random(f"{SEED}:need:{need.report.compound_id}:{day}")
        filer = need.report.manager
        created = at(day, 17)
        self.concern_chain(
            f"need:{need.pk}",
            compound=need.report.compound,
            category=category,
            description=need.text,
            answer="物业已上门处理，居民确认。",
            created=created,
            outcome=self.outcome_for(created),
            submit=lambda: civic_services.need_to_concern(
                need=need, category=self.categories[category], actor=filer
            ),
            source=Concern.Source.VISIT_DAY,
            history=True,
            need=need,
        )

    # Meetings -----------------------------------------------------------

    def meetings(self, article: dict[str, list[tuple[str, Compound, datetime]]]):
        for community in self.communities:
            compounds = self.by_community[community.pk]
            for back in range(11, -1, -1):
                month = Month.of(self.today).shifted(-back).start
                # A tea table every third month, on a Wednesday afternoon.
                if (back + community.pk) % 3 == 0:
                    day = month + timedelta(days=16 + (2 - month.weekday()) % 7)
                    compound = compounds[back % len(compounds)]
                    self.meeting(
                        kind=Meeting.Kind.TEA_TABLE,
                        title=f"流动茶桌进{compound.name}",
                        day=day,
                        compound=compound,
                        community=None,
                        place=f"{compound.name}中心广场",
                        host=f"{community.name}党委书记",
                    )
                # A joint property meeting each quarter.
                if month.month % 3 == 1:
                    day = month + timedelta(days=24)
                    self.meeting(
                        kind=Meeting.Kind.JOINT_PROPERTY,
                        title=f"{community.name}{month.year}年{month.month}月物业联席会议",
                        day=day,
                        compound=None,
                        community=community,
                        place=f"{community.name}党群服务中心",
                        host=f"{community.name}环物委主任",
                    )
        # The big works of the article were decided at a meeting of their
        # compound: each gets an action item the company completed.
        for theme in WORKS_THEMES:
            for key, compound, created in article[theme]:
                self.works_meeting(theme, key, compound, created)

    def meeting(self, *, kind, title, day, compound, community, place, host):
        if day >= self.today:
            return
        if Meeting.objects.filter(kind=kind, title=title, date=day).exists():
            return
        rng = random.Random(f"{SEED}:meeting:{title}:{day}")
        where = compound.community if compound else community
        company = self.company_of(compound, day) if compound else None
        staff = self.staff("community_staff") or self.staff("street_admin")

        def plan_it():
            self.held = civic_services.create_meeting(
                kind=kind,
                title=title,
                date=day,
                place=place,
                host=host,
                compound=compound,
                community=community,
                agenda=[
                    (topic, None)
                    for topic in rng.sample(
                        [
                            "通报上月居民诉求办理情况",
                            "听取居民对物业服务的意见",
                            "商议电动车充电桩增设位置",
                            "商议公共收益使用方案",
                            "研究楼道杂物集中清理",
                            "研究停车位施划方案",
                        ],
                        3,
                    )
                ],
                actor=staff,
            )
            self.counts["meetings"] += 1
            self.meeting_ids[(title, day)] = self.held.pk

        def close_it():
            meeting = Meeting.objects.get(pk=self.meeting_ids[(title, day)])
            organisations = [
                f"{where.name}环物委",
                f"{where.name}网格党支部",
            ]
            if company:
                organisations.append(company.name)
            if kind == Meeting.Kind.JOINT_PROPERTY:
                organisations += [
                    "济阳派出所（社区民警）",
                    "济阳市场监管所",
                    "业主委员会代表",
                ]
            decisions = [
                civic_services.DecisionInput(text=text, publish=True)
                for text in rng.sample(
                    [
                        "楼道杂物本月底前集中清理一次，之后物业每周巡查。",
                        "在小区东侧空地增设电动车充电桩一组，由物业负责报装。",
                        "公共收益优先用于更换楼道照明和修补道路。",
                        "重新施划停车位和消防通道标线，设置隔离桩。",
                        "物业每月第二个周六走访日走访情况在公开栏公示。",
                        "对独居老人建立结对联系，网格员每周上门一次。",
                    ],
                    2,
                )
            ]
            civic_services.close_meeting(
                meeting=meeting,
                actor=staff,
                minutes=(
                    f"{host}主持会议。与会人员通报了近期居民诉求办理情况，"
                    "逐项讨论了议题，形成以下决定，会后在公开栏公示。"
                ),
                attendee_count=rng.randint(8, 30),
                attending_organisations=organisations,
                decisions=decisions,
            )

        self.plan.add(at(day - timedelta(days=7), 9), plan_it)
        self.plan.add(at(day, 16), close_it)

    def works_meeting(self, theme: str, key: str, compound: Compound, created):
        day = (created + timedelta(days=7)).date()
        title = f"{compound.name}{theme}问题协商会"
        if Meeting.objects.filter(title=title, date=day).exists():
            return
        kind = (
            Meeting.Kind.JOINT_PROPERTY
            if theme == "外墙保温"
            else Meeting.Kind.DELIBERATION
            if theme == "小区封闭"
            else Meeting.Kind.COORDINATION
        )
        company = self.company_of(compound, day)
        staff = self.staff("community_staff") or self.staff("street_admin")
        action_key = f"{title}:{day}"

        def hold():
            concern = self.concerns.get(key)
            if concern is None:
                return
            meeting = civic_services.create_meeting(
                kind=kind,
                title=title,
                date=day,
                place=f"{compound.name}物业服务中心",
                host=f"{compound.community.name}环物委主任",
                compound=compound,
                agenda=[(concern.description[:60], concern)],
                actor=staff,
            )
            self.counts["meetings"] += 1
            owner = company.name if company else f"{compound.community.name}环物委"
            civic_services.close_meeting(
                meeting=meeting,
                actor=staff,
                minutes=(
                    f"针对居民反映的{theme}问题，社区、物业、业委会和居民代表现场查看并协商，"
                    "同意由物业组织实施，社区监督，完成后回访居民。"
                ),
                attendee_count=12,
                attending_organisations=[
                    f"{compound.community.name}环物委",
                    owner,
                    "业主委员会代表",
                    "居民代表",
                ],
                decisions=[
                    civic_services.DecisionInput(
                        text=f"{theme}问题由{owner}在两周内整改完毕，社区验收后公示。",
                        publish=True,
                        actions=[
                            civic_services.ActionInput(
                                concern=concern,
                                owner=owner,
                                deadline=day + timedelta(days=14),
                            )
                        ],
                    )
                ],
            )
            self.action_items[action_key] = ActionItem.objects.get(
                decision__meeting=meeting
            ).pk

        def done():
            pk = self.action_items.get(action_key)
            if pk:
                civic_services.complete_action_item(
                    item=ActionItem.objects.get(pk=pk),
                    note="已按会议决定完成整改，社区验收合格。",
                )

        self.plan.add(at(day, 15), hold)
        # Before the answer (respond_after is 21 days from the start).
        self.plan.add(at(day + timedelta(days=12), 11), done)

    # Disclosures --------------------------------------------------------

    def disclosures(self) -> None:
        year = self.today.year
        for compound in self.compounds:
            company = self.company_of(compound, self.today)
            rows = []
            if company:
                rows += [
                    (
                        Disclosure.Kind.SERVICE_STANDARD,
                        f"{compound.name}物业服务标准（{compound.get_service_grade_display()}）",
                        f"{company.name}按{compound.get_service_grade_display()}服务标准提供服务："
                        "秩序维护24小时值守，公共区域每日保洁，垃圾日产日清，"
                        "报修30分钟内响应，急修2小时内到场。",
                        date(year, 1, 5),
                        0,
                    ),
                    (
                        Disclosure.Kind.FEES,
                        f"{compound.name}{year}年物业服务收费标准",
                        "住宅物业服务费按建筑面积每月每平方米收取，"
                        "收费依据、标准和服务内容详见公开栏，欢迎居民监督。",
                        date(year, 1, 5),
                        0,
                    ),
                ]
            for back in range(1, 5):
                quarter = Quarter.of(self.today).shifted(-back)
                quarter_start, q = quarter.start, quarter.number
                income = 1200 + (compound.pk * 137 + back * 61) % 4000
                rows.append(
                    (
                        Disclosure.Kind.PUBLIC_INCOME,
                        f"{compound.name}{quarter_start.year}年第{q}季度公共收益收支",
                        f"本季度公共收益收入{income}元（广告位、临时停车），"
                        f"支出{income // 2}元（楼道照明维修、绿化补植），"
                        f"结余{income - income // 2}元。",
                        quarter.stop + timedelta(days=9),
                        7,
                    )
                )
            if compound.pk % 3 == 0:
                rows.append(
                    (
                        Disclosure.Kind.PARTY_AFFAIRS,
                        f"{compound.community.name}网格党支部党务公开（{year}年）",
                        "本年度组织主题党日活动，党员认领楼道、包联困难家庭，"
                        "参与“敲门行动”和小区环境整治。",
                        date(year, 7, 1),
                        0,
                    )
                )
            for kind, title, content, published_on, window in rows:
                self.disclosure(compound, kind, title, content, published_on, window)
        # The wall repairs drew on the maintenance fund: disclosed with a
        # window for objections, the latest one still open.
        walls = [
            c
            for c in self.compounds
            if c.management_mode == "company" and self.company_of(c, self.today)
        ][:4]
        for n, compound in enumerate(walls):
            published = self.today - timedelta(days=3 + 40 * n)
            self.disclosure(
                compound,
                Disclosure.Kind.MAINTENANCE_FUND,
                f"{compound.name}专项维修资金使用公示（外墙保温修复）",
                "经业主大会表决同意，使用专项维修资金对外墙保温脱落部位进行修复，"
                f"预算{38000 + 4100 * n}元，施工单位和费用明细已在小区公开栏张贴。"
                "公示期内如有异议，请通过“提出异议”反映。",
                published,
                10,
            )

    def disclosure(self, compound, kind, title, content, published_on, window):
        if published_on > self.today:
            return
        self.pending_disclosures.append(
            Disclosure(
                compound=compound,
                kind=kind,
                title=title,
                content=content,
                published_on=published_on,
                objection_until=(
                    published_on + timedelta(days=window) if window else None
                ),
                created_by=self.staff("community_staff"),
            )
        )

    def save_disclosures(self) -> None:
        """Plain rows without events: bulk-created, on the day published."""
        done = set(Disclosure.objects.values_list("compound_id", "title"))
        by_day: dict[date, list[Disclosure]] = {}
        for row in self.pending_disclosures:
            if (row.compound_id, row.title) not in done:
                done.add((row.compound_id, row.title))
                by_day.setdefault(row.published_on, []).append(row)
        for day, rows in sorted(by_day.items()):
            with demo_clock(at(day, 9)):
                Disclosure.objects.bulk_create(rows)
            self.counts["disclosures"] += len(rows)

    # Putting it together ------------------------------------------------

    def load(self) -> dict[str, int]:
        if not self.compounds or not self.categories:
            return self.counts
        self.meeting_ids: dict = {}
        self.history: list[tuple[Concern, list[ConcernEvent], VisitNeed | None]] = []
        self.action_items: dict = {}
        article = self.article_concerns()
        self.everyday_concerns()
        self.save_history()
        self.meetings(article)
        self.pending_disclosures: list[Disclosure] = []
        self.disclosures()
        self.save_disclosures()
        self.visit_days()
        self.save_history()
        self.run_plan()
        self.tag_themes()
        # The demo's e-mails were "sent" when they happened: nothing is
        # mailed out when the demo loads.
        Notification.objects.filter(
            concern_id__in=self.made, sent_at__isnull=True
        ).update(sent_at=F("created_at"), last_error="")
        return self.counts

    def tag_themes(self) -> None:
        """Tag the article's cases with their theme, and each meeting with
        the themes of the concerns on its agenda (idempotent)."""
        concern_themes = Concern.themes.through
        for name in ARTICLE_EXAMPLES:
            theme, _created = Theme.objects.get_or_create(name=name)
            ids = Concern.objects.filter(description__contains=name).values_list(
                "pk", flat=True
            )
            concern_themes.objects.bulk_create(
                [concern_themes(concern_id=pk, theme_id=theme.pk) for pk in ids],
                ignore_conflicts=True,
            )
        meeting_themes = Meeting.themes.through
        pairs = (
            MeetingAgendaItem.objects.filter(concern__themes__isnull=False)
            .values_list("meeting_id", "concern__themes")
            .distinct()
        )
        meeting_themes.objects.bulk_create(
            [meeting_themes(meeting_id=m, theme_id=t) for m, t in pairs],
            ignore_conflicts=True,
        )

    def run_plan(self) -> None:
        # Steps may add steps (a visit-day need becomes a concern with a
        # life of its own), so run from a queue kept in time order.
        queue = list(self.plan.steps)
        heapq.heapify(queue)
        self.plan.steps = []
        while queue:
            step = heapq.heappop(queue)
            with demo_clock(step.at):
                step.run()
            for new in self.plan.steps:
                heapq.heappush(queue, new)
            self.plan.steps = []


@transaction.atomic
def load(*, stdout=None) -> None:
    """Load the consultations demo (idempotent)."""
    demo = Demo(stdout)
    counts = demo.load()
    if stdout is not None and any(counts.values()):
        stdout.write(
            "consultations: " + ", ".join(f"{n} {label}" for label, n in counts.items())
        )
