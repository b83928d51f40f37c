// The dashboard's licence and revenue sections.
//
// Brands: each licence held, with the work's title and thumbnail (its public preview when it has one), the price
// paid, the expiry as a date, "Download original", the licence document (PDF) and "Renew" while the API says it is
// renewable (before expiry, its offer still on sale). Renewing is the work page's purchase flow (`buyLicense` under
// the same offer): a new licence that runs from its own purchase.
//
// Creators: revenue per work over time, one chart per currency: inline SVG drawn here (a step line of each work's
// running total, dates on the x-axis). A few dozen lines, no dependency; the exact totals stay in text beside it
// (the legend), so nothing has to be read off pixels.

import { get, mediaUrl, type Account, type Config, type Offer } from "../api";
import { buyLicense } from "../chain";
import { downloadOriginal } from "../download";
import { h, statusLine } from "../dom";
import { amount, currencyOf, date, price, tierName, units } from "../format";
import type { components } from "../generated/api";
import { explain, sleep } from "../wallet";
import { reportsSection } from "./reports";

type LicenseHeld = components["schemas"]["LicenseHeld"];
export type RevenueSeries = components["schemas"]["RevenueSeries"];
type WorkRevenue = components["schemas"]["WorkRevenue"];

const SVG = "http://www.w3.org/2000/svg";
const COLOURS = ["#1d4ed8", "#b45309", "#047857", "#be185d", "#6d28d9", "#0e7490", "#4d7c0f", "#9f1239"];
const EXTENSIONS: Record<string, string> = {
  "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif", "text/plain": "txt",
  "text/markdown": "md", "application/json": "json",
};

/** "Expires 6 Dec 2026" / "Never expires" / "Expired on 6 Dec 2026": a date, never an epoch number. */
export function expiryWords(l: Pick<LicenseHeld, "expires_at" | "valid">): string {
  if (!l.expires_at) return l.valid ? "Never expires" : "No longer valid";
  return l.valid ? `Expires ${date(l.expires_at)}` : `Expired on ${date(l.expires_at)}`;
}

/** A file name for the original: the title, made safe, with the media type's usual extension when it is known. */
function originalName(l: LicenseHeld): string | undefined {
  const ext = l.media_type ? EXTENSIONS[l.media_type] : undefined;
  const stem = (l.title || `work-${l.asset_id}`).replace(/[^\p{L}\p{N}._ -]+/gu, "").trim().slice(0, 80) || `work-${l.asset_id}`;
  return ext ? `${stem}.${ext}` : undefined;
}

function thumbnail(l: LicenseHeld): HTMLElement {
  const alt = l.title || `Work #${l.asset_id}`;
  if (l.preview_cid) return h("div", { class: "thumb" }, h("img", { src: mediaUrl(l.preview_cid), alt, loading: "lazy" }));
  return h("div", { class: "thumb" }, h("span", { class: "muted small" }, l.kind ?? "work"));
}

/** Polls the account until licence `id` shows up in the index (a renewal just bought). */
async function untilIndexed(account: string, id: bigint): Promise<void> {
  for (let i = 0; i < 150; i++) {
    const me = await get<Account>(`/accounts/${account}`, true).catch(() => null);
    if (me?.licenses_held.some((l) => BigInt(l.license_id) === id)) return;
    await sleep(400);
  }
  throw new Error("Bought, but the index has not caught up yet; reload the page in a moment.");
}

