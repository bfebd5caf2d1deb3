"""Idempotent POSTs: a request queued on a phone while offline (static/js/offline.js) carries an
`Idempotency-Key` header, a fresh uuid per queued item. Sent twice (the answer was lost on a weak
signal, the phone retried), it is applied once.

The key is inserted in the same transaction as the action, under a unique (user, key)
constraint: a concurrent repeat waits on that row and then fails to insert, so it never applies
the action a second time; it answers with the stored result instead. Only actions that took
place (2xx, 3xx) keep their key; a refused one (400, 409) changed nothing and may be retried.
A POST without the header is untouched: the online path stays as it is.

The stored answer is the status and any redirect, not the page: a page holds personal data that
erasure (reports.personal_data) would not reach here. A repeated htmx post is told to reload
(`HX-Refresh`), which shows the current state; the offline queue reads the status alone.
"""

import re
from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.tasks import task
from django.utils import timezone

from .models import IdempotentRequest

HEADER = "Idempotency-Key"
KEEP_KEYS = timedelta(days=30)
_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")


def idempotent(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Apply `view` once per (user, Idempotency-Key) for POSTs carrying the header."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if not _KEY.fullmatch(key):
            return HttpResponseBadRequest("Idempotency-Key: 1-64 letters, digits, - or _")
        stored = _stored(request, key)
        if stored is not None:
            return stored
        try:
            return _first_arrival(view, request, key, *args, **kwargs)
        except IntegrityError:
            # A concurrent repeat committed the key first; an error of the view itself re-raises.
            stored = _stored(request, key)
            if stored is None:
                raise
            return stored

    return wrapper


def _first_arrival(view, request: HttpRequest, key: str, *args, **kwargs) -> HttpResponse:
    with transaction.atomic():
        record = IdempotentRequest.objects.create(
            user=request.user, key=key, path=request.path[:500], status=0
        )
        response = view(request, *args, **kwargs)
        if response.status_code >= 400 or response.streaming:
            transaction.set_rollback(True)  # nothing happened: the key stays free for a retry
            return response
        record.status = response.status_code
        # A redirect, or an htmx client redirect (HX-Redirect, answered with 200).
        record.location = (response.get("Location") or response.get("HX-Redirect", ""))[:500]
        record.save(update_fields=["status", "location"])
    return response


def _stored(request: HttpRequest, key: str) -> HttpResponse | None:
    record = IdempotentRequest.objects.filter(user=request.user, key=key).first()
    if record is None:
        return None
    if record.path != request.path[:500]:
        return HttpResponseBadRequest("Idempotency-Key already used for another request")
    response = HttpResponse(status=record.status)
    if record.location and record.status < 300:
        response["HX-Redirect"] = record.location
    elif record.location:
        response["Location"] = record.location
    elif request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    response["Idempotent-Replayed"] = "true"
    return response


@task
def prune_idempotency_keys() -> int:
    """The daily task (core.schedule): forget keys older than KEEP_KEYS; how many."""
    cutoff = timezone.now() - KEEP_KEYS
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
