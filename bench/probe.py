"""Queries and answers of single requests, in a child process.

`python -m bench.probe --inside '<json list of requests>'` runs each
request twice through Django's test client in the settings of the
environment (the portal's, or `bench.bare.settings`), on the benchmark's
database, and prints for the second run the status, the size of the body,
the number of SQL statements (CaptureQueriesContext) and what the page
listed (the ids of the street and community of each row, from the JSON
`results` or the template's `rows`) and the milliseconds it took alone (one
request, nothing else running in the process). Imports nothing of the
portal, so that it probes the bare baseline as well.
"""

import json
import sys
import time

import django


def probe(requests: list[dict]) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    # Templates then hand their context to the client (the rows shown).
    setup_test_environment()
    results = {}
    for spec in requests:
        client = Client()
        for name, value in spec.get("cookies", {}).items():
            client.cookies[name] = value
        call = client.post if spec["method"] == "POST" else client.get
        call(spec["path"], spec.get("data") or {})
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = call(spec["path"], spec.get("data") or {})
            elapsed = time.perf_counter() - started
        results[spec["name"]] = {
            "ms": elapsed * 1000,
            "status": response.status_code,
            "bytes": len(response.content),
            "queries": len(queries),
            "rows": _rows(response),
        }
    return results


def _rows(response) -> list[list] | None:
    """[street id, community id, created_at ISO, id] of each listed row."""
    if response.get("Content-Type", "").startswith("application/json"):
        data = json.loads(response.content)
        rows = data.get("results") if isinstance(data, dict) else None
        if rows is None:
            return None
        return [
            [
                r.get("street", r.get("street_id")),
                r.get("community", r.get("community_id")),
                r.get("created_at"),
                r.get("id"),
            ]
            for r in rows
        ]
    context = getattr(response, "context", None)
    if context is None or "rows" not in context:
        return None
    return [
        [r.street_id, r.community_id, r.created_at.isoformat(), r.pk]
        for r in context["rows"]
    ]


if __name__ == "__main__":
    if sys.argv[1:2] != ["--inside"] or len(sys.argv) != 3:
        sys.exit("usage: python -m bench.probe --inside '<json requests>'")
    django.setup()
    print("BENCH " + json.dumps(probe(json.loads(sys.argv[2]))))
