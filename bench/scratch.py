"""What the benchmarks share: the scratch database, the child process that
works inside it, and INSERT … SELECT column lists built from the models.

A benchmark never touches the configured database: it creates a scratch one
next to it (its name must contain "bench"), runs its work in a child
process whose DATABASE_URL points there, reads the child's result from one
`BENCH <json>` line of its output and drops the database at the end unless
told to keep it.
"""

import json
import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from django.conf import settings
from django.db import connection
from django.db.models import NOT_PROVIDED


class BenchError(Exception):
    """A reason the benchmark cannot run; printed instead of a traceback."""


def default_bench_url(name: str = "bench_jiyang") -> str:
    """The URL of database `name` on the configured PostgreSQL server."""
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        raise BenchError(
            "The benchmark needs PostgreSQL: set DATABASE_URL to a PostgreSQL "
            "database or pass --database-url."
        )
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def add_database_argument(parser, name: str) -> None:
    """The --database-url option of a benchmark whose default is `name`."""
    parser.add_argument(
        "--database-url",
        help="Scratch PostgreSQL database to create and drop "
        f"(default: {name} next to the configured database).",
    )


def compound_values(name: str) -> dict[str, str]:
    """SQL values of a synthetic compound (for `fill_rest`) named by the SQL
    expression `name`, in grid `g` (a row with id, community_id, street_id)."""
    return {
        "name": name,
        "grid_id": "g.id",
        "community_id": "g.community_id",
        "street_id": "g.street_id",
        "households": "50 + (random() * 950)::int",
        "buildings": "1 + (random() * 20)::int",
        "service_grade": "3",
        "kind": "'commercial'",
        "management_mode": "'company'",
    }


def _admin_connection(url: str):
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or parts.scheme not in {"postgres", "postgresql"}:
        raise BenchError("--database-url must name a PostgreSQL database.")
    if name == settings.DATABASES["default"].get("NAME") or "bench" not in name:
        raise BenchError(
            "The scratch database is dropped afterwards: its name must contain "
            "'bench' and differ from the configured database."
        )
    admin = urlunsplit(parts._replace(path="/postgres"))
    try:
        conn = psycopg2.connect(admin)
    except psycopg2.OperationalError as error:
        raise BenchError(f"PostgreSQL does not answer: {error}") from error
    conn.autocommit = True
    return conn, name


def recreate_database(url: str) -> None:
    conn, name = _admin_connection(url)
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def drop_database(url: str) -> None:
    conn, name = _admin_connection(url)
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def child_env(url: str, **extra: str) -> dict[str, str]:
    """The environment of a child working in the scratch database `url`."""
    env = {**os.environ, "DATABASE_URL": url, "CONN_MAX_AGE": "0", **extra}
    if "REDIS_URL" not in extra:
        env.pop("REDIS_URL", None)
    return env


def run_child(module: str, args: list[str], env: dict[str, str]) -> dict:
    """Run `python -m module --inside args` and return its BENCH result."""
    done = subprocess.run(
        [sys.executable, "-m", module, "--inside", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if done.returncode or line is None:
        raise BenchError(done.stderr[-3000:] or done.stdout[-3000:])
    return json.loads(line[6:])


def check_inside_bench_database() -> None:
    """Refuse to generate data anywhere but a PostgreSQL bench database."""
    if connection.vendor != "postgresql":
        raise BenchError("The benchmark runs on PostgreSQL only.")
    if "bench" not in connection.settings_dict["NAME"]:
        raise BenchError("Refusing to generate data outside a bench database.")


def _literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float) or hasattr(value, "as_tuple"):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def fill_rest(model, given: dict[str, str]) -> tuple[str, str]:
    """Columns and SQL values for an INSERT, defaulting what is not given.

    Keys of `given` naming no column of `model` are left out, so that a
    builder may offer values (say, a row's street) a model gains later.
    """
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in given:
            values.append(given[field.column])
        elif field.null:
            values.append("NULL")
        elif field.default is not NOT_PROVIDED and not callable(field.default):
            values.append(_literal(field.default))
        elif field.get_internal_type() in {"DateTimeField"}:
            values.append("now()")
        elif field.get_internal_type() in {"BooleanField"}:
            values.append("false")
        elif field.get_internal_type() in {"JSONField"}:
            values.append("'{}'")
        else:
            values.append("''")
    return ", ".join(columns), ", ".join(values)
