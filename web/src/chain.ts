// Contract calls the page makes through the wallet, ABI-encoded by viem against the `as const` ABIs generated from
// genip/abi (so a changed contract signature is a type error at build time), and the two hashes the browser
// computes itself: the registration leaf and the creator-bound prompt commitment.

import {
  decodeEventLog,
  encodeAbiParameters,
  encodeFunctionData,
  keccak256,
  toBytes,
  toHex,
  zeroAddress,
  type Address,
  type Hex,
} from "viem";
import type { Config, KindConfig, Offer, Tier } from "./api";
import { AlreadyRegisteredError, HUB_ABI, REGISTRY_ABI, TOKEN_ABI, WalletError, sleep, wallet, type Receipt } from "./wallet";

export const ZERO: Address = zeroAddress;

/** Domain tag of single-prompt commitments: GenIPRegistry.PROMPT_DOMAIN. */
export const PROMPT_DOMAIN: Hex = keccak256(toBytes("Gen-IP prompt commitment v2"));

export async function tokenBalance(token: Address, account: Address): Promise<bigint> {
  return wallet.reader.readContract({ address: token, abi: TOKEN_ABI, functionName: "balanceOf", args: [account] });
}

export async function withdrawable(cfg: Config, account: Address, currency: Address): Promise<bigint> {
  return wallet.reader.readContract({ address: cfg.hub, abi: HUB_ABI, functionName: "balanceOf", args: [account, currency] });
}

/** The arguments of the first `eventName` that `address` emitted in `receipt`. */
function firstEvent<const abi extends typeof HUB_ABI | typeof REGISTRY_ABI>(
  receipt: Receipt,
  address: Address,
  abi: abi,
  eventName: string,
): Record<string, unknown> | null {
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== address.toLowerCase()) continue;
    try {
      const decoded = decodeEventLog({ abi, data: log.data, topics: log.topics as [Hex, ...Hex[]] });
      if (decoded.eventName === eventName) return decoded.args as unknown as Record<string, unknown>;
    } catch {
      /* another event */
    }
  }
  return null;
}

export type Step = (text: string) => void;

/** Buys a licence under `offer` for the connected account (no referring platform): checks funds, approves the
 * ERC-20 if needed. `sent` hears the purchase transaction's hash as soon as the wallet sent it: from then on a
 * failure (a receipt wait that times out, an unreachable RPC) does not mean nothing was bought. */
export async function buyLicense(
  offer: Pick<Offer, "offer_id" | "price" | "currency">,
  step: Step,
  sent?: (hash: Hex) => void,
): Promise<{ licenseId: bigint; block: number; account: Address }> {
  step("Checking your wallet…");
  const { account, cfg } = await wallet.ready();
  const price = BigInt(offer.price);
  const currency = offer.currency as Address;
  let value = 0n;
  if (currency.toLowerCase() === ZERO) {
    if ((await wallet.balance(account)) < price) throw new WalletError("Insufficient funds: your ETH balance is lower than the price.");
    value = price;
  } else {
    if ((await tokenBalance(currency, account)) < price) {
      throw new WalletError("Insufficient funds: your token balance is lower than the price.");
    }
    const allowance = await wallet.reader.readContract({ address: currency, abi: TOKEN_ABI, functionName: "allowance", args: [account, cfg.hub] });
    if (allowance < price) {
      step("Approve the payment token in your wallet…");
      const hash = await wallet.send({
        to: currency,
        data: encodeFunctionData({ abi: TOKEN_ABI, functionName: "approve", args: [cfg.hub, price] }),
      });
      step("Approval pending…");
      await wallet.receipt(hash);
    }
  }
  step("Confirm the purchase in your wallet…");
  const hash = await wallet.send({
    to: cfg.hub,
    data: encodeFunctionData({ abi: HUB_ABI, functionName: "buyLicense", args: [BigInt(offer.offer_id), account, ZERO] }),
    value,
  });
  sent?.(hash);
  step(`Pending: transaction ${hash.slice(0, 10)}… sent, waiting for a block.`);
  const receipt = await wallet.receipt(hash);
  const event = firstEvent(receipt, cfg.hub, HUB_ABI, "LicensePurchased");
  return { licenseId: (event?.licenseId as bigint | undefined) ?? 0n, block: receipt.blockNumber, account };
}

/** What purchase transaction `hash` came to: the licence it bought once mined (0n if it bought none), "reverted",
 * or null while it is pending (or unknown to the node). */
export async function purchaseOutcome(hash: Hex): Promise<bigint | "reverted" | null> {
  const { cfg } = await wallet.ready();
  const receipt = await wallet.receiptOf(hash);
  if (!receipt) return null;
  if (!receipt.ok) return "reverted";
  return (firstEvent(receipt, cfg.hub, HUB_ABI, "LicensePurchased")?.licenseId as bigint | undefined) ?? 0n;
}

