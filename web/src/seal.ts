// Sends a registered work's prompt to the checker privately, as `genip prompt submit` does: the payload (the
// prompt and its salt) is sealed to the checker's X25519 public key with libsodium's sealed box
// (crypto_box_seal; the checker opens it with PyNaCl), so the API stores and relays only ciphertext. The creator's
// wallet signs keccak256 of the exact ciphertext (EIP-712 PromptSubmission, as genip/checker/auth.py defines it).
import sodium from "libsodium-wrappers";
import { keccak256, toHex, type Address, type Hex } from "viem";
import { get, post } from "./api";
import type { components } from "./generated/api";
import { explain, wallet, WalletError } from "./wallet";

type CheckerKey = components["schemas"]["CheckerKeyOut"];
type Submission = components["schemas"]["PromptSubmissionIn"];
type Accepted = components["schemas"]["SubmissionAccepted"];

/** Seconds the submission's signature stays valid (the API accepts at most an hour). */
const VALIDITY = 600;

/** The sealed box of `plaintext` for the 32-byte public key `publicKey` (0x-hex), as base64. */
export async function seal(publicKey: Hex, plaintext: string): Promise<{ sealed: Uint8Array; base64: string }> {
  await sodium.ready;
  const sealed = sodium.crypto_box_seal(sodium.from_string(plaintext), sodium.from_hex(publicKey.slice(2)));
  return { sealed, base64: sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL) };
}

/** Seals the single-scheme prompt and salt of certificate `assetId` to the checker and submits them, signed
 * by `creator`; the API's answer. */
export async function submitPrompt(
  chainId: number, creator: Address, assetId: bigint, commitment: Hex, prompt: string, salt: Hex,
): Promise<Accepted> {
  const key = await get<CheckerKey>("/prompts/checker-key", true);
  const { sealed, base64 } = await seal(key.public_key as Hex, JSON.stringify({ parts: { prompt }, salt: salt.slice(2) }));
  const deadline = Math.floor(Date.now() / 1000) + VALIDITY;
  const typed = {
    types: {
      EIP712Domain: [
        { name: "name", type: "string" },
        { name: "version", type: "string" },
        { name: "chainId", type: "uint256" },
      ],
      PromptSubmission: [
        { name: "assetId", type: "uint256" },
        { name: "commitment", type: "bytes32" },
        { name: "payloadHash", type: "bytes32" },
        { name: "deadline", type: "uint256" },
      ],
    },
    primaryType: "PromptSubmission",
    domain: { name: "Gen-IP Prompt Checker", version: "1", chainId },
    message: { assetId: assetId.toString(), commitment, payloadHash: keccak256(toHex(sealed)), deadline },
  };
  let signature: Hex;
  try {
    signature = (await wallet.required.request({ method: "eth_signTypedData_v4", params: [creator, JSON.stringify(typed)] })) as Hex;
  } catch (err) {
    throw new WalletError(explain(err));
  }
  return post<Accepted>(`/prompts/${assetId}`, { sealed: base64, key_id: key.key_id, deadline, signature } satisfies Submission);
}
