"""Search facets equal the counts computed naively: the asset-row facets from every matching result (one page
holds them all), the offer facets (tier, currency) from the count of the search filtered by that value — a
different path (the offer filter on each asset) from the facet query (a tally of the matches' live offers).

Without text these counts come from the trigger-kept facet table (migration 0021), with text or a creator from
one scan of the matching rows, with a price from the offers: each path is asked here."""

from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_shopping_search import ALICE, TOKEN, ZERO, shop

__all__ = ["shop"]

QUERIES: list[dict[str, Any]] = [
    {},
    {"q": "lora"},
    {"kind": "image"},
    {"currency": ZERO},
    {"tier": "extended"},
    {"tier": "standard", "currency": TOKEN},
    {"colour": "black"},
    {"include_delisted": True, "include_copies": True},
    # The paths of migration 0021: the facet table (no text), one scan of the matches (text, creator), the
    # offers themselves (a price); and nothing matching.
    {"orientation": "landscape", "currency": TOKEN},
    {"q": "lora", "sort": "most_licensed"},
    {"creator": ALICE, "tier": "standard"},
    {"currency": ZERO, "max_price": 10**17},
]


def _naive(data: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    def count(values: list[Any]) -> dict[str, int]:
        return dict(Counter(str(v) for v in values if v is not None))

    return {
        "kind": count([a["kind"] for a in data]),
        "standing": count([a["standing"] for a in data]),
        "has_derivatives": count(["true" if a["children_count"] > 0 else "false" for a in data]),
        "orientation": count([a["orientation"] for a in data]),
        "size": count([a["size_class"] for a in data]),
        "colour": count([a["colour"] for a in data]),
        "base_model": count([a["base_model"] for a in data]),
    }


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()) or "all")
def test_facets_equal_naive_counts(shop: TestClient, query: dict[str, Any]) -> None:
    body = shop.get("/assets", params={**query, "limit": 100}).json()
    facets = body["facets"]
    assert body["count"] == len(body["data"]) > 0
    for name, expected in _naive(body["data"]).items():
        assert facets[name] == expected, name
    # The offer facets: each value's count is the count of the search filtered by it (only values the
    # search's own offer filters leave open).
    for name, values in (("tier", ("standard", "extended")), ("currency", (ZERO, TOKEN))):
        for value in values:
            if query.get(name, value) != value:
                continue
            filtered = shop.get("/assets", params={**query, name: value, "facets": False}).json()
            assert facets[name].get(value, 0) == filtered["count"], (name, value)
