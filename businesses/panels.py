"""Sections that apps built on top of this one add to the business page.

This app knows nothing of cases or visits; `assistance` (and later apps) register a function that
returns the section's template and context, so the page grows without an import upward.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from .models import Business


@dataclass
class Panel:
    template: str
    context: dict[str, Any]


PanelFactory = Callable[[HttpRequest, Business], Panel | None]
_factories: list[PanelFactory] = []


def register(factory: PanelFactory) -> PanelFactory:
    if factory not in _factories:
        _factories.append(factory)
    return factory


def render_panels(request: HttpRequest, business: Business) -> list[SafeString]:
    rendered = []
    for factory in _factories:
        panel = factory(request, business)
        if panel is not None:
            context = {"business": business, **panel.context}
            rendered.append(render_to_string(panel.template, context, request=request))
    return rendered
