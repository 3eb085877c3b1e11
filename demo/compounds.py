"""The demo street, compounds part: companies, compounds and what serves them.

Builds on `demo.org` (run it first). Reproduces the article's figures: 33
owners' or self-management committees, 13 of them self-management
committees in three-without compounds; the 水景花苑 owners' committee as the
benchmark its neighbours follow; the party rule for companies with exactly
one company breaking it; bundled packages of old compounds, one around a
new compound whose company took its older neighbours in; standalone
buildings with building heads; 47 e-bike charging pile groups in 3
communities; LPG-to-pipeline conversion on 3 lanes; access control in every
compound; the grid branches' cross-appointments, a few with a seat missing.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc

from compounds.models import (
    BuildingHead,
    Committee,
    CommitteeMember,
    CompanyStaff,
    Compound,
    Facility,
    PackageMembership,
    PartyInstructor,
    PartyOrganisation,
    PropertyCompany,
    ServiceContract,
    ServicePackage,
)
from demo import org as org_demo
from demo.org import upsert
from org.models import AllianceMember, CrossAppointment, OrgUnit, Person, Post
from org.roles import PROPERTY_MANAGER

CONTRACTS_FROM = date(2021, 1, 1)
BUNDLING_FROM = date(2022, 1, 1)  # 老旧小区打包 took effect with the new year
OWNERS_TERM_YEARS = 5
SELF_TERM_YEARS = 3


def credit_code(org_code_body: str) -> str:
    """A unified social credit code of a Rencheng company (91 370811 …).

    `org_code_body` is the 8-character body of the organisation code; its
    GB 11714 check character and the code's own check character are added.
    """
    values = [int(c, 36) for c in org_code_body]
    check = (
        11
        - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
        % 11
    )
    org_code = org_code_body + {10: "X", 11: "0"}.get(check, str(check))
    body = f"91370811{org_code}"
    return body + uscc.calc_check_digit(body)


@dataclass(frozen=True)
class CompanyRow:
    key: str
    name: str
    org_code: str
    party_members: int
    has_party_org: bool
    address: str


# ≥ 3 party members → own party organisation; fewer → an instructor. 安居
# has 4 members and no organisation yet: the one company breaking the rule.
COMPANIES = (
    CompanyRow("A", "济宁水景物业服务有限公司", "MA3C2K7D", 5, True, "济阳大街88号"),
    CompanyRow("B", "山东京杭物业管理有限公司", "MA3D8P1Q", 7, True, "京杭路166号"),
    CompanyRow(
        "C", "济宁市任城区红安物业服务有限公司", "MA3E4R2U", 3, True, "南门大街21号"
    ),
    CompanyRow("D", "济宁运河物业服务有限公司", "MA3F1T6W", 2, False, "运河路35号"),
    CompanyRow("E", "济宁鑫泰物业管理有限公司", "MA3G5Y9H", 1, False, "龙行路52号"),
    CompanyRow("F", "济宁安居物业服务有限公司", "MA3H7N3L", 4, False, "财工街9号"),
    CompanyRow("G", "济宁佳和物业服务有限公司", "MA3J2B8C", 0, False, "草桥口街17号"),
    CompanyRow("H", "山东鲁润物业服务有限公司", "MA3K9E4M", 6, True, "柳行街40号"),
    CompanyRow("I", "济宁惠民物业服务有限公司", "MA3L6G5N", 2, False, "古槐路12号"),
)


@dataclass(frozen=True)
class CompoundRow:
    name: str
    community: str  # code suffix under the street
    grid: int
    kind: str
    households: int
    buildings: int
    year_built: int
    company: str | None = None  # key in COMPANIES; None: not company-managed
    committee: str | None = None  # "owners" or "self"
    party_group: bool = False


NEW, OLD, ALONE = Compound.Kind.COMMERCIAL, Compound.Kind.OLD, Compound.Kind.STANDALONE
OWN, SELF = Committee.Kind.OWNERS, Committee.Kind.SELF_MANAGEMENT

# Where each community's compounds are numbered along.
ROADS = {
    "001": "济阳大街",
    "002": "草桥口街",
    "003": "运河路",
    "004": "柳行街",
    "005": "龙行路",
    "006": "财工街",
    "007": "南门大街",
    "008": "京杭路",
    "009": "后营村",
}

# Old compounds with kind OLD, no company and a self-management committee
# are the three-without compounds (无主管单位、无物业管理、无人防物防).
COMPOUNDS = (
    CompoundRow("水景花苑", "001", 1, NEW, 620, 14, 2008, "A", OWN, True),
    CompoundRow("济阳大街小区", "001", 1, OLD, 286, 8, 1993, "A", OWN),
    CompoundRow("阳光丽景", "001", 2, NEW, 410, 9, 2012, "A", OWN, True),
    CompoundRow("税务街宿舍", "001", 2, OLD, 144, 4, 1990, "E", OWN),
    CompoundRow("金城花园", "001", 3, NEW, 356, 8, 2010, "F", OWN),
    CompoundRow("济阳新村", "001", 3, OLD, 96, 3, 1986, None, SELF),
    CompoundRow("人民银行宿舍楼", "001", 4, ALONE, 36, 1, 1995),
    CompoundRow("古槐路小区", "001", 4, OLD, 120, 4, 1989, None, SELF),
    CompoundRow("草桥口小区", "002", 1, OLD, 312, 9, 1994, "D", OWN, True),
    CompoundRow("草桥花园", "002", 2, NEW, 268, 7, 2009, "F", OWN),
    CompoundRow("电业局宿舍", "002", 2, OLD, 72, 3, 1988, None, SELF),
    CompoundRow("粮食局宿舍", "002", 3, OLD, 84, 3, 1987, None, SELF),
    CompoundRow("邮电局宿舍楼", "002", 3, ALONE, 42, 1, 1992),
    CompoundRow("百货大楼宿舍", "002", 4, OLD, 90, 3, 1990, None, SELF),
    CompoundRow("草桥新苑", "002", 4, NEW, 198, 6, 2015, "G"),
    CompoundRow("运河花园", "003", 1, NEW, 480, 12, 2006, "D", OWN, True),
    CompoundRow("竹竿巷小区", "003", 2, OLD, 210, 6, 1996, "D", OWN),
    CompoundRow("运河小区", "003", 3, OLD, 240, 7, 1995, "I"),
    CompoundRow("航运公司宿舍", "003", 3, OLD, 64, 2, 1985, None, SELF),
    CompoundRow("运河人家", "003", 4, OLD, 108, 4, 1991, None, SELF),
    CompoundRow("水利局宿舍楼", "003", 4, ALONE, 30, 1, 1994),
    CompoundRow("柳行小区", "004", 1, OLD, 264, 8, 1992, "H", OWN, True),
    CompoundRow("柳行东小区", "004", 1, OLD, 176, 5, 1993, "H", OWN),
    CompoundRow("机械厂宿舍", "004", 2, OLD, 96, 3, 1984, "H"),
    CompoundRow("柳行西院", "004", 2, OLD, 68, 2, 1986, None, SELF),
    CompoundRow("棉纺厂宿舍", "004", 3, OLD, 132, 4, 1983, None, SELF),
    CompoundRow("龙行小区", "005", 1, OLD, 230, 7, 1997, "E", OWN),
    CompoundRow("龙行花园", "005", 2, NEW, 390, 10, 2011, "E", OWN, True),
    CompoundRow("龙行北区", "005", 3, OLD, 88, 3, 1990, None, SELF),
    CompoundRow("供销社宿舍楼", "005", 3, ALONE, 28, 1, 1991),
    CompoundRow("财工街小区", "006", 1, OLD, 204, 6, 1995, "I", OWN),
    CompoundRow("财政局宿舍", "006", 2, OLD, 80, 3, 1992, "I"),
    CompoundRow("汉石桥小区", "006", 3, OLD, 116, 4, 1988, None, SELF),
    CompoundRow("南门小区", "007", 1, OLD, 298, 8, 1994, "C", OWN, True),
    CompoundRow("南门东院", "007", 1, OLD, 150, 5, 1993, "C", OWN),
    CompoundRow("纸坊街小区", "007", 2, OLD, 112, 4, 1990, "C"),
    CompoundRow("卫生局宿舍", "007", 2, OLD, 60, 2, 1989, "C"),
    CompoundRow("南门里", "007", 3, OLD, 94, 3, 1987, None, SELF),
    CompoundRow("文化馆宿舍楼", "007", 3, ALONE, 24, 1, 1993),
    CompoundRow("京杭佳苑", "008", 1, NEW, 720, 16, 2019, "B", OWN, True),
    CompoundRow("京杭路宿舍", "008", 2, OLD, 168, 5, 1994, "B", OWN),
    CompoundRow("纺织站宿舍", "008", 2, OLD, 76, 3, 1988, "B"),
    CompoundRow("京杭东院", "008", 3, OLD, 132, 4, 1991, "B"),
    CompoundRow("京杭花园", "008", 4, NEW, 330, 9, 2013, "G", OWN),
    CompoundRow("京杭西院", "008", 4, OLD, 84, 3, 1987, None, SELF),
    CompoundRow("后营佳园", "009", 1, NEW, 260, 8, 2016, "I", OWN),
    CompoundRow("后营小区", "009", 2, OLD, 180, 6, 2003, "G"),
)

BENCHMARK = "水景花苑"
MODELLED_ON_BENCHMARK = ("济阳大街小区", "阳光丽景", "税务街宿舍", "金城花园")

# 以中心带周边: packages of adjacent old compounds under one company, with
# the lead compound first. 京杭佳苑 is the new compound whose company took
# its older neighbours in. 纸坊街 and 卫生局 were bundled by another company
# in 2020–2021 before joining 南门片区: that history is kept.
PACKAGES = (
    ("柳行片区", "H", BUNDLING_FROM, None, ("柳行小区", "柳行东小区", "机械厂宿舍")),
    (
        "南门片区",
        "C",
        BUNDLING_FROM,
        None,
        ("南门小区", "南门东院", "纸坊街小区", "卫生局宿舍"),
    ),
    (
        "京杭佳苑片区",
        "B",
        BUNDLING_FROM,
        None,
        ("京杭佳苑", "京杭路宿舍", "纺织站宿舍", "京杭东院"),
    ),
    (
        "纸坊街片区（2020—2021）",
        "I",
        date(2020, 1, 1),
        date(2021, 12, 31),
        ("纸坊街小区", "卫生局宿舍"),
    ),
)

# 47 groups of e-bike charging piles, in exactly 3 communities.
EV_CHARGERS = (
    ("水景花苑", 8),
    ("阳光丽景", 6),
    ("济阳大街小区", 4),
    ("运河花园", 7),
    ("竹竿巷小区", 5),
    ("运河小区", 3),
    ("京杭佳苑", 6),
    ("京杭路宿舍", 4),
    ("纺织站宿舍", 2),
    ("京杭东院", 2),
)
# 液化气罐改管道: business premises on 3 lanes (lane, community, premises).
GAS_LANES = (("竹竿巷", "003", 26), ("纸坊街", "007", 19), ("汉石桥街", "006", 14))
# Old-compound upgrades (旧改) and amenities, kind → compounds.
UPGRADES = {
    Facility.Kind.RAIN_SEWAGE: ("济阳大街小区", "草桥口小区", "柳行小区", "南门小区"),
    Facility.Kind.PIPE_NETWORK: ("税务街宿舍", "柳行东小区", "南门东院"),
    Facility.Kind.ROAD_REPAIR: ("竹竿巷小区", "龙行小区", "财工街小区", "京杭路宿舍"),
    Facility.Kind.WALL_PAINTING: (
        "机械厂宿舍",
        "纸坊街小区",
        "卫生局宿舍",
        "财政局宿舍",
    ),
    Facility.Kind.BIKE_SHED: (
        "济阳新村",
        "电业局宿舍",
        "龙行北区",
        "运河小区",
        "南门里",
    ),
    Facility.Kind.CLOTHES_RACK: ("古槐路小区", "航运公司宿舍", "柳行西院", "京杭西院"),
    Facility.Kind.PARKING: ("草桥口小区", "龙行小区", "后营小区"),
    Facility.Kind.FITNESS: ("运河人家", "棉纺厂宿舍", "汉石桥小区", "京杭东院"),
}
# Cross-appointment seats left empty after the re-election (gap report rows).
VACANT_SEATS = (
    ("004", 1, CrossAppointment.Seat.OWNERS_COMMITTEE),
    ("006", 2, CrossAppointment.Seat.COMPANY),
)
# Committees whose term runs out soon, so the 90-day list has rows.
TERMS_ENDING_SOON = {"草桥口小区": 40, "龙行小区": 75}


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def current_term(established: date, years: int, today: date) -> tuple[date, date]:
    """The term, counted in whole terms from `established`, that covers today."""
    start = established
    while add_years(start, years) <= today:
        start = add_years(start, years)
    return start, add_years(start, years) - timedelta(days=1)


def companies(root: OrgUnit, people: org_demo.DemoPeople) -> dict[str, PropertyCompany]:
    """The companies with their managers, party organisations or instructors."""
    made = {}
    for index, row in enumerate(COMPANIES):
        manager = people.make(root, party=row.party_members > 0, work_unit=row.name)
        company = upsert(
            PropertyCompany,
            credit_code=credit_code(row.org_code),
            defaults={
                "name": row.name,
                "registered_with": root,
                "legal_representative": people.name(Person.Gender.MALE),
                "contact_person": manager.name,
                "contact_phone": manager.phone,
                "address": f"济宁市任城区{row.address}",
                "party_member_count": row.party_members,
                "notes": (
                    f"党员{row.party_members}人，党组织正在筹建，尚未成立。"
                    if row.party_members >= 3 and not row.has_party_org
                    else ""
                ),
            },
        )
        upsert(
            CompanyStaff,
            company=company,
            person=manager,
            role=CompanyStaff.Role.MANAGER,
            defaults={"start": CONTRACTS_FROM, "end": None},
        )
        if row.party_members:
            secretary = people.make(root, party=True, work_unit=row.name)
            upsert(
                CompanyStaff,
                company=company,
                person=secretary,
                role=CompanyStaff.Role.PARTY_SECRETARY,
                defaults={"start": CONTRACTS_FROM, "end": None},
            )
        if row.has_party_org:
            upsert(
                PartyOrganisation,
                company=company,
                defaults={
                    "name": f"{row.name}党支部",
                    "secretary": secretary,
                    "founded": date(2021, 3 + index, 1),
                },
            )
        elif row.party_members < 3:
            instructor = people.make(root, party=True, work_unit="济阳街道党工委")
            upsert(
                PartyInstructor,
                company=company,
                person=instructor,
                defaults={"start": date(2021, 4, 1), "end": None},
            )
        made[row.key] = company
    return made


def compounds(people: org_demo.DemoPeople) -> dict[str, Compound]:
    made = {}
    rng = random.Random("jiyang-demo-compounds")
    for index, row in enumerate(COMPOUNDS):
        grid = org_demo.grid(row.community, row.grid)
        group = None
        if row.party_group:
            group = upsert(
                OrgUnit,
                parent=grid,
                name=f"{row.name}楼院党小组",
                defaults={"kind": OrgUnit.Kind.GROUP, "established": date(2021, 6, 1)},
            )
            leader = people.make(grid, party=True)
            org_demo.hold_post(leader, group, Post.Role.SECRETARY, date(2021, 6, 1))
        three_without = row.company is None and row.committee == SELF
        if row.company:
            mode = Compound.ManagementMode.COMPANY
        elif row.kind == ALONE:
            mode = Compound.ManagementMode.BUILDING_HEADS
        else:
            mode = Compound.ManagementMode.SELF
        compound = upsert(
            Compound,
            grid=grid,
            name=row.name,
            defaults={
                "party_group": group,
                "address": f"济宁市任城区{ROADS[row.community]}{10 + 2 * index}号",
                "latitude": Decimal("35.4000") + Decimal(rng.randint(0, 2500)) / 100000,
                "longitude": Decimal("116.5700")
                + Decimal(rng.randint(0, 3000)) / 100000,
                "households": row.households,
                "buildings": row.buildings,
                "year_built": row.year_built,
                "service_grade": 1
                if row.year_built >= 2010
                else 2
                if row.kind == NEW
                else 3,
                "kind": row.kind,
                "lacks_supervising_unit": three_without,
                "lacks_property_service": three_without,
                "lacks_security": three_without,
                "management_mode": mode,
            },
        )
        made[row.name] = compound
    return made


def contracts_and_packages(made_companies, made_compounds) -> None:
    history = {}  # compound → end of an earlier contract
    for name, key, start, end, members in PACKAGES:
        package = upsert(
            ServicePackage,
            name=name,
            defaults={
                "company": made_companies[key],
                "lead_compound": made_compounds[members[0]],
                "start": start,
                "end": end,
            },
        )
        for member in members:
            upsert(
                PackageMembership,
                package=package,
                compound=made_compounds[member],
                start=start,
                defaults={"end": end},
            )
            if end:
                upsert(
                    ServiceContract,
                    compound=made_compounds[member],
                    company=made_companies[key],
                    start=start,
                    defaults={"end": end, "monthly_fee_per_sqm": Decimal("0.30")},
                )
                history[member] = end
    bundled = {m: start for _, _, start, end, ms in PACKAGES if end is None for m in ms}
    for row in COMPOUNDS:
        if not row.company:
            continue
        start = bundled.get(row.name, CONTRACTS_FROM)
        if row.name in history:
            start = history[row.name] + timedelta(days=1)
        fee = Decimal("1.50") if row.kind == NEW else Decimal("0.45")
        upsert(
            ServiceContract,
            compound=made_compounds[row.name],
            company=made_companies[row.company],
            start=start,
            defaults={"end": None, "monthly_fee_per_sqm": fee},
        )


def committees(people: org_demo.DemoPeople, made_compounds) -> dict[str, Committee]:
    """33 committees: owners' committees and 13 self-management committees."""
    today = timezone.localdate()
    R = CommitteeMember.Role
    made = {}
    # The benchmark first, so its followers can point at it.
    rows = sorted(
        (row for row in COMPOUNDS if row.committee),
        key=lambda row: row.name != BENCHMARK,
    )
    for index, row in enumerate(rows):
        compound = made_compounds[row.name]
        owners = row.committee == OWN
        established = date(2019 + index % 4, 1 + index % 12, 10)
        years = OWNERS_TERM_YEARS if owners else SELF_TERM_YEARS
        start, end = current_term(established, years, today)
        if row.name in TERMS_ENDING_SOON:
            end = today + timedelta(days=TERMS_ENDING_SOON[row.name])
            start = add_years(end, -years) + timedelta(days=1)
            established = min(established, start)
        roles = (
            [R.CHAIR, R.VICE_CHAIR, R.PARTY_LEADER, R.MEMBER, R.MEMBER]
            if owners
            else [R.CHAIR, R.PARTY_LEADER, R.MEMBER]
        )
        seats = []
        for position, role in enumerate(roles):
            party = role == R.PARTY_LEADER or (position + index) % 3 == 0
            if row.name == BENCHMARK:
                party = position < 4
            seats.append((people.make(compound.grid, party=party), role))
        committee = upsert(
            Committee,
            compound=compound,
            name=f"{row.name}{'业主委员会' if owners else '自管会'}",
            defaults={
                "kind": row.committee,
                "established": established,
                "term_start": start,
                "term_end": end,
                "has_party_organisation": sum(p.is_party_member for p, _ in seats) >= 3,
                "is_benchmark": row.name == BENCHMARK,
                "modelled_on": made.get(BENCHMARK)
                if row.name in MODELLED_ON_BENCHMARK
                else None,
            },
        )
        for person, role in seats:
            upsert(
                CommitteeMember,
                committee=committee,
                person=person,
                defaults={"role": role},
            )
        made[row.name] = committee
    return made


