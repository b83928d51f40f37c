// Creator dashboard: my works and their offers (create, pause, resume), revenue balances, withdraw, revenue per work
// over time (./licences), my licences with download, PDF and renewal (./licences), and the possible copies of my
// works with "Bring a claim" (the copy's page, its claim form opened and prefilled); for a checker account, the
// link to the checker's own review page (../review).

import { config, get, type Account, type Asset, type Config } from "../api";
import { createOffer, setOfferPaused, withdraw, withdrawable } from "../chain";
import { clear, field, h, statusLine } from "../dom";
import { amount, blocksLater, capitalised, date, matchWords, price, tierName, toUnits } from "../format";
import { standingText, statusOf } from "../standing";
import { creatorName, profileSection } from "../profile";
import { reviewSection } from "../review";
import { explain, wallet } from "../wallet";
import { myLicences, revenueChart, type RevenueSeries } from "./licences";

function offerForm(asset: Asset, cfg: Config, done: () => void): HTMLElement {
  // The tiers and their preset terms are the server's (GET /config), those the work's kind may offer (a generation
  // licence only on a model, workflow or prompt); the revenue share applies to the tiers that allow derivatives and
  // starts at their preset.
  const templates = Object.values(cfg.terms).filter((t) => (t.kinds as string[]).includes(asset.kind));
  const sharing = templates.filter((t) => t.derivatives_allowed);
  const tier = h("select", { name: "tier" }, templates.map((t) => h("option", { value: t.tier }, capitalised(t.tier))));
  const currency = h("select", { name: "currency" }, cfg.currencies.map((c) => h("option", { value: c.address }, c.symbol)));
  const amount = h("input", { type: "text", inputmode: "decimal", name: "price", required: true, size: 8 });
  const days = h("input", { type: "number", name: "days", min: 0, value: 0, size: 5 });
  const share = h("input", { type: "number", name: "share", min: 0, max: 50, step: 0.5, value: (sharing[0]?.rev_share_bps ?? 0) / 100, size: 5 });
  const status = statusLine();
  const form = h("form", { class: "inline-form" },
    field("Tier", tier), field("Currency", currency), field("Price", amount), field("Days (0 = forever)", days),
    field(`Revenue share % (${sharing.map((t) => t.tier).join(", ")})`, share), h("button", { type: "submit", class: "btn secondary" }, "Create offer"), status);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const c = cfg.currencies.find((x) => x.address === currency.value)!;
      const template = cfg.terms[tier.value]!;
      await createOffer(asset.asset_id, {
        tier: template.tier, currency: c.address, price: toUnits(amount.value, c.decimals),
        durationDays: Number(days.value) || 0, supplyCap: 0, revShareBps: Math.round(Number(share.value) * 100),
      }, (t) => status.set(t, "pending"));
      status.set("Offer created; it appears once indexed.", "ok");
      setTimeout(done, 1500);
    } catch (err) {
      status.set(explain(err), "error");
    }
  });
  return h("details", null, h("summary", null, "New offer"), form);
}

/** A possible copy of a work the account owns (`GET /accounts/{address}`'s `copies_of_my_works`). */
type CopyOfWork = NonNullable<Account["copies_of_my_works"]>[number];

/** Why no claim can be brought against a copy now, in words (the API decides `claimable`). */
function unclaimable(c: CopyOfWork): string {
  if (c.claim_open) return `Claim #${c.open_claim_id} against it is open.`;
  switch (c.asset_status) {
    case "upheld":
      return "A claim against it was upheld.";
    case "tainted":
      return "It is tainted by a claim upheld against a work it was built on.";
    default:
      return "A claim cannot be brought against it now.";
  }
}

/** "Copies of your works": each possible copy, how it matches, and "Bring a claim" when one can be brought. */
function copiesOfMyWorks(me: Account): HTMLElement {
  const found = me.copies_of_my_works ?? [];
  return h("section", { "aria-labelledby": "copies-h", "data-testid": "copies-of-my-works" },
    h("h2", { id: "copies-h" }, `Copies of your works (${me.copies_of_my_works_count})`),
    found.length
      ? h("ul", { class: "copies" }, found.map((c) => {
          const bring = h("button", { type: "button", class: "btn warn small" }, "Bring a claim");
          bring.addEventListener("click", () => (location.hash = `#/work/${c.asset_id}?claim=${c.original_id}`));
          return h("li", { "data-testid": "copy-of-my-work", "data-asset": c.asset_id },
            h("p", null, h("a", { href: `#/work/${c.asset_id}` }, c.title || `Work #${c.asset_id}`), ` (#${c.asset_id}) by `, creatorName(c.creator), " ",
              "is a possible copy of your ", h("a", { href: `#/work/${c.original_id}` }, c.original_title || `work #${c.original_id}`), ` (#${c.original_id}).`),
            h("p", { class: "muted small" }, `It matches (${matchWords(c)}) and was ${blocksLater(c.blocks_later)}.`),
            c.claimable ? bring : h("p", { class: "small", "data-testid": "claim-state" }, unclaimable(c)));
        }))
      : h("p", { class: "muted" }, "No possible copies of your works have been found."));
}

