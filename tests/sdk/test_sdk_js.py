"""`GET /sdk/genip.js` from the served API: an ES module with the right type, validators and CORS, its
colours those of the SVG badges."""

import json
import re

import httpx

from api.badge import COLOURS
from tests.sdk.conftest import Served


def test_the_module_is_served_as_javascript_with_validators(served: Served) -> None:
    response = httpx.get(f"{served.base_url}/sdk/genip.js")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert 'customElements.define("genip-badge"' in response.text
    assert "export async function status(" in response.text
    etag = response.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    again = httpx.get(f"{served.base_url}/sdk/genip.js", headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    stale = httpx.get(f"{served.base_url}/sdk/genip.js", headers={"if-none-match": '"stale"'})
    assert stale.status_code == 200 and stale.content == response.content


def test_the_module_colours_are_the_badges(served: Served) -> None:
    text = httpx.get(f"{served.base_url}/sdk/genip.js").text
    block = re.search(r"/\* colours: begin \*/(.*?)/\* colours: end \*/", text, re.DOTALL)
    assert block is not None and json.loads(block.group(1)) == COLOURS
