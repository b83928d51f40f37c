"""`GET /licenses/{id}`, its PDF document, the licences an account holds as the dashboard shows them, and
`GET /accounts/{address}/revenue`: the facts checked against the chain, the PDF read back with pypdf."""

import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from genip.chain.explain import format_time
from genip.chain.reads import license_info
from tests.api.world import World


def _pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


def _brand_licence_on(api: TestClient, world: World, asset_id: int) -> dict[str, Any]:
    held = api.get(f"/accounts/{world.actors.brand.address}").json()["licenses_held"]
    return next(h for h in held if h["asset_id"] == asset_id)


def _purchase_log(world: World, license_id: int) -> Any:
    logs = world.client.hub.events.LicensePurchased().get_logs(from_block=0)
    return next(log for log in logs if log["args"]["licenseId"] == license_id)


def test_the_document_states_the_parties_the_work_the_price_and_the_transaction(
    api: TestClient, world: World
) -> None:
    forest = world.works["forest"]
    licence_id = _brand_licence_on(api, world, forest)["license_id"]
    purchase = _purchase_log(world, licence_id)
    asset = api.get(f"/assets/{forest}").json()

    r = api.get(f"/licenses/{licence_id}/document")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    chain_id = world.deployment.chain_id
    assert f'filename="genip-licence-{chain_id}-{licence_id}.pdf"' in r.headers["content-disposition"]
    assert r.content.startswith(b"%PDF-")
    text = _pdf_text(r.content)

    assert f"Gen-IP licence #{licence_id}" in text
    assert f"Licence id {licence_id}" in text
    assert f"Licensor {world.actors.bob.address}" in text  # the seller who owned the work
    assert f"Licensee {world.actors.brand.address}" in text
    assert f"Certificate #{forest} on chain {chain_id}" in text
    assert "Title Quiet forest" in text and "Kind text" in text
    assert f"Content sha256 {asset['content_hash']}" in text
    assert asset["media_cid"] and f"Media CID {asset['media_cid']}" in text
    assert "Price paid 0.001 ETH (1000000000000000 base units)" in text
    assert f"Transaction {purchase['transactionHash'].to_0x_hex()}" in text
    assert f"Block {purchase['blockNumber']}" in text
    assert "Expires never expires (perpetual)" in text
    assert f"Licence (API) http://testserver/licenses/{licence_id}" in text
    assert f"Work page http://testserver/#/work/{forest}" in text
    # The terms: the record's switches; its document is not one this server ships, so it is named by hash
    # and URI (a shipped template's text is checked in tests/cli/test_licence_document.py).
    assert "Commercial use yes" in text and "Derivatives no" in text and "Transferable yes" in text
    assert f"Terms document 0x{'01' * 32}" in text and "Terms URI ipfs://standard" in text
    assert "points to a terms document this server does not ship" in text


def test_an_expiring_licence_shows_its_end_as_a_utc_date(api: TestClient, world: World) -> None:
    on_chain = license_info(world.client, world.expired_license)
    assert on_chain.expires_at > 0
    text = _pdf_text(api.get(f"/licenses/{world.expired_license}/document").content)
    assert f"Expires {format_time(on_chain.expires_at)}" in text
    assert re.search(r"Expires \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", text)
    assert "Price paid 0.000000000000000001 ETH (1 base units)" in text
    assert "Derivatives yes" in text and "Revenue share 0 % of each derivative's revenue" in text


def test_the_json_answer_carries_the_same_facts_and_the_validity_now(api: TestClient, world: World) -> None:
    forest = world.works["forest"]
    licence_id = _brand_licence_on(api, world, forest)["license_id"]
    body = api.get(f"/licenses/{licence_id}").json()
    assert body["licensor"] == world.actors.bob.address and body["licensee"] == world.actors.brand.address
    assert (body["price"], body["price_display"], body["currency_symbol"]) == (
        "1000000000000000",
        "0.001 ETH (1000000000000000 base units)",
        "ETH",
    )
    assert body["tx_hash"] == _purchase_log(world, licence_id)["transactionHash"].to_0x_hex()
    assert body["valid"] is True and body["expires"] == "never expires (perpetual)"
    assert body["document_url"].endswith(f"/licenses/{licence_id}/document")
    expired = api.get(f"/licenses/{world.expired_license}").json()
    assert expired["valid"] is False  # past its end as of the indexed block


def test_a_renounced_licence_says_so(api: TestClient, world: World) -> None:
    text = _pdf_text(api.get(f"/licenses/{world.renounced_license}/document").content)
    assert "renounced (burned) by its holder" in text
    assert api.get(f"/licenses/{world.renounced_license}").json()["valid"] is False


@pytest.mark.parametrize("path", ["/licenses/{id}", "/licenses/{id}/document"])
def test_an_unknown_licence_is_a_404_with_a_sentence(api: TestClient, path: str) -> None:
    r = api.get(path.format(id=987654))
    assert r.status_code == 404 and r.headers["content-type"] == "application/json"
    assert r.json()["detail"].startswith("licence 987654 is not indexed on chain")
    assert api.get(path.format(id="abc")).status_code == 422


def test_held_licences_carry_the_work_the_sale_renewal_and_the_document(
    api: TestClient, world: World
) -> None:
    forest = _brand_licence_on(api, world, world.works["forest"])
    assert forest["title"] == "Quiet forest" and forest["kind"] == "text"
    assert (forest["price"], forest["currency"]) == ("1000000000000000", "0x" + "00" * 20)
    assert forest["purchased_at"] > 0 and forest["offer_id"] > 0
    assert forest["document_url"] == f"/licenses/{forest['license_id']}/document"
    assert forest["renewable"] is False  # perpetual: nothing to renew
    expired = _brand_licence_on(api, world, world.expired)
    assert expired["valid"] is False and expired["renewable"] is False  # past its end


def test_revenue_per_work_adds_up_payment_by_payment(api: TestClient, world: World) -> None:
    bob = world.actors.bob.address
    body = api.get(f"/accounts/{bob.lower()}/revenue").json()
    assert body["address"] == bob
    forest = [w for w in body["works"] if w["asset_id"] == world.works["forest"]]
    assert len(forest) == 1
    series = forest[0]
    # The brand's licence and the outsider's (renounced later: the payment stands).
    assert (series["title"], series["total"], series["payments"]) == ("Quiet forest", str(2 * 10**15), 2)
    assert [p["cumulative"] for p in series["points"]] == [str(10**15), str(2 * 10**15)]
    assert {p["source"] for p in series["points"]} == {"license_sale"}
    for point in series["points"]:
        assert point["approximate"] is False  # a licence sale's block time is indexed
        assert point["timestamp"] > 0
    times = [p["timestamp"] for p in series["points"]]
    assert times == sorted(times)
    # Only works the account created: alice's works are not bob's revenue.
    assert world.works["tides"] not in {w["asset_id"] for w in body["works"]}
    assert api.get("/accounts/0x12/revenue").status_code == 400
    assert api.get("/accounts/0x" + "12" * 20 + "/revenue").json()["works"] == []
