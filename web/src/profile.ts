// Creator profiles: every place that names a creator (cards, the work page, the dashboard) shows `creatorName`,
// which starts as the short address and becomes the wallet-signed name (and avatar) once known. Lookups made in
// the same tick go out as one `GET /profiles?address=…` request; answers are cached per page load. The dashboard's
// "Your profile" form signs a `ProfileUpdate` (EIP-712, `api/routes/profiles.py`) and `PUT`s it.

import type { Address } from "viem";
import { ApiError } from "./api";
import { clear, field, h, statusLine } from "./dom";
import type { components } from "./generated/api";
import { shortAddr } from "./format";
import { explain, signRequest } from "./wallet";
import { apiSentence } from "./errors";

export type Profile = components["schemas"]["ProfilePublic"];

const known = new Map<string, Promise<Profile | null>>();
let queued = new Map<string, (p: Profile | null) => void>();
let timer: number | undefined;

async function flush(): Promise<void> {
  const batch = queued;
  queued = new Map();
  timer = undefined;
  const addresses = [...batch.keys()];
  for (let i = 0; i < addresses.length; i += 100) {
    const part = addresses.slice(i, i + 100);
    const query = new URLSearchParams(part.map((a) => ["address", a]));
    const found = await fetch(`/profiles?${query}`, { headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? (r.json() as Promise<Profile[]>) : []))
      .catch(() => [] as Profile[]);
    const byAddress = new Map(found.map((p) => [p.address.toLowerCase(), p]));
    for (const a of part) batch.get(a)?.(byAddress.get(a) ?? null);
  }
}

/** The profile `address` signed, or null (batched with the other lookups of this tick; cached). */
export function profileOf(address: string): Promise<Profile | null> {
  const key = address.toLowerCase();
  let found = known.get(key);
  if (!found) {
    found = new Promise((resolve) => queued.set(key, resolve));
    known.set(key, found);
    timer ??= window.setTimeout(() => void flush(), 0);
  }
  return found;
}

/** A creator as people know them: the short address at once, then the profile's name (with its avatar). */
export function creatorName(address: string): HTMLElement {
  const el = h("span", { class: "creator", "data-testid": "creator", "data-address": address, title: address }, shortAddr(address));
  void profileOf(address).then((p) => {
    if (!p) return;
    el.title = `${p.name} (${address})`;
    el.classList.add("named");
    clear(el,
      p.avatar_url ? h("img", { class: "avatar", src: p.avatar_url, alt: "", width: 20, height: 20, loading: "lazy", referrerpolicy: "no-referrer" }) : null,
      p.name);
  });
  return el;
}

/** A link to the creator's works, worded by `creatorName`. */
export function creatorLink(address: string): HTMLElement {
  return h("a", { href: `#/?q=&creator=${address}` }, creatorName(address));
}

/** Signs `fields` as `account`'s profile in the wallet and stores it; the saved profile. */
export async function saveProfile(
  account: Address,
  fields: { name: string; bio: string; avatar_url: string; links: string[] },
): Promise<Profile> {
  const own = [
    { name: "name", type: "string" },
    { name: "bio", type: "string" },
    { name: "avatarUrl", type: "string" },
    { name: "links", type: "string" },
  ];
  const { nonce, expiry, signature } = await signRequest("ProfileUpdate", own, {
    action: "update profile", name: fields.name, bio: fields.bio, avatarUrl: fields.avatar_url, links: fields.links.join("\n"),
  }, account);
  const response = await fetch(`/profiles/${account}`, {
    method: "PUT",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ ...fields, avatar_url: fields.avatar_url || null, nonce, expiry, signature }),
  });
  const body = (await response.json().catch(() => null)) as { detail?: unknown } | Profile | null;
  if (!response.ok) {
    const detail = body && "detail" in body ? body.detail : null;
    // FastAPI's 422 lists the fields: the first one's message, without pydantic's "Value error, " prefix.
    const text = typeof detail === "string" ? detail
      : Array.isArray(detail) ? String((detail[0] as { msg?: unknown } | undefined)?.msg ?? "").replace(/^Value error, /, "")
      : response.statusText;
    throw new ApiError(response.status, apiSentence(text));
  }
  const saved = body as Profile;
  known.set(account.toLowerCase(), Promise.resolve(saved));
  return saved;
}

/** The dashboard's "Your profile": what the wallet signed last, and a form to sign a new one. */
export function profileSection(account: Address): HTMLElement {
  const name = h("input", { type: "text", name: "name", maxlength: 60, required: true, autocomplete: "nickname" });
  const bio = h("textarea", { name: "bio", maxlength: 500, rows: 3 });
  const avatar = h("input", { type: "url", name: "avatar_url", placeholder: "https://…", maxlength: 300 });
  const links = h("textarea", { name: "links", rows: 3, placeholder: "https://… (one per line, up to 5)" });
  const status = statusLine();
  const shown = h("p", { class: "muted", "data-testid": "profile-shown" }, "Buyers see your address until you sign a profile.");
  const form = h("form", { class: "profile-form", "data-testid": "profile-form" },
    field("Name", name, "Shown instead of your address on your works."), field("Bio", bio), field("Avatar image URL", avatar, "https:// only."),
    field("Links", links, "https:// only, one per line."),
    h("button", { type: "submit", class: "btn secondary" }, "Sign and save profile"), status);
  void profileOf(account).then((p) => {
    if (!p) return;
    name.value = p.name;
    bio.value = p.bio;
    avatar.value = p.avatar_url ?? "";
    links.value = p.links.join("\n");
    clear(shown, "Shown as ", creatorName(account), ".");
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    status.set("Sign your profile in your wallet…", "pending");
    try {
      const lines = links.value.split("\n").map((l) => l.trim()).filter(Boolean);
      const saved = await saveProfile(account, { name: name.value.trim(), bio: bio.value.trim(), avatar_url: avatar.value.trim(), links: lines });
      status.set(`Saved: your works now show “${saved.name}”.`, "ok");
      clear(shown, "Shown as ", creatorName(account), ".");
    } catch (err) {
      status.set(err instanceof ApiError ? `Not saved: ${err.message}` : explain(err), "error");
    }
  });
  return h("section", { "aria-labelledby": "profile-h", "data-testid": "profile" }, h("h2", { id: "profile-h" }, "Your profile"),
    shown, h("details", null, h("summary", null, "Edit profile"), form));
}

/** Nothing until `address` has a profile, then " · <name>" (next to an address already shown in full). */
export function profileNote(address: string): HTMLElement {
  const el = h("span", { class: "creator-note", "data-testid": "creator-note" });
  void profileOf(address).then((p) => {
    if (p) el.textContent = ` · ${p.name}`;
  });
  return el;
}
