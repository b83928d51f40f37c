// Search: free text, filters, sort; instant (debounced) results; infinite scroll with a "More" button. Possible
// copies (the API's `copy_of`) are hidden unless "Show possible copies" is on; then each carries its mark. Each card
// carries its prompt check's badge (passed, pending, under review, failed); "Prompt check" filters by it, and works
// whose check failed are listed only when that filter asks for them (the API delists them). Cards show the API's
// price (exact, in its currency); shape, size, colour and base-model filters carry the facets' counts; a typo
// shows what was searched instead.

import { config, mediaUrl, type AssetsPage, type AssetSummary, type Config } from "../api";
import { clear, field, h } from "../dom";
import { capitalised, checkInWords, price, toUnits } from "../format";
import { creatorName } from "../profile";
import { standingBadge } from "../standing";

const PAGE = 24;

export function card(asset: AssetSummary, cfg: Config | null, currency: string): HTMLElement {
  const title = asset.title || `Untitled #${asset.asset_id}`;
  // The public face only (the original is sealed): an image's watermarked preview, a text's excerpt, else the kind.
  const thumb = asset.preview_cid
    ? h("img", { src: mediaUrl(asset.preview_cid), alt: "", loading: "lazy", decoding: "async", width: 320, height: 240 })
    : asset.excerpt
      ? h("p", { class: `placeholder excerpt kind-${asset.kind}` }, asset.excerpt.length > 160 ? `${asset.excerpt.slice(0, 160)}…` : asset.excerpt)
      : h("div", { class: `placeholder kind-${asset.kind}`, "aria-hidden": "true" }, asset.kind);
  const badge = standingBadge(asset);
  // The API decides whether a licence can be bought (`purchasable`); the card only words it.
  // The price is the API's: its cheapest matching offer in its first currency, exact (`min_price_display`).
  const minPrice = asset.min_price ?? null;
  const priceCurrency = asset.min_price_currency ?? currency;
  const shown = minPrice === null ? null : BigInt(minPrice) === 0n ? "Free" : asset.min_price_display ?? (priceCurrency ? price(cfg, minPrice, priceCurrency) : null);
  let cost = "No licence on offer";
  if (asset.purchasable) cost = shown !== null ? `From ${shown}` : "Licences available";
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
        h("p", { class: "muted small" }, `${asset.kind} · by `, creatorName(asset.creator)),
        h("p", { class: "price", "data-testid": "card-price" }, cost),
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
  // What brands filter images and models by: the server's facets (counts) label the options.
  const orientation = select("orientation", [["", "Any shape"], ["landscape", "Landscape"], ["portrait", "Portrait"], ["square", "Square"]], params.get("orientation") ?? "");
  const size = select("size", [["", "Any size"], ["small", "Small (under 1 024 px)"], ["medium", "Medium"], ["large", "Large (2 048 px and up)"]], params.get("size") ?? "");
  const colourNames = ["red", "orange", "yellow", "green", "teal", "blue", "purple", "pink", "brown", "black", "grey", "white"];
  const colour = select("colour", [["", "Any colour"], ...colourNames.map((c) => [c, capitalised(c)] as [string, string])], params.get("colour") ?? "");
  const wantedBase = params.get("base_model") ?? "";
  const baseModel = select("base_model", [["", "Any base model"], ...(wantedBase ? [[wantedBase, wantedBase] as [string, string]] : [])], wantedBase);
  const maxLabel = h("span", null, "Max price");
  const check = select("prompt_check", [["", "Any check"], ["passed", "Passed"], ["pending", "Pending"], ["under_review", "Under review"], ["unchecked", "Not checked"], ["failed", "Failed (not for sale)"]], params.get("prompt_check") ?? "");
  const sort = select("sort", [["relevance", "Best match"], ["newest", "Newest"], ["price", "Lowest price"], ["most_licensed", "Most licensed"]], params.get("sort") ?? "relevance");
  const form = h(
    "form",
    { class: "filters", role: "search", onsubmit: (e: Event) => e.preventDefault() },
    h("div", { class: "field grow" }, h("label", { for: "q", class: "sr-only" }, "Search works"), Object.assign(q, { id: "q" })),
    field("Kind", kind),
    field("Licence", tier),
    field("Currency", currency),
    h("div", { class: "field" }, h("label", { for: "max_price" }, maxLabel), Object.assign(maxPrice, { id: "max_price" })),
    field("Shape", orientation),
    field("Size", size),
    field("Colour", colour),
    field("Base model", baseModel),
    field("Prompt check", check),
    field("Sort", sort),
    h("label", { class: "check" }, copies, "Show possible copies"),
  );
  const summary = h("p", { class: "muted", role: "status", "aria-live": "polite", "data-testid": "search-summary" });
  const grid = h("ul", { class: "grid", "aria-label": "Results" });
  const more = h("button", { type: "button", class: "btn secondary", hidden: true }, "More results");
  const sentinel = h("div", { "aria-hidden": "true" });
  clear(root, h("h1", { class: "sr-only" }, "Search the marketplace"), form, summary, grid, more, sentinel);

  const creator = params.get("creator");
  if (creator) summary.before(h("p", null, "Works by ", creatorName(creator), " · ", h("a", { href: "#/" }, "all works")));
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
    for (const s of [orientation, size, colour, baseModel]) if (s.value) p.set(s.name, s.value);
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
    // A max price is in the chosen currency, or else in the display currency (the first the server lists, the
    // native coin): amounts in different currencies do not compare, so the API wants one (422 without).
    const unit = cfg?.currencies.find((x) => x.address === currency.value) ?? (currency.value ? undefined : cfg?.currencies[0]);
    maxLabel.textContent = unit ? `Max price (${unit.symbol})` : "Max price";
    if (maxPrice.value.trim()) {
      if (!unit) {
        summary.textContent = "Max price: this currency's decimals are unknown here; pick ETH or gUSD.";
        return;
      }
      try {
        p.set("max_price", toUnits(maxPrice.value, unit.decimals).toString());
        p.set("currency", unit.address);
      } catch (err) {
        summary.textContent = `Max price: ${(err as Error).message}.`;
        return;
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
      if (page.corrected_q) summary.textContent += ` for “${page.corrected_q}” (nothing matched “${p.get("q")}”)`;
      if (page.facets && reset) {
        const f = page.facets;
        for (const option of kind.options) {
          if (option.value) option.textContent = `${option.value} (${f.kind[option.value] ?? 0})`;
        }
        const counted: [HTMLSelectElement, Record<string, number> | undefined][] = [[orientation, f.orientation], [size, f.size], [colour, f.colour]];
        for (const [s, counts] of counted) {
          for (const option of s.options) {
            if (!option.value) continue;
            option.textContent = `${option.textContent!.replace(/ \(\d+\)$/, "")} (${counts?.[option.value] ?? 0})`;
          }
        }
        // Base models are whatever the catalogue holds: the facet lists them (the chosen one stays).
        const bases = Object.entries(f.base_model ?? {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
        const chosen = baseModel.value;
        baseModel.replaceChildren(h("option", { value: "" }, "Any base model"));
        for (const [name, n] of bases) baseModel.append(h("option", { value: name, selected: name === chosen }, `${name} (${n})`));
        if (chosen && !bases.some(([name]) => name === chosen)) baseModel.append(h("option", { value: chosen, selected: true }, `${chosen} (0)`));
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
  for (const s of [kind, tier, currency, check, sort, copies, orientation, size, colour, baseModel]) s.addEventListener("change", () => void load(true));
  more.addEventListener("click", () => void load(false));
  new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && cursor && !loading && root.isConnected) void load(false);
  }, { rootMargin: "400px" }).observe(sentinel);
  await load(true);
}
