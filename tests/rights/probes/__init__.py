"""How to try each task of the rights table, through the pages or the API.

Each module here holds `PROBES`, a list of `Probe`: how to set a target up
in the shared street (tests/rights/conftest.py), the one request that does
the task, and how to tell that it was done. tests/rights/test_rights_table.py
runs every probe as every role and fails for a task no probe covers.
"""

from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from django.http import HttpResponse
from django.test import Client
from django.utils import timezone


@dataclass(frozen=True)
class Probe:
    task: str
    # "page" (a form post or page of the portal or its admin) or "api".
    via: str
    # (world) → the target; `world` holds the fixtures: street, community,
    # grid, compound, company, login_of.
    arrange: Callable[[dict], Any]
    # (client logged in as the role, target) → the response.
    act: Callable[[Client, Any], HttpResponse]
    # (target) → whether the task's change is in the database.
    happened: Callable[[Any], bool]
    # A short name when one task has several probes on the same channel.
    name: str = ""

    @property
    def id(self) -> str:
        return "-".join(part for part in (self.task, self.via, self.name) if part)


class _FormFields(HTMLParser):
    """The values a browser would post from the page's main form."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, Any] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(name, attrs.get("value", "on"))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self._add(name, attrs.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [] if "multiple" in attrs else "")
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def _add(self, name, value):
        if isinstance(self.data.get(name), list):
            self.data[name].append(value)
        else:
            self.data[name] = value


def form_data(client: Client, url: str, **changes) -> dict[str, Any]:
    """What the form at `url` posts as it stands, with `changes` applied.

    Read with a client that may open the page (the superuser's), so a probe
    can then post it as a role that may not.
    """
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    parser = _FormFields()
    parser.feed(response.content.decode())
    # An empty multiple select posts nothing.
    data = {key: value for key, value in parser.data.items() if value != []}
    data.update(changes)
    return data


def today() -> str:
    """Today in the form a date input posts."""
    return timezone.localdate().isoformat()


def superuser_client(world) -> Client:
    client = Client()
    client.force_login(world["login_of"]["superuser"])
    return client
