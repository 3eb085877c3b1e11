"""Benchmark the portal's pages against a bare Django project, side by side.

Run `make bench-web` or `python -m bench.web --help`. In a scratch
PostgreSQL database (default `bench_jiyang_web` next to the configured
one; dropped at the end unless --keep) a child process builds the city
(`bench.city`, set-based SQL). Then two servers run at once on loopback,
each under gunicorn with sync workers and --preload, in production
configuration (DEBUG off, persistent connections, static files collected
into a temporary folder and served by whitenoise, Redis as cache and
broker): the portal, and the bare baseline of `bench/bare`. wrk drives
each pair of works, portal then bare, for --pairs alternating pairs; the
table gives the medians. Signed-in works use sessions opened through the
real sign-in (and second factor), one login per connection.

Before it prints, it checks what was served: no answer other than 2xx or
3xx, as many new concerns as POSTs answered (give or take the requests in
flight when wrk stopped), and lists holding 50 rows of the user's
community or street only, older than the cursor on deep pages. SQL
statements per request and response sizes come from one request of each
URL through Django's test client in a child process (`bench.probe`).
"""

import argparse
import base64
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from statistics import median

import psycopg2
import redis
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_otp.oath import TOTP

from consultations.models import Concern, ConcernCategory

from .city import (
    BENCH_PASSWORD,
    COMMUNITY_USER,
    SCALES,
    STREET_USER,
    USERS_PER_ROLE,
    CityScale,
    build_city,
)
from .scratch import (
    BenchError,
    add_database_argument,
    check_inside_bench_database,
    child_env,
    default_bench_url,
    drop_database,
    recreate_database,
    run_child,
)

HERE = Path(__file__).resolve().parent
LUA = HERE / "web.lua"
# The page size of the portal's lists and of the bare list.
PAGE = 50


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.web",
        description="Serve the portal and a bare Django project side by side "
        "on a synthetic city and compare them under wrk.",
    )
    add_database_argument(parser, "bench_jiyang_web")
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument(
        "--duration", type=float, default=10, help="Seconds of each wrk run."
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/15",
        help="Redis database for both servers' cache and broker; flushed "
        "before the run.",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="WORK",
        help="Run only this work (repeatable); names in the table.",
    )
    parser.add_argument("--keep", action="store_true", help="Keep the database.")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Serve the database built by an earlier --keep run as it is.",
    )
    parser.add_argument("--inside", action="store_true", help="(internal)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    opts = parse_args(argv)
    if opts.inside:
        print("BENCH " + json.dumps(run_inside(SCALES[opts.scale], opts.reuse)))
        return
    url = opts.database_url or default_bench_url("bench_jiyang_web")
    wrk = ensure_wrk()
    if not opts.reuse:
        recreate_database(url)
    try:
        started = time.perf_counter()
        facts = run_child(
            "bench.web",
            [f"--scale={opts.scale}", *(["--reuse"] if opts.reuse else [])],
            child_env(url),
        )
        facts["build_seconds"] = time.perf_counter() - started
        print(
            f"city: {facts['counts']} built in {facts['build_seconds']:.0f} s "
            f"{facts['build'].get('seconds', {})}",
            file=sys.stderr,
        )
        with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
            results = Run(opts, url, facts, Path(tmp), wrk).run()
    finally:
        if not opts.keep:
            drop_database(url)
    report(results, facts, opts)
    if results["problems"]:
        sys.exit(1)


# Inside the scratch database (the child) ---------------------------------


def run_inside(scale: CityScale, reuse: bool) -> dict:
    check_inside_bench_database()
    build = {}
    if not reuse:
        call_command("migrate", verbosity=0)
        build = build_city(scale)
    return {"build": build, **city_facts()}


def city_facts() -> dict:
    """What the load needs: the users' units, ids to post, deep cursors."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from org.models import OrgUnit, User

    community = User.objects.get(username=f"{COMMUNITY_USER}_01").person.unit
    street = community.parent
    concerns = Concern.objects.filter(community=community)
    facts = {
        "community_id": community.pk,
        "street_id": street.pk,
        "compound_id": concerns.order_by("pk").first().compound_id,
        "category_id": ConcernCategory.objects.filter(is_active=True)
        .order_by("pk")
        .first()
        .pk,
        "tracking_code": concerns.order_by("-pk").first().tracking_code,
        "counts": {
            "streets": OrgUnit.objects.streets().count(),
            "communities": OrgUnit.objects.communities().count(),
            "grids": OrgUnit.objects.grids().count(),
            "compounds": _count("compounds_compound"),
            "concerns": _count("consultations_concern"),
            "events": _count("consultations_concernevent"),
        },
        "totp_keys": dict(
            TOTPDevice.objects.filter(
                user__username__startswith=STREET_USER
            ).values_list("user__username", "key")
        ),
    }
    for name, rows in (
        ("community", concerns),
        ("street", Concern.objects.filter(street=street)),
    ):
        total = rows.count()
        middle = rows.order_by("-created_at", "-id").values_list("created_at", "id")[
            total // 2
        ]
        facts[f"{name}_total"] = total
        facts[f"{name}_deep"] = [middle[0].isoformat(), middle[1]]
    return facts


def _count(table: str) -> int:
    # An estimate would do for the table; the bench reports exact counts.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]


# The load --------------------------------------------------------------------


@dataclass
class Work:
    """One row of the table: a portal request and its bare counterpart."""

    name: str
    portal: dict
    bare: dict
    # "list:community", "list:street" (scope to check) or "post".
    check: str = ""
    deep: list | None = None
    label: str = ""


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    port: int
    peak_pss_kib: int = 0
    log: Path | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[int]:
        pid = self.process.pid
        try:
            return [
                int(x)
                for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            ]
        except OSError:
            return []

    def sample_memory(self) -> None:
        """The largest worker's proportional set size (shared pages split)."""
        for pid in self.workers():
            try:
                text = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            match = re.search(r"^Pss:\s+(\d+) kB", text, re.M)
            if match:
                self.peak_pss_kib = max(self.peak_pss_kib, int(match.group(1)))


@dataclass
class Measured:
    rps: list[float] = field(default_factory=list)
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)


