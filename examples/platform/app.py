"""Pixel Social: a small platform that really integrates with Gen-IP (a runnable example, not a product).

Users post pictures. A post of one's **own work** is certified on upload through the Python SDK for the
poster's creator address (who authorised the platform on-chain, `genip platform authorize`): the file goes to
`POST /uploads`, its metadata with the creator's salted prompt commitment to `POST /metadata`, and the work
to `POST /platform/registrations`; the platform's relayer (`genip platform relay`) does the chain part. A user
may also **share** a registered Gen-IP work they hold a licence for (asked with `license_status`). The feed
shows each post with its Gen-IP badge (`<genip-badge>` from the API's `/sdk/genip.js`) and its registration
state.

Webhooks (`POST /webhooks/genip`, verified with `genip_sdk.WebhookVerifier`, each `webhook-id` applied once):

* `registration.updated` → the post's registration state, asset id or error (a state never moves back:
  deliveries may arrive out of order);
* `copy.marked` → the post whose work is the possible copy (by asset id, or by content hash when the asset id
  is not known yet) is **flagged**, and so are shares of it; `copy.marked.retracted` clears that flag;
* `license.expired` → **hide** the shares of that work by the licence's holder that relied on the licence,
  unless the holder is still licensed (another licence, asked again with `license_status`);
  `license.expired.retracted` shows them again.

Configured by the environment: `GENIP_API_URL` (default `http://127.0.0.1:8000`), `GENIP_API_KEY` (the
platform key `gip_…`), `GENIP_WEBHOOK_SECRET` (`whsec_…`, from `subscribe`), `GENIP_PUBLIC_API_URL` (where
browsers reach the API for the badge script; default the API URL), `PLATFORM_DB` (SQLite file, default
`platform.db`) and `PLATFORM_MEDIA` (posted files, default `media/`).

    uvicorn --factory examples.platform.app:create_app --port 8100
    python -m examples.platform.app subscribe http://127.0.0.1:8100/webhooks/genip   # prints the secret

A post needs its prompt: Gen-IP checks every registration's prompt (issue #18), so the prompt and salt go to
`POST /platform/registrations` sealed to Gen-IP's checker (`genip_sdk.prompts.seal_prompt`; only the checker
can open them). Only a deployment without a checker (`GET /prompts/checker-key` answers 503) takes the work
without it. Prompts and salts are kept in the platform's database (the creator needs them to reveal the prompt
later) and never leave it in the clear: the commitment is sent, the prompt only sealed, and nothing here logs
a prompt.
"""

import html
import json
import os
import secrets
import sqlite3
import sys
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from eth_utils.address import is_address, to_checksum_address
from genip_sdk import APIError, GenIP, GenIPError, WebhookVerificationError, WebhookVerifier
from genip_sdk.prompts import commit_prompt, normalize_prompt, prompt_commitment_for, seal_prompt
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

__all__ = ["Config", "Platform", "create_app", "prompt_commitment", "subscribe"]

#: The events this platform acts on (their `….retracted` come with them).
EVENTS: Final = ("registration.updated", "copy.marked", "license.expired")
#: Registration states in the order they happen; a webhook never moves a post back.
_RANK: Final = {"accepted": 1, "committed": 2, "registered": 3, "failed": 3, "indexed": 4}
_IMAGE_SUFFIXES: Final = (".png", ".jpg", ".jpeg", ".webp", ".gif")
_MAX_BYTES: Final = 20 * 1024 * 1024

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS posts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,               -- 'work' (own upload, certified) or 'share' (a licensed Gen-IP work)
    author TEXT NOT NULL,             -- the poster's address (checksummed)
    title TEXT NOT NULL,
    file TEXT,                        -- the posted file's name under PLATFORM_MEDIA (works)
    prompt TEXT,                      -- the creator's prompt and salt: kept here, never sent, never logged
    salt TEXT,
    content_hash TEXT,                -- 0x sha256 of the work as Gen-IP stored it
    registration_id INTEGER,
    state TEXT NOT NULL,              -- a registration state, 'error', or 'shared'
    error TEXT,
    asset_id INTEGER,
    license_ids TEXT,                 -- shares: JSON list of the licences the poster held when sharing
    flag TEXT, flag_event TEXT,       -- why it is flagged, and the webhook that said so
    hidden TEXT, hidden_event TEXT,   -- why it is hidden, and the webhook that said so
    created_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE IF NOT EXISTS webhooks_seen (
    webhook_id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    at TEXT NOT NULL DEFAULT (datetime('now'))
);
"""


@dataclass(frozen=True)
class Config:
    api_url: str = "http://127.0.0.1:8000"
    api_key: str = field(default="", repr=False)
    webhook_secret: str | None = field(default=None, repr=False)
    public_api_url: str | None = None
    database: Path = Path("platform.db")
    media: Path = Path("media")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "Config":
        return cls(
            api_url=env.get("GENIP_API_URL", cls.api_url),
            api_key=env.get("GENIP_API_KEY", ""),
            webhook_secret=env.get("GENIP_WEBHOOK_SECRET") or None,
            public_api_url=env.get("GENIP_PUBLIC_API_URL") or None,
            database=Path(env.get("PLATFORM_DB", "platform.db")),
            media=Path(env.get("PLATFORM_MEDIA", "media")),
        )


class NotCaughtUp(GenIPError):
    """The API answered as of an older block than the webhook's: asked again when Gen-IP retries."""


