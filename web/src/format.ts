// Plain-language formatting: amounts, addresses, durations and licence terms.

import type { Config, Offer } from "./api";

const ZERO = "0x0000000000000000000000000000000000000000";

export function shortAddr(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

export function currencyOf(cfg: Config | null, address: string): { symbol: string; decimals: number } {
  const found = cfg?.currencies.find((c) => c.address.toLowerCase() === address.toLowerCase());
  if (found) return found;
  if (address === ZERO) return { symbol: "ETH", decimals: 18 };
  return { symbol: `token ${shortAddr(address)}`, decimals: 18 };
}

export function units(raw: string | bigint, decimals: number): string {
  const value = BigInt(raw);
  const base = 10n ** BigInt(decimals);
  const whole = value / base;
  const frac = (value % base).toString().padStart(decimals, "0").replace(/0+$/, "");
  // Exact: every significant digit is shown (0.2364375 ETH stays 0.2364375, never rounded or cut).
  return frac ? `${whole}.${frac}` : whole.toString();
}

export function toUnits(text: string, decimals: number): bigint {
  const clean = text.trim();
  if (!/^\d+(\.\d+)?$/.test(clean)) throw new Error(`"${text}" is not an amount`);
  const [whole = "0", frac = ""] = clean.split(".");
  if (frac.length > decimals) throw new Error(`at most ${decimals} decimals`);
  return BigInt(whole) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, "0") || "0");
}

export function price(cfg: Config | null, raw: string, currency: string): string {
  const c = currencyOf(cfg, currency);
  return BigInt(raw) === 0n ? "Free" : `${units(raw, c.decimals)} ${c.symbol}`;
}

/** An amount with its symbol, "0 ETH" included (for balances; `price` says "Free"). */
export function amount(cfg: Config | null, raw: string | bigint, currency: string): string {
  const c = currencyOf(cfg, currency);
  return `${units(raw, c.decimals)} ${c.symbol}`;
}

export function pct(bps: number): string {
  return `${(bps / 100).toFixed(bps % 100 === 0 ? 0 : 2)} %`;
}

export function duration(seconds: number): string {
  if (!seconds) return "forever";
  const days = seconds / 86400;
  if (days >= 365 && days % 365 === 0) return `${days / 365} year${days === 365 ? "" : "s"}`;
  if (days >= 1 && Number.isInteger(days)) return `${days} day${days === 1 ? "" : "s"}`;
  return `${Math.round(seconds / 3600)} hours`;
}

export function date(unix: number): string {
  return new Date(unix * 1000).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

/** The offer's terms as sentences a buyer can read. */
export function termsInWords(offer: Offer): string[] {
  const t = offer.terms;
  const lines: string[] = [];
  if (!t) return ["Terms not indexed yet."];
  lines.push(t.commercial_use ? "You may use the work commercially (ads, products, publications)." : "Personal, non-commercial use only.");
  if (t.derivatives_allowed && isGeneration(offer.tier)) {
    lines.push(`${generationWords(t.rev_share_bps)}.`);
  } else if (t.derivatives_allowed) {
    lines.push(
      `You may build one derivative work on it (a sequel, an animation, a game asset) and register it; ${pct(t.rev_share_bps)} of what the derivative earns goes to this work's creator.`,
    );
  } else {
    lines.push("No derivative works may be registered on it.");
  }
  lines.push(t.transferable ? "You may transfer the licence to someone else." : "The licence stays with you (not transferable).");
  lines.push(`It lasts ${duration(offer.duration)}.`);
  if (offer.supply_cap) lines.push(`${offer.sold} of ${offer.supply_cap} licences sold.`);
  return lines;
}

/** Whether a tier (the API's name for it) is the generation tier: a licence that registers any number of works made
 * with a model, workflow or prompt until it expires (an extended licence registers one derivative). */
export function isGeneration(tier: string): boolean {
  return tier === "generation";
}

/** What a generation licence allows, from its terms' revenue share: "Generation licence: generate any number of works
 * with it; each pays 10 % of its revenue up to this work". */
export function generationWords(revShareBps: number): string {
  return `Generation licence: generate any number of works with it; each pays ${pct(revShareBps)} of its revenue up to this work`;
}

/** "standard" → "Standard". */
export function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** A tier (the API's name for it) as a buyer reads it: "standard" → "Standard licence". */
export function tierName(tier: string): string {
  return tier ? `${capitalised(tier)} licence` : "Licence";
}

/** How two images match, as the API measures it (`method` with its distance, correlation or keypoints), in plain
 * words: "PDQ distance 2 bits", "thumbnail correlation 0.991", "31 keypoints line up". */
export function matchWords(m: { method: string; distance?: number | null; correlation?: number | null; inliers?: number | null }): string {
  if (m.method === "orb") return `${m.inliers ?? 0} keypoints line up`;
  if (m.method === "thumb") return `thumbnail correlation ${(m.correlation ?? 0).toFixed(3)}`;
  const hash = m.method === "phash" ? "pHash" : "PDQ";
  if (m.distance === null || m.distance === undefined) return `${hash} match`;
  return `${hash} distance ${m.distance} bit${m.distance === 1 ? "" : "s"}`;
}

/** "registered 12 blocks later" (or "in the same block"). */
export function blocksLater(blocks: number): string {
  if (blocks <= 0) return "registered in the same block";
  return `registered ${blocks} block${blocks === 1 ? "" : "s"} later`;
}

/** A work's prompt-check state (the API's `check_state`). */
export type CheckState = "unchecked" | "pending" | "under_review" | "passed" | "failed";

/** Each prompt-check state in plain words: a short badge, its tone, and a sentence for the work page. `enforced`
 * says whether the marketplace stops sales of a failed work now (the API's offers say so with `check_failed`). */
export function checkInWords(state: CheckState, enforced = true): { badge: string; tone: "ok" | "bad" | "warn" | ""; sentence: string } {
  switch (state) {
    case "passed":
      return { badge: "Prompt check passed", tone: "ok", sentence: "The marketplace's checker read the prompt that made this work and found no protected artist, character or brand in it. The verdict is recorded on-chain; the prompt itself stays private." };
    case "failed":
      return { badge: "Prompt check failed", tone: "bad", sentence: enforced
        ? "The checker found that the prompt names or imitates a protected artist, character or brand. New licences cannot be bought and the work is left out of search; licences already sold keep working."
        : "The checker found that the prompt names or imitates a protected artist, character or brand. The marketplace's rule that stops sales of such works is switched off, so licences can still be bought." };
    case "under_review":
      return { badge: "Prompt under review", tone: "warn", sentence: "The checker's rules flagged something close to a protected artist, character or brand in the prompt. A person is reviewing it; until then the work sells as usual." };
    case "pending":
      return { badge: "Prompt check pending", tone: "", sentence: "The creator sent the prompt to the checker, sealed so only the checker can read it. The verdict has not been recorded yet." };
    default:
      return { badge: "Prompt not checked", tone: "", sentence: "No prompt has reached the checker for this work, so nobody has checked it for protected artists, characters or brands." };
  }
}
