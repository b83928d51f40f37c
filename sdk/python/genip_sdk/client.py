"""`GenIP`: a synchronous client of the Gen-IP API for platforms (httpx underneath).

Every method makes one logical call (a batch larger than the server's limit is split into several
requests and the answers joined in order), retries as `RetryPolicy` says, and raises a typed `GenIPError`
instead of returning an error body. Answers are the API's JSON as typed dictionaries (`genip_sdk.types`).
"""

import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self, cast

import httpx

from genip_sdk import __version__
from genip_sdk.errors import GenIPError, TransportError, error_for
from genip_sdk.retry import RetryPolicy, parse_retry_after
from genip_sdk.types import (
    CheckerKey,
    HashMatch,
    HashPage,
    LicenseStatus,
    MatchResult,
    MetadataStored,
    Registration,
    RegistrationsAccepted,
    RegistrationsPage,
    Report,
    StatusQuery,
    UploadResult,
    Use,
    WebhookDelivery,
    WebhookSubscription,
)

__all__ = ["MAX_BATCH", "MAX_HASHES", "MAX_REGISTRATIONS", "GenIP"]

#: Most items the server answers in one `POST /licenses/status`.
MAX_BATCH: Final = 1_000
#: Most hashes the server answers in one `POST /match/hashes`.
MAX_HASHES: Final = 1_000
#: Most works the server accepts in one `POST /platform/registrations`.
MAX_REGISTRATIONS: Final = 100

FileInput = bytes | str | os.PathLike[str]


