// Search: free text, filters, sort; instant (debounced) results; infinite scroll with a "More" button. Possible
// copies (the API's `copy_of`) are hidden unless "Show possible copies" is on; then each carries its mark. Each card
// carries its prompt check's badge (passed, pending, under review, failed); "Prompt check" filters by it, and works
// whose check failed are listed only when that filter asks for them (the API delists them).

import { config, mediaUrl, type AssetsPage, type AssetSummary, type Config } from "../api";
import { clear, field, h } from "../dom";
import { capitalised, checkInWords, price, shortAddr, toUnits } from "../format";
import { standingBadge } from "../standing";

const PAGE = 24;

export function card(asset: AssetSummary, cfg: Config | null, currency: string): HTMLElement {
  const title = asset.title || `Untitled #${asset.asset_id}`;
  const isImage = asset.media_cid && asset.media_type?.startsWith("image/");
  const thumb = isImage
    ? h("img", { src: mediaUrl(asset.media_cid!), alt: "", loading: "lazy", decoding: "async", width: 320, height: 240 })
    : h("div", { class: `placeholder kind-${asset.kind}`, "aria-hidden": "true" }, asset.kind);
  const badge = standingBadge(asset);
  // The API decides whether a licence can be bought (`purchasable`); the card only words it.
  const minPrice = asset.min_price ?? null;
  let cost = "No licence on offer";
  if (asset.purchasable) cost = currency && minPrice !== null ? `From ${price(cfg, minPrice, currency)}` : "Licences available";
  else if (badge || minPrice !== null) cost = "Not for sale now";
  return h(
    "li",
    { class: "card" },
    h(
      "a",
      { href: `#/work/${asset.asset_id}`, class: "card-link" },
      h("div", { class: "thumb" }, thumb),
      h("div", { class: "card-body" },
        h("h2", { class: "card-title" }, title),
        h("p", { class: "muted small" }, `${asset.kind} · by ${shortAddr(asset.creator)}`),
        h("p", { class: "price" }, cost),
        badge ? h("p", { class: `badge ${badge.tone}`, "data-testid": "standing-badge" }, badge.text) : null,
        asset.check_state !== "unchecked"
          ? h("p", { class: `badge ${checkInWords(asset.check_state).tone}`, "data-testid": "check-badge", "data-state": asset.check_state }, checkInWords(asset.check_state).badge)
          : null,
        typeof asset.copy_of === "number"
          ? h("p", { class: "badge bad", "data-testid": "copy-badge", title: "A later near-duplicate of an earlier work by another creator" }, `Possible copy of #${asset.copy_of}`)
          : null,
      ),
    ),
  );
}

function select(name: string, options: [string, string][], value: string): HTMLSelectElement {
  const s = h("select", { name });
  for (const [v, label] of options) s.append(h("option", { value: v, selected: v === value }, label));
  return s;
}

