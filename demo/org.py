"""The demo street, org part: Jiyang Sub-district, its tree and its people.

济宁市任城区济阳街道 (statistical code 370811012) with its communities, 30
grid party branches, the posts in every unit, the red-property alliance,
the liaison departments with a contact per community, a deliberation group
per community and the social organisations, social workers and volunteers
of 三社联动.

Everything is keyed on natural keys (codes, names, phone numbers) and
written with `upsert`, so loading twice gives the same rows. Names
come from a seeded generator and every phone number starts with 100, which
no Chinese mobile number does. `compounds.demo` builds on this module.
"""

import random
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from org import second_factor
from org.models import (
    Alliance,
    AllianceMember,
    DeliberationGroup,
    DeliberationMember,
    LiaisonContact,
    LiaisonDepartment,
    LinkagePartner,
    OrgUnit,
    Person,
    Post,
    User,
)
from org.roles import (
    COMMUNITY_STAFF,
    GRID_BRANCH,
    RESIDENT_REPRESENTATIVE,
    STREET_OFFICE,
    assign_role,
    ensure_role_groups,
)

# Every demo login has this password; the README and `load_demo` print it.
DEMO_PASSWORD = "jiyang2022"
# The demo's logins that need a second factor (street office, superuser)
# share one authenticator key, public like the password: `load_demo` and
# the README print it, and `manage.py demo_code` prints its current code.
DEMO_OTP_KEY = b"jiyang-demo-otp-2022".hex()

STREET_CODE = "370811012"  # NBS statistical division code, not synthetic
STREET_NAME = "济阳街道"

# Community code suffix, name, number of grid party branches (30 in all).
# The community and grid codes below the street are local, not official.
COMMUNITIES = (
    ("001", "济阳大街社区", 4),
    ("002", "草桥口社区", 4),
    ("003", "运河社区", 4),
    ("004", "柳行社区", 3),
    ("005", "龙行社区", 3),
    ("006", "财工街社区", 3),
    ("007", "南门社区", 3),
    ("008", "京杭社区", 4),
    ("009", "后营村", 2),
)
GRID_NUMERALS = "一二三四五六七八九十"

# Fixed dates the demo is anchored on; all of them lie in the past, and
# nothing ends, so the data stays current whenever it is loaded.
OFFICE_FOUNDED = date(2020, 9, 1)  # 齐鲁红色物业 rolled out in 2020
ALLIANCE_FOUNDED = date(2021, 7, 1)
GRIDS_REELECTED = date(2022, 3, 15)  # 改选30个网格党支部
DELIBERATION_FOUNDED = date(2021, 5, 10)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str  # the role group's name, or a label
    scope: str


def community_code(suffix: str) -> str:
    return f"{STREET_CODE}{suffix}"


def grid_code(suffix: str, number: int) -> str:
    return f"{STREET_CODE}{suffix}{number:03d}"


def grid_name(community: str, number: int) -> str:
    return f"{community}第{GRID_NUMERALS[number - 1]}网格党支部"


def upsert(model, *, defaults: dict, **lookup):
    """Like `update_or_create`, but writes nothing when nothing changed.

    The whole load runs in one transaction, so the per-row savepoint of
    `update_or_create` is not needed; skipping unchanged rows keeps a rerun
    to reads.
    """
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        return model._default_manager.create(**lookup, **defaults)
    changed = []
    for name, value in defaults.items():
        field = model._meta.get_field(name)
        if field.many_to_one or field.one_to_one:
            current, wanted = getattr(obj, field.attname), getattr(value, "pk", value)
        else:
            current, wanted = getattr(obj, name), value
        if current != wanted:
            setattr(obj, name, value)
            changed.append(name)
    if changed:
        obj.save(update_fields=changed)
    return obj


# People ---------------------------------------------------------------------

_SURNAMES = (
    "王王王李李李张张张刘刘陈陈杨杨赵黄周吴徐孙孙胡朱高林何郭马罗梁宋郑谢"
    "韩唐冯于董程曹袁邓许沈曾彭吕孔孔颜孟孟任姜田崔贾魏薛闫侯"
)
_GIVEN = {
    Person.Gender.MALE: "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊建国志宏庆德"
    "振海广才文成立新永春东峰",
    Person.Gender.FEMALE: "芳娜敏静丽艳娟霞秀玲桂英红梅兰琳雪婷慧颖洁晶燕萍琴"
    "玉凤荣翠云亚丹爱华",
}