def building_heads(people: org_demo.DemoPeople, made_compounds) -> None:
    """楼长 for the standalone buildings and the old compounds without a committee."""
    for row in COMPOUNDS:
        if row.kind == ALONE:
            buildings = ["", "1单元", "2单元"]
        elif row.kind == OLD and not row.committee:
            buildings = [f"{n}号楼" for n in range(1, row.buildings + 1)]
        else:
            continue
        compound = made_compounds[row.name]
        for building in buildings:
            person = people.make(compound.grid, party=building == "")
            upsert(
                BuildingHead,
                compound=compound,
                building=building,
                defaults={"person": person, "start": date(2021, 5, 1), "end": None},
            )


def facilities(communities, made_compounds) -> None:
    K = Facility.Kind

    def facility(kind, compound, count, done, notes="", community=None, location=""):
        upsert(
            Facility,
            kind=kind,
            compound=compound,
            location=location,
            defaults={
                "community": community or compound.community,
                "count": count,
                "completed_on": done,
                "notes": notes,
            },
        )

    for index, row in enumerate(COMPOUNDS):
        compound = made_compounds[row.name]
        facility(
            K.ACCESS_CONTROL,
            compound,
            max(1, row.buildings // 3),
            date(2021, 3 + index % 9, 1 + index % 27),
            "智能门禁（人脸识别、刷卡）",
        )
    for index, (name, count) in enumerate(EV_CHARGERS):
        facility(
            K.EV_CHARGER,
            made_compounds[name],
            count,
            date(2021, 9 + index % 4, 10),
            "电动车平价充电桩",
        )
    for lane, suffix, premises in GAS_LANES:
        facility(
            K.GAS_PIPELINE,
            None,
            premises,
            date(2021, 11, 30),
            "沿街经营场所液化气罐改管道天然气",
            community=communities[suffix],
            location=lane,
        )
    for offset, (kind, names) in enumerate(UPGRADES.items()):
        for index, name in enumerate(names):
            compound = made_compounds[name]
            count = {
                K.PARKING: 20 + 6 * index,
                K.FITNESS: 6 + index,
                K.CLOTHES_RACK: 4 + index,
                K.BIKE_SHED: 1 + index % 2,
            }.get(kind, 1)
            facility(kind, compound, count, date(2021, 4 + offset, 5 + 3 * index))


def cross_appointments(
    root, communities, made_companies, made_compounds, made_committees
):
    """交叉任职 on every grid branch, except the seats left vacant."""
    Seat = CrossAppointment.Seat
    party_leaders = {}
    for key, company in made_companies.items():
        staff = company.staff.filter(role=CompanyStaff.Role.PARTY_SECRETARY).first()
        if staff:
            party_leaders[key] = staff.person
    by_grid: dict[int, list[CompoundRow]] = {}
    by_community: dict[str, list[CompoundRow]] = {}
    for row in COMPOUNDS:
        grid_id = made_compounds[row.name].grid_id
        by_grid.setdefault(grid_id, []).append(row)
        by_community.setdefault(row.community, []).append(row)
    vacant = {(org_demo.grid(s, n).pk, seat) for s, n, seat in VACANT_SEATS}

    for suffix, community in communities.items():
        secretary = community.active_posts().filter(role=Post.Role.SECRETARY).first()
        for grid in OrgUnit.objects.filter(parent=community).order_by("code"):
            rows = by_grid.get(grid.pk, [])
            # The company serving the grid, or else one serving its community.
            company_key = next(
                (
                    row.company
                    for row in rows + by_community[suffix]
                    if row.company in party_leaders
                ),
                None,
            )
            committee = next(
                (made_committees[r.name] for r in rows if r.name in made_committees),
                None,
            )
            seats = {Seat.COMMUNITY: (secretary.person, community.name)}
            if company_key:
                seats[Seat.COMPANY] = (
                    party_leaders[company_key],
                    made_companies[company_key].name,
                )
            if committee:
                leader = committee.members.filter(
                    role=CommitteeMember.Role.PARTY_LEADER
                ).first()
                seats[Seat.OWNERS_COMMITTEE] = (leader.person, committee.name)
            for seat, (person, source) in seats.items():
                if (grid.pk, seat) in vacant:
                    CrossAppointment.objects.filter(branch=grid, seat=seat).delete()
                    continue
                upsert(
                    CrossAppointment,
                    branch=grid,
                    seat=seat,
                    defaults={
                        "person": person,
                        "source_organisation": source,
                        "start": org_demo.GRIDS_REELECTED,
                        "end": None,
                    },
                )


def alliance_members(root, made_companies) -> None:
    alliance = root.alliance
    for company in made_companies.values():
        leader = company.staff.filter(role=CompanyStaff.Role.PARTY_SECRETARY).first()
        manager = company.staff.filter(role=CompanyStaff.Role.MANAGER).first()
        upsert(
            AllianceMember,
            alliance=alliance,
            organisation=company.name,
            defaults={
                "kind": AllianceMember.Kind.COMPANY,
                "representative": (leader or manager).person,
                "joined": org_demo.ALLIANCE_FOUNDED,
            },
        )


@transaction.atomic
def load(*, stdout=None) -> list[org_demo.DemoLogin]:
    """Build companies, compounds and what serves them; return the manager login."""
    root = org_demo.street()
    communities = {
        suffix: org_demo.community(suffix) for suffix, *_ in org_demo.COMMUNITIES
    }
    people = org_demo.DemoPeople(block=2)
    made_companies = companies(root, people)
    made_compounds = compounds(people)
    contracts_and_packages(made_companies, made_compounds)
    made_committees = committees(people, made_compounds)
    building_heads(people, made_compounds)
    facilities(communities, made_compounds)
    cross_appointments(
        root, communities, made_companies, made_compounds, made_committees
    )
    alliance_members(root, made_companies)

    # The manager of the company that took 京杭佳苑's neighbours in.
    company = made_companies["B"]
    manager: Person = company.staff.get(role=CompanyStaff.Role.MANAGER).person
    org_demo.ensure_login("property_manager", person=manager, role=PROPERTY_MANAGER)
    return [
        org_demo.DemoLogin(
            "property_manager", org_demo.DEMO_PASSWORD, PROPERTY_MANAGER, company.name
        )
    ]