class GenIP:
    """A client of one Gen-IP API (`base_url`, e.g. `https://api.genip.example`).

    `api_key`: the platform's key (`gip_…`), sent as `Authorization: Bearer`; reads work without one, at the
    per-IP quota. `retry`: when and how long to retry (default: 4 tries). `http`: an `httpx.Client` of your
    own (its base URL and headers are left alone; useful for proxies, mTLS, or tests). `sleep`: how the
    client waits between tries.

    Use it as a context manager, or call `close()`, to release its connections.
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        headers = {"user-agent": f"genip-sdk-python/{__version__}", "accept": "application/json"}
        if api_key is not None:
            if not api_key.strip() or "\n" in api_key:
                raise ValueError("api_key is empty or malformed")
            headers["authorization"] = f"Bearer {api_key.strip()}"
        self._owned = http is None
        self._http = http or httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)
        self._headers = headers
        self.retry = retry or RetryPolicy()
        self._sleep = sleep

    def close(self) -> None:
        """Closes the connections (not those of an `http` client passed in)."""
        if self._owned:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ─────────────────────────────── licence status ───────────────────────────────

    def license_status(self, asset: int, account: str, use: Use = "display") -> LicenseStatus:
        """May `account` use `asset` for `use`? (`GET /licenses/status`; see its rules in the API docs.)"""
        params = {"asset": str(asset), "account": account, "use": use}
        return cast(LicenseStatus, self._json("GET", "/licenses/status", params=params))

    def license_statuses(
        self, items: Iterable[StatusQuery | tuple[int, str] | tuple[int, str, Use]]
    ) -> list[LicenseStatus]:
        """Licence status of many (asset, account[, use]) questions, in order (`POST /licenses/status`, in
        requests of up to `MAX_BATCH`). What a platform asks per page of posts."""
        questions = [_status_item(item) for item in items]
        answers: list[LicenseStatus] = []
        for start in range(0, len(questions), MAX_BATCH):
            body = {"items": questions[start : start + MAX_BATCH]}
            answers.extend(self._json("POST", "/licenses/status", json=body)["data"])
        return answers

    # ─────────────────────────────── matching ───────────────────────────────

    def match_image(
        self,
        image: FileInput,
        *,
        account: str | None = None,
        use: Use = "display",
        filename: str | None = None,
    ) -> MatchResult:
        """Which registered work is this image, and may `account` use it for `use`? (`POST /match`: the image
        travels; see `match_hashes` to send only its hashes.)"""
        data, name = _file(image, filename, "image")
        form = {"use": use} | ({"account": account} if account else {})
        files = {"image": (name, data, "application/octet-stream")}
        return cast(MatchResult, self._json("POST", "/match", data=form, files=files))

    def match_hashes(
        self,
        hashes: Sequence[Any],
        *,
        account: str | None = None,
        use: Use = "display",
    ) -> list[HashMatch]:
        """Match images by their hashes only (`POST /match/hashes`) and judge each for `account` and `use`,
        as `POST /match` would for the file: `hashes` are `ImageHashes` from `genip_sdk.hash_image` (the
        server's own preparation; flat images are refused there, as `/match` refuses them), PDQ hex strings,
        or dicts `{"pdq", "phash"?, "id"?, "account"?, "use"?}` (an item's own account and use override the
        call's). Answers in order, one per hash, with `index` (the position in `hashes`) and `id` as sent;
        more than `MAX_HASHES` go in several requests."""
        items = [_hash_item(h) for h in hashes]
        answers: list[HashMatch] = []
        for start in range(0, len(items), MAX_HASHES):
            body = {"items": items[start : start + MAX_HASHES], "account": account, "use": use}
            for answer in self._json("POST", "/match/hashes", json=body)["data"]:
                answer["index"] += start
                answers.append(answer)
        return answers

    # ─────────────────────────────── hash export ───────────────────────────────

    def export_hashes(self, since: str | None = None, *, limit: int = 1_000) -> HashPage:
        """One page of the registered hashes' feed (`GET /hashes?since=`), for matching locally: `signals`
        oldest first, each an `add` or a `remove` (a reorg undid the registration) of a (`signal_type`,
        `signal_value`) with its work's metadata, in HMA's fetch-delta form; `next` is the checkpoint to
        send as `since` (None: from the start); `has_more` whether more is there now."""
        params = {"limit": str(limit)} | ({} if since is None else {"since": since})
        return cast(HashPage, self._json("GET", "/hashes", params=params))

    def iter_hash_pages(self, since: str | None = None, *, limit: int = 1_000) -> Iterator[HashPage]:
        """Pages of the feed from `since` until it is caught up (the last page has `has_more` false). Store
        each page's `next` once applied, to resume from there later."""
        while True:
            page = self.export_hashes(since, limit=limit)
            yield page
            if not page["has_more"] or page["next"] == since:
                return
            since = page["next"]

    # ─────────────────────────────── webhooks ───────────────────────────────

    def create_webhook(
        self,
        url: str,
        event_types: Sequence[str],
        *,
        assets: Sequence[int] | None = None,
        accounts: Sequence[str] | None = None,
    ) -> WebhookSubscription:
        """Subscribes `url` to `event_types`, optionally only about `assets` and/or involving `accounts`
        (`POST /webhooks`). The answer holds the signing `secret`, shown this once: keep it for
        `WebhookVerifier`. Not retried once sent (it is not idempotent: a retry could subscribe twice)."""
        body: dict[str, Any] = {"url": url, "event_types": list(event_types)}
        if assets is not None:
            body["assets"] = list(assets)
        if accounts is not None:
            body["accounts"] = list(accounts)
        return cast(WebhookSubscription, self._json("POST", "/webhooks", json=body, idempotent=False))

    def list_webhooks(self) -> list[WebhookSubscription]:
        """The platform's subscriptions (without their secrets)."""
        return cast(list[WebhookSubscription], self._json("GET", "/webhooks")["subscriptions"])

    def delete_webhook(self, subscription_id: int) -> int:
        """Ends a subscription; answers how many queued deliveries will not be sent."""
        answer = self._json("DELETE", f"/webhooks/{int(subscription_id)}")
        return int(answer["cancelled_deliveries"])

    def webhook_deliveries(
        self, subscription_id: int, *, state: str | None = None, limit: int = 50
    ) -> list[WebhookDelivery]:
        """A subscription's delivery log, newest first (`state`: pending, delivered, failed, cancelled)."""
        params = {"limit": str(limit)} | ({"state": state} if state else {})
        answer = self._json("GET", f"/webhooks/{int(subscription_id)}/deliveries", params=params)
        return cast(list[WebhookDelivery], answer["deliveries"])

    def replay_delivery(self, delivery_id: int) -> None:
        """Sends a delivered or failed delivery again, with the same `webhook-id`."""
        self._request("POST", f"/webhooks/deliveries/{int(delivery_id)}/replay")

    # ─────────────────────────────── uploads ───────────────────────────────

    def upload(
        self,
        file: FileInput,
        *,
        kind: str = "image",
        creator: str | None = None,
        filename: str | None = None,
    ) -> UploadResult:
        """Stores a work before its registration (`POST /uploads`; needs the platform key). `filename`'s
        ending tells the type (a path's own name is used when not given). Retrying is safe: the same bytes
        are the same content id."""
        data, name = _file(file, filename, "work")
        form = {"kind": kind} | ({"creator": creator} if creator else {})
        files = {"file": (name, data, "application/octet-stream")}
        return cast(UploadResult, self._json("POST", "/uploads", data=form, files=files))

    def store_metadata(
        self,
        content_cid: str,
        *,
        name: str,
        prompt_commitment: str,
        creator: str,
        description: str = "",
        tags: Sequence[str] = (),
        model: str | None = None,
        tool: str | None = None,
    ) -> MetadataStored:
        """Builds and stores an uploaded work's metadata (`POST /metadata`) from the server's own numbers for
        `content_cid`; its `metadata_cid` is what `register_works` names. `prompt_commitment` is the creator's
        salted prompt commitment (`0x` + 64 hex; the prompt itself is never sent). Retrying is safe: the same
        document is the same CID."""
        body: dict[str, Any] = {
            "content_cid": content_cid,
            "name": name,
            "description": description,
            "tags": list(tags),
            "prompt_commitment": prompt_commitment,
            "creator": creator,
        }
        body |= {"model": model} if model else {}
        body |= {"tool": tool} if tool else {}
        return cast(MetadataStored, self._json("POST", "/metadata", json=body))

    # ─────────────────────────────── certify on upload ───────────────────────────────

    def register_works(self, items: Sequence[Mapping[str, Any]]) -> RegistrationsAccepted:
        """Certifies works for the platform's creators (`POST /platform/registrations`, in requests of up to
        `MAX_REGISTRATIONS`): each item `{"reference_id", "creator", "metadata_cid", "prompt", "signature"?}`
        (the signature only for a creator who did not authorise the platform). `prompt` is the prompt and
        salt sealed to the checker, `genip_sdk.prompts.seal_prompt(commitment, genip.checker_key())`, for the
        check every registration goes through: an item without it is refused (status 422) by an API with a
        checker key; only an API without one (`checker_key` raises a 503 `ServerError`) cannot check and
        takes items without it. Every item is answered with its `index` (position in `items`) and `status`
        (202 accepted, 200 already known, 4xx refused with its `error`); a bad item does not block the
        others. Idempotent on `reference_id`, so retried safely."""
        joined: RegistrationsAccepted = {"accepted": 0, "items": []}
        for start in range(0, len(items), MAX_REGISTRATIONS):
            chunk = [dict(item) for item in items[start : start + MAX_REGISTRATIONS]]
            answer = self._json("POST", "/platform/registrations", json={"items": chunk})
            joined["accepted"] += answer["accepted"]
            for item in answer["items"]:
                item["index"] += start
                joined["items"].append(item)
        return joined

    def checker_key(self) -> CheckerKey:
        """The checker's public key that prompts are sealed to (`GET /prompts/checker-key`)."""
        return cast(CheckerKey, self._json("GET", "/prompts/checker-key"))

    def registration(self, registration_id: int) -> Registration:
        """Where one registration stands (accepted → committed → registered → indexed, or failed)."""
        return cast(Registration, self._json("GET", f"/platform/registrations/{int(registration_id)}"))

    def registrations(
        self, *, state: str | None = None, since: str | None = None, limit: int = 100
    ) -> RegistrationsPage:
        """The platform's registrations by last change, oldest first; poll on with `since` = the page's
        `next_since` (inclusive: a registration may come twice)."""
        params = (
            {"limit": str(limit)} | ({"state": state} if state else {}) | ({"since": since} if since else {})
        )
        return cast(RegistrationsPage, self._json("GET", "/platform/registrations", params=params))

    # ─────────────────────────────── reports ───────────────────────────────

    def report(
        self,
        post_id: str,
        *,
        image: FileInput | None = None,
        hashes: Any = None,
        account: str | None = None,
        filename: str | None = None,
    ) -> Report:
        """Reports a post (`POST /reports`): its `image`, or its `hashes` (`ImageHashes` from `hash_image`,
        or a PDQ hex string), and the uploader's `account`. Matched and judged like `/match`, stored for the
        work's owner, who resolves it (the `report.resolved` webhook says how). Reporting the same post and
        upload again answers the stored report, so retries are safe."""
        if (image is None) == (hashes is None):
            raise ValueError("give the post's image or its hashes (one of the two)")
        form = {"post_id": post_id} | ({"account": account} if account else {})
        files = None
        if image is not None:
            data, name = _file(image, filename, "image")
            files = {"image": (name, data, "application/octet-stream")}
        else:
            item = _hash_item(hashes)
            form |= {k: item[k] for k in ("pdq", "phash") if k in item}
        return cast(Report, self._json("POST", "/reports", data=form, files=files))

    def get_report(self, report_id: int) -> Report:
        """One of the platform's reports, with its state and, once resolved, the owner's decision."""
        return cast(Report, self._json("GET", f"/reports/{int(report_id)}"))

    # ─────────────────────────────── transport ───────────────────────────────

    def _json(self, method: str, path: str, *, idempotent: bool = True, **kwargs: Any) -> Any:
        response = self._request(method, path, idempotent=idempotent, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise GenIPError(f"{method} {path}: the answer is not JSON") from None

    def _request(self, method: str, path: str, *, idempotent: bool = True, **kwargs: Any) -> httpx.Response:
        """One call with the retry policy applied; the 2xx response, or the typed error of the last try."""
        policy = self.retry
        headers = self._headers | dict(kwargs.pop("headers", None) or {})
        for attempt in range(1, policy.attempts + 1):
            last = attempt == policy.attempts
            try:
                response = self._http.request(method, path, headers=headers, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:  # never reached the server
                if last:
                    raise TransportError(f"{method} {path}: cannot connect ({exc})") from None
                self._sleep(policy.backoff(attempt))
                continue
            except httpx.TransportError as exc:  # sent, perhaps processed: retried only when idempotent
                if last or not idempotent:
                    raise TransportError(
                        f"{method} {path}: no answer ({type(exc).__name__}: {exc})"
                    ) from None
                self._sleep(policy.backoff(attempt))
                continue
            if response.is_success:
                return response
            if response.status_code == 429:
                wait = parse_retry_after(response.headers.get("retry-after"))
                if last or (wait is not None and wait > policy.max_retry_after):
                    raise error_for(response, wait)
                self._sleep(policy.backoff(attempt) if wait is None else wait)
                continue
            if response.status_code in policy.statuses and idempotent and not last:
                self._sleep(policy.backoff(attempt))
                continue
            raise error_for(response)
        raise AssertionError("unreachable")  # pragma: no cover


def _status_item(item: Mapping[str, Any] | tuple[Any, ...]) -> dict[str, Any]:
    if isinstance(item, tuple):
        asset, account, *rest = item
        return {"asset": int(asset), "account": str(account), "use": rest[0] if rest else "display"}
    return {"asset": int(item["asset"]), "account": str(item["account"]), "use": item.get("use", "display")}


def _hash_item(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return {k: value[k] for k in ("pdq", "phash", "id", "account", "use") if value.get(k) is not None}
    if isinstance(value, str):
        return {"pdq": value}
    item = {"pdq": value.pdq, "phash": value.phash, "id": value.id}  # ImageHashes
    return {k: v for k, v in item.items() if v is not None}


def _file(value: FileInput, filename: str | None, default: str) -> tuple[bytes, str]:
    if isinstance(value, bytes):
        return value, filename or default
    path = Path(value)
    try:
        return path.read_bytes(), filename or path.name
    except OSError as exc:
        raise GenIPError(f"cannot read {str(path)!r}: {exc.strerror or exc}") from None
