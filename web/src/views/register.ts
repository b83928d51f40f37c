// Register a work from the browser with one button: upload (the server hashes, fingerprints and stores it) → stop
// on an exact duplicate, or on near-duplicates of other creators' works until the creator confirms it is their own
// → commit the prompt locally (creator-bound, random salt offered as a download) → store the metadata → the
// wallet signs commit(leaf), the page waits for the next block, the wallet signs register(work, salt, []) → the
// certificate once indexed. The four chain steps are shown as they progress.

import { config, get, post, postForm, type Asset, type Config, type KindConfig, type MetadataRequest, type MetadataStored, type NearDuplicate, type Upload } from "../api";
import { commitPrompt, createOffer, existingCertificate, normalizePrompt, registerWork, ZERO, type RegisterStage } from "../chain";
import { clear, field, h, statusLine } from "../dom";
import { capitalised, shortAddr, toUnits } from "../format";
import { AlreadyRegisteredError, explain, RejectedError, sleep, wallet } from "../wallet";
import type { Address, Hex } from "viem";

type StepState = "todo" | "active" | "done" | "failed";
const STAGES: RegisterStage[] = ["commit", "wait", "register"];
const LABELS = ["Committing (wallet signature)", "Waiting for the next block", "Registering (wallet signature)", "Indexed"];

/** The four registration steps as a list whose items say todo / active / done / failed. */
function stepList() {
  const items = LABELS.map((label, i) =>
    h("li", { "data-step": i + 1, "data-state": "todo" }, h("span", { class: "mark", "aria-hidden": "true" }), h("span", { class: "label" }, `${i + 1}. ${label}`)),
  );
  const el = h("ol", { class: "steps", "data-testid": "register-steps", "aria-label": "Registration steps", hidden: true }, items);
  const set = (index: number, state: StepState, label?: string) => {
    const item = items[index];
    if (!item) return;
    el.hidden = false;
    item.dataset.state = state;
    item.toggleAttribute("aria-current", state === "active");
    if (state === "active") item.setAttribute("aria-current", "step");
    const text = item.querySelector(".label");
    if (label && text) text.textContent = `${index + 1}. ${label}`;
    for (const [i, other] of items.entries()) {
      if (i < index && other.dataset.state !== "done") other.dataset.state = "done";
    }
  };
  const reset = () => {
    el.hidden = true;
    items.forEach((item, i) => {
      item.dataset.state = "todo";
      item.removeAttribute("aria-current");
      const text = item.querySelector(".label");
      if (text) text.textContent = `${i + 1}. ${LABELS[i]}`;
    });
  };
  const fail = () => {
    for (const item of items) if (item.dataset.state === "active") item.dataset.state = "failed";
  };
  return { el, set, reset, fail };
}

function saveFile(text: string): string {
  return URL.createObjectURL(new Blob([text], { type: "application/json" }));
}

function certificateLink(id: bigint | number, text?: string): HTMLAnchorElement {
  return h("a", { href: `#/work/${id}` }, text ?? `certificate #${id}`);
}

function duplicateWarning(dups: NearDuplicate[], confirm: HTMLInputElement): HTMLElement {
  return h("div", { class: "callout warn", role: "alert", "data-testid": "near-duplicates" },
    h("p", null, h("strong", null, dups.length === 1 ? "This looks like a work another creator registered:" : "This looks like works other creators registered:")),
    h("ul", null, dups.map((d) => h("li", null,
      certificateLink(d.asset_id, `Certificate #${d.asset_id}${d.title ? `: ${d.title}` : ""}`),
      d.creator ? ` by ${shortAddr(d.creator)}` : "",
      d.distance !== null ? ` (differs in ${d.distance} of 256 fingerprint bits)` : " (a crop or edit of it)"))),
    h("p", null, "If you built on it, buy a licence that allows derivatives and register yours as a derivative. Register it as an original only if it is yours."),
    h("label", { class: "check" }, confirm, " This is my own work, register anyway"));
}

