"""The review page: a small web server inside the checker process, on 127.0.0.1 only.

Why here and not in the API: reviewing means reading the prompt, and only the checker process holds the key
that opens it; serving the page from the API would put plaintext prompts in the API's process, which the
design forbids. So `genip checker review serve` serves its own pages (the queue, one submission with its
prompt and hits, the decision form, the log) on the loopback interface, with no API involved.

Sign-in is a wallet signature: the page shows a one-time message (chain, registry, this server's origin, a
random nonce, valid `CHALLENGE_SECONDS`); the reviewer signs it with `personal_sign` (a browser wallet, or
any tool, pasting the signature), and the server admits the signer only if it holds the registry's
`CHECKER_ROLE` on chain. The role is read again on every page, so a revoked reviewer is out at once. Sessions
are random tokens in an HttpOnly, SameSite=Strict cookie that last `SESSION_SECONDS`; forms carry a
per-session CSRF token; requests for another Host are refused (DNS rebinding); pages are `no-store` with a
strict Content-Security-Policy, and the prompt is HTML-escaped (creators write it). Views and decisions go
through `Checker.view`/`Checker.decide`, so the web page logs exactly as the CLI does.
"""

import html
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final
from urllib.parse import parse_qs

from eth_account import Account
from eth_account.messages import encode_defunct

from genip.checker.policy import Outcome
from genip.checker.review import log_entry_json
from genip.checker.worker import Checker
from genip.errors import GenIPError

__all__ = ["CHALLENGE_SECONDS", "SESSION_SECONDS", "ReviewServer", "sign_in_message"]

CHALLENGE_SECONDS: Final = 300
SESSION_SECONDS: Final = 1800
COOKIE: Final = "genip_review"
MAX_BODY: Final = 16 * 1024

_HEADERS: Final = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

_CSS: Final = """body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.6rem}.prompt{font-size:1.1rem;background:#fff8e1}
.error{color:#a00}.ok{color:#060}textarea{width:100%}nav a{margin-right:1rem}nav form{display:inline}"""

_JS: Final = """document.getElementById("wallet").addEventListener("click", async () => {
  const status = document.getElementById("status");
  const form = document.getElementById("signin");
  if (!window.ethereum) {
    status.textContent = "No browser wallet: sign the message with your checker account and paste it below.";
    return;
  }
  try {
    const [account] = await window.ethereum.request({ method: "eth_requestAccounts" });
    const message = document.getElementById("message").textContent;
    const bytes = new TextEncoder().encode(message);
    const hex = "0x" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    const signature = await window.ethereum.request({ method: "personal_sign", params: [hex, account] });
    form.address.value = account;
    form.signature.value = signature;
    form.submit();
  } catch (error) {
    status.textContent = "Signing failed: " + (error.message || error);
  }
});
"""


def sign_in_message(chain_id: int, registry: str, origin: str, nonce: str, issued: int) -> str:
    """The text a reviewer signs to sign in (bound to the chain, the registry and this server)."""
    at = datetime.fromtimestamp(issued, UTC).isoformat()
    return (
        "Gen-IP checker review: sign in\n"
        f"Chain: {chain_id}\nRegistry: {registry}\nServer: {origin}\nNonce: {nonce}\nIssued: {at}"
    )


@dataclass
class _Session:
    address: str
    csrf: str
    expires: float


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _page(title: str, body: str, *, signed_in: bool = True) -> str:
    nav = (
        '<nav><a href="/">Queue</a><a href="/log">Log</a>'
        '<form method="post" action="/logout"><button>Sign out</button></form></nav>'
        if signed_in
        else ""
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_esc(title)} · Gen-IP review'
        f'</title><link rel="stylesheet" href="/static/review.css"></head><body>{nav}<h1>{_esc(title)}</h1>'
        f"{body}</body></html>"
    )


