"""A synthetic city for the web benchmark, built by set-based SQL.

`build_city(CityScale(...))` fills an empty, migrated database: streets →
communities → grids (through the tree's own saves, so the tree fields are
the tree's), then companies, compounds, one service contract a compound,
concerns spread over the last twelve months with their events (by
INSERT … SELECT generate_series), and the bench logins (`bench_users`).
Real data is never touched: the callers run it in a scratch database
(`bench.scratch`) or in the test database.
"""

import secrets
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from compounds.models import Compound, PropertyCompany, ServiceContract
from consultations.models import Concern, ConcernCategory, ConcernEvent
from org.models import OrgUnit, Person, Post, User
from org.second_factor import DEVICE_NAME

from .scratch import compound_values, fill_rest

BENCH_PASSWORD = "bench-pass-word-2026"
COMMUNITY_USER = "bench_community"
STREET_USER = "bench_street"
# One login per load connection: each holds its own session, as staff do.
USERS_PER_ROLE = 16


@dataclass(frozen=True)
class CityScale:
    streets: int = 8
    communities_per_street: int = 10
    grids_per_community: int = 5
    compounds: int = 10_000
    companies: int = 300
    concerns: int = 1_000_000
    # Share of concerns with a second event (dispatched or answered): the
    # city's 1M concerns carry about 1.8M events.
    second_event_share: float = 0.8

    @property
    def communities(self) -> int:
        return self.streets * self.communities_per_street

    @property
    def grids(self) -> int:
        return self.communities * self.grids_per_community


SCALES = {
    "full": CityScale(),
    "small": CityScale(streets=1, compounds=1_000, companies=40, concerns=50_000),
}


def build_city(scale: CityScale) -> dict:
    """Fill the database with the city of `scale`; the seconds of each step."""
    seconds = {}
    started = time.perf_counter()
    build_tree(scale)
    seconds["tree"] = time.perf_counter() - started
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        step = time.perf_counter()
        _companies_and_compounds(cursor, scale)
        seconds["compounds"] = time.perf_counter() - step
        step = time.perf_counter()
        with indexes_built_after(cursor, Concern):
            _concerns(cursor, scale)
        seconds["concerns"] = time.perf_counter() - step
        step = time.perf_counter()
        with indexes_built_after(cursor, ConcernEvent):
            _events(cursor, scale)
        seconds["events"] = time.perf_counter() - step
        step = time.perf_counter()
        for model in (Compound, Concern, ConcernEvent):
            cursor.execute(f"VACUUM ANALYZE {q(model._meta.db_table)}")
        cursor.execute("ANALYZE")
        seconds["analyze"] = time.perf_counter() - step
    keys = bench_users()
    seconds["total"] = time.perf_counter() - started
    return {"scale": asdict(scale), "seconds": seconds, "totp_keys": keys}


