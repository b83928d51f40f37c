// Downloads a work's original for its owner or a licence holder, as `genip license download` does: the connected
// wallet signs an EIP-712 `OriginalDownload` (a fresh nonce, a 5-minute expiry; api/wallet_auth.py defines it),
// the page fetches GET /works/{id}/original with the signature in headers, checks the bytes against the
// committed sha256 the API names, and saves them as a file. Refusals become plain sentences.
import { toHex, type Hex } from "viem";
import { signRequest } from "./wallet";

/** Sentences for the API's 403 reasons (`DownloadRefused.reason`). */
const REFUSALS: Record<string, string> = {
  no_licence: "You hold no licence on this work, so its original is not yours to download. Buy a licence first.",
  licence_expired: "Your licence on this work has expired, so its original is no longer yours to download.",
  disputed: "A claim against this work is open or was upheld, so its original is not delivered to licence holders for now.",
};

async function detailOf(response: Response): Promise<{ detail: string; reason: string }> {
  try {
    const body = (await response.json()) as { detail?: unknown; reason?: unknown };
    return { detail: typeof body.detail === "string" ? body.detail : "", reason: typeof body.reason === "string" ? body.reason : "" };
  } catch {
    return { detail: "", reason: "" };
  }
}

function refusal(status: number, detail: string, reason: string): Error {
  if (status === 401) {
    return new Error(
      /already used/.test(detail)
        ? "That signature was already used. Press the button again to sign a new request."
        : /expired|ahead/.test(detail)
          ? "Your signature expired before it reached the server (check your computer's clock), so nothing was downloaded."
          : "The server did not accept your wallet's signature, so nothing was downloaded. Try again.",
    );
  }
  if (status === 403) return new Error(REFUSALS[reason] ?? "You may not download this work's original.");
  if (status === 404) return new Error("This work is not registered on this marketplace.");
  return new Error("The original could not be delivered right now. Try again later.");
}

async function sha256(data: ArrayBuffer): Promise<Hex> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", data)));
}

function suggestedName(response: Response, assetId: number): string {
  const found = /filename="([^"/\\]+)"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1];
  return found ?? `genip-${assetId}`;
}

/** Signs a download request with the connected wallet, fetches work `assetId`'s original, checks it against the
 * committed sha256 and saves it (as `filename`, else the name the API suggests). Throws an Error whose message is
 * a plain sentence when the wallet or the API refuses. */
export async function downloadOriginal(assetId: number, filename?: string): Promise<void> {
  const signed = await signRequest("OriginalDownload", [{ name: "assetId", type: "uint256" }], { action: "download original", assetId });
  let response: Response;
  try {
    response = await fetch(`/works/${assetId}/original`, {
      cache: "no-store",
      headers: signed.headers,
    });
  } catch {
    throw new Error("The marketplace cannot be reached. Check your connection and try again.");
  }
  if (!response.ok) {
    const { detail, reason } = await detailOf(response);
    throw refusal(response.status, detail, reason);
  }
  const blob = await response.blob();
  const committed = response.headers.get("X-Content-SHA256")?.toLowerCase();
  if (!committed || (await sha256(await blob.arrayBuffer())) !== committed) {
    throw new Error("The file received is not the one the certificate commits to, so it was not saved.");
  }
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename ?? suggestedName(response, assetId);
  link.style.display = "none";
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
