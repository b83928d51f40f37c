// The shell: hash routes (#/, #/work/12, #/register, #/dashboard, #/check) and the wallet button.

import "./style.css";
import { clear, h, toast } from "./dom";
import { shortAddr } from "./format";
import { config } from "./api";
import { apiSentence } from "./errors";
import { faucetButton } from "./faucet";
import { explain, wallet } from "./wallet";

type View = (root: HTMLElement, params: URLSearchParams, id?: string) => void | Promise<void>;

const routes: [RegExp, () => Promise<{ default: View }>][] = [
  [/^\/work\/(\d+)$/, () => import("./views/work")],
  [/^\/register$/, () => import("./views/register")],
  [/^\/dashboard$/, () => import("./views/dashboard")],
  [/^\/check$/, () => import("./views/check")],
  [/^\/?$/, () => import("./views/search")],
];

let renderId = 0;

async function route(): Promise<void> {
  const id = ++renderId;
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path = "/", query = ""] = raw.split("?");
  const root = document.getElementById("main")!;
  const match = routes.find(([re]) => re.test(path));
  for (const a of document.querySelectorAll<HTMLAnchorElement>("nav a")) {
    const target = a.getAttribute("href")!.slice(1);
    a.toggleAttribute("aria-current", target === path || (target === "/" && (path === "" || path === "/")));
    if (a.hasAttribute("aria-current")) a.setAttribute("aria-current", "page");
  }
  if (!match) {
    clear(root, h("h1", null, "Page not found"), h("p", null, h("a", { href: "#/" }, "Back to search")));
    return;
  }
  const module = await match[1]();
  if (id !== renderId) return;
  // Each view renders into its own container: once the route changes the container is detached, so a view still
  // awaiting the API (or re-rendering on a wallet change) writes into nothing instead of over the next page.
  const view = h("div", { class: "view" });
  root.replaceChildren(view);
  const param = match[0].exec(path)?.[1];
  try {
    await module.default(view, new URLSearchParams(query), param);
  } catch (err) {
    if (view.isConnected) clear(view, h("h1", null, "Something went wrong"), h("p", { class: "error" }, apiSentence(String((err as Error).message ?? err))));
  }
  if (document.activeElement === document.body) root.focus({ preventScroll: true });
}

function renderWallet(): void {
  const box = document.getElementById("wallet")!;
  if (!wallet.provider) {
    clear(box, h("span", { class: "muted small" }, "No wallet"));
    return;
  }
  if (!wallet.account) {
    const button = h("button", { type: "button", class: "btn", id: "connect" }, "Connect wallet");
    button.addEventListener("click", () => wallet.connect().catch((err) => toast(explain(err))));
    clear(box, button);
    return;
  }
  config()
    .then((cfg) => {
      const wrong = wallet.chainId !== null && wallet.chainId !== cfg.chain_id;
      const parts: (Node | string)[] = [h("span", { class: "account", title: wallet.account! }, shortAddr(wallet.account!))];
      const funds = faucetButton(cfg, wallet.account!, () => wallet.notify());
      if (funds) parts.push(funds);
      if (wrong) {
        const sw = h("button", { type: "button", class: "btn warn" }, "Wrong network: switch");
        sw.addEventListener("click", () => wallet.switchChain().catch((err) => toast(explain(err))));
        parts.push(sw);
      }
      clear(box, ...parts);
    })
    .catch(() => clear(box, h("span", { class: "account" }, shortAddr(wallet.account!))));
}

wallet.onChange(renderWallet);
window.addEventListener("hashchange", () => void route());
renderWallet();
void wallet.init();
void route();
