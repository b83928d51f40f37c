// The register page's "Made with registered resources" step (issue #21): the registered models, LoRAs, workflows
// and prompts the uploaded file says it was made with (`POST /uploads` `resources_used`), and the registered
// prompts the prompt typed on the page is (`typedPromptResources`: a k-anonymity lookup, the prompt never sent).
// Each must be settled before the work is registered: under a licence the account holds that fits a derivative
// (preselected), under a licence bought in the same flow (the page buys it, then registers the work as a
// derivative), or declared "not derived from it" with a reason, which the metadata records (`not_derived_from`)
// and the work page shows. The licence lookup (`fittingLicences`) is also the near-duplicate check's.

import { toHex, type Address, type Hex } from "viem";
import { get, type Account, type Config, type LicenseStatus, type NotDerivedFrom, type PromptHashes, type ResourceOffer, type ResourceUsed } from "../api";
import { normalizePrompt } from "../chain";
import { clear, h } from "../dom";
import { duration, generationWords, isGeneration, pct, price } from "../format";
import { creatorName } from "../profile";

/** A licence the account holds on a work that fits registering a derivative of it. */
export interface Held {
  licenseId: number;
  tier: string;
}

/** A parent of a derivative: the work and the licence it is registered under. */
export interface Parent {
  assetId: number;
  licenseId: number;
}

/** For each of `assetIds`, the account's licence that fits a derivative of it (`/licenses/status`, use=derivative:
 * valid, allows derivatives, and an extended one not used for a derivative yet), a generation licence first, since
 * registering under it uses nothing up; works without one are left out. An owner without a licence token has none,
 * since a derivative links to its parents through licences. */
export async function fittingLicences(account: Address, assetIds: number[]): Promise<Map<number, Held>> {
  const [statuses, me] = await Promise.all([
    Promise.all(assetIds.map((id) => get<LicenseStatus>(`/licenses/status?asset=${id}&account=${account}&use=derivative`, true).catch(() => null))),
    get<Account>(`/accounts/${account}`, true).catch(() => null),
  ]);
  const tiers = new Map((me?.licenses_held ?? []).map((l) => [l.license_id, l.tier]));
  const found = new Map<number, Held>();
  assetIds.forEach((id, i) => {
    const ids = statuses[i]?.licensed ? statuses[i].license_ids : [];
    const best = ids.find((l) => isGeneration(tiers.get(l) ?? "")) ?? ids[0];
    if (best !== undefined) found.set(id, { licenseId: best, tier: tiers.get(best) ?? "" });
  });
  return found;
}

/** A resource, and whether it was found by the prompt typed on the page rather than named by the file. */
export type Resource = ResourceUsed & { typed?: boolean };

/** Hex digits of a prompt's sha256 the page sends to `GET /resources/prompts` (k-anonymity: 16 bits, shared by
 * every prompt with that prefix; the API refuses another length). */
const PROMPT_PREFIX_DIGITS = 4;

async function sha256Hex(text: string): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))).slice(2);
}

/** The registered prompt-kind works the typed `prompt` is, found without sending it. ONE prefix is sent per lookup:
 * the first 4 hex digits of the sha256 of the prompt in one form, so the API learns 16 bits of it and no more. That
 * form is the normalised prompt (line endings, NFC, stripped as `normalizePrompt`) with one final newline, the way
 * a text file is usually saved, and a prompt-kind work's content hash is its file's sha256. The works answered for
 * that prefix (each with its offers that license derivatives, in the API's order) are compared here against the
 * three forms such a file may have (as `genip.resources.prompt_hashes`: as written, trimmed, trimmed with a final
 * newline). Accepted limit: a work whose file has another form (no final newline, say) is found only when its hash
 * happens to share the sent prefix. `known`: asset ids already proposed (by the file). Failures find nothing: the
 * lookup is evidence, never a reason to stop a registration. */
export async function typedPromptResources(prompt: string, known: readonly number[]): Promise<Resource[]> {
  const trimmed = normalizePrompt(prompt);
  if (!trimmed) return [];
  const written = prompt.replace(/^\ufeff/, "").replace(/\r\n?/g, "\n").normalize("NFC");
  const sent = await sha256Hex(`${trimmed}\n`);
  const hashes = new Set([sent, ...(await Promise.all([written, trimmed].map(sha256Hex)))]);
  const prefix = sent.slice(0, PROMPT_PREFIX_DIGITS);
  const answered = await get<PromptHashes>(`/resources/prompts?prefix=${prefix}`, true).then((r) => r.works ?? []).catch(() => [] as ResourceUsed[]);
  const found: Resource[] = [];
  for (const work of answered) {
    if (!hashes.has(work.hash.toLowerCase().replace(/^0x/, ""))) continue;
    if (known.includes(work.asset_id) || found.some((r) => r.asset_id === work.asset_id)) continue;
    found.push({ ...work, named_as: "the prompt you typed", typed: true });
  }
  return found;
}

/** The resources `account` must settle: its own works (it owns or created them) are left out, as `genip register`
 * leaves them out, since no one licenses their own work. */
