// The injected EIP-1193 wallet (window.ethereum): connect, check the network, send transactions, wait for
// receipts, and turn wallet and contract errors into sentences. Reads go through viem's public client over the
// same provider, typed by the `as const` ABIs exported from genip/abi (src/generated/abi.ts, scripts/export_artifacts.py).

import { createPublicClient, custom, decodeErrorResult, toHex, type Address, type Hex, type Log, type PublicClient } from "viem";
import { COURT_ABI, HUB_ABI, REGISTRY_ABI, TOKEN_ABI } from "./generated/abi";
import { ApiError, config, type Config } from "./api";
import { apiSentence, contractSentence, looksRaw, REFUSED } from "./errors";
import { units } from "./format";

export { HUB_ABI, REGISTRY_ABI, TOKEN_ABI };

interface Eip1193 {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
  on?(event: string, listener: (...args: never[]) => void): void;
}

declare global {
  interface Window {
    ethereum?: Eip1193;
  }
}

type Listener = () => void;

/** An error whose message is already a sentence for the user; `reason` names the contract error behind it,
 * when there was one, so that a flow can word it for its own context. */
export class WalletError extends Error {
  constructor(message: string, readonly reason?: string) {
    super(message);
  }
}

/** The user declined a request in the wallet. */
export class RejectedError extends WalletError {
  constructor() {
    super("You rejected the request in your wallet. Nothing was sent.");
  }
}

/** A registration refused because the exact file already has a certificate (the page links to it). */
export class AlreadyRegisteredError extends WalletError {
  constructor(readonly assetId: bigint) {
    super(`This exact file is already certificate #${assetId}.`);
  }
}

export interface Receipt {
  blockNumber: number;
  logs: { address: string; topics: Hex[]; data: Hex }[];
}

let reader: PublicClient | null = null;

export const wallet = {
  account: null as Address | null,
  chainId: null as number | null,
  listeners: new Set<Listener>(),

  get provider(): Eip1193 | undefined {
    return window.ethereum;
  },

  /** The wallet's provider, or a sentence saying there is none. */
  get required(): Eip1193 {
    const p = window.ethereum;
    if (!p) throw new WalletError("No wallet found. Install a browser wallet (such as MetaMask) and reload the page.");
    return p;
  },

  /** viem's typed reads (`readContract`, `getBlockNumber`) over the wallet's provider. */
  get reader(): PublicClient {
    reader ??= createPublicClient({ transport: custom(this.required) });
    return reader;
  },

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  },

  notify(): void {
    for (const l of this.listeners) l();
  },

  async init(): Promise<void> {
    const p = this.provider;
    if (!p) return;
    p.on?.("accountsChanged", (accounts: Address[]) => {
      this.account = accounts[0] ?? null;
      this.notify();
    });
    p.on?.("chainChanged", (id: string) => {
      this.chainId = Number(id);
      this.notify();
    });
    try {
      const accounts = (await p.request({ method: "eth_accounts" })) as Address[];
      this.account = accounts[0] ?? null;
      this.chainId = Number(await p.request({ method: "eth_chainId" }));
    } catch {
      /* a wallet that is locked answers later, on connect */
    }
    this.notify();
  },

  async connect(): Promise<Address> {
    const p = this.required;
    try {
      const accounts = (await p.request({ method: "eth_requestAccounts" })) as Address[];
      this.account = accounts[0] ?? null;
      this.chainId = Number(await p.request({ method: "eth_chainId" }));
    } catch (err) {
      throw new WalletError(explain(err));
    }
    this.notify();
    if (!this.account) throw new WalletError("The wallet shared no account.");
    return this.account;
  },

  /** Connected, on the deployment's chain: the account; otherwise a clear error. */
  async ready(): Promise<{ account: Address; cfg: Config }> {
    const cfg = await config();
    const account = this.account ?? (await this.connect());
    this.chainId = Number(await this.required.request({ method: "eth_chainId" }));
    if (this.chainId !== cfg.chain_id) {
      throw new WalletError(
        `Wrong network: your wallet is on chain ${this.chainId}, this marketplace is on chain ${cfg.chain_id}. Switch network in your wallet and try again.`,
      );
    }
    return { account, cfg };
  },

  async switchChain(): Promise<void> {
    const cfg = await config();
    try {
      await this.required.request({ method: "wallet_switchEthereumChain", params: [{ chainId: cfg.chain_id_hex }] });
      this.chainId = cfg.chain_id;
      this.notify();
    } catch (err) {
      throw new WalletError(explain(err));
    }
  },

  async balance(account: Address): Promise<bigint> {
    return this.reader.getBalance({ address: account });
  },

  /** Simulates, then sends a transaction from the connected account; resolves with its hash. */
  async send(tx: { to: Address; data: Hex; value?: bigint }): Promise<Hex> {
    const { account } = await this.ready();
    const params = { from: account, to: tx.to, data: tx.data, value: `0x${(tx.value ?? 0n).toString(16)}` };
    try {
      await this.required.request({ method: "eth_call", params: [params, "latest"] });
    } catch (err) {
      throw asWalletError(err);
    }
    // A wallet without gas money hears so in a sentence before anything is signed.
    let funds: { short: string | null; gas: bigint };
    try {
      funds = await gasShortfall(this.required, params);
    } catch (err) {
      throw asWalletError(err);
    }
    if (funds.short) throw new WalletError(funds.short, "InsufficientGas");
    // The limit carries headroom over the bare estimate, as wallets do: a licence purchase that pays several
    // ancestors can need more gas than `eth_estimateGas` reported a block earlier.
    const gas = `0x${((funds.gas * GAS_HEADROOM_PERCENT) / 100n).toString(16)}`;
    try {
      return (await this.required.request({ method: "eth_sendTransaction", params: [{ ...params, gas }] })) as Hex;
    } catch (err) {
      throw asWalletError(err);
    }
  },

  /** The receipt of `hash` once mined (`ok` false when it reverted), or null while it is pending or unknown. */
  async receiptOf(hash: Hex): Promise<(Receipt & { ok: boolean }) | null> {
    const r = (await this.required.request({ method: "eth_getTransactionReceipt", params: [hash] })) as
      | { status: Hex; blockNumber: Hex; logs: Log[] }
      | null;
    if (!r) return null;
    return {
      ok: r.status === "0x1",
      blockNumber: Number(r.blockNumber),
      logs: r.logs.map((l) => ({ address: l.address, topics: l.topics, data: l.data })),
    };
  },

  /** Waits for `hash` to be mined; a reverted transaction is a `WalletError` with reason "Reverted". */
  async receipt(hash: Hex, timeoutMs = 120_000): Promise<Receipt> {
    const started = Date.now();
    for (;;) {
      const r = await this.receiptOf(hash);
      if (r) {
        if (!r.ok) throw new WalletError("The transaction was mined but failed: nothing changed.", "Reverted");
        return { blockNumber: r.blockNumber, logs: r.logs };
      }
      if (Date.now() - started > timeoutMs) throw new WalletError("The transaction is taking long to confirm; check your wallet.");
      await sleep(400);
    }
  },
};

