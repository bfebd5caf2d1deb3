import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.datastructures import MultiValueDict

from .logging import current_request, scrub


class LanguageMiddleware:
    """Indonesian for everyone unless they chose another language with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and most phones here
    are set to English; the office wants Indonesian by default.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", code)
        patch_vary_headers(response, ["Cookie"])
        return response


# No URL path a person follows holds a control character, and PostgreSQL refuses NUL in any
# text value: a NUL reaching a query is a 500 there (and passes silently on SQLite).
_PATH_REFUSED = re.compile(r"[\x00-\x1f\x7f]")


def _strings(data: QueryDict | MultiValueDict | dict) -> Iterator[str]:
    """Every key and value of a request dictionary (all values of a repeated key)."""
    items = data.lists() if hasattr(data, "lists") else ((k, [v]) for k, v in data.items())
    for key, values in items:
        yield key
        for value in values:
            yield (value.name or "") if isinstance(value, UploadedFile) else value


def _has_nul(strings: Iterable[str]) -> bool:
    return any("\x00" in s for s in strings)


class HostileInputMiddleware:
    """One guard for every URL: a request carrying values the database cannot store ends here,
    before any view, session or login-attempt record passes them to a query.

    - a control character in the path: 404 (there is no such page);
    - a NUL in the query string, a posted field, an uploaded file's name, a cookie or a header:
      400 (a malformed request; the error page says so).

    Over-long and out-of-range numbers need no guard: URL converters refuse non-digits, and
    Django finds no row for an integer beyond its column's range. tests/test_hostile_urls.py,
    generated from the URL resolver, keeps every view (also ones added later) inside these rules.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _PATH_REFUSED.search(request.path_info):
            raise Http404
        headers = (v for k, v in request.META.items() if k.startswith("HTTP_"))
        if (
            _has_nul(_strings(request.GET))
            or _has_nul(_strings(request.COOKIES))
            or _has_nul(v for v in headers if isinstance(v, str))
        ):
            raise BadRequest("NUL byte in the query string, a cookie or a header")
        if request.method == "POST" and (
            _has_nul(_strings(request.POST)) or _has_nul(_strings(request.FILES))
        ):
            raise BadRequest("NUL byte in the posted form")
        return self.get_response(request)


# A request id from the proxy (nginx's $request_id, a load balancer's uuid) is kept when it is a
# plain token; anything else could forge or break log lines.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
request_logger = logging.getLogger("karawang.request")


def _request_id(request: HttpRequest) -> str:
    offered = request.headers.get("X-Request-ID", "")
    if _REQUEST_ID.fullmatch(offered) and scrub(offered) == offered:
        return offered
    return uuid.uuid4().hex


class RequestLogMiddleware:
    """One log line per request (method, path without its query string, status, duration) and
    a request id on every log line written while serving it, returned as `X-Request-ID`.

    Placed right after SecurityMiddleware (and WhiteNoise, whose static files are not logged),
    so that its duration covers everything the application does.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = _request_id(request)
        token = current_request.set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response.headers["X-Request-ID"] = request.request_id
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            current_request.reset(token)
