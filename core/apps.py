from datetime import timedelta

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The basement: machinery that knows no app (uploads and photos, optimistic locking, form
    blocks, htmx helpers, history browsing, the import base, middleware)."""

    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from . import schedule
        from .idempotency import prune_idempotency_keys

        schedule.every(timedelta(days=1), prune_idempotency_keys, name="core.prune_idempotency")
