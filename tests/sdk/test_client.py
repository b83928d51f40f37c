"""The SDK's client against the real API served by uvicorn (tests/sdk/conftest.py): licence status one by
one and in batches split over several requests, image and hash-only matching agreeing with each other,
uploads whose perceptual hash is the SDK's, and API errors raised as typed exceptions."""

from typing import Any, cast

import pytest
from genip_sdk import (
    MAX_BATCH,
    AuthenticationError,
    BadRequestError,
    GenIP,
    NotFoundError,
    UnprocessableError,
    hash_image,
)
from genip_sdk import client as client_module

from tests.sdk.conftest import Served, encode, jpeg_copy, picture

NOBODY = "0x" + "77" * 20


@pytest.fixture
def genip(served: Served) -> Any:
    with GenIP(served.base_url, api_key=served.api_key) as client:
        yield client


def test_licence_status_of_a_holder_and_of_an_outsider(served: Served, genip: GenIP) -> None:
    held = genip.license_status(served.astronaut, served.brand.address)
    assert held["licensed"] is True and held["license_ids"] and held["asset_status"] == "active"
    assert held["use"] == "display" and held["as_of_block"] > 0
    outsider = genip.license_status(served.astronaut, served.world.outsider.address, "commercial")
    assert outsider["licensed"] is False and outsider["use"] == "commercial"
    assert genip.license_status(10**9, NOBODY)["asset_status"] == "unregistered"


def test_a_batch_over_the_server_limit_is_split_and_answered_in_order(served: Served, genip: GenIP) -> None:
    brand, outsider = served.brand.address, served.world.outsider.address
    items: list[Any] = [(served.astronaut, brand if i % 3 == 0 else outsider) for i in range(MAX_BATCH + 5)]
    items.append({"asset": served.astronaut, "account": brand, "use": "derivative"})
    answers = genip.license_statuses(items)
    assert len(answers) == len(items)
    assert [a["licensed"] for a in answers[:-1]] == [i % 3 == 0 for i in range(MAX_BATCH + 5)]
    assert answers[-1]["use"] == "derivative" and answers[-1]["account"] == brand
    assert genip.license_statuses([]) == []


def test_api_errors_are_typed(served: Served, genip: GenIP) -> None:
    with pytest.raises(BadRequestError, match="account") as bad:
        genip.license_status(served.astronaut, "0xnot-an-address")
    assert bad.value.status == 400 and isinstance(bad.value.detail, str)
    with pytest.raises(UnprocessableError) as unknown:
        genip.license_status(served.astronaut, NOBODY, cast(Any, "resell"))
    assert unknown.value.status == 422 and "use" in str(unknown.value)


def test_image_matching_finds_the_registered_work_and_judges_the_account(
    served: Served, genip: GenIP
) -> None:
    licensed = genip.match_image(jpeg_copy("astronaut"), account=served.brand.address, filename="post.jpg")
    assert licensed["verdict"] == "licensed" and licensed["rests_on"] == served.astronaut
    unlicensed = genip.match_image(jpeg_copy("astronaut"), account=served.world.outsider.address)
    assert unlicensed["verdict"] == "unlicensed"
    assert genip.match_image(encode(picture("chelsea"), "JPEG"))["verdict"] == "unregistered"


def test_hash_only_matching_agrees_with_image_matching(served: Served, genip: GenIP) -> None:
    """The SDK hashes on the platform's side; the server's answer per hash is `/match`'s for the file."""
    copy = jpeg_copy("astronaut")
    hashes = [
        hash_image(copy, id="post-1"),
        hash_image(encode(picture("chelsea"), "JPEG"), id="post-2"),
        {"pdq": hash_image(copy).pdq, "id": "post-3", "account": served.world.outsider.address},
    ]
    answers = genip.match_hashes(hashes, account=served.brand.address)
    assert [(a["index"], a["id"]) for a in answers] == [(0, "post-1"), (1, "post-2"), (2, "post-3")]
    assert [a["verdict"] for a in answers] == ["licensed", "unregistered", "unlicensed"]
    by_file = genip.match_image(copy, account=served.brand.address)
    first = answers[0]
    assert first["rests_on"] == by_file["rests_on"] == served.astronaut
    assert [c["asset_id"] for c in first["candidates"]] == [c["asset_id"] for c in by_file["candidates"]]
    assert first["candidates"][0]["distance"] == by_file["candidates"][0]["distance"]
    assert first["status"] == by_file["status"]