class BadInput(ValueError):
    """What the user sent cannot be posted (answered 400 with the reason)."""


def prompt_commitment(creator: str, prompt: str, salt: bytes) -> str:
    """`GenIPRegistry.promptCommitmentFor(creator, prompt, salt)`, as `0x` hex, by the SDK
    (`genip_sdk.prompts`, the one home of the scheme Gen-IP's own tools use)."""
    return "0x" + prompt_commitment_for(creator, prompt, salt).hex()


def _address(value: str) -> str:
    value = value.strip()
    if not is_address(value):
        raise BadInput("the account is not an Ethereum address (0x and 40 hex digits)")
    return str(to_checksum_address(value))


def _hex(value: str | None) -> str | None:
    return None if not value else "0x" + value.lower().removeprefix("0x")


class Platform:
    """The platform's state (its SQLite file and media folder) and its Gen-IP client."""

    def __init__(self, config: Config) -> None:
        if not config.api_key:
            raise ValueError("GENIP_API_KEY is not set (the platform key `genip platform add` printed)")
        self.config = config
        self.genip = GenIP(config.api_url, api_key=config.api_key)
        self.verifier = WebhookVerifier(config.webhook_secret) if config.webhook_secret else None
        config.media.mkdir(parents=True, exist_ok=True)
        with self.db() as c:
            c.executescript(_SCHEMA)

    @contextmanager
    def db(self) -> Iterator[sqlite3.Connection]:
        """A connection in one transaction (committed on success)."""
        with closing(sqlite3.connect(self.config.database, timeout=30)) as c:
            c.row_factory = sqlite3.Row
            with c:
                yield c

    def posts(self, *, visible_only: bool = False) -> list[dict[str, Any]]:
        where = " WHERE hidden IS NULL" if visible_only else ""
        with self.db() as c:
            rows = c.execute(f"SELECT * FROM posts{where} ORDER BY id DESC").fetchall()
        return [{k: v for k, v in dict(r).items() if k not in ("prompt", "salt")} for r in rows]

    # ─────────────────────────────── posting ───────────────────────────────

    def post_work(self, author: str, title: str, prompt: str, data: bytes, filename: str) -> int:
        """Stores an own work and certifies it for `author` (who authorised the platform); its post id. A
        Gen-IP error is kept on the post (state `error`), not raised: the post exists either way."""
        author, title, prompt = _address(author), title.strip(), normalize_prompt(prompt)
        suffix = Path(filename).suffix.lower()
        if not title or len(title) > 200:
            raise BadInput("give a title of at most 200 characters")
        if suffix not in _IMAGE_SUFFIXES or not data or len(data) > _MAX_BYTES:
            raise BadInput(f"post an image ({', '.join(_IMAGE_SUFFIXES)}) of at most 20 MB")
        if not prompt:
            raise BadInput("give the prompt that made the work: Gen-IP checks every registration's prompt")
        salt = secrets.token_bytes(32)
        with self.db() as c:
            post = c.execute(
                "INSERT INTO posts (kind, author, title, prompt, salt, state) VALUES ('work', ?, ?, ?, ?, ?)",
                (author, title, prompt, salt.hex(), "uploading"),
            ).lastrowid
            assert post is not None
            name = f"{post}{suffix}"
            (self.config.media / name).write_bytes(data)
            c.execute("UPDATE posts SET file = ? WHERE id = ?", (name, post))
        try:
            stored = self.genip.upload(data, creator=author, filename=name)
            described = self.genip.store_metadata(
                stored["cid"],
                name=title,
                creator=author,
                prompt_commitment=prompt_commitment(author, prompt, salt),
            )
            item: dict[str, Any] = {
                "reference_id": f"post-{post}",
                "creator": author,
                "metadata_cid": described["metadata_cid"],
            }
            sealed = self._sealed_prompt(author, prompt, salt)
            if sealed is not None:
                item["prompt"] = sealed
            answer = self.genip.register_works([item])["items"][0]
        except GenIPError as exc:
            self._set(post, state="error", error=str(exc))
            return post
        registration = answer.get("registration") or {}
        if answer["status"] >= 300 or not registration:
            self._set(post, state="error", error=answer.get("error") or f"refused ({answer['status']})")
        else:
            self._set(
                post,
                state=registration.get("state", "accepted"),
                registration_id=registration.get("id"),
                content_hash=_hex(registration.get("content_hash") or stored.get("sha256")),
            )
        return post

    def _sealed_prompt(self, author: str, prompt: str, salt: bytes) -> dict[str, str] | None:
        """The prompt and salt sealed to Gen-IP's checker (only the checker can open them), so the work's
        prompt is checked, as Gen-IP requires; None only when the deployment has no checker key (503: it
        cannot check, and registers the work unchecked). Any other failure is raised: the post gets the error,
        never a registration without its prompt."""
        try:
            key = self.genip.checker_key()
        except APIError as exc:
            if exc.status == 503:
                return None
            raise
        return seal_prompt(commit_prompt(prompt, salt, creator=author), key)

    def share(self, author: str, asset: int, title: str) -> int:
        """Shares registered work `asset` for `author`, who must hold a licence for it (or own it)."""
        author, title = _address(author), title.strip()[:200] or f"Gen-IP work #{asset}"
        if asset < 1:
            raise BadInput("the work's id is a positive number")
        try:
            status = self.genip.license_status(asset, author, "display")
        except GenIPError as exc:
            raise BadInput(f"cannot check the licence: {exc}") from None
        if not status["licensed"]:
            raise BadInput(f"{author} holds no licence to show Gen-IP work #{asset}")
        with self.db() as c:
            post = c.execute(
                "INSERT INTO posts (kind, author, title, asset_id, license_ids, state) "
                "VALUES ('share', ?, ?, ?, ?, 'shared')",
                (author, title, asset, json.dumps(status["license_ids"])),
            ).lastrowid
        assert post is not None
        return post

    def _set(self, post: int, **values: Any) -> None:
        columns = ", ".join(f"{k} = ?" for k in values)
        with self.db() as c:
            c.execute(f"UPDATE posts SET {columns} WHERE id = ?", (*values.values(), post))

    # ─────────────────────────────── webhooks ───────────────────────────────

    def apply(self, webhook_id: str, payload: Mapping[str, Any]) -> bool:
        """Applies one verified webhook once; False when `webhook_id` was applied before."""
        kind, data = str(payload.get("type", "")), payload.get("data") or {}
        extra: dict[int, bool] = {}
        if kind == "license.expired":  # ask before the transaction: the API call may take a moment
            extra = self._still_licensed(data)
        with self.db() as c:
            seen = c.execute(
                "INSERT OR IGNORE INTO webhooks_seen (webhook_id, type) VALUES (?, ?)", (webhook_id, kind)
            )
            if seen.rowcount == 0:
                return False
            if kind == "registration.updated":
                self._registration(c, data)
            elif kind == "copy.marked":
                c.execute(
                    "UPDATE posts SET flag = ?, flag_event = ? WHERE asset_id = ? OR content_hash = ?",
                    (
                        f"possible copy of Gen-IP work #{int(data['original_id'])}",
                        webhook_id,
                        int(data["asset_id"]),
                        _hex(data.get("content_hash")) or "-",
                    ),
                )
            elif kind == "license.expired":
                for post, licensed in extra.items():
                    if not licensed:
                        c.execute(
                            "UPDATE posts SET hidden = ?, hidden_event = ? WHERE id = ?",
                            (f"licence #{int(data['license_id'])} expired", webhook_id, post),
                        )
            elif kind == "copy.marked.retracted":
                c.execute(
                    "UPDATE posts SET flag = NULL, flag_event = NULL WHERE flag_event = ?",
                    (data.get("webhook_id"),),
                )
            elif kind == "license.expired.retracted":
                c.execute(
                    "UPDATE posts SET hidden = NULL, hidden_event = NULL WHERE hidden_event = ?",
                    (data.get("webhook_id"),),
                )
        return True

    def _registration(self, c: sqlite3.Connection, data: Mapping[str, Any]) -> None:
        reference = str(data.get("reference_id", ""))
        if not reference.startswith("post-") or not reference[5:].isdigit():
            return  # not one of ours
        row = c.execute("SELECT state FROM posts WHERE id = ?", (int(reference[5:]),)).fetchone()
        state = str(data.get("state"))
        if row is None or state not in _RANK or _RANK[state] < _RANK.get(row["state"], 0):
            return
        c.execute(
            "UPDATE posts SET state = ?, error = ?, asset_id = COALESCE(?, asset_id), registration_id = ?, "
            "content_hash = COALESCE(?, content_hash) WHERE id = ?",
            (
                state,
                data.get("error"),
                data.get("asset_id"),
                data.get("id"),
                _hex(data.get("content_hash")),
                int(reference[5:]),
            ),
        )

    def _still_licensed(self, data: Mapping[str, Any]) -> dict[int, bool]:
        """The visible shares that relied on the expired licence, and whether their poster is still
        licensed for the work (another licence) as of now."""
        licence, asset, holder = int(data["license_id"]), int(data["asset_id"]), str(data["holder"])
        with self.db() as c:
            rows = c.execute(
                "SELECT id, license_ids FROM posts WHERE kind = 'share' AND hidden IS NULL AND asset_id = ? "
                "AND lower(author) = lower(?)",
                (asset, holder),
            ).fetchall()
        relied = [r["id"] for r in rows if licence in json.loads(r["license_ids"] or "[]")]
        if not relied:
            return {}
        status = self.genip.license_status(asset, holder, "display")  # a GenIPError: answered 503, retried
        observed = int((data.get("observed_block") or {}).get("number", 0))
        if status["as_of_block"] < observed:  # this API process has not read the expiry's block yet
            raise NotCaughtUp(f"status as of block {status['as_of_block']}, expiry seen at block {observed}")
        return dict.fromkeys(relied, status["licensed"])