export default async function search(root: HTMLElement, params: URLSearchParams): Promise<void> {
  const cfg = await config().catch(() => null);
  const q = h("input", { type: "search", name: "q", value: params.get("q") ?? "", placeholder: "cats, harbour at night, anime LoRA…", autocomplete: "off" });
  // Kinds and tiers are the server's (GET /config); without it the filters offer only "any".
  const kinds: [string, string][] = (cfg?.kinds ?? []).map((k) => [k.kind, k.kind]);
  const kind = select("kind", [["", "Any kind"], ...kinds], params.get("kind") ?? "");
  const tiers: [string, string][] = Object.values(cfg?.terms ?? {}).map((t) => [t.tier, `${capitalised(t.tier)}${t.derivatives_allowed ? " (derivatives)" : ""}`]);
  const tier = select("tier", [["", "Any licence"], ...tiers], params.get("tier") ?? "");
  const currencies: [string, string][] = [["", "Any currency"], ...(cfg?.currencies ?? []).map((c) => [c.address, c.symbol] as [string, string])];
  const currency = select("currency", currencies, params.get("currency") ?? "");
  const maxPrice = h("input", { type: "text", inputmode: "decimal", name: "max_price", value: params.get("max") ?? "", placeholder: "any" });
  const copies = h("input", { type: "checkbox", name: "include_copies", checked: params.get("copies") === "1" });
  const check = select("prompt_check", [["", "Any check"], ["passed", "Passed"], ["pending", "Pending"], ["under_review", "Under review"], ["unchecked", "Not checked"], ["failed", "Failed (not for sale)"]], params.get("prompt_check") ?? "");
  const sort = select("sort", [["relevance", "Best match"], ["newest", "Newest"], ["price", "Lowest price"], ["most_licensed", "Most licensed"]], params.get("sort") ?? "relevance");
  const form = h(
    "form",
    { class: "filters", role: "search", onsubmit: (e: Event) => e.preventDefault() },
    h("div", { class: "field grow" }, h("label", { for: "q", class: "sr-only" }, "Search works"), Object.assign(q, { id: "q" })),
    field("Kind", kind),
    field("Licence", tier),
    field("Currency", currency),
    field("Max price", maxPrice),
    field("Prompt check", check),
    field("Sort", sort),
    h("label", { class: "check" }, copies, "Show possible copies"),
  );
  const summary = h("p", { class: "muted", role: "status", "aria-live": "polite" });
  const grid = h("ul", { class: "grid", "aria-label": "Results" });
  const more = h("button", { type: "button", class: "btn secondary", hidden: true }, "More results");
  const sentinel = h("div", { "aria-hidden": "true" });
  clear(root, h("h1", { class: "sr-only" }, "Search the marketplace"), form, summary, grid, more, sentinel);

  const creator = params.get("creator");
  if (creator) summary.before(h("p", null, `Works by ${creator} · `, h("a", { href: "#/" }, "all works")));
  let cursor: string | null = null;
  let controller: AbortController | null = null;
  let loading = false;
  let timer: number | undefined;

  function query(): URLSearchParams {
    const p = new URLSearchParams();
    if (q.value.trim()) p.set("q", q.value.trim());
    if (kind.value) p.set("kind", kind.value);
    if (tier.value) p.set("tier", tier.value);
    if (currency.value) p.set("currency", currency.value);
    if (sort.value !== "relevance") p.set("sort", sort.value);
    if (check.value) p.set("prompt_check", check.value);
    if (creator) p.set("creator", creator);
    if (copies.checked) p.set("include_copies", "true");
    return p;
  }

  async function load(reset: boolean): Promise<void> {
    controller?.abort();
    controller = new AbortController();
    const p = query();
    const shown = new URLSearchParams(p);
    if (shown.has("include_copies")) {
      shown.delete("include_copies");
      shown.set("copies", "1");
    }
    if (maxPrice.value.trim()) shown.set("max", maxPrice.value.trim());
    history.replaceState(null, "", `#/${shown.toString() ? `?${shown}` : ""}`);
    p.set("sort", sort.value === "relevance" && !p.get("q") ? "newest" : sort.value);
    if (maxPrice.value.trim()) {
      const c = cfg?.currencies.find((x) => x.address === currency.value);
      if (!c) {
        summary.textContent = "Pick a currency to filter by price.";
      } else {
        try {
          p.set("max_price", toUnits(maxPrice.value, c.decimals).toString());
        } catch (err) {
          summary.textContent = `Max price: ${(err as Error).message}.`;
          return;
        }
      }
    }
    p.set("limit", String(PAGE));
    if (!reset && cursor) p.set("cursor", cursor);
    loading = true;
    try {
      const response = await fetch(`/assets?${p}`, { signal: controller.signal });
      if (!response.ok) throw new Error((await response.json().catch(() => null))?.detail ?? response.statusText);
      const page = (await response.json()) as AssetsPage;
      if (reset) grid.replaceChildren();
      for (const asset of page.data) grid.append(card(asset, cfg, currency.value));
      cursor = page.next_cursor;
      if (page.data.length < PAGE) cursor = null;
      more.hidden = !cursor;
      summary.textContent = page.count === 0 ? "No works match. Try fewer words or filters." : `${page.count} work${page.count === 1 ? "" : "s"}`;
      if (page.facets && reset) {
        for (const option of kind.options) {
          if (option.value) option.textContent = `${option.value} (${page.facets.kind[option.value] ?? 0})`;
        }
      }
    } catch (err) {
      if ((err as Error).name !== "AbortError") summary.textContent = `Search failed: ${(err as Error).message}`;
    } finally {
      loading = false;
    }
  }

  const soon = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void load(true), 200);
  };
  q.addEventListener("input", soon);
  maxPrice.addEventListener("input", soon);
  for (const s of [kind, tier, currency, check, sort, copies]) s.addEventListener("change", () => void load(true));
  more.addEventListener("click", () => void load(false));
  new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && cursor && !loading && root.isConnected) void load(false);
  }, { rootMargin: "400px" }).observe(sentinel);
  await load(true);
}