export function othersResources(account: Address, resources: Resource[]): Resource[] {
  const me = account.toLowerCase();
  return resources.filter((r) => r.owner.toLowerCase() !== me && r.creator.toLowerCase() !== me);
}

/** Purchase transactions sent for a resource and not yet seen to end, by `account:asset`: kept for the page's
 * lifetime (across a rebuilt step), so that a purchase whose outcome the page missed (a receipt wait that timed
 * out, an unreachable RPC) is checked by its hash before anything is bought again. */
const purchases = new Map<string, Hex>();

const purchaseKey = (account: Address, assetId: number) => `${account.toLowerCase()}:${assetId}`;

/** How the API matched the file's mention to the resource, in words. */
function matchedWords(by: ResourceUsed["matched_by"]): string {
  switch (by) {
    case "sha256":
      return "matched by its file hash";
    case "workflow":
      return "matched by the workflow's canonical hash";
    case "prompt":
      return "matched by its prompt text";
    default:
      return "matched by the file's generation data";
  }
}

/** What the offer's licence allows, in one sentence. */
function offerWords(offer: ResourceOffer): string {
  const lasts = `It lasts ${duration(offer.duration)}.`;
  if (isGeneration(offer.tier)) return `${generationWords(offer.rev_share_bps)}. ${lasts}`;
  return `It registers one derivative work, which pays ${pct(offer.rev_share_bps)} of its revenue up to this work. ${lasts}`;
}

type Choice = "licence" | "buy" | "not";

/** One resource and how the creator settles it. */
class Row {
  held: Held | null = null;
  checked = false;
  locked = false;
  choice: Choice | null = null;
  /** The purchase transaction sent for it whose outcome the page has not seen yet. */
  pending: Hex | null = null;
  readonly offer: ResourceOffer | null;
  readonly reason: HTMLTextAreaElement;
  readonly el: HTMLLIElement;
  private readonly options: HTMLElement;

