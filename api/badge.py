"""A flat two-part SVG badge (label | value), like the ones READMEs show."""

from html import escape

__all__ = ["COLOURS", "badge_svg"]

COLOURS = {
    "licensed": "#2e7d32",
    "registered": "#1565c0",
    "unlicensed": "#9e9e9e",
    "disputed": "#ef6c00",
    "upheld": "#c62828",
    "tainted": "#c62828",  # like upheld: a claim against an ancestor was upheld
    "expired": "#9e9e9e",
    "unregistered": "#9e9e9e",
}

_CHAR = 6.5  # average glyph width of 11px Verdana, enough for a badge


def badge_svg(label: str, value: str) -> str:
    """The SVG text of a badge; the value's colour says the state."""
    left = int(len(label) * _CHAR + 12)
    right = int(len(value) * _CHAR + 12)
    width = left + right
    colour = COLOURS.get(value, "#9e9e9e")
    label, value = escape(label), escape(value)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f'aria-label="{label}: {value}"><title>{label}: {value}</title>'
        f'<rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        f'<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{left / 2}" y="14">{label}</text><text x="{left + right / 2}" y="14">{value}</text></g>'
        "</svg>"
    )