/** 32 random bytes from the browser's CSPRNG. */
export function randomSalt(): Hex {
  return toHex(crypto.getRandomValues(new Uint8Array(32)));
}

/** Python's `str.strip()` whitespace (`str.isspace`), which differs from JavaScript's `trim()`: it strips
 * U+001C–U+001F and U+0085 and keeps U+FEFF, so a prompt ending in one of them would commit to other text. */
const PY_SPACE = "[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const PY_STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, "g");

/** A prompt as genip.prompts.normalize_prompt makes it: `\n` line endings, Unicode NFC, stripped as Python strips. */
export function normalizePrompt(prompt: string): string {
  return prompt.replace(/\r\n?/g, "\n").normalize("NFC").replace(PY_STRIP, "");
}

/** GenIPRegistry.promptCommitmentFor: keccak256(abi.encode(PROMPT_DOMAIN, creator, salt, keccak256(prompt))). */
export function promptCommitment(creator: Address, prompt: string, salt: Hex): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "address" }, { type: "bytes32" }, { type: "bytes32" }],
      [PROMPT_DOMAIN, creator, salt, keccak256(toBytes(prompt))],
    ),
  );
}

/** Commits `creator` to the normalised prompt with a fresh salt (the salt is the creator's to keep). */
export function commitPrompt(creator: Address, prompt: string): { salt: Hex; commitment: Hex; prompt: string } {
  const text = normalizePrompt(prompt);
  const salt = randomSalt();
  return { salt, commitment: promptCommitment(creator, text, salt), prompt: text };
}

/** GenIPRegistry.registrationLeaf: keccak256(abi.encode(creator, contentHash, salt)). */
export function registrationLeaf(creator: Address, contentHash: Hex, salt: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: "address" }, { type: "bytes32" }, { type: "bytes32" }], [creator, contentHash, salt]));
}

/** The certificate that already holds this exact content, or 0n. */
export async function existingCertificate(cfg: Config, contentHash: Hex): Promise<bigint> {
  return wallet.reader.readContract({ address: cfg.registry, abi: REGISTRY_ABI, functionName: "assetOf", args: [contentHash] });
}

export type RegisterStage = "commit" | "wait" | "register";
export type RegisterProgress = (stage: RegisterStage, detail?: string) => void;

export interface WorkToRegister {
  /** The kind as GET /config states it (its `value` is the contracts' number for it). */
  kind: KindConfig;
  sha256: Hex;
  perceptualHash: Hex;
  commitment: Hex;
  metadataCid: string;
}

/** The registry's `Work` struct as the ABI types it. */
type RegistryWork = {
  kind: number;
  contentHash: Hex;
  perceptualHash: Hex;
  promptCommitment: Hex;
  metadataCid: string;
};

/** Registration salts committed but not yet revealed in this tab, by creator and content, so that a retry after a
 * rejected second signature reuses the commitment instead of paying for another. */
const pending = new Map<string, Hex>();

/**
 * Commit, then reveal: `commit(leaf)` (first signature), wait until the chain is past the commitment's block (the
 * registry refuses a reveal in the same block, and wallets simulate against the latest block), then the reveal
 * `reveal(salt)` builds (second signature). The leaf binds creator, content and a fresh secret salt, so nobody who
 * sees the commitment, or the reveal in the mempool, can take the certificate. The same leaf opens a registration
 * as an original or as a derivative, so a commitment left by one serves a retry by the other.
 */
async function commitThenReveal(
  work: WorkToRegister,
  progress: RegisterProgress,
  reveal: (cfg: Config, args: readonly [RegistryWork, Hex, readonly Hex[]]) => { to: Address; data: Hex },
): Promise<{ assetId: bigint; block: number }> {
  const { account, cfg } = await wallet.ready();
  const existing = await existingCertificate(cfg, work.sha256);
  if (existing !== 0n) throw new AlreadyRegisteredError(existing);
  const key = `${account.toLowerCase()}:${work.sha256}`;
  let salt = pending.get(key);
  let committedAt = 0;
  if (salt) {
    const [block] = await wallet.reader.readContract({
      address: cfg.registry, abi: REGISTRY_ABI, functionName: "commitmentOf", args: [registrationLeaf(account, work.sha256, salt)],
    });
    committedAt = Number(block);
  }
  if (!salt || committedAt === 0) {
    salt = randomSalt();
    const leaf = registrationLeaf(account, work.sha256, salt);
    progress("commit", "Sign the commitment in your wallet…");
    const hash = await wallet.send({ to: cfg.registry, data: encodeFunctionData({ abi: REGISTRY_ABI, functionName: "commit", args: [leaf] }) });
    progress("commit", `Commitment ${hash.slice(0, 10)}… sent, waiting for a block.`);
    committedAt = (await wallet.receipt(hash)).blockNumber;
    pending.set(key, salt);
  }
  progress("wait", `Committed in block ${committedAt}; waiting for block ${committedAt + 1}.`);
  const started = Date.now();
  while (Number(await wallet.reader.getBlockNumber({ cacheTime: 0 })) <= committedAt) {
    if (Date.now() - started > 600_000) {
      throw new WalletError("No new block for 10 minutes; your commitment stays valid for 7 days, so try again later.");
    }
    await sleep(1000);
  }
  progress("register", "Sign the registration in your wallet…");
  const onChain: RegistryWork = {
    kind: work.kind.value,
    contentHash: work.sha256,
    perceptualHash: work.perceptualHash,
    promptCommitment: work.commitment,
    metadataCid: work.metadataCid,
  };
  const hash = await wallet.send(reveal(cfg, [onChain, salt, []]));
  progress("register", `Registration ${hash.slice(0, 10)}… sent, waiting for a block.`);
  const receipt = await wallet.receipt(hash);
  pending.delete(key);
  const event = firstEvent(receipt, cfg.registry, REGISTRY_ABI, "WorkRegistered");
  if (!event) throw new WalletError("The registration was mined but the registry reported no certificate.");
  return { assetId: event.assetId as bigint, block: receipt.blockNumber };
}

