// Gen-IP for web pages: a licence-status helper and the <genip-badge> element. No dependencies, no build:
//
//   <script type="module" src="https://API/sdk/genip.js"></script>
//   <genip-badge asset="42" account="0xAbc…" use="display"></genip-badge>
//
//   import { status } from "https://API/sdk/genip.js";
//   const answer = await status(42, "0xAbc…", "display"); // GET /licenses/status, as JSON
//
// The API is the one this module was served by (override with the element's `api` attribute or the
// helper's `{ api }` option). The element shows the answer in plain words, coloured like the API's SVG
// badges, with an accessible label; it asks again whenever `asset`, `account`, `use` or `api` changes, and
// reflects what it shows in its `state` attribute (licensed, unlicensed, registered, expired, disputed,
// upheld, tainted, unregistered, error, loading), firing a `genip-status` event with the answer.

/** Colours per state; served filled from the API's badge colours (api/badge.py COLOURS). */
const COLOURS = /* colours: begin */ {
  licensed: "#2e7d32",
  registered: "#1565c0",
  unlicensed: "#9e9e9e",
  disputed: "#ef6c00",
  upheld: "#c62828",
  tainted: "#c62828",
  expired: "#9e9e9e",
  unregistered: "#9e9e9e",
} /* colours: end */;
const GREY = "#9e9e9e";
const NOBODY = "0x0000000000000000000000000000000000000000";
const USES = ["display", "commercial", "derivative"];
const DEFAULT_API = new URL("..", import.meta.url).href;

/** A non-2xx answer of the API (`status`, `detail`) or no answer at all (`status` 0). */
export class GenIPError extends Error {
  constructor(status, detail) {
    super(status ? `Gen-IP API ${status}: ${detail}` : `Gen-IP API unreachable: ${detail}`);
    this.name = "GenIPError";
    this.status = status;
    this.detail = detail;
  }
}

/**
 * May `account` use `asset` for `use`? Resolves to the API's answer
 * `{asset, account, use, licensed, license_ids, expires_at, as_of_block, asset_status}`; rejects with a
 * GenIPError.
 */
export async function status(asset, account, use = "display", { api = DEFAULT_API, signal } = {}) {
  const url = new URL("licenses/status", api.endsWith("/") ? api : `${api}/`);
  url.search = new URLSearchParams({ asset: String(asset), account: String(account), use }).toString();
  let response;
  try {
    response = await fetch(url, { headers: { accept: "application/json" }, signal });
  } catch (error) {
    if (error && error.name === "AbortError") throw error;
    throw new GenIPError(0, String(error && error.message ? error.message : error));
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = body && body.detail !== undefined ? body.detail : response.statusText;
    throw new GenIPError(response.status, typeof detail === "string" ? detail : JSON.stringify(detail));
  }
  return body;
}

const USE_WORDS = { display: "display", commercial: "commercial use", derivative: "derivative works" };

/**
 * What a badge shows for an answer: `{state, text}`. `hasAccount` false: the work's own standing only.
 */
export function describe(answer, hasAccount = true) {
  const use = USE_WORDS[answer.use] || answer.use;
  switch (answer.asset_status) {
    case "unregistered":
      return { state: "unregistered", text: "Not registered" };
    case "disputed":
      return { state: "disputed", text: "Disputed: ownership contested" };
    case "upheld":
      return { state: "upheld", text: "Claim upheld: not licensable" };
    case "tainted":
      return { state: "tainted", text: "Claim upheld against its source" };
    default:
      break;
  }
  if (hasAccount && answer.licensed) {
    const until = answer.expires_at ? ` until ${new Date(answer.expires_at * 1000).toISOString().slice(0, 10)}` : "";
    return { state: "licensed", text: `Licensed for ${use}${until}` };
  }
  if (answer.asset_status === "expired") return { state: "expired", text: "Rights expired" };
  if (!hasAccount) return { state: "registered", text: "Registered" };
  return { state: "unlicensed", text: `Not licensed for ${use}` };
}

const STYLE = `
:host { display: inline-block; font: 12px/1 Verdana, "DejaVu Sans", sans-serif; vertical-align: middle; }
:host([hidden]) { display: none; }
.badge { display: inline-flex; border-radius: 3px; overflow: hidden; color: #fff; white-space: nowrap; }
.label, .value { padding: 4px 6px; }
.label { background: #555; }
.value { background: var(--genip-colour, ${GREY}); }
`;

/** `<genip-badge asset="…" account="…" use="display|commercial|derivative" api="…">` */
export class GenIPBadge extends HTMLElement {
  static observedAttributes = ["asset", "account", "use", "api"];

  #value;
  #box;
  #pending = false;
  #controller = null;
  #asked = 0;

  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    root.innerHTML = `<style>${STYLE}</style><span class="badge" part="badge" role="img"><span
      class="label" part="label" aria-hidden="true">Gen-IP</span><span class="value" part="value"
      aria-hidden="true"></span></span>`;
    this.#box = root.querySelector(".badge");
    this.#value = root.querySelector(".value");
    /** The last answer of the API (null before the first, or after an error). */
    this.status = null;
  }

  connectedCallback() {
    this.#schedule();
  }

  disconnectedCallback() {
    if (this.#controller) this.#controller.abort();
  }

  attributeChangedCallback(_name, before, after) {
    if (before !== after && this.isConnected) this.#schedule();
  }

  /** Asks again (several attribute changes in one task make one request). */
  refresh() {
    return this.#load();
  }

  #schedule() {
    if (this.#pending) return;
    this.#pending = true;
    queueMicrotask(() => {
      this.#pending = false;
      this.#load();
    });
  }

  #show(state, text, title) {
    this.setAttribute("state", state);
    this.#value.textContent = text;
    this.#box.style.setProperty("--genip-colour", COLOURS[state] || GREY);
    this.#box.setAttribute("aria-label", `Gen-IP licence status: ${text}`);
    this.#box.title = title || text;
  }

  async #load() {
    const asset = (this.getAttribute("asset") || "").trim();
    const account = (this.getAttribute("account") || "").trim();
    const use = (this.getAttribute("use") || "display").trim();
    if (this.#controller) this.#controller.abort();
    const asked = ++this.#asked;
    if (!/^\d+$/.test(asset) || !USES.includes(use)) {
      this.status = null;
      this.#show("error", "Status unavailable", !USES.includes(use) ? `unknown use "${use}"` : "no asset id");
      return;
    }
    this.#controller = new AbortController();
    this.#show("loading", "Checking licence…");
    try {
      const answer = await status(asset, account || NOBODY, use, {
        api: this.getAttribute("api") || DEFAULT_API,
        signal: this.#controller.signal,
      });
      if (asked !== this.#asked) return;
      const { state, text } = describe(answer, Boolean(account));
      this.status = answer;
      this.#show(state, text, `${text} (work ${answer.asset}, as of block ${answer.as_of_block})`);
      this.dispatchEvent(new CustomEvent("genip-status", { detail: answer, bubbles: true, composed: true }));
    } catch (error) {
      if (asked !== this.#asked || (error && error.name === "AbortError")) return;
      this.status = null;
      this.#show("error", "Status unavailable", error && error.message ? error.message : String(error));
    }
  }
}

if (!customElements.get("genip-badge")) customElements.define("genip-badge", GenIPBadge);
