// The dispute court as the page uses it: the bond and response window read from the chain, `raise` sent
// through the wallet ("Report a copy" on the work page), and the owner's `answer` (the work page's Claims list).
//

import { decodeEventLog, encodeFunctionData, keccak256, toBytes, zeroAddress, type Address, type Hex } from "viem";
import { COURT_ABI } from "./generated/abi";
import { WalletError, wallet, type Receipt } from "./wallet";

/** What a claim costs and how long the owner has: read from the court. */
export interface CourtTerms { bond: bigint; responseWindow: number }

export async function courtTerms(court: Address): Promise<CourtTerms> {
  const [[bond, accepted], window] = await Promise.all([
    wallet.reader.readContract({ address: court, abi: COURT_ABI, functionName: "bondOf", args: [zeroAddress] }),
    wallet.reader.readContract({ address: court, abi: COURT_ABI, functionName: "responseWindow" }),
  ]);
  if (!accepted) throw new WalletError("The dispute court takes no bonds in ETH at the moment.");
  return { bond, responseWindow: Number(window) };
}

/** keccak256 of a statement's UTF-8 bytes: the evidence hash of a claim written by hand. */
export function statementHash(text: string): Hex {
  return keccak256(toBytes(text.trim()));
}

/** "3 days", "1 hour", "90 minutes": the response window in plain words. */
export function windowWords(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (seconds >= 86400 && seconds % 86400 === 0) return plural(seconds / 86400, "day");
  if (seconds >= 3600 && seconds % 3600 === 0) return plural(seconds / 3600, "hour");
  return plural(Math.round(seconds / 60), "minute");
}

/** Sentences for what the court refuses when a claim is raised. */
const COURT_ERRORS: Record<string, string> = {
  AssetNotClear: "A claim against this work is already open or was upheld; it cannot be reported again now.",
  InvalidClaimantAsset: "The work you named as your original cannot be evidence against this one.",
  UnknownAsset: "This work is not registered on this chain.",
  WrongBond: "The bond sent does not match the court's bond; reload the page and try again.",
  BondCurrencyNotAccepted: "The court does not accept bonds in this currency.",
};

/**
 * Raises a claim against `assetId` with the native bond: `court.raise(assetId, evidenceHash, claimantAssetId,
 * address(0))`, value = bond. Resolves with the dispute id and the block it was mined in.
 */
export async function raiseClaim(
  a: { assetId: number; evidenceHash: Hex; claimantAssetId: number; bond: bigint },
  step: (text: string) => void,
): Promise<{ disputeId: bigint; block: number }> {
  step("Checking your wallet…");
  const { account, cfg } = await wallet.ready();
  if (!cfg.court) throw new WalletError("This marketplace has no dispute court configured.");
  if ((await wallet.balance(account)) < a.bond) {
    throw new WalletError("Insufficient funds: your ETH balance is lower than the bond.");
  }
  step("Confirm the claim and its bond in your wallet…");
  let hash: Hex;
  try {
    hash = await wallet.send({
      to: cfg.court,
      data: encodeFunctionData({
        abi: COURT_ABI,
        functionName: "raise",
        args: [BigInt(a.assetId), a.evidenceHash, BigInt(a.claimantAssetId), zeroAddress],
      }),
      value: a.bond,
    });
  } catch (err) {
    const sentence = err instanceof WalletError && err.reason ? COURT_ERRORS[err.reason] : undefined;
    throw sentence ? new WalletError(sentence) : err;
  }
  step(`Pending: transaction ${hash.slice(0, 10)}… sent, waiting for a block.`);
  const receipt = await wallet.receipt(hash);
  return { disputeId: disputeIdOf(receipt, cfg.court), block: receipt.blockNumber };
}

function disputeIdOf(receipt: Receipt, court: Address): bigint {
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== court.toLowerCase()) continue;
    try {
      const decoded = decodeEventLog({ abi: COURT_ABI, data: log.data, topics: log.topics as [Hex, ...Hex[]] });
      if (decoded.eventName === "DisputeRaised") return decoded.args.disputeId;
    } catch {
      /* another event */
    }
  }
  return 0n;
}

/** Sentences for what the court refuses when an owner answers. */
const ANSWER_ERRORS: Record<string, string> = {
  NotAssetOwner: "Only the work's owner can answer this claim; connect the owner's wallet.",
  ResponseWindowClosed: "The time to answer this claim has passed; an arbiter will now rule.",
  WrongDisputeStatus: "This claim is no longer open.",
  UnknownDispute: "This claim does not exist on this chain.",
};

/** The owner answers claim `disputeId` with the hash of its answer: `court.answer(disputeId, answerHash)`. */
export async function answerClaim(disputeId: number, answerHash: Hex, step: (text: string) => void): Promise<number> {
  step("Checking your wallet…");
  const { cfg } = await wallet.ready();
  if (!cfg.court) throw new WalletError("This marketplace has no dispute court configured.");
  step("Confirm your answer in your wallet…");
  let hash: Hex;
  try {
    hash = await wallet.send({
      to: cfg.court,
      data: encodeFunctionData({ abi: COURT_ABI, functionName: "answer", args: [BigInt(disputeId), answerHash] }),
    });
  } catch (err) {
    const sentence = err instanceof WalletError && err.reason ? ANSWER_ERRORS[err.reason] : undefined;
    throw sentence ? new WalletError(sentence) : err;
  }
  step(`Pending: transaction ${hash.slice(0, 10)}… sent, waiting for a block.`);
  return (await wallet.receipt(hash)).blockNumber;
}