function licenceCard(l: LicenseHeld, cfg: Config, rerender: () => void): HTMLElement {
  const status = statusLine();
  status.setAttribute("data-testid", "licence-status");
  const download = h("button", { type: "button", class: "btn secondary small", "data-testid": "download-original" }, "Download original");
  download.addEventListener("click", async () => {
    download.disabled = true;
    status.set("Preparing the download…", "pending");
    try {
      await downloadOriginal(l.asset_id, originalName(l));
      status.set("Downloaded.", "ok");
    } catch (err) {
      status.set(explain(err), "error");
    } finally {
      download.disabled = false;
    }
  });
  const pdf = h("a", { class: "btn secondary small", href: l.document_url, download: "", "data-testid": "licence-pdf" }, "Licence (PDF)");
  let renew: HTMLElement | null = null;
  if (l.renewable) {
    const button = h("button", { type: "button", class: "btn small", "data-testid": "renew" }, "Renew");
    button.title = "Buys a new licence under the same offer; it runs from the day you buy it.";
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const asset = await get<{ offers: Offer[] }>(`/assets/${l.asset_id}`, true);
        const offer = asset.offers.find((o) => o.offer_id === l.offer_id);
        if (!offer?.purchasable) throw new Error("This licence's offer is no longer on sale; see the work page for others.");
        const { licenseId, block, account } = await buyLicense(offer, (t) => status.set(t, "pending"));
        status.set(`Confirmed in block ${block} (licence #${licenseId}). Waiting for the index…`, "pending");
        await untilIndexed(account, licenseId);
        status.set(`Renewed: licence #${licenseId} is yours.`, "ok");
        setTimeout(rerender, 1200);
      } catch (err) {
        status.set(explain(err), "error");
        button.disabled = false;
      }
    });
    renew = button;
  }
  return h("li", { class: "my-work licence", "data-testid": "licence", "data-licence": l.license_id, style: "display:flex;gap:1rem;align-items:flex-start" },
    h("a", { href: `#/work/${l.asset_id}`, style: "flex:none;width:120px", tabindex: -1, "aria-hidden": "true" }, thumbnail(l)),
    h("div", { style: "flex:1;min-width:0" },
      h("h3", { style: "margin:0 0 .2rem" }, h("a", { href: `#/work/${l.asset_id}`, "data-testid": "licence-title" }, l.title || `Work #${l.asset_id}`)),
      h("p", { class: "muted small" }, `Licence #${l.license_id} · ${tierName(l.tier)} · work #${l.asset_id}${l.purchased_at ? ` · bought ${date(l.purchased_at)}` : ""}`),
      h("p", null, "Paid ", h("strong", { "data-testid": "licence-price" }, price(cfg, l.price, l.currency)), " · ",
        h("span", { "data-testid": "licence-expiry", class: l.valid ? "" : "status error" }, expiryWords(l))),
      h("p", { class: "row" }, download, pdf, renew,
        !l.valid ? h("a", { class: "small", href: `#/work/${l.asset_id}` }, "Buy again on the work page") : null),
      status));
}

/** "My licences": every licence the account holds (the API's `licenses_held`, newest first), followed by the
 * owner's "Reports about your works" (./reports.ts). */
