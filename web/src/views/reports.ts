// "Reports about your works" on the dashboard: posts that platforms reported (`POST /reports`) resting on a work
// the connected wallet owns. Reports name a platform's user and post, so the API serves them only to the owner's
// wallet signature: "Show reports" signs an EIP-712 `ReportsRead` (a fresh nonce, a 5-minute expiry; api/routes/
// reports.py defines it) and lists each report with its platform, post id, verdict and date. An open report is
// answered once with Keep, Flag or Take down (a signed `ReportResolution`); the platform then gets the
// `report.resolved` webhook. When the uploader's own registration was found as a possible copy of the work,
// "Bring a claim" raises the dispute court's claim against that registration with the report's evidence hash.

import { type Hex } from "viem";
import { type Config } from "../api";
import { courtTerms, raiseClaim, windowWords } from "../court";
import { clear, h, statusLine } from "../dom";
import { amount, date } from "../format";
import type { components } from "../generated/api";
import { explain, signRequest } from "../wallet";

type Report = components["schemas"]["ReportPublic"];

const ZERO = "0x0000000000000000000000000000000000000000";

const VERDICTS: Record<Report["verdict"], string> = {
  licensed: "the uploader holds a licence",
  unlicensed: "no licence",
  disputed: "the work is under a claim",
  unregistered: "no registered work",
};
const RESOLVED: Record<string, string> = { keep: "Kept", flag: "Flagged", take_down: "Taken down" };

async function refused(response: Response): Promise<Error> {
  let detail = "";
  try {
    const body = (await response.json()) as { detail?: unknown };
    if (typeof body.detail === "string") detail = body.detail;
  } catch { /* not JSON */ }
  if (response.status === 401) return new Error(/already used/.test(detail) ? "That signature was already used; press the button again." : "The server did not accept your wallet's signature. Try again.");
  if (response.status === 403) return new Error("Only the work's owner can see or answer this report.");
  if (response.status === 409) return new Error("This report was already answered.");
  return new Error(detail || "The reports cannot be reached right now. Try again later.");
}

async function fetchReports(): Promise<Report[]> {
  const s = await signRequest("ReportsRead", [], { action: "read reports" });
  const response = await fetch(`/accounts/${s.account}/reports`, {
    cache: "no-store",
    headers: s.headers,
  });
  if (!response.ok) throw await refused(response);
  return (await response.json()) as Report[];
}

async function resolve(report: Report, action: string): Promise<Report> {
  const fields = [{ name: "reportId", type: "uint256" }, { name: "resolution", type: "string" }];
  const s = await signRequest("ReportResolution", fields, { action: "resolve report", reportId: report.id, resolution: action });
  const response = await fetch(`/reports/${report.id}/resolution`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ account: s.account, action, nonce: s.nonce, expiry: s.expiry, signature: s.signature }),
  });
  if (!response.ok) throw await refused(response);
  return (await response.json()) as Report;
}

function when(iso: string): string {
  return date(Math.floor(Date.parse(iso) / 1000));
}

/** "Bring a claim": the court's terms, the report's evidence hash and the claim sent through the wallet. */
function claimControl(report: Report, cfg: Config): HTMLElement | null {
  const claim = report.claim;
  if (!claim) return null;
  const status = statusLine();
  const box = h("div", { class: "claim", "data-testid": "report-claim" });
  const open = h("button", { type: "button", class: "btn warn small", "data-testid": "bring-claim" }, "Bring a claim");
  open.addEventListener("click", async () => {
    open.disabled = true;
    try {
      if (!cfg.court) throw new Error("This marketplace has no dispute court configured.");
      const terms = await courtTerms(cfg.court);
      const evidence = new Blob([JSON.stringify(claim.evidence, null, 2)], { type: "application/json" });
      const send = h("button", { type: "button", class: "btn warn small" }, `Send the claim with a ${amount(cfg, terms.bond, ZERO)} bond`);
      send.addEventListener("click", async () => {
        send.disabled = true;
        try {
          const { disputeId, block } = await raiseClaim(
            { assetId: claim.asset_id, evidenceHash: claim.evidence_hash as Hex, claimantAssetId: claim.claimant_asset_id, bond: terms.bond },
            (t) => status.set(t, "pending"),
          );
          status.set(`Claim #${disputeId} raised in block ${block}.`, "ok");
        } catch (err) {
          status.set(explain(err), "error");
          send.disabled = false;
        }
      });
      open.replaceWith(h("div", null,
        h("p", { class: "small" }, "The uploader registered ", h("a", { href: `#/work/${claim.asset_id}` }, `work #${claim.asset_id}`),
          `, a possible copy of yours. The claim names your work #${claim.claimant_asset_id} as the original; the owner has ${windowWords(terms.responseWindow)} to answer.`),
        h("p", { class: "small" }, "Evidence hash (recorded on-chain): ", h("code", { class: "hash", "data-testid": "report-evidence-hash" }, claim.evidence_hash), " · ",
          h("a", { href: URL.createObjectURL(evidence), download: `genip-report-${report.id}.json` }, "Save the evidence (keep it for the arbiter)")),
        send));
    } catch (err) {
      status.set(explain(err), "error");
      open.disabled = false;
    }
  });
  clear(box, open, status);
  return box;
}

