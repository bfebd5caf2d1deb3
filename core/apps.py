from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The basement: machinery that knows no app (uploads and photos, optimistic locking, form
    blocks, htmx helpers, history browsing, the import base, middleware)."""

    name = "core"
    verbose_name = "Core"
