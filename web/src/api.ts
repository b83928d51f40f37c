// The JSON API (api/schemas.py) as the page uses it. Amounts are decimal strings; keep them as bigint.
// Hand-written for now (the style guide wants them generated from the OpenAPI document). `standing`,
// `asset_status` and `purchasable` are the API's decisions (api/schemas.py); src/standing.ts only words them.

import type { Address } from "viem";

export interface Currency { address: Address; symbol: string; decimals: number }
export interface TermsTemplate { document_hash: string; document_uri: string; rev_share_bps: number }
export interface Config {
  chain_id: number; chain_id_hex: string; registry: Address; hub: Address; license_token: Address; court?: Address;
  demo_token: string | null; deploy_block: number; fee_bps: number; currencies: Currency[];
  terms: Record<string, TermsTemplate>; max_upload_bytes: number;
}
export interface AssetSummary {
  asset_id: number; kind: string; title: string | null; description: string | null; tags: string[] | null;
  creator: string; owner: string; registered_at: number; block_number: number; metadata_cid: string;
  media_cid: string | null; media_type: string | null; is_derivative: boolean; children_count: number;
  licenses_sold: number; min_price: string | null;
  /** The hub's standing: clear | disputed | upheld | tainted. */
  standing: string;
  /** What the licence rules make of it: active | expired | disputed | upheld | tainted. */
  asset_status: string;
  /** Unix time a derivative's rights end (the shortest parent licence); 0 = never. */
  expires_at: number;
  /** A licence can be bought now (the API's decision). */
  purchasable: boolean;
}
export interface Facets { kind: Record<string, number>; tier: Record<string, number>; standing: Record<string, number> }
export interface AssetsPage {
  data: AssetSummary[]; count: number; limit: number; offset: number; next_cursor: string | null;
  facets: Facets | null; as_of_block: number;
}
export interface Terms {
  terms_id: number; tier: string; commercial_use: boolean; derivatives_allowed: boolean; transferable: boolean;
  rev_share_bps: number; document_hash: string; document_uri: string;
}
export interface Offer {
  offer_id: number; tier: string; currency: string; price: string; duration: number; supply_cap: number;
  sold: number; paused: boolean; available: boolean; terms: Terms | null;
  /** The seller no longer owns the certificate. */
  lapsed: boolean;
  /** The API's decision: `buyLicense` would succeed now (available, not lapsed, asset clear and not expired). */
  purchasable: boolean;
}
export interface Dispute {
  dispute_id: number; asset_id: number; claimant: string; claimant_asset_id: number | null; status: "open" | "cleared" | "upheld";
  reversed: boolean; final: boolean; raised_at: string; answer_deadline: string; answered: boolean;
  resolved_at: string | null; final_at: string | null; answer_open: boolean;
}
export interface Edge { asset_id: number; title: string | null; share_bps: number; license_id: number }
export interface Asset extends AssetSummary {
  registrar: string; tx_hash: string; content_hash: string; perceptual_hash: string; prompt_commitment: string;
  royalty_stack_bps: number; depth: number; metadata_status: string; metadata: Record<string, any> | null;
  prompt_check: { status: string; checker: string | null; block_number: number | null };
  standing_dispute_id: number | null; disputes: Dispute[]; offers: Offer[]; licenses: { total: number; valid: number };
  parents: Edge[]; children: Edge[]; as_of_block: number;
  /** For images: an earlier registration by another creator that matches (the API's rule), or null. */
  possible_original?: PossibleOriginal | null;
}
export interface PossibleOriginal {
  asset_id: number; title: string | null; creator: string; owner: string; block_number: number;
  method: string; distance: number | null; correlation?: number | null; inliers?: number | null;
}
export interface WorkRef {
  asset_id: number; title: string | null; creator: string; owner: string; block_number: number;
  content_hash: string; perceptual_hash: string;
}
/** GET /assets/{id}/copy-evidence?original=: the evidence, in words and as the hash the court records. */
export interface CopyEvidence {
  asset: WorkRef; original: WorkRef; earlier_asset_id: number; blocks_later: number; same_creator: boolean;
  possible_original: boolean;
  match: { method: string; distance: number | null; correlation: number | null; inliers: number | null; confidence: number };
  sentence: string; evidence: Record<string, unknown>; evidence_hash: string; as_of_block: number;
}
export interface LineageNode {
  asset_id: number; title: string | null; kind: string; creator: string; depth: number;
  relation: "self" | "ancestor" | "descendant"; effective_share_bps: number | null;
}
export interface Lineage {
  asset_id: number; royalty_stack_bps: number; nodes: LineageNode[];
  edges: { child_id: number; parent_id: number; share_bps: number; license_id: number }[]; truncated: boolean;
}
export interface LicenseStatus {
  asset: number; account: string; use: string; licensed: boolean; license_ids: number[];
  expires_at: number | null; as_of_block: number; asset_status: string;
}
export interface LicenseHeld {
  license_id: number; asset_id: number; tier: string; commercial_use: boolean; derivatives_allowed: boolean;
  expires_at: number; valid: boolean;
}
export interface Balance { currency: string; credited: string; withdrawn: string; balance: string }
export interface Account {
  address: string; works_created: AssetSummary[]; works_created_count: number; licenses_held: LicenseHeld[];
  licenses_held_count: number; balances: Balance[]; as_of_block: number;
}
export interface Upload {
  kind: string; cid: string; sha256: string; size: number; media_type: string;
  perceptual_hash: { algorithm: string; value: string; quality: number | null } | null;
  details: Record<string, unknown>; near_duplicates: NearDuplicate[];
}
export interface NearDuplicate {
  asset_id: number; distance: number | null; title?: string | null; creator?: string | null; message?: string;
}
export interface MatchCandidate { asset_id: number; distance?: number | null; method?: string; inliers?: number | null; correlation?: number | null; title?: string | null; [k: string]: unknown }
export interface MatchResult { candidates: MatchCandidate[]; verdict: string; status?: unknown }

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function parse<T>(response: Response): Promise<T> {
  if (!response.ok) {
    let detail = `${response.status} ${response.statusText}`;
    try {
      const body = await response.json();
      if (body?.detail) detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
    } catch {
      /* not JSON */
    }
    throw new ApiError(response.status, detail);
  }
  return (await response.json()) as T;
}

export async function get<T>(path: string, fresh = false): Promise<T> {
  return parse<T>(await fetch(path, { cache: fresh ? "no-store" : "default", headers: { Accept: "application/json" } }));
}

export async function post<T>(path: string, body: unknown): Promise<T> {
  return parse<T>(
    await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
  );
}

export async function postForm<T>(path: string, form: FormData): Promise<T> {
  return parse<T>(await fetch(path, { method: "POST", body: form }));
}

let configPromise: Promise<Config> | null = null;
export function config(): Promise<Config> {
  configPromise ??= get<Config>("/config").catch((err) => {
    configPromise = null;
    throw err;
  });
  return configPromise;
}

export const mediaUrl = (cid: string) => `/ipfs/${encodeURIComponent(cid)}`;
