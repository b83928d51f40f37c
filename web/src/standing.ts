// "Can this be bought?" and "is this work in good standing?" are the API's decisions (`purchasable` per asset and
// per offer, `asset_status`, from the server's one rule module); this file only reads and words them. Anything it
// does not recognise reads as not for sale. Never test a single bad value (=== "open"): an upheld asset once
// showed an enabled Buy button that way.

import type { AssetSummary, Dispute, Offer } from "./api";
import { date, shortAddr } from "./format";

export type Status = "active" | "expired" | "disputed" | "upheld" | "tainted" | "unknown";

const KNOWN: ReadonlySet<string> = new Set(["active", "expired", "disputed", "upheld", "tainted"]);

/** The asset's status as the API states it (`asset_status`); anything else is "unknown". */
export function statusOf(asset: Pick<AssetSummary, "asset_status">): Status {
  return KNOWN.has(asset.asset_status) ? (asset.asset_status as Status) : "unknown";
}

/** Whether the page may offer to buy `offer` now: the API's decision, and never for a work not active. */
export function purchasable(asset: AssetSummary, offer: Offer): boolean {
  return offer.purchasable === true && statusOf(asset) === "active";
}

/** The status in plain words, or null for an active work. */
export function standingText(asset: AssetSummary): string | null {
  switch (statusOf(asset)) {
    case "active":
      return null;
    case "disputed":
      return "Disputed: a claim is open; licences are paused.";
    case "upheld":
      return "Claim upheld: this work is not for sale.";
    case "tainted":
      return "Tainted: built on a work whose claim was upheld.";
    case "expired":
      return `Expired: the licences this work was built under ended on ${date(asset.expires_at)}; it is not for sale.`;
    case "unknown":
      return "Status unknown: licences cannot be bought here right now.";
  }
}

/** A short badge for cards and lists, or null for an active work. */
export function standingBadge(asset: AssetSummary): { text: string; tone: "warn" | "bad" } | null {
  switch (statusOf(asset)) {
    case "active":
      return null;
    case "disputed":
      return { text: "Disputed", tone: "warn" };
    case "upheld":
      return { text: "Claim upheld", tone: "bad" };
    case "tainted":
      return { text: "Tainted", tone: "bad" };
    case "expired":
      return { text: "Expired", tone: "bad" };
    case "unknown":
      return { text: "Status unknown", tone: "warn" };
  }
}

/** A dispute's state in one sentence, from the API's facts (its ISO times become dates). */
export function disputeInWords(d: Dispute): string {
  const on = (iso: string | null): string => (iso ? date(Date.parse(iso) / 1000) : "a date not yet known");
  const who = `Claim #${d.dispute_id} by ${shortAddr(d.claimant)}`;
  switch (d.status) {
    case "open":
      return `${who} is open: ${d.answered ? "the owner has answered; " : `the owner can answer until ${on(d.answer_deadline)}; `}an arbiter rules after that.`;
    case "upheld":
      return d.final
        ? `${who} was upheld; the ruling is final.`
        : `${who} was upheld; the ruling becomes final on ${on(d.final_at)} unless it is reversed on appeal.`;
    case "cleared":
      return d.reversed ? `${who} was upheld, then reversed on appeal: the work is cleared.` : `${who} was cleared.`;
  }
}