# ─────────────────────────────── web ───────────────────────────────

_PAGE: Final = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pixel Social</title>
<script type="module" src="{api}/sdk/genip.js"></script>
<style>
body {{ font: 15px system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; color: #222; }}
article {{ border: 1px solid #ddd; border-radius: 8px; padding: .8rem; margin: 1rem 0; }}
article.flagged {{ border-color: #d33; background: #fff5f5; }}
article img {{ max-width: 100%; }} .flag {{ color: #b00; font-weight: 600; }} .state {{ color: #666; }}
form {{ display: grid; gap: .4rem; border: 1px solid #eee; padding: .8rem; margin-bottom: 1rem; }}
</style></head><body>
<h1>Pixel Social</h1>
{message}
<form method="post" action="/posts" enctype="multipart/form-data">
  <strong>Post your own work</strong> (certified on Gen-IP for you if you authorised Pixel Social)
  <input name="account" placeholder="your address 0x…" required>
  <input name="title" placeholder="title" required maxlength="200">
  <textarea name="prompt" required placeholder="prompt (kept here; sent sealed to the checker)"></textarea>
  <input type="file" name="image" accept="image/*" required>
  <button>Post</button>
</form>
<form method="post" action="/shares">
  <strong>Share a Gen-IP work you hold a licence for</strong>
  <input name="account" placeholder="your address 0x…" required>
  <input name="asset" type="number" min="1" placeholder="work id" required>
  <input name="title" placeholder="caption" maxlength="200">
  <button>Share</button>
</form>
{posts}
</body></html>
"""


def _article(post: Mapping[str, Any]) -> str:
    e = html.escape
    flagged = " flagged" if post["flag"] else ""
    image = f'<img src="/media/{e(post["file"])}" alt="">' if post["file"] else ""
    if post["asset_id"]:
        badge = (
            f'<genip-badge asset="{int(post["asset_id"])}" account="{e(post["author"])}" use="display">'
            "</genip-badge>"
        )
        state = f"Gen-IP work #{int(post['asset_id'])} · {e(post['state'])}"
    else:
        badge, state = "", f"Gen-IP: {e(post['state'])}"
    error = f" — {e(post['error'])}" if post["error"] else ""
    flag = f'<p class="flag">Flagged: {e(post["flag"])}</p>' if post["flag"] else ""
    return (
        f'<article class="post{flagged}" id="post-{int(post["id"])}">{image}<h2>{e(post["title"])}</h2>'
        f'<p>by {e(post["author"])}</p><p class="state">{state}{error}</p>{badge}{flag}</article>'
    )


def create_app(config: Config | None = None) -> Starlette:
    """The web app (`uvicorn --factory examples.platform.app:create_app`); `config` from the environment
    when not given."""
    platform = Platform(config or Config.from_env())
    api = html.escape((platform.config.public_api_url or platform.config.api_url).rstrip("/"))

    def page(message: str = "", status: int = 200) -> HTMLResponse:
        posts = "\n".join(_article(p) for p in platform.posts(visible_only=True))
        note = f'<p class="flag">{html.escape(message)}</p>' if message else ""
        return HTMLResponse(_PAGE.format(api=api, message=note, posts=posts), status_code=status)

    async def feed(request: Request) -> Response:
        return await run_in_threadpool(page)

    async def posts_json(request: Request) -> Response:
        return JSONResponse({"posts": await run_in_threadpool(platform.posts)})

    async def new_post(request: Request) -> Response:
        form = await request.form(max_files=1, max_fields=10)
        image = form.get("image")
        try:
            if not isinstance(image, UploadFile):
                raise BadInput("attach an image")
            data = await image.read(_MAX_BYTES + 1)
            await run_in_threadpool(
                platform.post_work,
                str(form.get("account", "")),
                str(form.get("title", "")),
                str(form.get("prompt", "")),
                data,
                image.filename or "",
            )
        except BadInput as exc:
            return await run_in_threadpool(page, str(exc), 400)
        return RedirectResponse("/", status_code=303)

    async def new_share(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=10)
        try:
            asset = str(form.get("asset", "")).strip()
            if not asset.isdigit():
                raise BadInput("the work's id is a positive number")
            await run_in_threadpool(
                platform.share, str(form.get("account", "")), int(asset), str(form.get("title", ""))
            )
        except BadInput as exc:
            return await run_in_threadpool(page, str(exc), 400)
        return RedirectResponse("/", status_code=303)

    async def webhook(request: Request) -> Response:
        if platform.verifier is None:
            return JSONResponse({"detail": "GENIP_WEBHOOK_SECRET is not set"}, status_code=503)
        body = await request.body()
        try:
            payload = platform.verifier.verify(body, request.headers)
        except WebhookVerificationError as exc:
            return JSONResponse({"detail": f"not a Gen-IP webhook: {exc}"}, status_code=400)
        try:
            applied = await run_in_threadpool(platform.apply, request.headers["webhook-id"], payload)
        except GenIPError:  # Gen-IP retries the delivery with backoff
            return JSONResponse({"detail": "cannot ask Gen-IP now; try again"}, status_code=503)
        except (AttributeError, KeyError, TypeError, ValueError):
            return JSONResponse({"detail": "unexpected payload"}, status_code=400)
        return JSONResponse({"applied": applied})

    app = Starlette(
        routes=[
            Route("/", feed),
            Route("/posts.json", posts_json),
            Route("/posts", new_post, methods=["POST"]),
            Route("/shares", new_share, methods=["POST"]),
            Route("/webhooks/genip", webhook, methods=["POST"]),
            Mount("/media", StaticFiles(directory=platform.config.media), name="media"),
        ]
    )
    app.state.platform = platform
    return app


def subscribe(config: Config, url: str) -> str:
    """Subscribes `url` (this app's `/webhooks/genip`) to the events it acts on; the secret, shown once."""
    with GenIP(config.api_url, api_key=config.api_key) as genip:
        return genip.create_webhook(url, list(EVENTS))["secret"]


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "subscribe":
        print("usage: python -m examples.platform.app subscribe URL", file=sys.stderr)
        return 2
    config = Config.from_env()
    if not config.api_key:
        print("error: set GENIP_API_KEY to the platform's key (genip platform add)", file=sys.stderr)
        return 2
    try:
        secret = subscribe(config, argv[1])
    except (GenIPError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(secret)  # the subscription's signing secret: set it as GENIP_WEBHOOK_SECRET
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