def test_more_hashes_than_one_request_takes_are_split(
    served: Served, genip: GenIP, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Split at `MAX_HASHES` (lowered here: 1 000 hashes judged take seconds on a loaded test machine)."""
    monkeypatch.setattr(client_module, "MAX_HASHES", 2)
    pdq = hash_image(jpeg_copy("astronaut")).pdq
    answers = genip.match_hashes([pdq] * 5, account=served.brand.address)
    assert [a["index"] for a in answers] == list(range(5))
    assert {a["verdict"] for a in answers} == {"licensed"}
    assert genip.match_hashes([]) == []


def test_a_malformed_hash_is_refused_with_the_items_location(genip: GenIP) -> None:
    with pytest.raises(UnprocessableError) as refused:
        genip.match_hashes(["ab" * 31, "ab" * 32])
    assert refused.value.status == 422 and "items.0.pdq" in str(refused.value)


def test_an_upload_commits_the_hash_the_sdk_computes(served: Served, genip: GenIP) -> None:
    data = encode(picture("coffee"), "PNG")
    stored = genip.upload(data, filename="coffee.png", creator=served.world.actors.alice.address)
    assert stored["kind"] == "image" and stored["cid"]
    fingerprint = stored["perceptual_hash"]
    assert fingerprint is not None and fingerprint["algorithm"] == "pdq"
    assert fingerprint["value"].removeprefix("0x") == hash_image(data).pdq
    alice = served.world.actors.alice.address
    commitment = "0x" + "5a" * 32
    described = genip.store_metadata(
        stored["cid"], name="Coffee", prompt_commitment=commitment, creator=alice
    )
    assert described["metadata_cid"] and described["metadata"]["name"] == "Coffee"
    assert described["metadata"]["genip"]["promptCommitment"] == commitment
    with pytest.raises(NotFoundError):  # metadata is built from an upload the server holds, never from claims
        genip.store_metadata(
            "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bvemlbbixv6prh4e",
            name="x",
            prompt_commitment=commitment,
            creator=alice,
        )


def test_a_post_reported_by_its_hashes_is_matched_stored_and_read_back(served: Served, genip: GenIP) -> None:
    hashes = hash_image(jpeg_copy("astronaut"))
    outsider = served.world.outsider.address
    stored = genip.report("post-42", hashes=hashes, account=outsider)
    assert stored["verdict"] == "unlicensed" and stored["asset_id"] == served.astronaut
    assert stored["source"] == "hashes" and stored["pdq"] == hashes.pdq and stored["state"] == "open"
    again = genip.report("post-42", hashes=hashes, account=outsider)  # a retry: the stored report
    assert again["id"] == stored["id"]
    assert genip.get_report(stored["id"])["post_id"] == "post-42"
    by_image = genip.report("post-43", image=jpeg_copy("astronaut"), account=served.brand.address)
    assert by_image["verdict"] == "licensed" and by_image["source"] == "image"
    with pytest.raises(ValueError, match="one of the two"):
        genip.report("post-44")


def test_key_routes_need_a_working_key(served: Served) -> None:
    with GenIP(served.base_url) as anonymous, pytest.raises(AuthenticationError) as missing:
        anonymous.registrations()
    assert missing.value.status == 401 and "key" in str(missing.value)
    with (
        GenIP(served.base_url, api_key="gip_000000000000_" + "A" * 43) as wrong,
        pytest.raises(AuthenticationError),
    ):
        wrong.report("post-1", hashes="ab" * 32)


def test_registrations_answer_per_item(served: Served, genip: GenIP) -> None:
    """Certify-on-upload's wrapper: a bad item is answered with its index and error, not raised."""
    answer = genip.register_works([{"reference_id": "sdk-1", "creator": NOBODY, "metadata_cid": "not-a-cid"}])
    assert answer["accepted"] == 0
    [item] = answer["items"]
    assert item["index"] == 0 and item["reference_id"] == "sdk-1" and item["status"] >= 400 and item["error"]
    page = genip.registrations(limit=5)
    assert page["items"] == [] and page["next_since"] is None


def test_the_hash_feed_pages_to_the_registered_pdq_a_platform_can_match_locally(
    served: Served, genip: GenIP
) -> None:
    pages = list(genip.iter_hash_pages(limit=1))
    assert len(pages) >= 2 and not pages[-1]["has_more"] and all(p["has_more"] for p in pages[:-1])
    signals = [s for page in pages for s in page["signals"]]
    pdq = {s["metadata"]["asset_id"]: s["signal_value"] for s in signals if s["signal_type"] == "pdq"}
    assert pdq[served.astronaut] == hash_image(encode(picture("astronaut"))).pdq
    # matching locally: the copy a user posts is within PDQ's threshold of the exported hash
    copy = int(hash_image(jpeg_copy("astronaut")).pdq, 16)
    assert (copy ^ int(pdq[served.astronaut], 16)).bit_count() <= 31
    caught_up = genip.export_hashes(pages[-1]["next"])
    assert caught_up["signals"] == [] and caught_up["next"] == pages[-1]["next"]
    with pytest.raises((BadRequestError, UnprocessableError)) as refused:  # a cursor it did not issue
        genip.export_hashes("not-a-cursor")
    assert "since" in str(refused.value)