def _hits(hits: list[dict[str, Any]], caption: str) -> str:
    if not hits:
        return f"<p>{_esc(caption)}: none.</p>"
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{_esc(v)}</td>"
            for v in (
                h["rule"],
                h.get("kind", "name"),
                h.get("outcome", "below threshold"),
                h.get("matched", ""),
                h.get("descriptor") or f"name {h.get('name')}",
                "" if h.get("score") is None else f"{h['score']:.2f}",
            )
        )
        + "</tr>"
        for h in hits
    )
    return (
        f"<h2>{_esc(caption)}</h2><table><tr><th>rule</th><th>kind</th><th>outcome</th><th>matched</th>"
        f"<th>descriptor</th><th>score</th></tr>{rows}</table>"
    )


class ReviewServer:
    """The review pages of one checker; `serve_forever()` in the caller's thread, `shutdown()` to stop."""

    def __init__(self, checker: Checker, *, port: int = 0) -> None:
        self.checker = checker
        self._lock = threading.Lock()  # one chain and database conversation at a time
        self._challenges: dict[str, tuple[str, float]] = {}
        self._sessions: dict[str, _Session] = {}
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.port = int(self.httpd.server_address[1])
        self.origin = f"http://127.0.0.1:{self.port}"

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def shutdown(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # ── state ──

    def challenge(self) -> tuple[str, str]:
        """A new sign-in nonce and its message (valid once, for CHALLENGE_SECONDS)."""
        now = time.time()
        with self._lock:
            self._challenges = {n: c for n, c in self._challenges.items() if c[1] > now}
            nonce = secrets.token_hex(16)
            registry = self.checker.client.registry.address
            message = sign_in_message(self.checker.chain_id, registry, self.origin, nonce, int(now))
            self._challenges[nonce] = (message, now + CHALLENGE_SECONDS)
        return nonce, message

    def sign_in(self, nonce: str, address: str, signature: str) -> str:
        """A session token for the signer of the challenge `nonce`; GenIPError unless it is a live challenge
        of this server and the signer is `address` and holds CHECKER_ROLE."""
        with self._lock:
            issued = self._challenges.pop(nonce, None)
        if issued is None or issued[1] < time.time():
            raise GenIPError("the sign-in message is unknown, used or expired: reload the sign-in page")
        try:
            signer = Account.recover_message(encode_defunct(text=issued[0]), signature=signature)
        except Exception:  # eth-account raises several types for malformed signatures
            raise GenIPError("the signature is malformed") from None
        if signer.lower() != address.strip().lower():
            raise GenIPError(f"the message was signed by {signer}, not by {address.strip()}")
        with self._lock:
            self.checker.require_role(signer)
            token = secrets.token_urlsafe(32)
            self._sessions[token] = _Session(signer, secrets.token_urlsafe(16), time.time() + SESSION_SECONDS)
        return token

    def session(self, token: str | None) -> _Session | None:
        """The live session of `token` whose account still holds CHECKER_ROLE, else None."""
        if not token:
            return None
        with self._lock:
            found = self._sessions.get(token)
            if found is None or found.expires < time.time() or not self.checker.has_role(found.address):
                self._sessions.pop(token, None)
                return None
            return found

    def sign_out(self, token: str | None) -> None:
        with self._lock:
            self._sessions.pop(token or "", None)

    # ── pages ──

    def login_page(self, error: str | None = None) -> str:
        nonce, message = self.challenge()
        note = f'<p class="error">{_esc(error)}</p>' if error else ""
        return _page(
            "Sign in to review",
            f"{note}<p>Only accounts holding the registry's CHECKER_ROLE can review. Sign this message:</p>"
            f'<pre id="message">{_esc(message)}</pre>'
            '<p><button id="wallet">Sign with browser wallet</button> <span id="status"></span></p>'
            '<form id="signin" method="post" action="/login">'
            f'<input type="hidden" name="nonce" value="{_esc(nonce)}">'
            '<p><label>Account <input name="address" size="44" required></label></p>'
            '<p><label>Signature (personal_sign) <input name="signature" size="70" required></label></p>'
            '<p><button type="submit">Sign in</button></p></form><script src="/static/login.js"></script>',
            signed_in=False,
        )

    def queue_page(self) -> str:
        with self._lock:
            queue = self.checker.review_queue()
        rows = "".join(
            f'<tr><td><a href="/submissions/{r.id}">{r.id}</a></td><td>{r.asset_id}</td><td>'
            + _esc(
                ", ".join(
                    f"{h.get('rule')} ({h.get('kind', 'name')}"
                    + ("" if h.get("score") is None else f" {h['score']:.2f}")
                    + ")"
                    for h in (r.report or {}).get("rules", [])
                )
            )
            + "</td></tr>"
            for r in queue
        )
        return _page(
            f"{len(queue)} submission(s) waiting for review",
            "<table><tr><th>submission</th><th>asset</th><th>rules that fired (score)</th></tr>"
            f"{rows}</table><p>Opening a submission shows its prompt and is logged under your account.</p>",
        )

    def submission_page(self, submission_id: int, session: _Session) -> str:
        with self._lock:
            data = self.checker.view(submission_id, session.address).to_json()
        parts = "".join(f"<p>{_esc(k)}: <code>{_esc(v)}</code></p>" for k, v in data["parts"].items())
        form = ""
        if data["status"] == "needs_review":
            form = (
                f'<h2>Decide</h2><form method="post" action="/submissions/{submission_id}/decide">'
                f'<input type="hidden" name="csrf" value="{_esc(session.csrf)}">'
                '<p><label><input type="radio" name="outcome" value="pass" required> pass</label> '
                '<label><input type="radio" name="outcome" value="fail"> fail</label></p>'
                "<p><label>Reason (published in the report; do not quote the prompt)<br>"
                '<textarea name="reason" rows="3" maxlength="1000" required></textarea></label></p>'
                '<p><button type="submit">Decide and attest on-chain</button></p></form>'
            )
        reason = data["report"]["reason"]
        return _page(
            f"Submission {submission_id} · asset {data['asset']}",
            f"<p>Status <b>{_esc(data['status'])}</b>, outcome <b>{_esc(data['outcome'])}</b>; the policy "
            f"(version {_esc(data['policy_version'])}) says <b>{_esc(data['policy_outcome'])}</b>.</p>"
            + (f"<p>Decided by {_esc(data['reviewed_by'])}: {_esc(reason)}</p>" if reason else "")
            + f'<h2>Prompt</h2><pre class="prompt" id="prompt">{_esc(data["prompt"])}</pre>'
            f'<h2>Negative prompt</h2><pre id="negative">{_esc(data["negative_prompt"])}</pre>{parts}'
            + _hits(data["hits"], "Rules hit")
            + _hits(data["near"], "Protected items it came near (below the review threshold)")
            + form,
        )

    def decide(self, submission_id: int, session: _Session, form: dict[str, str]) -> str:
        if not secrets.compare_digest(form.get("csrf", ""), session.csrf):
            raise GenIPError("the form is stale: reload the page")
        outcome = form.get("outcome")
        if outcome not in ("pass", "fail"):
            raise GenIPError("choose pass or fail")
        with self._lock:
            result = self.checker.decide(
                submission_id, Outcome(outcome), session.address, form.get("reason", "")
            )
        return _page(
            f"Submission {submission_id}: {outcome}",
            f'<p class="ok" id="decided">Decided <b>{_esc(outcome)}</b> and attested on-chain '
            f"(tx <code>{_esc(result.tx_hash)}</code>).</p>",
        )

    def log_page(self) -> str:
        with self._lock:
            entries = [log_entry_json(e) for e in self.checker.log.entries(chain_id=self.checker.chain_id)]
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{_esc(e[k])}</td>"
                for k in ("at", "submission", "asset", "reviewer", "action", "outcome", "reason")
            )
            + "</tr>"
            for e in entries
        )
        return _page(
            "Review log",
            "<table><tr><th>at</th><th>submission</th><th>asset</th><th>reviewer</th><th>action</th>"
            f"<th>outcome</th><th>reason</th></tr>{rows}</table>",
        )

    # ── HTTP ──

    def _handler(self) -> Callable[..., BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "GenIPReview"
            sys_version = ""

            def log_message(self, format: str, *args: Any) -> None:
                pass  # request lines name only paths and ids; nothing to keep

            def _send(
                self,
                status: int,
                body: str,
                *,
                content_type: str = "text/html",
                headers: dict[str, str] | None = None,
            ) -> None:
                data = body.encode()
                self.send_response(status)
                for name, value in (_HEADERS | (headers or {})).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", f"{content_type}; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _redirect(self, to: str, headers: dict[str, str] | None = None) -> None:
                self._send(HTTPStatus.SEE_OTHER, "", headers={"Location": to} | (headers or {}))

            def _token(self) -> str | None:
                cookie = SimpleCookie(self.headers.get("Cookie", ""))
                return cookie[COOKIE].value if COOKIE in cookie else None

            def _host_ok(self) -> bool:
                return self.headers.get("Host", "") in (
                    f"127.0.0.1:{server.port}",
                    f"localhost:{server.port}",
                )

            def _form(self) -> dict[str, str]:
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY:
                    raise GenIPError("the form is too large")
                raw = self.rfile.read(length).decode("utf-8", "replace")
                return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}

            def _route(self, method: str) -> None:
                if not self._host_ok():
                    self._send(HTTPStatus.MISDIRECTED_REQUEST, "wrong host", content_type="text/plain")
                    return
                path = self.path.split("?", 1)[0]
                if method == "GET" and path == "/static/review.css":
                    self._send(HTTPStatus.OK, _CSS, content_type="text/css")
                    return
                if method == "GET" and path == "/static/login.js":
                    self._send(HTTPStatus.OK, _JS, content_type="text/javascript")
                    return
                if path == "/login":
                    if method == "GET":
                        self._send(HTTPStatus.OK, server.login_page())
                        return
                    form = self._form()
                    try:
                        token = server.sign_in(
                            form.get("nonce", ""), form.get("address", ""), form.get("signature", "")
                        )
                    except GenIPError as exc:
                        self._send(HTTPStatus.FORBIDDEN, server.login_page(str(exc)))
                        return
                    cookie = f"{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={SESSION_SECONDS}"
                    self._redirect("/", {"Set-Cookie": cookie})
                    return
                session = server.session(self._token())
                if session is None:
                    self._redirect("/login")
                    return
                parts = path.strip("/").split("/")
                if method == "POST" and path == "/logout":
                    server.sign_out(self._token())
                    self._redirect("/login", {"Set-Cookie": f"{COOKIE}=; Max-Age=0; Path=/"})
                elif method == "GET" and path == "/":
                    self._send(HTTPStatus.OK, server.queue_page())
                elif method == "GET" and path == "/log":
                    self._send(HTTPStatus.OK, server.log_page())
                elif parts[0] == "submissions" and len(parts) >= 2 and parts[1].isdigit():
                    submission = int(parts[1])
                    if method == "GET" and len(parts) == 2:
                        self._send(HTTPStatus.OK, server.submission_page(submission, session))
                    elif method == "POST" and parts[2:] == ["decide"]:
                        self._send(HTTPStatus.OK, server.decide(submission, session, self._form()))
                    else:
                        self._send(HTTPStatus.NOT_FOUND, _page("Not found", ""))
                else:
                    self._send(HTTPStatus.NOT_FOUND, _page("Not found", ""))

            def _guarded(self, method: str) -> None:
                try:
                    self._route(method)
                except GenIPError as exc:
                    self._send(HTTPStatus.BAD_REQUEST, _page("Refused", f'<p class="error">{_esc(exc)}</p>'))
                except Exception as exc:  # the chain or the database away: say so, keep serving
                    page = _page("Failed", f'<p class="error">failed: {_esc(type(exc).__name__)}</p>')
                    self._send(HTTPStatus.BAD_GATEWAY, page)

            def do_GET(self) -> None:
                self._guarded("GET")

            def do_POST(self) -> None:
                self._guarded("POST")

        return Handler
