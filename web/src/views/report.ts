// "Report a copy" on the work page: a connected wallet that does not own the work raises a claim in the dispute
// court with the court's bond. When the API names a possible original the wallet owns, the evidence is the
// API's copy evidence (its sentence and keccak256 hash) and the claimant's asset is that original; otherwise the
// claimant writes a short statement (hashed with keccak256 of its UTF-8 bytes) and may pick one of their works.
// The page shows the action only for a clear work (the API's standing) and renders the API's standing after.
// `open` (the dashboard's "Bring a claim" on a copy of the wallet's work) opens the form as soon as a wallet
// that may report is connected.

import type { Address, Hex } from "viem";
import { get, type Account, type Asset, type Config, type CopyEvidence, type Dispute } from "../api";
import { answerClaim, courtTerms, raiseClaim, statementHash, windowWords, type CourtTerms } from "../court";
import { clear, field, h, statusLine } from "../dom";
import { amount } from "../format";
import { explain, sleep, wallet } from "../wallet";

const ZERO = "0x0000000000000000000000000000000000000000";

async function pollDisputed(assetId: number, minBlock: number): Promise<Asset> {
  for (let i = 0; i < 150; i++) {
    const a = await get<Asset>(`/assets/${assetId}`, true).catch(() => null);
    if (a && a.as_of_block >= minBlock && a.standing !== "clear") return a;
    await sleep(400);
  }
  throw new Error("The claim is on-chain, but the index has not caught up yet; reload the page in a moment.");
}

/** The evidence a claim will carry: the API's copy evidence, or the claimant's own statement. */
interface Evidence { hash: Hex; claimantAssetId: number }

function termsLine(cfg: Config | null, terms: CourtTerms): HTMLElement {
  return h("p", { class: "small", "data-testid": "court-terms" },
    `Bond: ${amount(cfg, terms.bond, ZERO)}, refunded to you once the claim is upheld and final; paid to the owner if the claim is cleared. `,
    `The owner has ${windowWords(terms.responseWindow)} to answer; an arbiter then rules.`);
}

async function prefilled(asset: Asset): Promise<{ body: HTMLElement; evidence: Evidence } | null> {
  const original = asset.possible_original;
  if (!original || !wallet.account || original.owner.toLowerCase() !== wallet.account.toLowerCase()) return null;
  const ev = await get<CopyEvidence>(`/assets/${asset.asset_id}/copy-evidence?original=${original.asset_id}`, true);
  const body = h("div", { class: "callout warn" },
    h("p", null, `Your work `, h("a", { href: `#/work/${original.asset_id}` }, original.title || `#${original.asset_id}`),
      ` was registered earlier and matches this one.`),
    h("p", { "data-testid": "evidence-sentence" }, `${ev.sentence}.`),
    h("p", { class: "small" }, "Evidence hash (recorded on-chain): ", h("code", { class: "hash", "data-testid": "evidence-hash" }, ev.evidence_hash)));
  return { body, evidence: { hash: ev.evidence_hash as Hex, claimantAssetId: original.asset_id } };
}

async function typed(asset: Asset, account: Address): Promise<{ body: HTMLElement; read: () => Evidence | null }> {
  const statement = h("textarea", { name: "statement", rows: 3, maxlength: 2000, placeholder: "What was copied, and from where" });
  const pick = h("select", { name: "original" }, h("option", { value: "0" }, "None"));
  const acct = await get<Account>(`/accounts/${account}`, true).catch(() => null);
  for (const w of acct?.works_created ?? []) {
    if (w.asset_id !== asset.asset_id) pick.append(h("option", { value: String(w.asset_id) }, `#${w.asset_id} ${w.title ?? ""}`.trim()));
  }
  const hash = h("code", { class: "hash", "data-testid": "evidence-hash" }, "—");
  statement.addEventListener("input", () => (hash.textContent = statement.value.trim() ? statementHash(statement.value) : "—"));
  const body = h("div", null,
    field("Your statement", statement, "Only its keccak256 hash goes on-chain; keep the text to show the arbiter."),
    field("Your original (optional)", pick),
    h("p", { class: "small" }, "Evidence hash: ", hash));
  const read = () => (statement.value.trim() ? { hash: statementHash(statement.value), claimantAssetId: Number(pick.value) } : null);
  return { body, read };
}

