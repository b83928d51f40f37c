// Demo mode's faucet: a "Get test funds" button next to the connected wallet, shown only when GET /config says
// the faucet is on. It asks `POST /faucet` for the fixed grant and says what arrived, or why not, in a sentence.

import { ApiError, post, type Config } from "./api";
import { h, toast } from "./dom";
import { units } from "./format";

interface Grant {
  address: string;
  eth_wei: string;
  token: string | null;
  token_units: string;
  block_number: number;
}

/** The button for `account`, or null when this marketplace has no faucet. */
export function faucetButton(cfg: Config, account: string, onFunded: () => void): HTMLElement | null {
  if (!cfg.faucet) return null;
  const button = h("button", { type: "button", class: "btn secondary", "data-testid": "faucet" }, "Get test funds");
  button.title = "Demo only: a little test ETH (and gUSD) for this wallet";
  button.addEventListener("click", async () => {
    button.disabled = true;
    button.textContent = "Sending…";
    try {
      const grant = await post<Grant>("/faucet", { address: account });
      const token = cfg.currencies.find((c) => grant.token && c.address.toLowerCase() === grant.token.toLowerCase());
      const extra = token && BigInt(grant.token_units) > 0n ? ` and ${units(grant.token_units, token.decimals)} ${token.symbol}` : "";
      toast(`Sent ${units(grant.eth_wei, 18)} ETH${extra} to your wallet.`);
      onFunded();
    } catch (err) {
      const reason = err instanceof ApiError ? err.message : "the faucet did not answer";
      toast(`No test funds sent: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}${/[.!]$/.test(reason) ? "" : "."}`);
    } finally {
      button.disabled = false;
      button.textContent = "Get test funds";
    }
  });
  return button;
}
