// Platform check: upload an image → POST /match → the verdict (registered? licensed for this account?).

import { mediaUrl, postForm, ApiError, type MatchCandidate, type MatchResult } from "../api";
import { clear, field, h, statusLine } from "../dom";

const VERDICTS: Record<string, string> = {
  unregistered: "Not registered: no matching work in the registry.",
  no_match: "Not registered: no matching work in the registry.",
  registered: "Registered work: a licence is needed to use it.",
  licensed: "Registered and licensed: this account may use it.",
  unlicensed: "Registered, and this account holds no licence for this use.",
  disputed: "Registered, under dispute.",
};

export default function check(root: HTMLElement): void {
  const file = h("input", { type: "file", name: "image", accept: "image/*", required: true });
  const account = h("input", { type: "text", name: "account", placeholder: "0x… (optional)", autocomplete: "off", spellcheck: "false" });
  const use = h("select", { name: "use" }, ["display", "commercial", "derivative"].map((u) => h("option", { value: u }, u)));
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
    data.append("use", use.value);
    try {
      const r = await postForm<MatchResult>("/match", data);
      status.set("");
      const text = VERDICTS[r.verdict] ?? r.verdict;
      clear(out,
        h("p", { class: `verdict ${/licensed$|^unregistered|no_match/.test(r.verdict) && r.verdict !== "unlicensed" ? "ok" : "warn"}`, "data-testid": "verdict", "data-verdict": r.verdict }, text),
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
