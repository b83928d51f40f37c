// The injected EIP-1193 wallet (window.ethereum): connect, check the network, send transactions, wait for
// receipts, and turn wallet and contract errors into sentences.

import { decodeErrorResult, type Abi, type Hex } from "viem";
import { abi as registryAbi } from "../../genip/abi/GenIPRegistry.json";
import { abi as hubAbi } from "../../genip/abi/LicensingHub.json";
import { abi as tokenAbi } from "../../genip/abi/DemoToken.json";
import { config, type Config } from "./api";

export const REGISTRY_ABI = registryAbi as Abi;
export const HUB_ABI = hubAbi as Abi;
export const TOKEN_ABI = tokenAbi as Abi;

interface Eip1193 {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
  on?(event: string, listener: (...args: any[]) => void): void;
}

declare global {
  interface Window {
    ethereum?: Eip1193;
  }
}

type Listener = () => void;

class WalletError extends Error {}

export const wallet = {
  account: null as string | null,
  chainId: null as number | null,
  listeners: new Set<Listener>(),

  get provider(): Eip1193 | undefined {
    return window.ethereum;
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
    p.on?.("accountsChanged", (accounts: string[]) => {
      this.account = accounts[0] ?? null;
      this.notify();
    });
    p.on?.("chainChanged", (id: string) => {
      this.chainId = Number(id);
      this.notify();
    });
    try {
      const accounts = (await p.request({ method: "eth_accounts" })) as string[];
      this.account = accounts[0] ?? null;
      this.chainId = Number(await p.request({ method: "eth_chainId" }));
    } catch {
      /* a wallet that is locked answers later, on connect */
    }
    this.notify();
  },

  async connect(): Promise<string> {
    const p = this.provider;
    if (!p) throw new WalletError("No wallet found. Install a browser wallet (such as MetaMask) and reload the page.");
    try {
      const accounts = (await p.request({ method: "eth_requestAccounts" })) as string[];
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
  async ready(): Promise<{ account: string; cfg: Config }> {
    const cfg = await config();
    const account = this.account ?? (await this.connect());
    this.chainId = Number(await this.provider!.request({ method: "eth_chainId" }));
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
      await this.provider!.request({ method: "wallet_switchEthereumChain", params: [{ chainId: cfg.chain_id_hex }] });
      this.chainId = cfg.chain_id;
      this.notify();
    } catch (err) {
      throw new WalletError(explain(err));
    }
  },

  async call(to: string, data: Hex): Promise<Hex> {
    return (await this.provider!.request({ method: "eth_call", params: [{ to, data }, "latest"] })) as Hex;
  },

  async balance(account: string): Promise<bigint> {
    return BigInt((await this.provider!.request({ method: "eth_getBalance", params: [account, "latest"] })) as string);
  },

  /** Simulates, then sends a transaction from the connected account; resolves with its hash. */
  async send(tx: { to: string; data: Hex; value?: bigint }): Promise<Hex> {
    const { account } = await this.ready();
    const params = { from: account, to: tx.to, data: tx.data, value: `0x${(tx.value ?? 0n).toString(16)}` };
    try {
      await this.provider!.request({ method: "eth_call", params: [params, "latest"] });
    } catch (err) {
      throw new WalletError(explain(err));
    }
    try {
      return (await this.provider!.request({ method: "eth_sendTransaction", params: [params] })) as Hex;
    } catch (err) {
      throw new WalletError(explain(err));
    }
  },

  async receipt(hash: Hex, timeoutMs = 120_000): Promise<{ blockNumber: number; logs: { address: string; topics: Hex[]; data: Hex }[] }> {
    const started = Date.now();
    for (;;) {
      const r = (await this.provider!.request({ method: "eth_getTransactionReceipt", params: [hash] })) as any;
      if (r) {
        if (r.status !== "0x1") throw new WalletError("The transaction was mined but failed (reverted).");
        return { blockNumber: Number(r.blockNumber), logs: r.logs };
      }
      if (Date.now() - started > timeoutMs) throw new WalletError("The transaction is taking long to confirm; check your wallet.");
      await sleep(400);
    }
  },
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const FRIENDLY: Record<string, string> = {
  OfferNotActive: "This offer is paused by its creator.",
  OfferSoldOut: "This offer is sold out.",
  AssetDisputed: "This work is under dispute; licences cannot be bought until it is resolved.",
  ContentAlreadyRegistered: "This exact file is already registered.",
  InsufficientBalance: "Insufficient funds: your balance is lower than the price.",
  ERC20InsufficientBalance: "Insufficient funds: your token balance is lower than the price.",
  ERC20InsufficientAllowance: "The token allowance is too low; approve the amount first.",
  NothingToWithdraw: "There is nothing to withdraw in this currency.",
  NotAssetOwner: "Only the work's owner can do this.",
  WrongPayment: "The payment does not match the price.",
  MissingPromptCommitment: "The prompt commitment is missing.",
};

function hexData(err: any): Hex | null {
  for (let e = err, depth = 0; e && depth < 5; e = e.cause ?? e.error, depth++) {
    const d = e.data?.data ?? e.data;
    if (typeof d === "string" && d.startsWith("0x") && d.length >= 10) return d as Hex;
    if (typeof d?.originalError?.data === "string") return d.originalError.data as Hex;
  }
  return null;
}

/** A sentence for a wallet or contract error. */
export function explain(err: unknown): string {
  const e = err as any;
  if (err instanceof WalletError) return err.message;
  if (e?.code === 4001 || /user (rejected|denied)/i.test(String(e?.message))) {
    return "You rejected the request in your wallet. Nothing was sent.";
  }
  if (e?.code === 4902) return "Your wallet does not know this network; add it in your wallet first.";
  if (e?.code === 4100) return "The wallet has not authorised this site; connect again.";
  const data = hexData(e);
  if (data) {
    for (const abi of [HUB_ABI, REGISTRY_ABI, TOKEN_ABI]) {
      try {
        const decoded = decodeErrorResult({ abi, data });
        return FRIENDLY[decoded.errorName] ?? `The contract refused: ${decoded.errorName}.`;
      } catch {
        /* not this contract's error */
      }
    }
  }
  const message = String(e?.message ?? e);
  if (/insufficient funds/i.test(message)) return "Insufficient funds: your wallet cannot pay the price plus gas.";
  const named = /(?:custom error|reverted with)[^A-Za-z]*([A-Z][A-Za-z0-9]+)/.exec(message);
  if (named && FRIENDLY[named[1]]) return FRIENDLY[named[1]];
  return message.length > 240 ? `${message.slice(0, 240)}…` : message;
}

export { WalletError };
