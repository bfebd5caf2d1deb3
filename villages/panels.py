"""Sections that apps higher up add to pages of the apps below them.

A page names a slot ("village", "mentor", "business", "home" for staff, "mentor_home" for a
mentor's home); an app registers a function for the slot that returns the section's template and
context, or None to show nothing. The page renders what the registered functions return, in
registration (app) order, so it grows without importing upward.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass
class Panel:
    template: str
    context: dict[str, Any]


PanelFactory = Callable[[HttpRequest, Any], Panel | None]
_slots: dict[str, list[PanelFactory]] = {}


def register(slot: str, factory: PanelFactory) -> PanelFactory:
    factories = _slots.setdefault(slot, [])
    if factory not in factories:
        factories.append(factory)
    return factory


def render_panels(slot: str, request: HttpRequest, obj: Any, **base: Any) -> list[SafeString]:
    rendered = []
    for factory in _slots.get(slot, []):
        panel = factory(request, obj)
        if panel is not None:
            context = base | panel.context
            rendered.append(render_to_string(panel.template, context, request=request))
    return rendered