/** Registers `work` as an original: commit, wait, then `register(work, salt, [])` on the registry. */
export async function registerWork(work: WorkToRegister, progress: RegisterProgress): Promise<{ assetId: bigint; block: number }> {
  return commitThenReveal(work, progress, (cfg, args) => ({
    to: cfg.registry,
    data: encodeFunctionData({ abi: REGISTRY_ABI, functionName: "register", args }),
  }));
}

/** Registers `work` as a derivative under `licenseIds` (licences the account holds that allow derivatives, one per
 * parent): commit, wait, then `registerDerivative(licenseIds, work, salt, [])` on the hub, which records the
 * parents and uses single-use (extended) licences up for derivatives; a generation licence stays usable. */
export async function registerDerivative(
  work: WorkToRegister,
  licenseIds: readonly bigint[],
  progress: RegisterProgress,
): Promise<{ assetId: bigint; block: number }> {
  return commitThenReveal(work, progress, (cfg, [onChain, salt, proof]) => ({
    to: cfg.hub,
    data: encodeFunctionData({ abi: HUB_ABI, functionName: "registerDerivative", args: [licenseIds, onChain, salt, proof] }),
  }));
}

export async function createOffer(
  assetId: number | bigint,
  o: { tier: Tier; currency: Address; price: bigint; durationDays: number; supplyCap: number; revShareBps?: number },
  step: Step,
): Promise<number> {
  const { cfg } = await wallet.ready();
  const template = cfg.terms[o.tier];
  if (!template) throw new WalletError(`This marketplace publishes no ${o.tier} licence terms.`);
  // The tier's preset terms as the server states them (GET /config); only the revenue share of a tier that allows
  // derivatives is the creator's to choose (the preset's by default).
  const terms = {
    tier: template.value,
    commercialUse: template.commercial_use,
    derivativesAllowed: template.derivatives_allowed,
    transferable: template.transferable,
    revShareBps: template.derivatives_allowed ? (o.revShareBps ?? template.rev_share_bps) : template.rev_share_bps,
    documentHash: template.document_hash as Hex,
    documentUri: template.document_uri,
  };
  step("Confirm the new offer in your wallet…");
  const hash = await wallet.send({
    to: cfg.hub,
    data: encodeFunctionData({
      abi: HUB_ABI,
      functionName: "createOffer",
      args: [BigInt(assetId), terms, o.currency, o.price, o.durationDays * 86400, o.supplyCap],
    }),
  });
  step("Offer pending…");
  const receipt = await wallet.receipt(hash);
  return receipt.blockNumber;
}

export async function setOfferPaused(offerId: number, paused: boolean, step: Step): Promise<number> {
  const { cfg } = await wallet.ready();
  step(`Confirm ${paused ? "pausing" : "resuming"} the offer in your wallet…`);
  const hash = await wallet.send({
    to: cfg.hub,
    data: encodeFunctionData({ abi: HUB_ABI, functionName: "setOfferPaused", args: [BigInt(offerId), paused] }),
  });
  return (await wallet.receipt(hash)).blockNumber;
}

export async function withdraw(currency: Address, step: Step): Promise<number> {
  const { cfg } = await wallet.ready();
  step("Confirm the withdrawal in your wallet…");
  const hash = await wallet.send({
    to: cfg.hub,
    data: encodeFunctionData({ abi: HUB_ABI, functionName: "withdraw", args: [currency] }),
  });
  step("Withdrawal pending…");
  return (await wallet.receipt(hash)).blockNumber;
}