class Run:
    def __init__(self, opts, url: str, facts: dict, tmp: Path, wrk: str):
        self.opts, self.url, self.facts, self.tmp, self.wrk = (
            opts,
            url,
            facts,
            tmp,
            wrk,
        )
        self.problems: list[str] = []
        self.checked = {"every answer 2xx/3xx"}
        secret = secrets.token_urlsafe(40)
        self.portal_env = child_env(
            url,
            DEBUG="0",
            SECRET_KEY=secret,
            ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
            CONN_MAX_AGE="60",
            REDIS_URL=opts.redis_url,
            STATIC_ROOT=str(tmp / "static"),
            MEDIA_ROOT=str(tmp / "media"),
            # The limits still count every request; they are only high
            # enough for one address to post thousands of concerns.
            CONCERN_RATE_LIMIT_ADDRESS="100000000/3600",
            API_USER_RATE="100000000/minute",
            API_ANON_RATE="100000000/minute",
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        )
        self.bare_env = {
            **child_env(url, SECRET_KEY=secret, CONN_MAX_AGE="60"),
            "DJANGO_SETTINGS_MODULE": "bench.bare.settings",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        }

    def run(self) -> dict:
        self.collect_static()
        redis.Redis.from_url(self.opts.redis_url).flushdb()
        self.portal = self.serve("portal", "jiyang.wsgi:application", self.portal_env)
        self.bare = self.serve("bare", "bench.bare.wsgi:application", self.bare_env)
        try:
            sessions = {
                "community": [
                    self.sign_in(f"{COMMUNITY_USER}_{n:02d}")
                    for n in range(1, USERS_PER_ROLE + 1)
                ],
                "street": [
                    self.sign_in(f"{STREET_USER}_{n:02d}")
                    for n in range(1, USERS_PER_ROLE + 1)
                ],
            }
            form_cookie, form_token = self.csrf(self.portal, "/concerns/new/")
            bare_cookie, bare_token = self.csrf(self.bare, "/form/")
            works = self.works(
                sessions, form_cookie, form_token, bare_cookie, bare_token
            )
            if self.opts.only:
                unknown = set(self.opts.only) - {w.name for w in works}
                if unknown:
                    raise BenchError(f"No such work: {', '.join(sorted(unknown))}")
                works = [w for w in works if w.name in self.opts.only]
            probes = self.probe(works)
            rows = [self.measure(work, probes) for work in works]
            self.portal.sample_memory()
            self.bare.sample_memory()
        finally:
            self.stop(self.portal)
            self.stop(self.bare)
        return {
            "rows": rows,
            "problems": self.problems,
            "checked": sorted(self.checked),
            "memory_mib": {
                "portal": self.portal.peak_pss_kib / 1024,
                "bare": self.bare.peak_pss_kib / 1024,
            },
        }

    # Servers -------------------------------------------------------------

    def collect_static(self) -> None:
        done = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=settings.BASE_DIR,
            env=self.portal_env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise BenchError(done.stderr[-3000:])

    def serve(self, name: str, app: str, env: dict) -> Server:
        port = _free_port()
        log = self.tmp / f"{name}.log"
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        process = subprocess.Popen(
            [
                gunicorn,
                app,
                f"--workers={self.opts.workers}",
                "--worker-class=sync",
                "--preload",
                f"--bind=127.0.0.1:{port}",
                "--timeout=120",
                "--log-level=warning",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        server = Server(name, process, port, log=log)
        probe_path = "/healthz" if name == "portal" else "/page/"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise BenchError(f"{name} server ended: {log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(server.base + probe_path, timeout=5):
                    if len(server.workers()) >= self.opts.workers:
                        return server
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        self.stop(server)
        raise BenchError(f"{name} server did not answer: {log.read_text()[-3000:]}")

    def stop(self, server: Server) -> None:
        if server.process.poll() is None:
            server.process.send_signal(signal.SIGTERM)
            try:
                server.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()

    # Sessions --------------------------------------------------------------

    def sign_in(self, username: str) -> str:
        """The Cookie header of a session signed in through the real pages."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        base = self.portal.base
        page = opener.open(f"{base}/admin/login/").read().decode()
        landed = opener.open(
            f"{base}/admin/login/",
            urllib.parse.urlencode(
                {
                    "username": username,
                    "password": BENCH_PASSWORD,
                    "csrfmiddlewaretoken": _csrf_field(page),
                    "next": "/concerns/staff/",
                }
            ).encode(),
        )
        if "/account/second-factor/" in landed.url:
            key = self.facts["totp_keys"][username]
            code = f"{TOTP(bytes.fromhex(key)).token():06d}"
            landed = opener.open(
                landed.url,
                urllib.parse.urlencode(
                    {
                        "code": code,
                        "csrfmiddlewaretoken": _csrf_field(landed.read().decode()),
                    }
                ).encode(),
            )
        if not landed.url.startswith(f"{base}/concerns/staff/"):
            raise BenchError(f"{username} could not sign in (landed on {landed.url}).")
        return "; ".join(f"{c.name}={c.value}" for c in jar)

    def csrf(self, server: Server, path: str) -> tuple[str, str]:
        """A CSRF cookie and the form field that goes with it."""
        with urllib.request.urlopen(server.base + path) as response:
            page = response.read().decode()
            cookies = [
                v.split(";")[0]
                for k, v in response.headers.items()
                if k.lower() == "set-cookie"
            ]
        return "; ".join(cookies), _csrf_field(page)

    # Works -------------------------------------------------------------------

    def works(self, sessions, form_cookie, form_token, bare_cookie, bare_token):
        f = self.facts
        post = {
            "compound": f["compound_id"],
            "category": f["category_id"],
            "kind": "complaint",
        }
        portal_form = {
            "path": "/concerns/new/",
            "cookies": [form_cookie],
            "body": urllib.parse.urlencode(
                {**post, "csrfmiddlewaretoken": form_token, "place": "", "name": ""}
            ),
        }
        bare_form = {
            "path": "/form/",
            "cookies": [bare_cookie],
            "body": urllib.parse.urlencode({**post, "csrfmiddlewaretoken": bare_token}),
        }
        works = [
            Work(
                "post",
                {**portal_form, "method": "POST"},
                {**bare_form, "method": "POST"},
                check="post",
                label="public concern POST / one-INSERT view",
            ),
            Work(
                "form-get",
                {**portal_form, "method": "GET"},
                {**bare_form, "method": "GET"},
                label="resident's form GET",
            ),
            Work(
                "form-get-post",
                {**portal_form, "method": "GETPOST"},
                {**bare_form, "method": "GETPOST"},
                check="post",
                label="form GET then POST",
            ),
        ]
        for who in ("community", "street"):
            unit = f[f"{who}_id"]
            moment = datetime.fromisoformat(f[f"{who}_deep"][0])
            pk = f[f"{who}_deep"][1]
            keyset = f"{moment.timestamp():.6f}_{pk}"
            # DRF's cursor: the position of the first ordering field.
            cursor = base64.b64encode(
                urllib.parse.urlencode({"p": str(moment)}).encode()
            ).decode()
            bare = {"method": "GET", "cookies": []}
            for depth, api, staff, bare_path, deep in (
                (
                    "p1",
                    "/api/v1/concerns/",
                    "/concerns/staff/",
                    f"/list/?{who}={unit}",
                    None,
                ),
                (
                    "deep",
                    "/api/v1/concerns/?" + urllib.parse.urlencode({"cursor": cursor}),
                    f"/concerns/staff/?after={keyset}",
                    f"/list/?{who}={unit}&before={keyset}",
                    f[f"{who}_deep"],
                ),
            ):
                for kind, path in (("api", api), ("staff", staff)):
                    works.append(
                        Work(
                            f"{kind}-{who}-{depth}",
                            {"method": "GET", "path": path, "cookies": sessions[who]},
                            {**bare, "path": bare_path},
                            check=f"list:{who}",
                            deep=deep,
                            label=f"{'REST' if kind == 'api' else 'staff'} list, "
                            f"{who}, {'page 1' if depth == 'p1' else 'deep page'}",
                        )
                    )
        page = {"method": "GET", "path": "/page/", "cookies": []}
        works += [
            Work("home", {"method": "GET", "path": "/", "cookies": []}, page),
            Work(
                "tracking",
                {
                    "method": "GET",
                    "path": f"/concerns/track/{f['tracking_code']}/",
                    "cookies": [],
                },
                page,
                label="tracking page",
            ),
        ]
        return works

    # Probes and checks --------------------------------------------------------

    def probe(self, works: list[Work]) -> dict:
        found = {}
        for side, env in (("portal", self.portal_env), ("bare", self.bare_env)):
            specs = []
            for work in works:
                spec = getattr(work, side)
                method = "POST" if spec["method"] in ("POST",) else "GET"
                path, _q, query = spec["path"].partition("?")
                data = dict(urllib.parse.parse_qsl(query))
                if method == "POST":
                    data = dict(urllib.parse.parse_qsl(spec["body"]))
                    data["description"] = f"基准探测{secrets.token_hex(6)}"
                specs.append(
                    {
                        "name": work.name,
                        "method": method,
                        "path": path,
                        "data": data,
                        "cookies": _cookie_dict(spec["cookies"][:1]),
                    }
                )
            found[side] = run_child("bench.probe", [json.dumps(specs)], env)
        for work in works:
            for side in ("portal", "bare"):
                answer = found[side][work.name]
                if answer["status"] >= 400:
                    self.problems.append(
                        f"{work.name}: the {side} answered {answer['status']}"
                    )
                elif work.check.startswith("list:"):
                    self.check_list(work, side, answer["rows"])
        return found

    def check_list(self, work: Work, side: str, rows: list | None) -> None:
        self.checked.add(
            "lists of 50 rows of the user's community or street (older than "
            "the cursor on deep pages)"
        )
        who = work.check.partition(":")[2]
        column = 0 if who == "street" else 1
        want = self.facts[f"{who}_id"]
        if rows is None or len(rows) != PAGE:
            count = "no" if rows is None else len(rows)
            self.problems.append(f"{work.name}: the {side} listed {count} rows")
            return
        if any(row[column] != want for row in rows):
            self.problems.append(
                f"{work.name}: the {side} listed rows of another {who}"
            )
        if work.deep:
            limit = (datetime.fromisoformat(work.deep[0]), work.deep[1])
            if any(
                (datetime.fromisoformat(row[2].replace("Z", "+00:00")), row[3]) >= limit
                for row in rows
            ):
                self.problems.append(
                    f"{work.name}: the {side} deep page is not after its cursor"
                )

    # Measuring -----------------------------------------------------------------

    def measure(self, work: Work, probes: dict) -> dict:
        print(f"{work.name} …", file=sys.stderr)
        sides = {"portal": (self.portal, Measured()), "bare": (self.bare, Measured())}
        for server, _m in sides.values():
            self.wrk_run(server, getattr(work, server.name), min(2, self.opts.duration))
        ratios = []
        for _pair in range(self.opts.pairs):
            pair = {}
            for side, (server, measured) in sides.items():
                spec = getattr(work, side)
                before = self.concern_count() if work.check == "post" else 0
                result = self.wrk_run(server, spec, self.opts.duration)
                server.sample_memory()
                if work.check == "post":
                    self.check_posts(work, side, spec, before, result)
                measured.rps.append(result["rps"])
                measured.p50.append(result["p50_ms"])
                measured.p99.append(result["p99_ms"])
                pair[side] = result["rps"]
            ratios.append(pair["portal"] / pair["bare"] if pair["bare"] else 0.0)
        portal, bare = sides["portal"][1], sides["bare"][1]
        return {
            "work": work.name,
            "label": work.label or work.name,
            "portal_rps": median(portal.rps),
            "bare_rps": median(bare.rps),
            "ratio": median(ratios),
            "portal_p50_ms": median(portal.p50),
            "portal_p99_ms": median(portal.p99),
            "bare_p99_ms": median(bare.p99),
            "portal_queries": probes["portal"][work.name]["queries"],
            "bare_queries": probes["bare"][work.name]["queries"],
            "portal_ms": probes["portal"][work.name]["ms"],
            "bare_ms": probes["bare"][work.name]["ms"],
            "portal_kib": probes["portal"][work.name]["bytes"] / 1024,
            "bare_kib": probes["bare"][work.name]["bytes"] / 1024,
        }

    def concern_count(self) -> int:
        """The concerns stored, once requests still in the servers are done.

        When wrk stops, a request per connection may still be waiting for
        or inside a worker: the count is read until it stays the same.
        """
        conn = psycopg2.connect(self.url)
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                last = None
                while True:
                    cursor.execute("SELECT count(*) FROM consultations_concern")
                    count = cursor.fetchone()[0]
                    if count == last:
                        return count
                    last = count
                    time.sleep(1)
        finally:
            conn.close()

    def check_posts(self, work, side, spec, before: int, result: dict) -> None:
        # wrk counts the answers it read; requests in flight when it stopped
        # (at most one per connection) may still be stored by the server.
        self.checked.add("one stored concern per POST answered")
        created = self.concern_count() - before
        posts = result["requests"]
        if spec["method"] == "GETPOST":
            posts = result["requests"] // 2
        slack = self.opts.connections
        if not posts <= created <= posts + slack:
            self.problems.append(
                f"{work.name}: the {side} answered {posts} POSTs but stored "
                f"{created} concerns"
            )

    def wrk_run(self, server: Server, spec: dict, duration: float) -> dict:
        env = {
            **os.environ,
            "BENCH_METHOD": spec["method"],
            "BENCH_PATH": spec["path"],
            "BENCH_COOKIES": "|".join(spec["cookies"]),
            "BENCH_BODY": spec.get("body", ""),
        }
        done = subprocess.run(
            [
                self.wrk,
                f"--threads={self.opts.connections}",
                f"--connections={self.opts.connections}",
                f"--duration={max(1, round(duration))}s",
                "--timeout=30s",
                "--latency",
                f"--script={LUA}",
                server.base + spec["path"],
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise BenchError(f"wrk failed: {done.stderr[-2000:]}")
        result = parse_wrk(done.stdout)
        if result["bad"]:
            self.problems.append(
                f"{spec['path']} on the {server.name}: {result['bad']} answers "
                "other than 2xx/3xx or socket errors"
            )
        return result


def parse_wrk(text: str) -> dict:
    """Requests, req/s, p50/p99 (ms) and failed answers from wrk's report."""

    def ms(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        if not match:
            return 0.0
        value, unit = float(match.group(1)), match.group(2)
        return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    requests = re.search(r"^\s+(\d+) requests in", text, re.M)
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    if not requests or not rps:
        raise BenchError(f"Unexpected wrk output: {text[-2000:]}")
    bad = int(non_2xx.group(1)) if non_2xx else 0
    if errors:
        bad += sum(int(x) for x in errors.groups())
    return {
        "requests": int(requests.group(1)),
        "rps": float(rps.group(1)),
        "p50_ms": ms("50"),
        "p99_ms": ms("99"),
        "bad": bad,
    }


def report(results: dict, facts: dict, opts) -> None:
    c = facts["counts"]
    print(
        f"city: {c['streets']} streets, {c['communities']} communities, "
        f"{c['grids']} grids, {c['compounds']:,} compounds, "
        f"{c['concerns']:,} concerns, {c['events']:,} events "
        f"(built in {facts['build_seconds']:.0f} s)"
    )
    print(
        f"gunicorn {opts.workers} sync workers each, wrk {opts.connections} "
        f"connections, {opts.pairs} alternating pairs of {opts.duration:g} s, "
        "medians"
    )
    header = (
        f"{'work':<20} {'portal r/s':>10} {'bare r/s':>9} {'ratio':>6} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'bare p99':>8} {'queries':>8} "
        f"{'alone ms':>11} {'KiB':>6}"
    )
    print(header)
    for r in results["rows"]:
        print(
            f"{r['work']:<20} {r['portal_rps']:>10.1f} {r['bare_rps']:>9.1f} "
            f"{r['ratio']:>6.3f} {r['portal_p50_ms']:>7.1f} "
            f"{r['portal_p99_ms']:>7.1f} {r['bare_p99_ms']:>8.1f} "
            f"{r['portal_queries']:>4}/{r['bare_queries']:<3} "
            f"{r['portal_ms']:>6.1f}/{r['bare_ms']:<4.1f} {r['portal_kib']:>6.1f}"
        )
    m = results["memory_mib"]
    ratio = m["portal"] / m["bare"] if m["bare"] else 0
    print(
        f"one worker's peak memory (Pss): portal {m['portal']:.0f} MiB, "
        f"bare {m['bare']:.0f} MiB ({ratio:.2f}×)"
    )
    print(
        "ratio = portal ÷ bare req/s (median of the pairs' ratios); p50/p99 "
        "of the portal; queries = SQL statements per request, portal/bare; "
        "alone ms = one request by itself in a test client, portal/bare; "
        "KiB = the portal's response body."
    )
    if results["problems"]:
        print("THE RESULTS ARE NOT VALID:")
        for problem in results["problems"]:
            print(f"  {problem}")
    else:
        print(f"checked: {'; '.join(results['checked'])}")


# Helpers -------------------------------------------------------------------


def ensure_wrk() -> str:
    """wrk's path; installed from Debian's package when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk not found: installing Debian's package (apt-get) …", file=sys.stderr)
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "wrk"]):
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            raise BenchError(
                "wrk is missing and could not be installed "
                f"({' '.join(command)}): {done.stderr[-1000:]}"
            )
    found = shutil.which("wrk")
    if not found:
        raise BenchError("wrk is still missing after apt-get install wrk.")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _csrf_field(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not match:
        raise BenchError("No CSRF token in the page.")
    return match.group(1)


def _cookie_dict(headers: list[str]) -> dict[str, str]:
    pairs = (p.strip().partition("=") for h in headers for p in h.split(";"))
    return {name: value for name, _eq, value in pairs if name}


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        sys.exit(str(error))
