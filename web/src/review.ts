// The checker's review page, linked from the dashboard for an account holding the registry's CHECKER_ROLE when
// GET /config names one (`checker_review_url`, which `genip demo` sets). The page is the checker process's own, on
// another origin (`genip checker review serve`): prompts are opened there, never by the API or by this page.

import type { Address } from "viem";
import type { Config } from "./api";
import { h } from "./dom";
import { REGISTRY_ABI, wallet } from "./wallet";

/** Whether `account` holds the registry's CHECKER_ROLE now, read from the chain through the wallet. */
export async function holdsCheckerRole(cfg: Config, account: Address): Promise<boolean> {
  const role = await wallet.reader.readContract({ address: cfg.registry, abi: REGISTRY_ABI, functionName: "CHECKER_ROLE" });
  return wallet.reader.readContract({ address: cfg.registry, abi: REGISTRY_ABI, functionName: "hasRole", args: [role, account] });
}

/** "Review prompts" for a checker account; null when the API names no review page, the account is not a
 * checker, or the chain cannot say (the review page checks the role again at sign-in, whatever this shows). */
export async function reviewSection(cfg: Config, account: Address): Promise<HTMLElement | null> {
  const url = cfg.checker_review_url;
  if (!url || !/^https?:\/\//i.test(url)) return null;
  if (!(await holdsCheckerRole(cfg, account).catch(() => false))) return null;
  return h("section", { "aria-labelledby": "review-h", "data-testid": "checker-review" },
    h("h2", { id: "review-h" }, "Prompt review"),
    h("p", null,
      "Your account is a prompt checker. Prompts the automatic check could not decide wait for a person on the " +
      "checker's own review page, which the checker's process serves itself: it alone can open a sealed prompt, so " +
      "the marketplace never sees one. Sign in there by signing a message with this wallet; each prompt you open " +
      "and each decision you make is logged under your account."),
    h("p", null, h("a", { href: url, target: "_blank", rel: "noopener noreferrer", class: "btn", "data-testid": "review-prompts" }, "Review prompts")));
}
