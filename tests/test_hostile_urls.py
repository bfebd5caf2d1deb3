"""Generated from the URL resolver: every URL pattern (a view added later included), with hostile
values in each of its parameters, in the query string and in a posted form, as each kind of user:
never a 500. NUL bytes end at the guard (core.middleware.HostileInputMiddleware); over-long,
negative, out-of-range and non-numeric values must end in a 404 or a clear 400/field error."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from urllib.parse import quote, urlencode

from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone

from core.models import WorkerBeat

from .base import PersonaTestCase, make_user

HOSTILE = {
    "nul": "1\x00",
    "over-long": "9" * 10_000,  # past PostgreSQL's integers and Python's int() digit limit
    "negative": "-1",
    "beyond bigint": "99999999999999999999",
    "beyond integer": "2147483648",  # auth and admin-log ids are 32-bit
    "non-numeric": "abc",
}
PLAIN = "1"  # the value of the parameters not under attack

# The apps whose views this project writes (the admin is sampled, see _admin_sample_key).
PROJECT_APPS = ("core", "villages", "businesses", "assistance", "cooperatives")


@dataclass(frozen=True)
class Pattern:
    """One URL pattern as a list of literal parts and parameter slots (None)."""

    name: str
    parts: tuple[str | None, ...]
    callback: object
    admin: bool

    @property
    def slots(self) -> int:
        return self.parts.count(None)

    def url(self, attacked: int | None = None, value: str = "") -> str:
        out, slot = [], 0
        for part in self.parts:
            if part is None:
                out.append(quote(value, safe="") if slot == attacked else PLAIN)
                slot += 1
            else:
                out.append(part)
        return "/" + "".join(out)


_ROUTE_PARAM = re.compile(r"<(?:[^>:]+:)?[^>]+>")


def _route_parts(route: str) -> list[str | None]:
    parts: list[str | None] = []
    for i, literal in enumerate(_ROUTE_PARAM.split(route)):
        if i:
            parts.append(None)
        parts.append(literal)
    return parts


def _regex_parts(regex: str) -> list[str | None]:
    """Literal text and top-level capturing groups of a URL regex (enough for URL patterns)."""
    parts: list[str | None] = []
    literal, depth, i, in_class = "", 0, 0, False
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            if depth == 0:
                literal += regex[i + 1]
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            if depth == 0:
                parts.append(literal)
                literal = ""
                parts.append(None)
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and char not in "^$":
            literal += char
        i += 1
    parts.append(literal)
    return parts


def url_patterns(
    patterns=None, prefix: tuple[str | None, ...] = (), names: tuple[str, ...] = ()
) -> Iterator[Pattern]:
    """Every pattern the resolver knows, through includes and namespaces."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        pattern = entry.pattern
        if isinstance(pattern, RoutePattern):
            parts = _route_parts(str(pattern))
        else:
            assert isinstance(pattern, RegexPattern)
            parts = _regex_parts(str(pattern))
        if isinstance(entry, URLResolver):
            namespace = names + ((entry.namespace,) if entry.namespace else ())
            yield from url_patterns(entry.url_patterns, prefix + tuple(parts), namespace)
        else:
            assert isinstance(entry, URLPattern)
            full = prefix + tuple(parts)
            yield Pattern(
                name=":".join(names + (entry.name or str(pattern),)),
                parts=tuple(p for p in full if p != ""),
                callback=entry.callback,
                admin=names[:1] == ("admin",),
            )


def _admin_sample_key(pattern: Pattern) -> object:
    """The admin builds the same views for every model: try each distinct view code (an
    overridden method counts as distinct) once per primary-key type, not once per model."""
    view = getattr(pattern.callback, "__wrapped__", pattern.callback)
    function = getattr(view, "__func__", view)
    owner = getattr(view, "__self__", None)
    model = getattr(owner, "model", None)
    pk_type = type(model._meta.pk).__name__ if model is not None else None
    route = tuple(p if p is not None else "<>" for p in pattern.parts[2:])  # without model path
    return (function, pk_type, route if owner is None else pattern.slots)


