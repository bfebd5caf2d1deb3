from django import template

register = template.Library()


@register.filter
def rupiah(value) -> str:
    """'Rp 1.500.000' whatever the active language: Rupiah are whole numbers with dots."""
    if value in (None, ""):
        return ""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return ""
    # A no-break space keeps "Rp" with its amount in narrow table cells.
    return "Rp\u00a0" + f"{amount:,}".replace(",", ".")


@register.filter
def dotted(value) -> str:
    """A whole number with '.' thousands separators, no currency."""
    try:
        return f"{int(value):,}".replace(",", ".")
    except (TypeError, ValueError):
        return ""


@register.filter
def who(user, fallback: str = "–") -> str:
    """A person's name for timelines and history: full name, else username."""
    if user is None:
        return fallback
    return user.get_full_name() or user.get_username()
