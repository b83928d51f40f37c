// Contract calls the page makes through the wallet (ABI-encoded with viem; ABIs from genip/abi at build time).

import { concat, decodeEventLog, decodeFunctionResult, encodeFunctionData, keccak256, stringToHex, type Hex } from "viem";
import type { Config, Offer } from "./api";
import { HUB_ABI, REGISTRY_ABI, TOKEN_ABI, WalletError, wallet } from "./wallet";

export const ZERO = "0x0000000000000000000000000000000000000000";
export const KINDS = ["image", "text", "model", "workflow", "prompt", "other"] as const;

async function read(to: string, abi: typeof HUB_ABI, functionName: string, args: unknown[]): Promise<unknown> {
  const data = encodeFunctionData({ abi, functionName, args });
  return decodeFunctionResult({ abi, functionName, data: await wallet.call(to, data) });
}

export async function tokenBalance(token: string, account: string): Promise<bigint> {
  return (await read(token, TOKEN_ABI, "balanceOf", [account])) as bigint;
}

export async function withdrawable(cfg: Config, account: string, currency: string): Promise<bigint> {
  return (await read(cfg.hub, HUB_ABI, "balanceOf", [account, currency])) as bigint;
}

function logsOf(receipt: { logs: { address: string; topics: Hex[]; data: Hex }[] }, address: string, abi: typeof HUB_ABI, eventName: string) {
  const out: Record<string, unknown>[] = [];
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== address.toLowerCase()) continue;
    try {
      const decoded = decodeEventLog({ abi, data: log.data, topics: log.topics as [Hex, ...Hex[]] });
      if (decoded.eventName === eventName) out.push(decoded.args as unknown as Record<string, unknown>);
    } catch {
      /* another event */
    }
  }
  return out;
}

export type Step = (text: string) => void;

/** Buys a licence under `offer` for the connected account: checks funds, approves the ERC-20 if needed. */
export async function buyLicense(offer: Offer, step: Step): Promise<{ licenseId: bigint; block: number; account: string }> {
  step("Checking your wallet…");
  const { account, cfg } = await wallet.ready();
  const price = BigInt(offer.price);
  let value = 0n;
  if (offer.currency.toLowerCase() === ZERO) {
    if ((await wallet.balance(account)) < price) throw new WalletError("Insufficient funds: your ETH balance is lower than the price.");
    value = price;
  } else {
    if ((await tokenBalance(offer.currency, account)) < price) {
      throw new WalletError("Insufficient funds: your token balance is lower than the price.");
    }
    const allowance = (await read(offer.currency, TOKEN_ABI, "allowance", [account, cfg.hub])) as bigint;
    if (allowance < price) {
      step("Approve the payment token in your wallet…");
      const hash = await wallet.send({
        to: offer.currency,
        data: encodeFunctionData({ abi: TOKEN_ABI, functionName: "approve", args: [cfg.hub, price] }),
      });
      step("Approval pending…");
      await wallet.receipt(hash);
    }
  }
  step("Confirm the purchase in your wallet…");
  const hash = await wallet.send({
    to: cfg.hub,
    data: encodeFunctionData({ abi: HUB_ABI, functionName: "buyLicense", args: [BigInt(offer.offer_id), account] }),
    value,
  });
  step(`Pending: transaction ${hash.slice(0, 10)}… sent, waiting for a block.`);
  const receipt = await wallet.receipt(hash);
  const [event] = logsOf(receipt, cfg.hub, HUB_ABI, "LicensePurchased");
  return { licenseId: (event?.licenseId as bigint) ?? 0n, block: receipt.blockNumber, account };
}

/** keccak256(salt ‖ UTF-8 prompt) with a fresh 32-byte salt; the prompt is normalised as genip.prompts does. */
export function commitPrompt(prompt: string): { salt: Hex; commitment: Hex; prompt: string } {
  const text = prompt.replace(/\r\n?/g, "\n").normalize("NFC").trim();
  const saltBytes = crypto.getRandomValues(new Uint8Array(32));
  const salt = `0x${Array.from(saltBytes, (b) => b.toString(16).padStart(2, "0")).join("")}` as Hex;
  return { salt, commitment: keccak256(concat([salt, stringToHex(text)])), prompt: text };
}

export async function registerWork(
  work: { kind: string; sha256: Hex; perceptualHash: Hex; commitment: Hex; metadataCid: string },
  step: Step,
): Promise<{ assetId: bigint; block: number }> {
  const { cfg } = await wallet.ready();
  step("Sign the registration in your wallet…");
  const hash = await wallet.send({
    to: cfg.registry,
    data: encodeFunctionData({
      abi: REGISTRY_ABI,
      functionName: "register",
      args: [
        {
          kind: KINDS.indexOf(work.kind as (typeof KINDS)[number]),
          contentHash: work.sha256,
          perceptualHash: work.perceptualHash,
          promptCommitment: work.commitment,
          metadataCid: work.metadataCid,
        },
      ],
    }),
  });
  step(`Pending: registration ${hash.slice(0, 10)}… sent, waiting for a block.`);
  const receipt = await wallet.receipt(hash);
  const [event] = logsOf(receipt, cfg.registry, REGISTRY_ABI, "WorkRegistered");
  if (!event) throw new WalletError("The registration was mined but emitted no WorkRegistered event.");
  return { assetId: event.assetId as bigint, block: receipt.blockNumber };
}

export async function createOffer(
  assetId: number | bigint,
  o: { tier: "standard" | "extended"; currency: string; price: bigint; durationDays: number; supplyCap: number; revShareBps: number },
  step: Step,
): Promise<number> {
  const { cfg } = await wallet.ready();
  const template = cfg.terms[o.tier];
  const terms = {
    tier: o.tier === "extended" ? 1 : 0,
    commercialUse: true,
    derivativesAllowed: o.tier === "extended",
    transferable: false,
    revShareBps: o.tier === "extended" ? o.revShareBps : 0,
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

export async function withdraw(currency: string, step: Step): Promise<number> {
  const { cfg } = await wallet.ready();
  step("Confirm the withdrawal in your wallet…");
  const hash = await wallet.send({
    to: cfg.hub,
    data: encodeFunctionData({ abi: HUB_ABI, functionName: "withdraw", args: [currency] }),
  });
  step("Withdrawal pending…");
  return (await wallet.receipt(hash)).blockNumber;
}