def query_parameter_names() -> list[str]:
    """The names views read from the query string: literal request.GET reads in the project's
    code, and the fields of every filter form."""
    names = {"q", "page", "next"}
    read = re.compile(r"""GET(?:\.get|\.getlist|\[)\(?\s*["'](\w+)["']""")
    for app in PROJECT_APPS:
        for path in Path(apps.get_app_config(app).path).rglob("*.py"):
            names.update(read.findall(path.read_text(encoding="utf-8")))
        try:
            module = import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
        for obj in vars(module).values():
            is_form = isinstance(obj, type) and issubclass(obj, forms.BaseForm)
            if is_form and "Filter" in obj.__name__:
                names.update(obj.base_fields)
    return sorted(names)


class HostileUrlTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.superuser = get_user_model().objects.create_superuser("root", "root@example.com", "x")
        cls.admin_clerk = make_user("clerk", is_staff=True)

    def setUp(self) -> None:
        # /healthz answers 503 without a live worker, by design: give it one, so that a 5xx
        # here still means a crash.
        WorkerBeat.objects.create(worker="test:1", last_seen=timezone.now())
        self.app_clients = {"anonymous": self.client_for(None)} | {
            name: self.client_for(user)
            for name, user in (
                ("mentor", self.mentor.user),
                ("camat", self.camat),
                ("staff", self.staff),
                ("leader", self.leader),
                ("outsider", self.outsider),
            )
        }
        self.admin_clients = {
            "anonymous": self.app_clients["anonymous"],
            "staff without rights": self.client_for(self.admin_clerk),
            "superuser": self.client_for(self.superuser),
        }
        self.patterns = list(url_patterns())
        self.requests = 0

    def client_for(self, user) -> Client:
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        return client

    def clients(self, pattern: Pattern) -> dict[str, Client]:
        return self.admin_clients if pattern.admin else self.app_clients

    def sample(self) -> list[Pattern]:
        chosen, seen = [], set()
        for pattern in self.patterns:
            if pattern.admin:
                key = _admin_sample_key(pattern)
                if key in seen:
                    continue
                seen.add(key)
            chosen.append(pattern)
        return chosen

    def assert_no_500(self, response, who: str, method: str, url: str) -> None:
        self.requests += 1
        self.assertLess(
            response.status_code, 500, f"{method} {url[:200]} as {who}: {response.status_code}"
        )

    def test_the_walk_finds_every_pattern(self):
        names = {p.name for p in self.patterns}
        for expected in ("villages:detail", "businesses:edit", "assistance:board", "admin:index"):
            self.assertIn(expected, names)
        detail = next(p for p in self.patterns if p.name == "villages:detail")
        self.assertEqual(detail.url(0, "32.15"), "/desa/32.15/")
        self.assertEqual(resolve(detail.url()).url_name, "detail")
        history = next(p for p in self.patterns if p.name.endswith("simple_history"))
        self.assertEqual(history.slots, 2)
        self.assertEqual(resolve(history.url()).url_name, history.name.split(":")[-1])

    def test_hostile_values_in_every_url_parameter(self):
        for pattern in self.sample():
            for slot in range(pattern.slots):
                for label, value in HOSTILE.items():
                    url = pattern.url(slot, value)
                    try:
                        resolve(url.split("?")[0])
                    except Resolver404:
                        # The resolver refuses it before any view: one user is enough.
                        who = "staff" if not pattern.admin else "superuser"
                        response = self.clients(pattern)[who].get(url)
                        self.assert_no_500(response, who, f"GET ({label})", url)
                        continue
                    for who, client in self.clients(pattern).items():
                        with self.subTest(pattern.name, value=label, user=who):
                            self.assert_no_500(client.get(url), who, f"GET ({label})", url)

    def test_hostile_query_strings_on_every_url(self):
        names = query_parameter_names()
        for pattern in self.sample():
            url = pattern.url()
            for label, value in HOSTILE.items():
                query = urlencode({name: value for name in names})
                for who, client in self.clients(pattern).items():
                    with self.subTest(pattern.name, value=label, user=who):
                        response = client.get(f"{url}?{query}")
                        self.assert_no_500(response, who, f"GET ?{label}", url)
            self.assertEqual(self.app_clients["staff"].get(f"{url}?x=%00").status_code, 400)

    def test_nul_in_a_posted_form_on_every_url(self):
        for pattern in self.sample():
            url = pattern.url()
            for who, client in self.clients(pattern).items():
                with self.subTest(pattern.name, user=who):
                    response = client.post(url, {"name": "x\x00", "q": "\x00"})
                    self.assert_no_500(response, who, "POST (nul)", url)
                    self.assertEqual(response.status_code, 400, url)
