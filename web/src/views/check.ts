// Platform check: upload an image → POST /match → the verdict (registered? licensed for this account?).

import { config, mediaUrl, postForm, ApiError, type MatchCandidate, type MatchResult, type Verdict } from "../api";
import { clear, field, h, statusLine } from "../dom";

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
      clear(out,
        h("p", { class: `verdict ${verdict.tone}`, "data-testid": "verdict", "data-verdict": r.verdict }, verdict.text),
        r.candidates.length ? h("ul", { class: "grid" }, r.candidates.map((c) => h("li", { class: "card" },
          h("a", { href: `#/work/${c.asset_id}`, class: "card-link" },
            typeof c.media_cid === "string" ? h("div", { class: "thumb" }, h("img", { src: mediaUrl(c.media_cid), alt: "" })) : null,
            h("div", { class: "card-body" }, h("h2", { class: "card-title" }, c.title || `Work #${c.asset_id}`),
              h("p", { class: "muted small", "data-testid": "likeness" }, likeness(c))))))) : null);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 405)) status.set("Platform check is not available on this server yet.", "error");
      else status.set(String((err as Error).message), "error");
    }
  });
  clear(root, form);
}

/** How the candidate matched: its hash distance, its thumbnail's correlation, or the keypoints a crop shares. */
function likeness(c: MatchCandidate): string {
  if (c.method === "orb") return `crop or edit: ${c.inliers ?? 0} keypoints line up`;
  if (c.method === "thumb") return `light or colours changed: thumbnails correlate at ${(c.correlation ?? 0).toFixed(3)}`;
  return c.distance === null || c.distance === undefined ? "" : `${c.method === "phash" ? "pHash" : "PDQ"} distance ${c.distance}`;
}
