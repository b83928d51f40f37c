// "Can this be bought?" and "is this work in good standing?" are the API's decisions (`purchasable` per asset and
// per offer, `asset_status`, from the server's one rule module); the page renders them (a Buy button is enabled
// exactly when the offer's `purchasable` says so) and this file only words them. Never decide from a single bad
// value (=== "open"): an upheld asset once showed an enabled Buy button that way.

import type { AssetStatus, AssetSummary, Dispute } from "./api";
import { date, shortAddr } from "./format";

/** The API's `asset_status`, or "unknown" for a value this build of the page does not know. */
export type Status = AssetStatus | "unknown";

/** A short badge for cards and lists per status; null for an active work. Typed by the API's enum, so a status the
 * API adds is a `tsc` error until it is worded here. */
const BADGES: Record<Status, { text: string; tone: "warn" | "bad" } | null> = {
  active: null,
  disputed: { text: "Disputed", tone: "warn" },
  upheld: { text: "Claim upheld", tone: "bad" },
  tainted: { text: "Tainted", tone: "bad" },
  expired: { text: "Expired", tone: "bad" },
  unregistered: { text: "Not registered", tone: "bad" },
  unknown: { text: "Status unknown", tone: "warn" },
};

/** The asset's status as the API states it (`asset_status`); anything else is "unknown". */
export function statusOf(asset: Pick<AssetSummary, "asset_status">): Status {
  return Object.hasOwn(BADGES, asset.asset_status) ? asset.asset_status : "unknown";
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
    case "unregistered":
      return "Not registered on this chain: it is not for sale.";
    case "unknown":
      return "Status unknown: licences cannot be bought here right now.";
  }
}

/** A short badge for cards and lists, or null for an active work. */
export function standingBadge(asset: AssetSummary): { text: string; tone: "warn" | "bad" } | null {
  return BADGES[statusOf(asset)];
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