/** The "Report a copy" section; empty unless a connected wallet other than the owner looks at a clear work. */
export function reportSection(asset: Asset, cfg: Config | null, onIndexed: () => void, options: { open?: boolean } = {}): HTMLElement {
  const section = h("section", { "aria-labelledby": "report-h", class: "report", "data-testid": "report" });
  const status = statusLine();
  let openNow = options.open === true;

  const openForm = async (account: Address, opener: HTMLButtonElement) => {
    opener.disabled = true;
    status.set("Reading the court's terms…", "pending");
    try {
      if (!cfg?.court) throw new Error("This marketplace has no dispute court configured.");
      const terms = await courtTerms(cfg.court);
      const pre = await prefilled(asset);
      const manual = pre ? null : await typed(asset, account);
      const send = h("button", { type: "submit", class: "btn warn" }, `Send the claim with a ${amount(cfg, terms.bond, ZERO)} bond`);
      const form = h("form", { class: "report-form" }, pre ? pre.body : manual!.body, termsLine(cfg, terms), send);
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        const evidence = pre ? pre.evidence : manual!.read();
        if (!evidence) return status.set("Write a short statement of what was copied first.", "error");
        send.disabled = true;
        try {
          const { disputeId, block } = await raiseClaim(
            { assetId: asset.asset_id, evidenceHash: evidence.hash, claimantAssetId: evidence.claimantAssetId, bond: terms.bond },
            (t) => status.set(t, "pending"),
          );
          status.set(`Confirmed in block ${block} (claim #${disputeId}). Waiting for the index…`, "pending");
          await pollDisputed(asset.asset_id, block);
          status.set(`Indexed: claim #${disputeId} is open.`, "ok");
          onIndexed();
        } catch (err) {
          status.set(explain(err), "error");
          send.disabled = false;
        }
      });
      opener.replaceWith(form);
      status.set("", "");
    } catch (err) {
      status.set(explain(err), "error");
      opener.disabled = false;
    }
  };

  const render = () => {
    const account = wallet.account;
    if (!account || asset.standing !== "clear" || account.toLowerCase() === asset.owner.toLowerCase()) return clear(section);
    const opener = h("button", { type: "button", class: "btn secondary" }, "Report a copy");
    opener.addEventListener("click", () => void openForm(account, opener));
    clear(section, h("h2", { id: "report-h" }, "Report a copy"),
      h("p", { class: "muted small" }, "If this work copies one of yours, bring a claim in the dispute court."), opener, status);
    if (openNow) {
      openNow = false;
      void openForm(account, opener);
      requestAnimationFrame(() => section.scrollIntoView({ block: "start" }));
    }
  };
  render();
  const off = wallet.onChange(() => (section.isConnected ? render() : off()));
  return section;
}

async function pollAnswered(assetId: number, disputeId: number, minBlock: number): Promise<void> {
  for (let i = 0; i < 150; i++) {
    const a = await get<Asset>(`/assets/${assetId}`, true).catch(() => null);
    if (a && a.as_of_block >= minBlock && a.disputes.some((d) => d.dispute_id === disputeId && d.answered)) return;
    await sleep(400);
  }
  throw new Error("The answer is on-chain, but the index has not caught up yet; reload the page in a moment.");
}

/**
 * "Answer this claim" under an open claim the owner may still answer (the API's `answer_open`): a short answer,
 * of which only the keccak256 hash goes on-chain. Shown to the connected owner only; the court refuses anyone else.
 */
export function answerControl(asset: Asset, d: Dispute, onIndexed: () => void): HTMLElement {
  const box = h("div", { class: "answer", "data-testid": "answer" });
  const status = statusLine();
  const render = () => {
    const account = wallet.account;
    if (!d.answer_open || !account || account.toLowerCase() !== asset.owner.toLowerCase()) return clear(box);
    const text = h("textarea", { name: "answer", rows: 3, maxlength: 2000, placeholder: "Why the claim is wrong: your sources, dates, licences" });
    const send = h("button", { type: "submit", class: "btn secondary" }, "Answer this claim");
    const form = h("form", null, field("Your answer", text, "Only its keccak256 hash goes on-chain; keep the text to show the arbiter."), send, status);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!text.value.trim()) return status.set("Write your answer first.", "error");
      send.disabled = true;
      try {
        const block = await answerClaim(d.dispute_id, statementHash(text.value), (t) => status.set(t, "pending"));
        status.set(`Confirmed in block ${block}. Waiting for the index…`, "pending");
        await pollAnswered(asset.asset_id, d.dispute_id, block);
        status.set("Indexed: your answer is on record.", "ok");
        onIndexed();
      } catch (err) {
        status.set(explain(err), "error");
        send.disabled = false;
      }
    });
    clear(box, form);
  };
  render();
  const off = wallet.onChange(() => (box.isConnected ? render() : off()));
  return box;
}
