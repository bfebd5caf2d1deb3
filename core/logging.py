"""Log lines an operator can search: one JSON object per line, each carrying the request it
belongs to, and never a NIK, a phone number, a password or a session key.

The rule is not to log personal data at all; `ScrubFilter` is the second line of defence for what
a library or a careless message lets through. settings.LOGGING attaches `RequestContextFilter`
and `ScrubFilter` to the one handler and picks `JsonFormatter` (or the text format, LOG_FORMAT).
"""

import json
import logging
import re
from contextvars import ContextVar
from datetime import datetime

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

# The request being served in this thread or task (set by core.middleware.RequestLogMiddleware).
current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)

REDACTED = "[redacted]"

_SECRET_KEYS = r"[\w-]*(?:password|passwd|sessionid|csrftoken|csrfmiddlewaretoken)[\w-]*"
_SCRUBBED = [
    # password=..., sessionid=...; also "password": "..." in a dumped dict.
    (
        re.compile(rf"(?i)\b({_SECRET_KEYS})(['\"]?\s*[=:]\s*['\"]?)[^\s&;,'\"]+"),
        rf"\1\2{REDACTED}",
    ),
    # A NIK: 16 digits, possibly grouped as people type them ("3215 0512 0385 0001").
    (re.compile(r"(?<!\d)\d(?:[ .-]?\d){15}(?!\d)"), REDACTED),
    # Indonesian phone numbers: 08..., +62..., 62 8...
    (re.compile(r"\+62(?:[ .-]?\d){8,12}(?!\d)"), REDACTED),
    (re.compile(r"(?<![\d+])(?:62|0)[ .-]?8(?:[ .-]?\d){7,11}(?!\d)"), REDACTED),
]


def scrub(text: str) -> str:
    for pattern, replacement in _SCRUBBED:
        text = pattern.sub(replacement, text)
    return text


# Attributes every LogRecord has; anything else on a record came in through `extra=`.
_RECORD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "user_id",
}
_PLAIN = (str, int, float, bool, type(None))


def extra_fields(record: logging.LogRecord) -> dict:
    """The record's `extra=` values that are plain values. Objects are left out: the request
    Django's loggers attach would print its query string."""
    return {
        key: value
        for key, value in vars(record).items()
        if key not in _RECORD_ATTRIBUTES and not key.startswith("_") and isinstance(value, _PLAIN)
    }


def request_user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id, if something in the request has already read the user: reading
    it here would cost the session and user queries on pages that never needed them."""
    user = getattr(request, "user", None)
    if isinstance(user, SimpleLazyObject):
        user = getattr(request, "_cached_user", None)
    if user is None or not user.is_authenticated:
        return None
    return user.pk


class RequestContextFilter(logging.Filter):
    """Stamps every record with the id of the request being served and its user's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = current_request.get()
        record.request_id = getattr(request, "request_id", None)
        record.user_id = request_user_id(request) if request is not None else None
        return True


class ScrubFilter(logging.Filter):
    """Takes NIK-like numbers, phone numbers and password/session values out of the final
    message, the exception text and every plain extra field."""

    _exception_formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._exception_formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        for key, value in extra_fields(record).items():
            if isinstance(value, str):
                setattr(record, key, scrub(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601 with offset), level, logger, message,
    request_id, user_id, the plain extra fields (the request line's method, path, status,
    duration_ms) and the exception as one escaped string."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created)
            .astimezone()
            .isoformat("T", "milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "user_id": getattr(record, "user_id", None),
        }
        entry |= {k: v for k, v in extra_fields(record).items() if k not in entry}
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Readable lines for development (LOG_FORMAT=text), with the request id."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.request_id = getattr(record, "request_id", None) or "-"
        return super().format(record)