export default async function register(root: HTMLElement): Promise<void> {
  const cfg: Config = await config();
  // The kinds, the file suffixes the server accepts for each and whether it needs its prompt: GET /config.
  const kindOf = (name: string): KindConfig | undefined => cfg.kinds.find((k) => k.kind === name);
  const kind = h("select", { name: "kind" }, cfg.kinds.map((k) => h("option", { value: k.kind }, k.kind)));
  const file = h("input", { type: "file", name: "file", required: true });
  const title = h("input", { type: "text", name: "title", required: true, maxlength: 200 });
  const description = h("textarea", { name: "description", rows: 3, maxlength: 5000 });
  const tags = h("input", { type: "text", name: "tags", placeholder: "sea, night, poster" });
  const prompt = h("textarea", { name: "prompt", rows: 4 });
  const model = h("input", { type: "text", name: "model", placeholder: "e.g. SDXL 1.0" });
  const offerPrice = h("input", { type: "text", inputmode: "decimal", name: "standard_price", placeholder: "leave empty for no offer" });
  const offerCurrency = h("select", { name: "currency" }, cfg.currencies.map((c) => h("option", { value: c.address, selected: c.address !== ZERO }, c.symbol)));
  const submit = h("button", { type: "submit", class: "btn" }, "Upload and register");
  const confirm = h("input", { type: "checkbox", name: "confirm_own_work", "data-testid": "confirm-own-work" });
  const status = statusLine();
  const steps = stepList();
  const hashes = h("div", { class: "hashes" });
  const saltBox = h("div");
  const warning = h("div");
  const result = h("div", { "aria-live": "polite" });

  // The upload of the chosen file, kept until the file or kind changes, so that confirming a near-duplicate
  // registers what was checked without uploading it again.
  let uploaded: { file: File; kind: string; up: Upload } | null = null;
  // The prompt commitment of the last attempt: a retry (say, after a rejected second signature) keeps the salt
  // the creator may already have downloaded.
  let promptCommit: { key: string; value: ReturnType<typeof commitPrompt> } | null = null;
  let busy = false;
  let registered = false;
  const reset = () => {
    uploaded = null;
    registered = false;
    confirm.checked = false;
    submit.textContent = "Upload and register";
    submit.disabled = busy;
    clear(warning);
    clear(hashes);
    clear(saltBox);
    clear(result);
    steps.reset();
    status.set("");
  };
  const showKind = () => {
    const chosen = kindOf(kind.value);
    file.accept = chosen?.suffixes.join(",") ?? "";
    prompt.required = chosen?.prompt_required ?? false;
  };
  showKind();
  file.addEventListener("change", reset);
  kind.addEventListener("change", () => {
    showKind();
    reset();
  });
  confirm.addEventListener("change", () => {
    submit.disabled = busy || !confirm.checked;
  });

  const form = h("form", { class: "stack narrow" },
    h("h1", null, "Register a work"),
    h("p", { class: "muted" }, "Your wallet signs twice: once to commit to the registration, then, a block later, to register it and receive the certificate (an ERC-721 token). The file and its description are stored by content address; the prompt stays in your browser."),
    field("Kind", kind),
    field("File", file, `Up to ${Math.round(cfg.max_upload_bytes / 1048576)} MiB.`),
    field("Title", title),
    field("Description", description),
    field("Tags (comma-separated)", tags),
    field("Prompt", prompt, "Never uploaded: only a salted hash of it, bound to your address, is published. You download the salt to prove the prompt to a checker later."),
    field("Model (optional)", model),
    h("fieldset", null, h("legend", null, "Standard licence offer (optional)"),
      h("div", { class: "row" }, field("Price", offerPrice), field("Currency", offerCurrency))),
    hashes, saltBox, warning, submit, steps.el, status, result);

  async function upload(account: Address, chosen: File): Promise<Upload> {
    if (uploaded && uploaded.file === chosen && uploaded.kind === kind.value) return uploaded.up;
    status.set("Uploading and hashing…", "pending");
    const data = new FormData();
    data.append("file", chosen);
    data.append("kind", kind.value);
    data.append("creator", account);
    const up = await postForm<Upload>("/uploads", data);
    uploaded = { file: chosen, kind: kind.value, up };
    clear(hashes, h("dl", { class: "facts" },
      h("dt", null, "sha256"), h("dd", null, h("code", { class: "hash" }, up.sha256)),
      h("dt", null, "CID"), h("dd", null, h("code", { class: "hash" }, up.cid)),
      h("dt", null, "Perceptual hash"), h("dd", null, h("code", { class: "hash" }, up.perceptual_hash?.value ?? "none for this kind"))));
    return up;
  }

  function showExactDuplicate(id: bigint): void {
    steps.fail();
    status.set("");
    clear(warning, h("p", { class: "callout bad", role: "alert", "data-testid": "exact-duplicate" },
      "This exact file is already ", certificateLink(id), ". It cannot be registered again; to build on it, buy a licence that allows derivatives."));
  }

  async function indexed(assetId: bigint, block: number): Promise<Asset> {
    for (let i = 0; i < 150; i++) {
      const asset = await get<Asset>(`/assets/${assetId}`, true).catch(() => null);
      if (asset && asset.as_of_block >= block) return asset;
      await sleep(400);
    }
    throw new Error(`Registered as certificate #${assetId}, but the index has not caught up; it will appear shortly.`);
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return status.set("Choose a file first.", "error");
    const workKind = kindOf(kind.value);
    if (!workKind) return status.set("Choose the kind of work.", "error");
    if (!title.value.trim()) return status.set("Give the work a title.", "error");
    if (workKind.prompt_required && !prompt.value.trim()) {
      return status.set(`${capitalised(workKind.kind)} works need the prompt that made them.`, "error");
    }
    let price: bigint | null = null;
    const currency = cfg.currencies.find((x) => x.address === offerCurrency.value);
    if (offerPrice.value.trim() && currency) {
      try {
        price = toUnits(offerPrice.value, currency.decimals);
      } catch (err) {
        return status.set(`Price: ${(err as Error).message}.`, "error");
      }
    }
    busy = true;
    submit.disabled = true;
    steps.reset();
    status.set("Checking your wallet…", "pending"); // at once: the last attempt's error is gone
    let stage = -1;
    try {
      const { account } = await wallet.ready();
      const up = await upload(account, chosen);
      const existing = await existingCertificate(cfg, up.sha256 as Hex);
      if (existing !== 0n) return showExactDuplicate(existing);
      if (up.near_duplicates.length && !confirm.checked) {
        clear(warning, duplicateWarning(up.near_duplicates, confirm));
        submit.textContent = "Register anyway";
        status.set("Check the similar works above before you register.", "error");
        return;
      }

      const promptKey = `${account}:${up.sha256}:${normalizePrompt(prompt.value)}`;
      if (promptCommit?.key !== promptKey) promptCommit = { key: promptKey, value: commitPrompt(account, prompt.value) };
      const commit = promptCommit.value;
      const secret = JSON.stringify({
        scheme: "Gen-IP prompt commitment v2", creator: account, content_cid: up.cid, sha256: up.sha256,
        prompt: commit.prompt, salt: commit.salt, commitment: commit.commitment,
      }, null, 2);
      clear(saltBox, h("p", null,
        h("a", { href: saveFile(secret), download: `genip-prompt-${up.sha256.slice(2, 10)}.json`, class: "btn secondary" }, "Download your prompt salt"),
        h("span", { class: "muted small" }, " Keep it private: with it you can prove the prompt later.")));
      status.set("Storing the description…", "pending");
      const meta = await post<MetadataStored>("/metadata", {
        content_cid: up.cid,
        name: title.value,
        description: description.value,
        tags: tags.value.split(",").map((t) => t.trim()).filter(Boolean),
        prompt_commitment: commit.commitment,
        creator: account,
        model: model.value.trim() || null,
      } satisfies MetadataRequest);
      const { assetId, block } = await registerWork(
        {
          kind: workKind,
          sha256: up.sha256 as Hex,
          perceptualHash: (up.perceptual_hash?.value ?? `0x${"00".repeat(32)}`) as Hex,
          commitment: commit.commitment,
          metadataCid: meta.metadata_cid,
        },
        (s, detail) => {
          stage = STAGES.indexOf(s);
          steps.set(stage, "active");
          if (detail) status.set(detail, "pending");
        },
      );
      stage = 3;
      steps.set(3, "active", `Indexing certificate #${assetId}…`);
      let offerError = "";
      if (price !== null && currency) {
        try {
          await createOffer(assetId, { tier: "standard", currency: currency.address, price, durationDays: 0, supplyCap: 0 }, (t) => status.set(`Licence offer: ${t}`, "pending"));
        } catch (err) {
          offerError = ` The licence offer was not published: ${explain(err)} You can add it from the dashboard.`;
        }
      }
      status.set(`Confirmed in block ${block}: certificate #${assetId}. Waiting for the index…`, "pending");
      const asset = await indexed(assetId, block);
      steps.set(3, "done", `Indexed: certificate #${assetId}`);
      submit.textContent = "Registered";
      status.set(`Registered: certificate #${assetId}.${offerError}`, offerError ? "error" : "ok");
      clear(result, h("p", null, h("a", { href: `#/work/${assetId}`, class: "btn", "data-testid": "new-certificate" }, `View certificate #${assetId}: ${asset.title ?? ""}`)));
      registered = true; // the button stays off until another file is chosen
    } catch (err) {
      if (stage >= 0) steps.fail();
      if (err instanceof AlreadyRegisteredError) showExactDuplicate(err.assetId);
      else if (err instanceof RejectedError && stage === 2) {
        status.set("You rejected the registration in your wallet. Your commitment stays valid for 7 days: press the button again to register without committing again.", "error");
      } else status.set(explain(err), "error");
    } finally {
      busy = false;
      submit.disabled = registered || (submit.textContent === "Register anyway" && !confirm.checked);
    }
  });
  clear(root, form);
}