export function myLicences(me: Account, cfg: Config, rerender: () => void): HTMLElement {
  const licences = h("section", { "aria-labelledby": "lic-h", "data-testid": "my-licences" },
    h("h2", { id: "lic-h" }, `My licences (${me.licenses_held_count})`),
    me.licenses_held.length
      ? h("ul", { class: "my-works" }, me.licenses_held.map((l) => licenceCard(l, cfg, rerender)))
      : h("p", { class: "muted" }, "No licences yet. ", h("a", { href: "#/" }, "Find a work to license"), "."));
  return h("div", { style: "display:contents" }, licences, reportsSection(cfg));
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

/** One currency's chart: each work's running total as a step line over time, with date and amount ticks. */
function chart(works: WorkRevenue[], cfg: Config, currency: string, index: number): SVGSVGElement {
  const W = 640, H = 240, left = 72, right = 16, top = 12, bottom = 36;
  const coin = currencyOf(cfg, currency);
  const times = works.flatMap((w) => w.points.map((p) => p.timestamp));
  let t0 = Math.min(...times), t1 = Math.max(...times);
  if (t1 - t0 < 3600) { t0 -= 43200; t1 += 43200; }
  t1 += (t1 - t0) * 0.05; // room after the latest payment, so its step shows
  const max = works.reduce((m, w) => (BigInt(w.total) > m ? BigInt(w.total) : m), 0n) || 1n;
  const x = (t: number) => left + ((t - t0) / (t1 - t0)) * (W - left - right);
  const y = (v: bigint) => top + (1 - Number((v * 10000n) / max) / 10000) * (H - top - bottom);
  const id = `rev-chart-${index}`;
  const grid: SVGElement[] = [];
  for (const f of [0n, 1n, 2n, 3n, 4n]) {
    const v = (max * f) / 4n;
    grid.push(svg("line", { x1: left, x2: W - right, y1: y(v), y2: y(v), stroke: "#d7dbe2" }),
      svg("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end", "font-size": 11, fill: "#4b5563" }, units(v, coin.decimals)));
  }
  for (const f of [0, 0.5, 1]) {
    const t = t0 + (t1 - t0) * f;
    grid.push(svg("text", { x: x(t), y: H - bottom + 18, "text-anchor": f === 0 ? "start" : f === 1 ? "end" : "middle", "font-size": 11, fill: "#4b5563" }, date(Math.round(t))));
  }
  const lines = works.map((w, i) => {
    let d = `M ${x(w.points[0]?.timestamp ?? t0).toFixed(1)} ${y(0n).toFixed(1)}`;
    for (const p of w.points) d += ` H ${x(p.timestamp).toFixed(1)} V ${y(BigInt(p.cumulative)).toFixed(1)}`;
    d += ` H ${(W - right).toFixed(1)}`;
    return svg("path", { d, fill: "none", stroke: COLOURS[i % COLOURS.length]!, "stroke-width": 2.5, "data-asset": w.asset_id });
  });
  const labels = works.map((w) => `${w.title || `work #${w.asset_id}`} ${amount(cfg, w.total, currency)}`).join(", ");
  return svg("svg", { viewBox: `0 0 ${W} ${H}`, width: "100%", role: "img", "aria-labelledby": id, style: "max-width:640px;background:#fff;border:1px solid #d7dbe2;border-radius:8px", "data-testid": "revenue-chart", "data-currency": currency },
    svg("title", { id }, `Revenue per work in ${coin.symbol} over time: ${labels}`), ...grid, ...lines);
}

/** "Revenue per work": a chart per currency and a legend with each work's exact total and number of payments. */
export function revenueChart(series: RevenueSeries, cfg: Config): HTMLElement {
  if (!series.works.length) {
    return h("p", { class: "muted", "data-testid": "revenue-none" }, "None of your works has earned anything yet.");
  }
  const byCurrency = new Map<string, WorkRevenue[]>();
  for (const w of series.works) byCurrency.set(w.currency, [...(byCurrency.get(w.currency) ?? []), w]);
  const approximate = series.works.some((w) => w.points.some((p) => p.approximate));
  return h("div", { "data-testid": "revenue-per-work" },
    h("h3", null, "Revenue per work over time"),
    h("p", { class: "muted small" }, "Everything paid to each work (licence sales, direct payments, royalties), before the platform fee and the shares of the works it was built on."),
    [...byCurrency.entries()].map(([currency, works], i) => h("figure", { style: "margin:0 0 1rem" },
      chart(works, cfg, currency, i),
      h("figcaption", null, h("ul", { class: "legend", style: "list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4rem 1.2rem" }, works.map((w, j) =>
        h("li", { "data-testid": "revenue-work", "data-asset": w.asset_id, "data-currency": currency },
          h("span", { "aria-hidden": "true", style: `display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.35rem;background:${COLOURS[j % COLOURS.length]}` }),
          h("a", { href: `#/work/${w.asset_id}` }, w.title || `Work #${w.asset_id}`), ": ",
          h("strong", { "data-testid": "revenue-total" }, amount(cfg, w.total, currency)),
          ` from ${w.payments} payment${w.payments === 1 ? "" : "s"}`)))))),
    approximate ? h("p", { class: "muted small" }, "Some payment dates are estimated from the nearest blocks whose time is known.") : null);
}