class DemoPeople:
    """Makes the demo's people, the same ones every time.

    Each app's demo takes its own `block`, a range of phone numbers, so the
    apps never hand out the same number: 100 BB NNNNNN.
    """

    def __init__(self, block: int) -> None:
        self.block = block
        self.rng = random.Random(f"jiyang-demo-{block}")
        self.count = 0
        self.used: set[str] = set()
        # Read the block's people once, rather than one query per person.
        self.known = {
            person.phone: person
            for person in Person.objects.filter(phone__startswith=self.phone(0)[:5])
        }

    def phone(self, number: int) -> str:
        return f"100{self.block:02d}{number:06d}"

    def name(self, gender: str) -> str:
        while True:
            surname = self.rng.choice(_SURNAMES)
            chars = _GIVEN[gender]
            given = self.rng.choice(chars)
            if self.rng.random() < 0.7:
                second = self.rng.choice(chars)
                if second != given:
                    given += second
            if surname + given not in self.used:
                self.used.add(surname + given)
                return surname + given

    def make(
        self,
        unit: OrgUnit,
        *,
        gender: str | None = None,
        party: bool = False,
        work_unit: str = "",
    ) -> Person:
        self.count += 1
        gender = gender or self.rng.choice(Person.Gender.values)
        name = self.name(gender)
        phone = self.phone(self.count)
        values = {
            "name": name,
            "gender": gender,
            "unit_id": unit.pk,
            "is_party_member": party,
            "work_unit": work_unit,
        }
        person = self.known.get(phone)
        if person is None:
            person = self.known[phone] = Person.objects.create(phone=phone, **values)
            return person
        changed = [
            key for key, value in values.items() if getattr(person, key) != value
        ]
        if changed:
            for key in changed:
                setattr(person, key, values[key])
            person.save(update_fields=[key.removesuffix("_id") for key in changed])
        return person


def hold_post(person: Person, unit: OrgUnit, role: str, start: date) -> Post:
    post = upsert(
        Post,
        person=person,
        unit=unit,
        role=role,
        defaults={"start": start, "end": None},
    )
    return post


@lru_cache
def _hash_with(hasher: str) -> str:
    return make_password(DEMO_PASSWORD)


def demo_password_hash() -> str:
    """The demo password, hashed once per hasher: hashing is slow on purpose."""
    return _hash_with(settings.PASSWORD_HASHERS[0])


def ensure_login(
    username: str,
    *,
    person: Person | None,
    role: str | None,
    superuser: bool = False,
) -> User:
    """A demo login with the demo password, in the group of `role`."""
    user = upsert(
        User,
        username=username,
        defaults={
            "person": person,
            "first_name": person.name if person else "",
            "is_staff": True,
            "is_superuser": superuser,
            "is_active": True,
            "password": demo_password_hash(),
        },
    )
    wanted = [role] if role else []
    if list(user.groups.values_list("name", flat=True)) != wanted:
        user.groups.clear()
        if role:
            assign_role(user, role)
    return user


