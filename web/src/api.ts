// The JSON API as the page uses it. Every shape is generated from the API's OpenAPI document
// (src/generated/api.ts, written by `python scripts/export_openapi.py`; a test fails when it is stale), so a
// renamed field or a new enum value is a `tsc` error here, never a silent `undefined`. Amounts are decimal strings;
// keep them as bigint. `standing`, `asset_status` and `purchasable` are the API's decisions; src/standing.ts only
// words them.

import type { Address } from "viem";
import type { components } from "./generated/api";

type Schemas = components["schemas"];
/** `T` with the fields `K` (addresses the API states as EIP-55 strings) typed as viem's `Address`. */
type WithAddresses<T, K extends keyof T> = Omit<T, K> & { [P in K]: null extends T[P] ? Address | null : Address };

export type Currency = WithAddresses<Schemas["Currency"], "address">;
/** GET /config: the deployment, and the server's facts the page renders its forms from (it copies none). */
export type Config = WithAddresses<
  Omit<Schemas["ChainConfig"], "currencies">,
  "registry" | "hub" | "license_token" | "court" | "demo_token"
> & { currencies: Currency[] };
export type TermsTemplate = Schemas["TermsTemplate"];
export type KindConfig = Schemas["KindConfig"];
export type Kind = KindConfig["kind"];
export type Tier = TermsTemplate["tier"];
export type Use = Config["uses"][number];
export type AssetSummary = Schemas["AssetSummary"];
/** What the licence rules make of an asset (the API's `asset_status`). */
export type AssetStatus = AssetSummary["asset_status"];
export type AssetsPage = Schemas["AssetsPublic"];
export type Offer = Schemas["OfferPublic"];
export type Dispute = Schemas["DisputePublic"];
export type Asset = Schemas["AssetPublic"];
/** GET /assets/{id}/copy-evidence?original=: the evidence, in words and as the hash the court records. */
export type CopyEvidence = Schemas["CopyEvidence"];
export type Lineage = Schemas["LineagePublic"];
export type LicenseStatus = Schemas["LicenseStatus"];
export type Account = Schemas["AccountPublic"];
export type Upload = Schemas["UploadResult"];
export type NearDuplicate = Schemas["NearDuplicate"];
export type MetadataRequest = Schemas["MetadataRequest"];
export type MetadataStored = Schemas["MetadataStored"];
export type MatchCandidate = Schemas["MatchCandidate"];
export type MatchResult = Schemas["MatchResult"];
export type Verdict = MatchResult["verdict"];

/** A live offer on a resource that licenses derivatives (`POST /uploads` `resources_used[].offers`). */
export type ResourceOffer = Schemas["ResourceOfferOut"];
/** A registered resource (model, LoRA, workflow, prompt) the uploaded file says it was made with. */
export type ResourceUsed = Schemas["ResourceUsed"];
export type PromptHashes = Schemas["PromptHashes"];
/** A declaration sent with the metadata: the work is not derived from a resource its file names, and why. */
export type NotDerivedFrom = Schemas["NotDerivedFromIn"];

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

export async function postForm<T>(path: string, form: FormData, headers?: Record<string, string>): Promise<T> {
  return parse<T>(await fetch(path, { method: "POST", body: form, headers }));
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