/** What a wallet without enough ETH for gas is told. */
export const NO_GAS = "Your wallet does not hold enough ETH to pay for this transaction's gas. Add ETH to it and try again.";

/** The gas limit sent, in percent of `eth_estimateGas`. */
const GAS_HEADROOM_PERCENT = 130n;

/** The estimated gas of `params`, and a sentence when `account` cannot pay `value` plus that gas (else null). */
async function gasShortfall(
  p: Eip1193,
  params: { from: Address; to: Address; data: Hex; value: string },
): Promise<{ short: string | null; gas: bigint }> {
  const [balance, gas, price] = await Promise.all([
    p.request({ method: "eth_getBalance", params: [params.from, "latest"] }),
    p.request({ method: "eth_estimateGas", params: [params] }),
    p.request({ method: "eth_gasPrice" }),
  ]);
  const have = BigInt(balance as string);
  const value = BigInt(params.value);
  const estimate = BigInt(gas as string);
  const need = value + estimate * BigInt(price as string);
  if (have >= need) return { short: null, gas: estimate };
  const eth = (wei: bigint) => units(wei, 18);
  if (have < value) return { short: `Insufficient funds: the price is ${eth(value)} ETH and your wallet holds ${eth(have)} ETH.`, gas: estimate };
  const faucet = (await config().catch(() => null))?.faucet ? " On this demo, “Get test funds” at the top of the page sends you some." : "";
  const short = `${have === 0n ? "Your wallet holds no ETH" : `Your wallet holds ${eth(have)} ETH`}, and this transaction needs about ${eth(need)} ETH${value ? " (the price plus gas)" : " for gas"}. Add ETH to it and try again.${faucet}`;
  return { short, gas: estimate };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function hexData(err: unknown): Hex | null {
  let e = err as { data?: unknown; cause?: unknown; error?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    const data = e.data as { data?: unknown; originalError?: { data?: unknown } } | string | undefined;
    const d = typeof data === "object" && data !== null ? (data.data ?? data.originalError?.data) : data;
    if (typeof d === "string" && d.startsWith("0x") && d.length >= 10) return d as Hex;
    e = (e.cause ?? e.error) as typeof e;
  }
  return null;
}

/** The contract error inside a wallet or RPC error, decoded against the page's ABIs. */
export function contractError(err: unknown): { name: string; args: readonly unknown[] } | null {
  const data = hexData(err);
  if (!data) return null;
  for (const abi of [REGISTRY_ABI, HUB_ABI, TOKEN_ABI, COURT_ABI]) {
    try {
      const decoded = decodeErrorResult({ abi, data });
      return { name: decoded.errorName, args: (decoded.args ?? []) as readonly unknown[] };
    } catch {
      /* not this contract's error */
    }
  }
  return null;
}

/** The error as a `WalletError` (an exact duplicate as `AlreadyRegisteredError`, carrying the certificate). */
function asWalletError(err: unknown): WalletError {
  if (rejected(err)) return new RejectedError();
  const decoded = contractError(err);
  if (decoded?.name === "ContentAlreadyRegistered" && typeof decoded.args[1] === "bigint") {
    return new AlreadyRegisteredError(decoded.args[1]);
  }
  return new WalletError(explain(err), decoded?.name);
}

function rejected(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null | undefined;
  return e?.code === 4001 || /user (rejected|denied)/i.test(String(e?.message ?? ""));
}

/** A sentence for a wallet or contract error. `afterSend`: a transaction was already sent, so the sentence must not
 * claim "nothing was changed" (it may have been mined). */
export function explain(err: unknown, afterSend = false): string {
  const sentence = errorSentence(err);
  return afterSend ? sentence.replace(/[;:,]\s*nothing (?:was )?changed\.$/i, ".") : sentence;
}

function errorSentence(err: unknown): string {
  if (err instanceof WalletError) return err.message;
  if (err instanceof ApiError) return apiSentence(err.message); // the server's own words, dates made readable
  const e = err as { code?: unknown; message?: unknown } | null | undefined;
  const message = String(e?.message ?? err);
  if (rejected(err)) return new RejectedError().message;
  if (e?.code === 4902) return "Your wallet does not know this network; add it in your wallet first.";
  if (e?.code === 4100) return "The wallet has not authorised this site; connect again.";
  const decoded = contractError(err);
  if (decoded) {
    const friendly = contractSentence(decoded.name, decoded.args);
    if (friendly) return friendly;
    console.warn("contract error without a sentence:", decoded.name, decoded.args);
    return REFUSED;
  }
  if (/insufficient funds/i.test(message)) return NO_GAS;
  const named = /(?:custom error|reverted with)[^A-Za-z]*([A-Z][A-Za-z0-9]+)/.exec(message)?.[1];
  if (named) return contractSentence(named) ?? REFUSED;
  if (/failed to fetch|networkerror|load failed/i.test(message)) return "The chain could not be reached; check your wallet's network and try again.";
  // Raw RPC or revert text is logged for developers, never shown.
  if (looksRaw(message)) {
    console.warn("wallet error:", message);
    return /revert/i.test(message) ? REFUSED : "The wallet could not complete the request; nothing was changed.";
  }
  return message.length > 240 ? `${message.slice(0, 240)}…` : message;
}

/** A request signed by a wallet, as api/wallet_auth.py checks it: the signer, its single-use nonce, the expiry and
 * the signature, and the `X-Genip-*` headers that carry them. */
export type SignedRequest = { account: Address; nonce: Hex; expiry: number; signature: Hex; headers: Record<string, string> };

/** Seconds a signed request stays valid (the API accepts at most ten minutes). */
const SIGNED_VALIDITY = 300;

/** Signs `values` as `account`'s EIP-712 `primaryType` in the Gen-IP domain, the one shape every signed API
 * request has (api/wallet_auth.py `COMMON_FIELDS`): `action`, `account`, the type's own `fields` in the order the
 * route defines them, then a fresh `nonce` and an `expiry` five minutes ahead. `account` defaults to the connected
 * one. The wallet is asked once; its refusal becomes a WalletError with a plain sentence. */
export async function signRequest(
  primaryType: string,
  fields: { name: string; type: string }[],
  values: { action: string } & Record<string, unknown>,
  account?: Address,
): Promise<SignedRequest> {
  const cfg = await config();
  const signer = account ?? (await wallet.ready()).account;
  const nonce = toHex(crypto.getRandomValues(new Uint8Array(32)));
  const expiry = Math.floor(Date.now() / 1000) + SIGNED_VALIDITY;
  const typed = {
    types: {
      EIP712Domain: [
        { name: "name", type: "string" },
        { name: "version", type: "string" },
        { name: "chainId", type: "uint256" },
      ],
      [primaryType]: [
        { name: "action", type: "string" },
        { name: "account", type: "address" },
        ...fields,
        { name: "nonce", type: "bytes32" },
        { name: "expiry", type: "uint256" },
      ],
    },
    primaryType,
    domain: { name: "Gen-IP", version: "1", chainId: cfg.chain_id },
    message: { ...values, account: signer, nonce, expiry },
  };
  let signature: Hex;
  try {
    signature = (await wallet.required.request({ method: "eth_signTypedData_v4", params: [signer, JSON.stringify(typed)] })) as Hex;
  } catch (err) {
    throw new WalletError(explain(err));
  }
  const headers = { "X-Genip-Account": signer, "X-Genip-Nonce": nonce, "X-Genip-Expiry": String(expiry), "X-Genip-Signature": signature };
  return { account: signer, nonce, expiry, signature, headers };
}

/** Headers that sign `account`'s upload of `file` (`POST /uploads` with `action` "upload work", `POST
 * /uploads/examples` with "upload example"): an EIP-712 `Upload` over the file's sha256, as api/routes/uploads.py
 * defines it. The wallet is asked once per file. */
export async function signUpload(account: Address, file: Blob, action: "upload work" | "upload example"): Promise<Record<string, string>> {
  const sha256 = toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", await file.arrayBuffer())));
  const signed = await signRequest("Upload", [{ name: "sha256", type: "bytes32" }], { action, sha256 }, account);
  return signed.headers;
}
