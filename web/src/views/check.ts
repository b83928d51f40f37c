// Platform check: upload an image → POST /match → the verdict (registered? licensed for this account?), then every
// candidate the verdict weighed: its role (original, possible copy of #N, derivative), how it matches, the licence
// found on it, and which one the verdict rests on, all in sentences (the API decides; this page words it).

import { apiSentence } from "../errors";
import { config, mediaUrl, postForm, ApiError, type LicenseStatus, type MatchCandidate, type MatchResult, type Verdict } from "../api";
import { clear, field, h, statusLine } from "../dom";
import { capitalised, date, matchWords } from "../format";

/** The API's verdicts in words: typed by its enum, so a verdict the API adds is a `tsc` error until worded here. */
const VERDICTS: Record<Verdict, { text: string; tone: "ok" | "warn" }> = {
  unregistered: { text: "Not registered: no matching work in the registry.", tone: "ok" },
  licensed: { text: "Registered and licensed: this account may use it.", tone: "ok" },
  unlicensed: { text: "Registered, and this account holds no licence for this use.", tone: "warn" },
  disputed: { text: "Registered, under dispute.", tone: "warn" },
};

export default async function check(root: HTMLElement): Promise<void> {
  const cfg = await config().catch(() => null);
  const file = h("input", { type: "file", name: "image", accept: "image/*", required: true });
  const account = h("input", { type: "text", name: "account", placeholder: "0x… (optional)", autocomplete: "off", spellcheck: "false" });
  // The uses are the server's (GET /config); without it the API's default use applies.
  const use = h("select", { name: "use" }, (cfg?.uses ?? []).map((u) => h("option", { value: u }, u)));
  const status = statusLine();
  const out = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "stack narrow" },
    h("h1", null, "Platform check"),
    h("p", { class: "muted" }, "Before showing an image, check whether it matches a registered work and whether the uploader's account holds a licence for the use."),
    field("Image", file), field("Account", account), field("Use", use),
    h("button", { type: "submit", class: "btn" }, "Check"), status, out);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const image = file.files?.[0];
    if (!image) return status.set("Choose an image first.", "error");
    status.set("Matching…", "pending");
    clear(out);
    const data = new FormData();
    data.append("image", image);
    if (account.value.trim()) data.append("account", account.value.trim());
    if (use.value) data.append("use", use.value);
    try {
      const r = await postForm<MatchResult>("/match", data);
      status.set("");
      const verdict = VERDICTS[r.verdict] ?? { text: r.verdict, tone: "warn" };
      const rest = r.candidates.find((c) => c.asset_id === r.rests_on);
      clear(out,
        h("p", { class: `verdict ${verdict.tone}`, "data-testid": "verdict", "data-verdict": r.verdict }, verdict.text),
        rest ? h("p", { "data-testid": "rests-on" }, "The verdict rests on ", h("a", { href: `#/work/${rest.asset_id}` }, `#${rest.asset_id}`),
          `${rest.title ? ` (${rest.title})` : ""}, ${roleWords(rest).toLowerCase()}.`) : null,
        r.note ? h("p", { class: "callout warn", "data-testid": "note" }, sentence(r.note)) : null,
        r.candidates.length ? h("h2", null, `Registered works weighed (${r.candidates.length})`) : null,
        r.candidates.length ? h("ul", { class: "grid candidates" }, r.candidates.map((c) => h("li", { class: `card${c.asset_id === r.rests_on ? " rests-on" : ""}`, "data-testid": "candidate", "data-asset": c.asset_id },
          h("a", { href: `#/work/${c.asset_id}`, class: "card-link" },
            typeof c.preview_cid === "string" ? h("div", { class: "thumb" }, h("img", { src: mediaUrl(c.preview_cid), alt: "" })) : null,
            h("div", { class: "card-body" }, h("h3", { class: "card-title" }, c.title || `Work #${c.asset_id}`),
              h("p", { class: `badge ${c.role === "possible_copy" ? "bad" : c.role === "derivative" ? "" : "ok"}`, "data-testid": "role" }, roleWords(c)),
              c.asset_id === r.rests_on ? h("p", { class: "badge warn", "data-testid": "rests-on-mark" }, "The verdict rests on this work") : null,
              h("p", { class: "muted small", "data-testid": "likeness" }, likeness(c)),
              standingWords(c) ? h("p", { class: "small", "data-testid": "candidate-standing" }, standingWords(c)) : null,
              h("p", { class: "small", "data-testid": "licence" }, licenceWords(c.license ?? null))))))) : null);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 405)) status.set("Platform check is not available on this server yet.", "error");
      else status.set(apiSentence(String((err as Error).message)), "error");
    }
  });
  clear(root, form);
}

/** How the candidate matched (its hash distance, its thumbnail's correlation, or the keypoints a crop shares), or why
 * it is listed without matching: it is the original of a possible copy that matched. */
function likeness(c: MatchCandidate): string {
  if (typeof c.via === "number") return `Listed as the original of #${c.via}, which matched the image.`;
  return `Matches the image: ${matchWords(c)}.`;
}

/** The candidate's role in words. Typed by the API's enum: a role the API adds is a `tsc` error until worded. */
function roleWords(c: MatchCandidate): string {
  const roles: Record<MatchCandidate["role"], string> = {
    original: "The original",
    possible_copy: typeof c.copy_of === "number" ? `Possible copy of #${c.copy_of}` : "Possible copy",
    derivative: "A registered derivative",
  };
  return Object.hasOwn(roles, c.role) ? roles[c.role] : "A registered work";
}

/** The candidate's standing, when it is not clear. */
function standingWords(c: MatchCandidate): string | null {
  const words: Record<MatchCandidate["asset_status"], string | null> = {
    active: null,
    disputed: "Under dispute: a claim against it is open.",
    upheld: "A claim against it was upheld.",
    tainted: "Tainted: a claim was upheld against a work it was built on.",
  };
  return Object.hasOwn(words, c.asset_status) ? words[c.asset_status] : "Its standing is unknown.";
}

/** The account's licence on the candidate (the API's `/licenses/status` answer) in one sentence. */
function licenceWords(s: LicenseStatus | null): string {
  if (!s) return "No account given: no licence was looked up.";
  if (!s.licensed) return `This account holds no licence on it for ${s.use} use.`;
  if (!s.license_ids.length) return `This account may use it for ${s.use} (it owns the work).`;
  const until = s.expires_at ? ` until ${date(s.expires_at)}` : " with no end date";
  const ids = s.license_ids.map((i) => `#${i}`).join(", ");
  return `This account holds licence ${ids} on it for ${s.use} use,${until}.`;
}

/** The API's note ("the account holds …") as a sentence. */
function sentence(text: string): string {
  const t = capitalised(text.trim());
  return /[.!?]$/.test(t) ? t : `${t}.`;
}