  constructor(readonly resource: Resource, private readonly cfg: Config, private readonly changed: () => void) {
    // The API lists the live offers that license derivatives generation first (any number of works), then
    // extended (one derivative), cheapest first: the first is the one to buy.
    this.offer = resource.offers[0] ?? null;
    this.reason = h("textarea", { name: `not-derived-reason-${resource.asset_id}`, rows: 2, maxlength: 280, "data-testid": "not-derived-reason" });
    this.reason.addEventListener("input", changed);
    this.options = h("div", { class: "resource-choices" }, h("p", { class: "muted small" }, "Checking whether you hold a licence on it…"));
    const r = resource;
    this.el = h("li", { class: "resource", "data-testid": "resource", "data-asset": r.asset_id },
      h("p", null,
        h("a", { href: `#/work/${r.asset_id}`, target: "_blank", rel: "noopener" }, `${r.title || `Work #${r.asset_id}`} (#${r.asset_id})`),
        ` · ${r.kind} by `, creatorName(r.creator)),
      h("p", { class: "muted small" }, r.typed
        ? "It is the prompt you typed above (matched by its text, which never left your browser: only the first 4 hex digits of its hash were sent)."
        : `Your file names it as ${r.named_as} (${matchedWords(r.matched_by)}).`),
      this.options);
  }

  /** Settled: under a licence held or to be bought, or declared not derived from it with a reason. */
  get settled(): boolean {
    if (this.choice === "licence") return this.held !== null;
    if (this.choice === "buy") return this.offer !== null;
    return this.choice === "not" && this.reason.value.trim().length > 0;
  }

  /** The licences are known (`held` set or not): the choices, a held licence preselected. */
  render(): void {
    const disabled = this.locked;
    const r = this.resource;
    const name = `resource-${r.asset_id}`;
    this.choice ??= this.held ? "licence" : null;
    const radio = (value: Choice, label: (string | Node)[], extra: Node | null = null) => {
      const input = h("input", { type: "radio", name, value, checked: this.choice === value, disabled, "data-testid": `resource-${value}` });
      input.addEventListener("change", () => {
        this.choice = value;
        this.render();
        this.changed();
        if (value === "not") this.reason.focus();
      });
      return h("div", { class: "choice" }, h("label", { class: "check" }, input, ...label), extra);
    };
    const reasonBox = h("div", { class: "field", hidden: this.choice !== "not" },
      h("label", { for: `reason-${r.asset_id}` }, "Why is your work not derived from it? (required; shown publicly with your work)"),
      this.reason);
    this.reason.id = `reason-${r.asset_id}`;
    this.reason.required = this.choice === "not";
    this.reason.disabled = disabled;
    const held = this.held;
    const offer = this.offer;
    clear(this.options,
      held
        ? radio("licence", [` Register under your licence #${held.licenseId}`],
            h("p", { class: "muted small" }, isGeneration(held.tier)
              ? "A generation licence: it stays valid for more works until it ends."
              : "Your work becomes a derivative of it; the licence is then used up for derivatives and keeps its other rights."))
        : null,
      !held && offer
        ? radio("buy", [` Buy ${isGeneration(offer.tier) ? "a generation" : "an extended"} licence ${BigInt(offer.price) === 0n ? "free of charge" : `for ${price(this.cfg, offer.price, offer.currency)}`} and register under it`],
            h("p", { class: "muted small" }, offerWords(offer)))
        : null,
      !held && !offer
        ? h("p", { class: "small", "data-testid": "no-resource-offer" }, "You hold no licence on it, and its owner offers none for derivatives now. If your work was not made with it, say why.")
        : null,
      radio("not", [" Not derived from it"]),
      reasonBox,
      this.pending && !held
        ? h("p", { class: "small", "data-testid": "purchase-pending" },
            `A purchase of a licence on it was sent (transaction ${this.pending.slice(0, 10)}…) and may have gone through: registering checks it first and never buys a second one.`)
        : null);
  }
}

/** The step: the resources listed with their choices; `plan` says what registering needs. */
export function resourcesStep(cfg: Config, account: Address, resources: Resource[], changed: () => void) {
  const rows = resources.map((r) => new Row(r, cfg, changed));
  for (const row of rows) row.pending = purchases.get(purchaseKey(account, row.resource.asset_id)) ?? null;
  const rowOf = (assetId: number) => rows.find((r) => r.resource.asset_id === assetId);
  const el = h("section", { class: "callout resources", "aria-labelledby": "resources-h", "data-testid": "resources-used" },
    h("h2", { id: "resources-h" }, "Made with registered resources"),
    h("p", null, resources.length === 1
      ? "Your work was made with a registered resource, as your file or your prompt says. Register your work under a licence on it, so that its maker is paid a share of what your work earns, or declare that your work is not derived from it."
      : "Your work was made with registered resources, as your file or your prompt says. Register your work under a licence on each, so that their makers are paid a share of what your work earns, or declare that your work is not derived from one."),
    h("ul", { class: "resource-list" }, rows.map((r) => r.el)));
  const ready = fittingLicences(account, resources.map((r) => r.asset_id)).then((held) => {
    for (const row of rows) {
      row.held = held.get(row.resource.asset_id) ?? null;
      row.checked = true;
      row.render();
    }
    changed();
  });
  return {
    el,
    ready,
    /** Every resource settled (and the licences checked). */
    settled: () => rows.every((r) => r.checked && r.settled),
    /** How many licences registering buys first. */
    toBuy: () => rows.filter((r) => r.choice === "buy").length,
    /** What registering does: the licences held, the offers to buy, the declarations to record. */
    plan(): { held: Parent[]; buy: { resource: ResourceUsed; offer: ResourceOffer }[]; notDerived: NotDerivedFrom[] } {
      return {
        held: rows.flatMap((r) => (r.choice === "licence" && r.held ? [{ assetId: r.resource.asset_id, licenseId: r.held.licenseId }] : [])),
        buy: rows.flatMap((r) => (r.choice === "buy" && r.offer ? [{ resource: r.resource, offer: r.offer }] : [])),
        notDerived: rows.flatMap((r) => (r.choice === "not" ? [{ asset_id: r.resource.asset_id, reason: r.reason.value.trim() }] : [])),
      };
    },
    /** A licence bought on `assetId`: registering (again) uses it, never buys another. */
    bought(assetId: number, licenseId: number, tier: string): void {
      purchases.delete(purchaseKey(account, assetId));
      const row = rowOf(assetId);
      if (!row) return;
      row.pending = null;
      row.held = { licenseId, tier };
      row.choice = "licence";
      row.render();
      changed();
    },
    /** A purchase transaction sent on `assetId` (`hash`), or null once it is known to have bought nothing. */
    sent(assetId: number, hash: Hex | null): void {
      if (hash) purchases.set(purchaseKey(account, assetId), hash);
      else purchases.delete(purchaseKey(account, assetId));
      const row = rowOf(assetId);
      if (!row) return;
      row.pending = hash;
      if (row.checked) row.render();
    },
    /** The purchase sent on `assetId` whose outcome is not known yet, if any. */
    pending(assetId: number): Hex | null {
      return purchases.get(purchaseKey(account, assetId)) ?? null;
    },
    /** The account's licence fitting a derivative of `assetId`, looked up again (a purchase may have gone through). */
    async heldNow(assetId: number): Promise<Held | null> {
      return (await fittingLicences(account, [assetId])).get(assetId) ?? null;
    },
    /** The choices are locked while registering. */
    lock(locked: boolean): void {
      for (const row of rows) {
        if (row.locked === locked) continue;
        row.locked = locked;
        if (row.checked) row.render();
      }
    },
    /** "on #4 (Retro Poster)": a resource for sentences. */
    named(assetId: number): string {
      const r = resources.find((x) => x.asset_id === assetId);
      return r?.title ? `#${assetId} (${r.title})` : `#${assetId}`;
    },
  };
}

export type ResourcesStep = ReturnType<typeof resourcesStep>;