function row(report: Report, cfg: Config): HTMLElement {
  const li = h("li", { class: "my-work", "data-testid": "report-row", "data-report": report.id });
  const status = statusLine();
  const render = (r: Report) => {
    const actions = r.state === "open"
      ? h("p", { class: "row", "data-testid": "report-actions" }, (["keep", "flag", "take_down"] as const).map((action) => {
        const button = h("button", { type: "button", class: `btn small ${action === "take_down" ? "warn" : "secondary"}`, "data-action": action },
          action === "keep" ? "Keep" : action === "flag" ? "Flag" : "Take down");
        button.addEventListener("click", async () => {
          for (const b of li.querySelectorAll("button[data-action]")) (b as HTMLButtonElement).disabled = true;
          status.set("Confirm in your wallet…", "pending");
          try {
            render(await resolve(r, action));
            status.set(`Answered; ${r.platform} is told.`, "ok");
          } catch (err) {
            status.set(explain(err), "error");
            for (const b of li.querySelectorAll("button[data-action]")) (b as HTMLButtonElement).disabled = false;
          }
        });
        return button;
      }))
      : h("p", { class: "small", "data-testid": "report-resolution" },
        `${RESOLVED[r.resolution ?? ""] ?? "Answered"}${r.resolved_at ? ` on ${when(r.resolved_at)}` : ""}.`);
    clear(li,
      h("h3", { style: "margin:0 0 .2rem" }, h("a", { href: `#/work/${r.asset_id}` }, r.title || `Work #${r.asset_id}`)),
      h("p", { class: "small", "data-testid": "report-facts" },
        `${r.platform} · post `, h("code", null, r.post_id), ` · ${VERDICTS[r.verdict]} · reported ${when(r.created_at)}`),
      r.uploader ? h("p", { class: "muted small" }, "Uploaded by ", h("code", null, r.uploader)) : null,
      actions, r.state === "open" ? claimControl(r, cfg) : null, status);
  };
  render(report);
  return li;
}

/** The "Reports about your works" section: hidden behind a signature, since reports name a platform's users. */
export function reportsSection(cfg: Config): HTMLElement {
  const body = h("div");
  const status = statusLine();
  const show = h("button", { type: "button", class: "btn secondary", "data-testid": "show-reports" }, "Show reports");
  show.addEventListener("click", async () => {
    show.disabled = true;
    status.set("Sign the request in your wallet…", "pending");
    try {
      const found = await fetchReports();
      status.set("", "");
      show.textContent = "Refresh reports";
      clear(body, found.length
        ? h("ul", { class: "my-works", "data-testid": "reports" }, found.map((r) => row(r, cfg)))
        : h("p", { class: "muted", "data-testid": "reports-none" }, "No platform has reported a post of your works."));
    } catch (err) {
      status.set(explain(err), "error");
    } finally {
      show.disabled = false;
    }
  });
  return h("section", { "aria-labelledby": "reports-h", "data-testid": "my-reports" },
    h("h2", { id: "reports-h" }, "Reports about your works"),
    h("p", { class: "muted small" }, "Posts that platforms found using your works. They name the platforms' users, so your wallet signs to see them."),
    show, status, body);
}
