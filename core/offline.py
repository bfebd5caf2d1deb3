"""The installable app (manifest, service worker) and what a phone may keep for offline use.

The service worker (templates/core/sw.js) caches a page only when its response carries
`X-Offline-Cache: 1`; views opt in with `@offline_cacheable(who)`, where `who(user)` says whose
pages may stay on a device (a field mentor's, never a staff member's). Logging out answers with
`Clear-Site-Data`, which empties the caches, the offline queue and the worker.
"""

import hashlib
import json
from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

CACHE_HEADER = "X-Offline-Cache"
THEME_COLOUR = "#0b6e4f"  # --brand in static/css/app.css
# What every page needs, kept at install so that the offline page and cached pages render.
SHELL = ("css/app.css", "js/app.js", "js/offline.js", "django_htmx/htmx-2.min.js")


def offline_cacheable(who: Callable) -> Callable:
    """Mark a page's successful full-page answer as one a device may keep, for users `who`
    accepts. An htmx fragment is never marked (the worker keeps whole pages only)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if (
                request.method == "GET"
                and response.status_code == 200
                and not getattr(request, "htmx", False)
                and who(request.user)
            ):
                response[CACHE_HEADER] = "1"
            return response

        return wrapper

    return decorator


def clear_site_data(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """After logging out, nothing of this user stays on the device (caches, IndexedDB queue,
    service worker). offline.js clears them too before posting: some browsers ignore this."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.method == "POST":
            response["Clear-Site-Data"] = '"cache", "storage"'
        return response

    return wrapper


@login_not_required
@require_safe
@cache_control(max_age=86400)
def manifest(request: HttpRequest, start_url: str) -> HttpResponse:
    """The web app manifest; its names come from the site's context (the home regency)."""
    context = {
        "start_url": str(start_url),
        "theme_colour": THEME_COLOUR,
        "icons": [(size, static(f"icons/icon-{size}.png")) for size in (192, 512)],
    }
    return render(
        request, "core/manifest.webmanifest", context, content_type="application/manifest+json"
    )


@login_not_required
@require_safe
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    """The worker script, at the site root so that its scope is the whole site. Never cached
    long: a phone checks it on each visit and so gets a new version after a deploy."""
    shell = [static(path) for path in SHELL]
    offline_url = reverse("offline")
    # A new shell (hashed static names after a deploy) is a new cache; old ones are dropped.
    version = hashlib.sha256(" ".join([*shell, offline_url]).encode()).hexdigest()[:12]
    config = {
        "shell": shell,
        "static": static(""),
        "offline": offline_url,
        "version": version,
        "header": CACHE_HEADER,
    }
    script = render_to_string("core/sw.js", {"config": json.dumps(config)})
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@login_not_required
@require_safe
@never_cache
def offline_page(request: HttpRequest) -> HttpResponse:
    """Shown by the worker for a page the phone has not kept. The worker fetches it without
    cookies at install, so it holds nothing of a user."""
    return render(request, "core/offline.html")