@contextmanager
def indexes_built_after(cursor, model):
    """Drop the plain indexes of `model`'s table and build them afterwards.

    One CREATE INDEX over a million rows is several times faster than
    keeping twenty indexes up to date row by row. The indexes that back
    constraints (primary key, unique) stay, and so do their checks.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
        "FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [model._meta.db_table],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    try:
        yield
    finally:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute(f"ANALYZE {table}")


@transaction.atomic
def build_tree(scale: CityScale) -> None:
    """Streets, communities and grids with statistical codes."""
    for s in range(1, scale.streets + 1):
        street = OrgUnit.objects.create(
            kind=OrgUnit.Kind.STREET, name=f"基准第{s}街道", code=f"370811{s:03d}"
        )
        for c in range(1, scale.communities_per_street + 1):
            community = OrgUnit.objects.create(
                kind=OrgUnit.Kind.COMMUNITY,
                name=f"基准第{s}街道第{c}社区",
                code=f"{street.code}{c:03d}",
                parent=street,
            )
            for g in range(1, scale.grids_per_community + 1):
                OrgUnit.objects.create(
                    kind=OrgUnit.Kind.GRID,
                    name=f"{community.name}第{g}网格",
                    code=f"{community.code}{g:03d}",
                    parent=community,
                )


def _companies_and_compounds(cursor, scale: CityScale) -> None:
    q = connection.ops.quote_name
    t_unit = q(OrgUnit._meta.db_table)
    t_company = q(PropertyCompany._meta.db_table)
    t_compound = q(Compound._meta.db_table)
    cursor.execute(
        "CREATE TEMP TABLE bench_street AS SELECT row_number() OVER "
        f"(ORDER BY id) - 1 AS rn, id FROM {t_unit} WHERE kind = 'street'"
    )
    cols, vals = fill_rest(
        PropertyCompany,
        {
            "name": "'基准物业服务有限公司' || i",
            "credit_code": "'B' || lpad(i::text, 17, '0')",
            "registered_with_id": "s.id",
        },
    )
    cursor.execute(
        f"INSERT INTO {t_company} ({cols}) SELECT {vals} "
        "FROM generate_series(0, %s - 1) i "
        "JOIN bench_street s ON s.rn = i %% (SELECT count(*) FROM bench_street)",
        [scale.companies],
    )
    cursor.execute(
        "CREATE TEMP TABLE bench_grid AS SELECT row_number() OVER "
        "(ORDER BY g.id) - 1 AS rn, g.id, g.parent_id AS community_id, "
        f"c.parent_id AS street_id FROM {t_unit} g JOIN {t_unit} c "
        "ON c.id = g.parent_id WHERE g.kind = 'grid'"
    )
    cols, vals = fill_rest(
        Compound,
        {
            **compound_values("'基准小区' || lpad(i::text, 5, '0')"),
            "address": "'基准路' || i || '号'",
        },
    )
    cursor.execute(
        f"INSERT INTO {t_compound} ({cols}) SELECT {vals} "
        "FROM generate_series(0, %s - 1) i "
        "JOIN bench_grid g ON g.rn = i %% (SELECT count(*) FROM bench_grid)",
        [scale.compounds],
    )
    # Each compound is served by a company registered with its street.
    cursor.execute(
        "CREATE TEMP TABLE bench_company AS SELECT id, registered_with_id AS "
        "street_id, row_number() OVER (PARTITION BY registered_with_id "
        "ORDER BY id) - 1 AS rn, count(*) OVER (PARTITION BY "
        f"registered_with_id) AS n FROM {t_company}"
    )
    cursor.execute(
        f"INSERT INTO {q(ServiceContract._meta.db_table)} "
        '(compound_id, company_id, start, "end") '
        "SELECT c.id, co.id, DATE '2020-01-01', NULL "
        f"FROM {t_compound} c JOIN bench_company co ON co.street_id = "
        "c.street_id AND co.rn = c.id % co.n"
    )


def _concerns(cursor, scale: CityScale) -> None:
    """Concerns over the last 365 days, in time order, evenly over compounds.

    Most are closed; the newest are still being worked on, as in a real
    city where a concern takes a few days to close.
    """
    q = connection.ops.quote_name
    t_compound = q(Compound._meta.db_table)
    t_contract = q(ServiceContract._meta.db_table)
    categories = list(
        ConcernCategory.objects.filter(is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not categories:
        categories = [
            ConcernCategory.objects.create(
                code="bench", name="物业服务", sla_working_days=5
            ).pk
        ]
    category_array = "ARRAY[" + ", ".join(str(pk) for pk in categories) + "]"
    cursor.execute(
        "CREATE TEMP TABLE bench_compound AS SELECT row_number() OVER "
        "(ORDER BY c.id) - 1 AS rn, c.id, c.street_id, c.community_id, "
        f"c.grid_id, sc.company_id FROM {t_compound} c "
        f"JOIN {t_contract} sc ON sc.compound_id = c.id"
    )
    cursor.execute(
        "CREATE TEMP TABLE bench_k AS SELECT i, now() - random() * "
        "interval '365 days' AS created, random() AS r FROM "
        "generate_series(0, %s - 1) i",
        [scale.concerns],
    )
    age = "now() - k.created"
    status = (
        f"CASE WHEN {age} < interval '1 day' THEN 'submitted' "
        f"WHEN {age} < interval '3 days' THEN 'dispatched' "
        f"WHEN {age} < interval '7 days' THEN 'in_progress' "
        "WHEN k.r < 0.01 THEN 'merged' WHEN k.r < 0.05 THEN 'rejected' "
        "WHEN k.r < 0.10 THEN 'responded' ELSE 'closed' END"
    )
    worked = f"{age} >= interval '1 day'"
    cols, vals = fill_rest(
        Concern,
        {
            "tracking_code": "'BK' || lpad(k.i::text, 12, '0')",
            "compound_id": "c.id",
            "street_id": "c.street_id",
            "community_id": "c.community_id",
            "grid_id": "c.grid_id",
            "category_id": f"({category_array})[1 + k.i %% {len(categories)}]",
            "kind": "CASE WHEN k.r < 0.5 THEN 'complaint' ELSE 'consultation' END",
            "source": "'web'",
            "urgency": "'normal'",
            "description": "'楼道堆放杂物，影响通行，请尽快清理。第' || k.i || '号'",
            "name": "'居民' || (k.i %% 1000)",
            "phone": "'+86138' || lpad((k.i %% 100000000)::text, 8, '0')",
            "status": status,
            "handler_company_id": f"CASE WHEN {worked} THEN c.company_id END",
            "due_at": "k.created + interval '7 days'",
            "sign_due_at": "k.created + interval '1 day'",
            "created_at": "k.created",
            "updated_at": "k.created",
            "dispatched_at": f"CASE WHEN {worked} THEN k.created "
            "+ interval '1 hour' END",
            "responded_at": f"CASE WHEN {age} >= interval '7 days' AND k.r >= 0.05 "
            "THEN k.created + interval '2 days' END",
            "closed_at": f"CASE WHEN {age} >= interval '7 days' AND k.r >= 0.10 "
            "THEN k.created + interval '4 days' END",
        },
    )
    cursor.execute(
        f"INSERT INTO {q(Concern._meta.db_table)} ({cols}) SELECT {vals} "
        "FROM bench_k k JOIN bench_compound c ON c.rn = k.i %% %s "
        "ORDER BY k.created",
        [scale.compounds],
    )


def _events(cursor, scale: CityScale) -> None:
    """The submission of every concern; a dispatch for most of the others."""
    q = connection.ops.quote_name
    t_concern = q(Concern._meta.db_table)
    t_event = q(ConcernEvent._meta.db_table)
    place = {
        "street_id": "k.street_id",
        "community_id": "k.community_id",
        "grid_id": "k.grid_id",
    }
    cols, vals = fill_rest(
        ConcernEvent,
        {
            **place,
            "concern_id": "k.id",
            "action": "'submit'",
            "to_status": "'submitted'",
            "is_public": "true",
            "created_at": "k.created_at",
        },
    )
    cursor.execute(
        f"INSERT INTO {t_event} ({cols}) SELECT {vals} FROM {t_concern} k ORDER BY k.id"
    )
    cols, vals = fill_rest(
        ConcernEvent,
        {
            **place,
            "concern_id": "k.id",
            "action": "'dispatch'",
            "from_status": "'submitted'",
            "to_status": "'dispatched'",
            "note": "'转交物业服务企业办理'",
            "is_public": "true",
            "created_at": "k.dispatched_at",
        },
    )
    cursor.execute(
        f"INSERT INTO {t_event} ({cols}) SELECT {vals} FROM {t_concern} k "
        "WHERE k.dispatched_at IS NOT NULL AND (k.id * 7919) %% 1000 < %s "
        "ORDER BY k.id",
        [int(scale.second_event_share * 1000)],
    )


def bench_users(per_role: int = USERS_PER_ROLE) -> dict[str, str]:
    """Community staff logins and street office logins (with their
    authenticators) on the first community and street, `per_role` of each
    (`bench_community_01`, …); the TOTP keys by username."""
    community = OrgUnit.objects.communities().order_by("code").first()
    street = community.parent
    keys = {}
    logins = [
        (f"{prefix}_{n:02d}", unit, f"{name}{n}")
        for prefix, unit, name in (
            (COMMUNITY_USER, community, "基准社区专职工作人员"),
            (STREET_USER, street, "基准街道物业办工作人员"),
        )
        for n in range(1, per_role + 1)
    ]
    # Their own password, hashed once: no change is forced at sign-in.
    hashed = make_password(BENCH_PASSWORD)
    for username, unit, name in logins:
        person = Person.objects.create(name=name, unit=unit)
        Post.objects.create(person=person, unit=unit, role=Post.Role.FULL_TIME_STAFF)
        user = User.objects.create(
            username=username,
            is_staff=True,
            person=person,
            password=hashed,
            must_change_password=False,
        )
        if unit.kind == OrgUnit.Kind.STREET:
            # The street office must pass the second factor: the bench signs
            # in with the code of this device, as the phone would show it.
            # The community login needs none (org.second_factor).
            key = secrets.token_hex(20)
            TOTPDevice.objects.create(
                user=user, name=DEVICE_NAME, key=key, confirmed=True
            )
            keys[username] = key
    return keys
