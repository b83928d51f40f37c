// "Similar works" on a work page: registered images that look like this one (GET /assets/{id}/similar, the
// matching engine), each a link with its watermarked preview. Other kinds, or none found: nothing is shown.

import { get, mediaUrl } from "./api";
import type { components } from "./generated/api";
import { h } from "./dom";

type SimilarWorks = components["schemas"]["SimilarWorks"];

/** A section that fills itself in once the API answers (empty, and hidden, when there is nothing to show). */
export function similarWorks(assetId: number): HTMLElement {
  const section = h("section", { "aria-labelledby": "similar-h", class: "similar-works", "data-testid": "similar-works", hidden: true });
  void get<SimilarWorks>(`/assets/${assetId}/similar?limit=8`, true)
    .then((found) => {
      if (!found.data.length) return;
      section.append(
        h("h2", { id: "similar-h" }, "Similar works"),
        h("ul", { class: "grid similar-grid" }, found.data.map((w) =>
          h("li", { class: "card", "data-testid": "similar-work" },
            h("a", { href: `#/work/${w.asset_id}`, class: "card-link", title: w.likeness },
              h("div", { class: "thumb" }, w.preview_cid
                ? h("img", { src: mediaUrl(w.preview_cid), alt: "", loading: "lazy", decoding: "async", width: 160, height: 120 })
                : h("div", { class: `placeholder kind-${w.kind}`, "aria-hidden": "true" }, w.kind)),
              h("div", { class: "card-body" }, h("h3", { class: "card-title" }, w.title || `Work #${w.asset_id}`)))))),
      );
      section.hidden = false;
    })
    .catch(() => undefined); // a strip, not the page: a failed lookup shows nothing
  return section;
}