def ensure_demo_authenticator(user: User) -> TOTPDevice:
    """A confirmed authenticator with the demo key; kept as it is on a rerun."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None and device.key == DEMO_OTP_KEY:
        return device
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(
        user=user, name=second_factor.DEVICE_NAME, key=DEMO_OTP_KEY, confirmed=True
    )


def demo_otp_secret() -> str:
    """The demo key as an authenticator app takes it (base32)."""
    return second_factor.secret_for_typing(TOTPDevice(key=DEMO_OTP_KEY))


def street() -> OrgUnit:
    return OrgUnit.objects.get(code=STREET_CODE)


def community(suffix: str) -> OrgUnit:
    return OrgUnit.objects.get(code=community_code(suffix))


def grid(suffix: str, number: int) -> OrgUnit:
    return OrgUnit.objects.get(code=grid_code(suffix, number))


# The street ------------------------------------------------------------------


def _unit(kind: str, code: str, name: str, parent: OrgUnit | None, **extra) -> OrgUnit:
    unit = upsert(
        OrgUnit,
        code=code,
        defaults={"kind": kind, "name": name, "parent": parent, **extra},
    )
    return unit


def build_tree() -> tuple[OrgUnit, dict[str, OrgUnit], dict[str, list[OrgUnit]]]:
    root = _unit(
        OrgUnit.Kind.STREET,
        STREET_CODE,
        STREET_NAME,
        None,
        code_is_synthetic=False,
        address="济宁市任城区税务街",
        established=OFFICE_FOUNDED,
        notes="济宁市任城区济阳街道物业服务管理办公室（街道物业办）",
    )
    communities: dict[str, OrgUnit] = {}
    grids: dict[str, list[OrgUnit]] = {}
    for suffix, name, grid_count in COMMUNITIES:
        unit = _unit(
            OrgUnit.Kind.COMMUNITY,
            community_code(suffix),
            name,
            root,
            code_is_synthetic=True,
            established=OFFICE_FOUNDED,
            notes=f"{name}环境和物业管理委员会",
        )
        communities[suffix] = unit
        grids[suffix] = [
            _unit(
                OrgUnit.Kind.GRID,
                grid_code(suffix, number),
                grid_name(name, number),
                unit,
                code_is_synthetic=True,
                established=GRIDS_REELECTED,
            )
            for number in range(1, grid_count + 1)
        ]
    return root, communities, grids


def staff_units(people: DemoPeople, root, communities, grids) -> dict[str, Person]:
    """Secretaries of every unit, full-time staff, grid workers, inspectors."""
    R = Post.Role
    cast: dict[str, Person] = {}

    def post(unit, role, start, *, party=False, work_unit=""):
        person = people.make(unit, party=party, work_unit=work_unit)
        hold_post(person, unit, role, start)
        return person

    office = "济阳街道物业办"
    cast["street_secretary"] = post(
        root, R.SECRETARY, OFFICE_FOUNDED, party=True, work_unit=office
    )
    staff = [
        post(root, R.FULL_TIME_STAFF, OFFICE_FOUNDED, party=True, work_unit=office)
        for _number in range(3)
    ]
    cast["street_admin"] = staff[0]
    for _number in range(3):
        post(root, R.INSPECTOR, OFFICE_FOUNDED, party=True, work_unit="济阳街道办事处")
    representatives = [
        post(root, R.RESIDENT_REPRESENTATIVE, ALLIANCE_FOUNDED) for _ in range(6)
    ]
    cast["inspector"] = representatives[0]

    for suffix, unit in communities.items():
        secretary = post(unit, R.SECRETARY, OFFICE_FOUNDED, party=True)
        cast[f"secretary:{suffix}"] = secretary
        first_staff = post(unit, R.FULL_TIME_STAFF, OFFICE_FOUNDED, party=True)
        post(unit, R.FULL_TIME_STAFF, OFFICE_FOUNDED)
        cast[f"representative:{suffix}"] = post(
            unit, R.RESIDENT_REPRESENTATIVE, ALLIANCE_FOUNDED
        )
        if suffix == "001":
            cast["community_staff"] = first_staff
        for number, grid_unit in enumerate(grids[suffix], start=1):
            grid_secretary = post(grid_unit, R.SECRETARY, GRIDS_REELECTED, party=True)
            post(grid_unit, R.GRID_WORKER, GRIDS_REELECTED)
            if suffix == "001" and number == 1:
                cast["grid_secretary"] = grid_secretary
    return cast


LIAISON_DEPARTMENTS = (
    (LiaisonDepartment.Kind.POLICE, "任城区公安分局济阳派出所", "社区民警"),
    (LiaisonDepartment.Kind.MARKET, "任城区市场监督管理局济阳市场监管所", "市场监管员"),
    (LiaisonDepartment.Kind.SAFETY, "济阳街道应急管理办公室（安监）", "安全监管员"),
)


def liaison(people: DemoPeople, root, communities, cast) -> None:
    """Departments, a contact per community, and the deliberation groups."""
    contacts: dict[str, list[tuple[Person, LiaisonDepartment, str]]] = {
        suffix: [] for suffix in communities
    }
    for kind, name, title in LIAISON_DEPARTMENTS:
        department = upsert(
            LiaisonDepartment, street=root, name=name, defaults={"kind": kind}
        )
        # The beat officer answers for one community; the market and safety
        # officers each cover three.
        shared: Person | None = None
        for index, (suffix, unit) in enumerate(communities.items()):
            if kind == LiaisonDepartment.Kind.POLICE or index % 3 == 0:
                shared = people.make(root, party=True, work_unit=name)
            upsert(
                LiaisonContact,
                department=department,
                community=unit,
                person=shared,
                defaults={"title": title},
            )
            contacts[suffix].append((shared, department, title))

    for suffix, unit in communities.items():
        group = upsert(
            DeliberationGroup,
            community=unit,
            name=f"{unit.name}议事小组",
            defaults={"founded": DELIBERATION_FOUNDED},
        )
        seats = [
            (cast[f"secretary:{suffix}"], None, "召集人"),
            *contacts[suffix],
            (cast[f"representative:{suffix}"], None, "居民代表"),
        ]
        for person, department, role in seats:
            upsert(
                DeliberationMember,
                group=group,
                person=person,
                defaults={"department": department, "role": role},
            )


# 三社联动: 34 social organisations, the article's five among them.
SOCIAL_ORGS = {
    "001": (
        ("老妈妈爱心针线坊", "为困难家庭和独居老人缝补衣物、制作爱心鞋垫"),
        ("济阳大街邻里守望队", "楼院夜间巡查、邻里守望"),
        ("水景花苑文明劝导队", "文明养犬、垃圾分类劝导"),
        ("税务街书画社", "书画培训、节日送春联"),
    ),
    "002": (
        ("爱在草桥", "关爱空巢老人和留守儿童"),
        ("草桥口健康驿站", "义诊、测血压、健康讲座"),
        ("草桥口夕阳红合唱团", "社区文艺演出"),
        ("草桥口巧手编织社", "手工编织、技能培训"),
    ),
    "003": (
        ("古乐之韵", "民乐演奏、传统文化传承活动"),
        ("运河文化宣讲团", "运河历史文化宣讲"),
        ("运河邻里调解室", "邻里纠纷调解"),
        ("竹竿巷老街坊服务队", "老街巷环境整治、便民服务"),
    ),
    "004": (
        ("大姐帮帮团", "邻里互助、矛盾调解、探望独居老人"),
        ("柳行乐龄太极队", "健身太极、老年人健康活动"),
        ("柳行书香读书会", "亲子阅读、读书分享"),
        ("柳行便民理发队", "为老年人上门义务理发"),
    ),
    "005": (
        ("龙行广场舞队", "广场舞、全民健身"),
        ("龙行红心义剪队", "义务理发"),
        ("龙行小小志愿者之家", "青少年志愿服务"),
        ("龙行银发互助会", "老年人结对互助"),
    ),
    "006": (
        ("八一服务团", "退役军人志愿服务、治安巡逻"),
        ("财工街红袖标巡逻队", "治安巡逻、防诈宣传"),
        ("财工街法律援助站", "法律咨询、合同审查"),
        ("财工街象棋协会", "象棋比赛、老年活动"),
    ),
    "007": (
        ("南门古城讲解队", "古城历史讲解"),
        ("南门邻里节互助会", "邻里节、百家宴"),
        ("南门戏曲票友社", "山东梆子、京剧演唱"),
        ("纸坊街手工坊", "传统手工艺"),
    ),
    "008": (
        ("京杭四点半课堂", "放学后托管、作业辅导"),
        ("京杭邻里帮帮社", "家电维修、便民服务"),
        ("京杭运河摄影协会", "摄影培训、社区影像记录"),
        ("京杭心理疏导工作室", "心理咨询、情绪疏导"),
    ),
    "009": (
        ("后营村乡贤理事会", "乡贤议事、移风易俗"),
        ("后营村红白理事会", "红白事简办、文明新风"),
    ),
}
ARTICLE_SOCIAL_ORGS = (
    "老妈妈爱心针线坊",
    "大姐帮帮团",
    "爱在草桥",
    "古乐之韵",
    "八一服务团",
)


def linkage(people: DemoPeople, communities) -> list[tuple[str, Person]]:
    """Social organisations, a social worker and volunteers per community."""
    K = LinkagePartner.Kind
    leaders = []
    for suffix, unit in communities.items():
        for index, (name, services) in enumerate(SOCIAL_ORGS[suffix]):
            leader = people.make(
                unit, gender=Person.Gender.FEMALE if index == 0 else None
            )
            upsert(
                LinkagePartner,
                community=unit,
                kind=K.SOCIAL_ORG,
                name=name,
                defaults={
                    "person": leader,
                    "services": services,
                    "founded": date(2016 + (int(suffix) + index) % 6, 3 + index, 1),
                },
            )
            leaders.append((name, leader))
        worker = people.make(unit, work_unit="任城区社会工作服务中心")
        upsert(
            LinkagePartner,
            community=unit,
            kind=K.SOCIAL_WORKER,
            name=worker.name,
            defaults={
                "person": worker,
                "services": "个案服务、小组活动、社区营造",
                "founded": date(2020, 6, 1),
            },
        )
        for index in range(2):
            volunteer = people.make(unit, party=index == 0)
            upsert(
                LinkagePartner,
                community=unit,
                kind=K.VOLUNTEER,
                name=volunteer.name,
                defaults={
                    "person": volunteer,
                    "services": ("疫情防控、创城创卫", "敲门行动、走访老人")[index],
                    "founded": date(2021, 2 + index, 15),
                },
            )
    return leaders


def alliance(root, communities, cast, social_leaders) -> Alliance:
    """The red-property alliance with its party, government and social members."""
    red = upsert(
        Alliance,
        street=root,
        defaults={
            "name": "济阳街道红色物业党建联盟",
            "founded": ALLIANCE_FOUNDED,
            "charter": "党建引领、资源共享、问题共商、服务共抓",
        },
    )
    K = AllianceMember.Kind
    members = [
        ("中共济阳街道工作委员会", K.PARTY_ORG, cast["street_secretary"]),
        ("济阳街道物业办", K.GOVERNMENT, cast["street_admin"]),
        *(
            (f"中共{unit.name}委员会", K.PARTY_ORG, cast[f"secretary:{suffix}"])
            for suffix, unit in communities.items()
        ),
        *((name, K.GOVERNMENT, None) for _, name, _ in LIAISON_DEPARTMENTS),
        *(
            (name, K.SOCIAL_ORG, leader)
            for name, leader in social_leaders
            if name in ARTICLE_SOCIAL_ORGS
        ),
    ]
    for organisation, kind, representative in members:
        upsert(
            AllianceMember,
            alliance=red,
            organisation=organisation,
            defaults={
                "kind": kind,
                "representative": representative,
                "joined": ALLIANCE_FOUNDED,
            },
        )
    return red


@transaction.atomic
def load(*, stdout=None) -> list[DemoLogin]:
    """Build the street's tree, people and partners; return the demo logins."""
    ensure_role_groups()
    people = DemoPeople(block=1)
    root, communities, grids = build_tree()
    cast = staff_units(people, root, communities, grids)
    liaison(people, root, communities, cast)
    social_leaders = linkage(people, communities)
    alliance(root, communities, cast, social_leaders)

    ensure_demo_authenticator(
        ensure_login("admin", person=None, role=None, superuser=True)
    )
    logins = [DemoLogin("admin", DEMO_PASSWORD, _("superuser"), _("everything"))]
    first_community = communities["001"]
    first_grid = grids["001"][0]
    for username, role, scope in (
        ("street_admin", STREET_OFFICE, root.name),
        ("community_staff", COMMUNITY_STAFF, first_community.name),
        ("grid_secretary", GRID_BRANCH, first_grid.name),
        ("inspector", RESIDENT_REPRESENTATIVE, root.name),
    ):
        login = ensure_login(username, person=cast[username], role=role)
        if role == STREET_OFFICE:
            ensure_demo_authenticator(login)
        logins.append(DemoLogin(username, DEMO_PASSWORD, role, scope))
    return logins