export default async function dashboard(root: HTMLElement): Promise<void> {
  const cfg = await config();
  const render = async () => {
    if (!root.isConnected) return;
    if (!wallet.account) {
      const connect = h("button", { type: "button", class: "btn" }, "Connect wallet");
      const status = statusLine();
      connect.addEventListener("click", () => wallet.connect().then(render).catch((err) => status.set(explain(err), "error")));
      clear(root, h("h1", null, "Dashboard"), h("p", null, "Connect your wallet to see your works, offers, revenue and licences."), connect, status);
      return;
    }
    const account = wallet.account;
    const [me, revenue, review] = await Promise.all([
      get<Account>(`/accounts/${account}`, true),
      get<RevenueSeries>(`/accounts/${account}/revenue`, true).catch(() => null),
      reviewSection(cfg, account),
    ]);
    const assets = await Promise.all(me.works_created.slice(0, 20).map((w) => get<Asset>(`/assets/${w.asset_id}`, true)));
    const balanceRows = await Promise.all(cfg.currencies.map(async (c) => {
      const indexed = me.balances.find((b) => b.currency.toLowerCase() === c.address.toLowerCase());
      const now = await withdrawable(cfg, account, c.address).catch(() => null);
      const status = statusLine();
      const button = h("button", { type: "button", class: "btn secondary", disabled: !now }, `Withdraw ${c.symbol}`);
      button.addEventListener("click", async () => {
        try {
          const block = await withdraw(c.address, (t) => status.set(t, "pending"));
          status.set(`Withdrawn in block ${block}.`, "ok");
          setTimeout(render, 1500);
        } catch (err) {
          status.set(explain(err), "error");
        }
      });
      return h("tr", null, h("th", { scope: "row" }, c.symbol),
        h("td", null, amount(cfg, indexed?.credited ?? "0", c.address)),
        h("td", null, amount(cfg, indexed?.withdrawn ?? "0", c.address)),
        h("td", null, now === null ? "?" : amount(cfg, now, c.address)),
        h("td", null, button, status));
    }));
    clear(root,
      h("h1", null, "Dashboard"),
      h("p", { class: "muted" }, "Account ", creatorName(account), ` (${account}) · as of block ${me.as_of_block}`),
      review,
      profileSection(account),
      h("section", { "aria-labelledby": "rev-h" }, h("h2", { id: "rev-h" }, "Revenue"),
        h("div", { class: "table-wrap" }, h("table", null,
          h("thead", null, h("tr", null, h("th", { scope: "col" }, "Currency"), h("th", { scope: "col" }, "Earned"), h("th", { scope: "col" }, "Withdrawn"), h("th", { scope: "col" }, "Withdrawable now"), h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Action")))),
          h("tbody", null, balanceRows))),
        revenue ? revenueChart(revenue, cfg) : h("p", { class: "muted small" }, "Revenue per work cannot be shown right now.")),
      copiesOfMyWorks(me),
      h("section", { "aria-labelledby": "works-h" }, h("h2", { id: "works-h" }, `My works (${me.works_created_count})`),
        assets.length ? h("ul", { class: "my-works" }, assets.map((a) => h("li", { class: "my-work" },
          h("h3", null, h("a", { href: `#/work/${a.asset_id}` }, a.title || `#${a.asset_id}`)),
          h("p", { class: "muted small" }, `${a.kind} · ${a.licenses.total} licence${a.licenses.total === 1 ? "" : "s"} sold · registered ${date(a.registered_at)}`),
          standingText(a) ? h("p", { class: "callout bad standing", "data-testid": "standing" }, standingText(a)) : null,
          a.offers.length ? h("ul", { class: "offer-rows" }, a.offers.map((o) => {
            const status = statusLine();
            const toggle = h("button", { type: "button", class: "btn secondary small" }, o.paused ? "Resume" : "Pause");
            toggle.addEventListener("click", async () => {
              try {
                await setOfferPaused(o.offer_id, !o.paused, (t) => status.set(t, "pending"));
                status.set(o.paused ? "Resumed." : "Paused.", "ok");
                setTimeout(render, 1500);
              } catch (err) {
                status.set(explain(err), "error");
              }
            });
            const state = o.paused ? " · paused" : o.lapsed ? " · lapsed (made by a previous owner)" : o.purchasable ? " · on sale" : " · not on sale";
            return h("li", { "data-offer": o.offer_id }, `${tierName(o.tier)} · ${price(cfg, o.price, o.currency)} · ${o.sold} sold${state} `, toggle, status);
          })) : h("p", { class: "muted small" }, "No offers yet."),
          statusOf(a) === "active" ? offerForm(a, cfg, render) : null))) : h("p", { class: "muted" }, "No works yet. ", h("a", { href: "#/register" }, "Register one"), ".")),
      myLicences(me, cfg, render),
    );
  };
  await render();
  const off = wallet.onChange(() => (root.isConnected ? void render() : off()));
}
