// Register a work from the browser with one button: upload (the server hashes, fingerprints and stores it) → stop
// on an exact duplicate (a link to its certificate, nothing more), or on near-duplicates of other creators' works:
// each is shown (thumbnail and link), and the page asks the API whether the account holds a licence on it that
// allows derivatives; with one it offers to register the work as a derivative under that licence, and either way
// the work can be registered as an original only once the creator confirms it is theirs, knowing it will be marked
// publicly as a possible copy; or on the registered resources the work was made with (those its file names, the
// API's `resources_used`, and the registered prompts the typed prompt is, ./resources): each is settled under a
// licence held, under one bought in the same flow, or declared "not derived from it" with a reason → commit the
// prompt locally (creator-bound, random salt offered as a download) → store the metadata (with the declarations)
// → the wallet buys the chosen licences, signs commit(leaf), the page waits for the next block, the wallet signs
// register(work, salt, []) (or the hub's registerDerivative(licences, work, salt, [])) → the certificate once
// indexed → the prompt and salt sealed to the checker's key and submitted, signed by the wallet (src/seal.ts).
// The purchases and the four chain steps are shown as they progress.

import { config, get, mediaUrl, post, postForm, type Asset, type Config, type KindConfig, type MetadataRequest, type MetadataStored, type NearDuplicate, type ResourceUsed, type Upload } from "../api";
import { buyLicense, purchaseOutcome, commitPrompt, createOffer, existingCertificate, normalizePrompt, registerDerivative, registerWork, ZERO, type RegisterStage } from "../chain";
import { fittingLicences, othersResources, resourcesStep, typedPromptResources, type Parent, type Resource, type ResourcesStep } from "./resources";
import { clear, field, h, statusLine } from "../dom";
import { capitalised, isGeneration, shortAddr, toUnits } from "../format";
import { AlreadyRegisteredError, explain, RejectedError, signUpload, sleep, wallet, WalletError } from "../wallet";
import { noteSentence } from "../errors";
import type { Address, Hex } from "viem";

type StepState = "todo" | "active" | "done" | "failed";
/** Most example outputs a prompt-kind work shows (as `genip register --example`). */
const MAX_EXAMPLES = 4;
/** A registration step: a licence bought first (`buy:<asset id>`), the three chain stages, then the index. */
type Stage = `buy:${number}` | RegisterStage | "indexed";
const BASE: { stage: Stage; label: string }[] = [
  { stage: "commit", label: "Committing (wallet signature)" },
  { stage: "wait", label: "Waiting for the next block" },
  { stage: "register", label: "Registering (wallet signature)" },
  { stage: "indexed", label: "Indexed" },
];

/** The registration steps as a list whose items say todo / active / done / failed: any licences bought first, then
 * commit, the next block, register and the index (`plan` sets the licences to buy). */
function stepList() {
  const el = h("ol", { class: "steps", "data-testid": "register-steps", "aria-label": "Registration steps", hidden: true });
  let steps = BASE;
  let items: HTMLLIElement[] = [];
  const plan = (buys: { stage: Stage; label: string }[]) => {
    steps = [...buys, ...BASE];
    items = steps.map(({ stage, label }, i) =>
      h("li", { "data-step": i + 1, "data-stage": stage, "data-state": "todo" }, h("span", { class: "mark", "aria-hidden": "true" }), h("span", { class: "label" }, `${i + 1}. ${label}`)),
    );
    el.replaceChildren(...items);
  };
  const set = (stage: Stage, state: StepState, label?: string) => {
    const index = steps.findIndex((s) => s.stage === stage);
    const item = items[index];
    if (!item) return;
    el.hidden = false;
    item.dataset.state = state;
    item.removeAttribute("aria-current");
    if (state === "active") item.setAttribute("aria-current", "step");
    const text = item.querySelector(".label");
    if (label && text) text.textContent = `${index + 1}. ${label}`;
    for (const [i, other] of items.entries()) {
      if (i < index && other.dataset.state !== "done") {
        other.dataset.state = "done";
        other.removeAttribute("aria-current");
      }
    }
  };
  const reset = () => {
    el.hidden = true;
    plan([]);
  };
  const fail = () => {
    for (const item of items) if (item.dataset.state === "active") item.dataset.state = "failed";
  };
  reset();
  return { el, set, plan, reset, fail };
}

/** The registered resources the upload's file names (`POST /uploads` `resources_used`). */
function resourcesOf(up: Upload): ResourceUsed[] {
  return up.resources_used ?? [];
}

function saveFile(text: string): string {
  return URL.createObjectURL(new Blob([text], { type: "application/json" }));
}

function certificateLink(id: bigint | number, text?: string): HTMLAnchorElement {
  return h("a", { href: `#/work/${id}` }, text ?? `certificate #${id}`);
}

/** "certificate #4", "certificates #4 and #9", "certificates #4, #9 and #12". */
function certificates(ids: number[]): string {
  const named = ids.map((id) => `#${id}`);
  const last = named.pop();
  return named.length ? `certificates ${named.join(", ")} and ${last}` : `certificate ${last}`;
}

/** A near-duplicate, and the licence the account holds on it that allows a derivative (null: none). */
interface Similar {
  dup: NearDuplicate;
  licenseId: number | null;
}

/** Plain sentences for the hub's refusals of a derivative registration (`WalletError.reason` names them). */
const DERIVATIVE_REFUSALS: Record<string, string> = {
  LicenseAlreadyUsed: "That licence was already used to register a derivative; buy another licence that allows derivatives.",
  NotLicenseHolder: "Your account does not hold that licence any more.",
  DerivativesNotAllowed: "That licence does not allow derivatives.",
  LicenseExpired: "That licence has expired.",
  UnknownLicense: "That licence does not exist on this chain.",
  AssetNotClear: "The original is under a claim, or a claim against it was upheld, so no derivative of it can be registered now.",
  AssetExpired: "The original's own rights have ended, so no derivative of it can be registered.",
  DuplicateParent: "The same original is named twice.",
  TooManyParents: "A derivative can name at most 16 originals.",
  LineageTooDeep: "The original is itself too many generations of derivatives deep to build on further.",
  TooManyAncestors: "The original has too many ancestors to build on further.",
  RoyaltyStackTooHigh: "The revenue shares owed to the originals and their ancestors would exceed the whole revenue.",
};

function thumbnail(d: NearDuplicate): HTMLElement {
  return h("div", { class: "thumb" }, d.preview_cid
    ? h("img", { src: mediaUrl(d.preview_cid), alt: `Certificate #${d.asset_id}${d.title ? `: ${d.title}` : ""}`, decoding: "async" })
    : h("span", { class: "placeholder small" }, "no preview"));
}

/** The near-duplicates, each with its thumbnail and a link to its certificate; `offer` takes the derivative offer
 * once the licences are checked; `confirm` is the confirmation that registers it as a possible copy. */
function duplicateWarning(dups: NearDuplicate[], offer: HTMLElement, confirm: HTMLInputElement): HTMLElement {
  const named = certificates(dups.map((d) => d.asset_id));
  return h("div", { class: "callout warn", role: "alert", "data-testid": "near-duplicates" },
    h("p", null, h("strong", null, dups.length === 1 ? "This looks like a work another creator registered:" : "This looks like works other creators registered:")),
    h("ul", { class: "similar" }, dups.map((d) => h("li", { "data-asset": d.asset_id },
      thumbnail(d),
      h("p", null,
        certificateLink(d.asset_id, `Certificate #${d.asset_id}${d.title ? `: ${d.title}` : ""}`),
        d.creator ? ` by ${shortAddr(d.creator)}` : "",
        d.distance !== null ? ` (differs in ${d.distance} of 256 fingerprint bits)` : " (a crop or edit of it)")))),
    offer,
    h("label", { class: "check" }, confirm,
      ` This is my own work, register anyway: it will be registered and marked publicly as a possible copy of ${named}, and ${dups.length === 1 ? "its owner" : "their owners"} can bring a claim against it.`));
}

/** What the account may do about the near-duplicates: register as a derivative under the licences it holds
 * (`derive`, gated by `deriveConfirm` when other near-duplicates remain unlicensed), or buy one. */
function derivativeOffer(similar: Similar[]): { el: HTMLElement; derive: HTMLButtonElement | null; deriveConfirm: HTMLInputElement | null; parents: Parent[] } {
  const parents = similar.flatMap((s) => (s.licenseId === null ? [] : [{ assetId: s.dup.asset_id, licenseId: s.licenseId }]));
  const others = similar.filter((s) => s.licenseId === null).map((s) => s.dup.asset_id);
  if (!parents.length) {
    return {
      el: h("p", { "data-testid": "no-fitting-licence" },
        `You hold no licence on ${others.length === 1 ? "it" : "them"} that allows derivatives. If you built on ${others.length === 1 ? "it" : "one of them"}, buy such a licence on its page and register your work as a derivative of it.`),
      derive: null, deriveConfirm: null, parents,
    };
  }
  const ids = parents.map((p) => p.assetId);
  const held = parents.map((p) => `licence #${p.licenseId} on certificate #${p.assetId}`).join(", ");
  const derive = h("button", { type: "button", class: "btn", "data-testid": "register-derivative" }, `Register as a derivative of ${ids.map((id) => `#${id}`).join(" and ")}`);
  const deriveConfirm = others.length
    ? h("input", { type: "checkbox", name: "confirm_derivative_copy", "data-testid": "confirm-derivative-copy" })
    : null;
  const el = h("div", { class: "derivative-offer", "data-testid": "derivative-offer" },
    h("p", null, parents.length === 1
      ? `You hold ${held}, which allows derivatives. Registered under it, your work becomes a derivative of ${certificates(ids)}; the licence is then used up for derivatives and keeps its other rights.`
      : `You hold ${held}, which allow derivatives. Registered under them, your work becomes a derivative of ${certificates(ids)}; the licences are then used up for derivatives and keep their other rights.`),
    deriveConfirm
      ? h("label", { class: "check" }, deriveConfirm, ` Register it as a derivative anyway: it will still be marked publicly as a possible copy of ${certificates(others)}, on which you hold no such licence.`)
      : null,
    h("p", null, derive));
  return { el, derive, deriveConfirm, parents };
}

/** Each near-duplicate with the account's licence on it that fits a derivative (`fittingLicences`). */
async function nearLicences(account: Address, dups: NearDuplicate[]): Promise<Similar[]> {
  const held = await fittingLicences(account, dups.map((d) => d.asset_id));
  return dups.map((dup) => ({ dup, licenseId: held.get(dup.asset_id)?.licenseId ?? null }));
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
  // A prompt-kind work's public face: title, description and example outputs (watermarked previews), never the prompt.
  const examples = h("input", { type: "file", name: "examples", multiple: true, accept: ".png,.jpg,.jpeg,.webp,.gif", "data-testid": "examples" });
  const examplesField = field("Example outputs (optional)", examples,
    `Up to ${MAX_EXAMPLES} images made with the prompt. Only watermarked previews of them are published; the prompt itself never is.`);
  const offerPrice = h("input", { type: "text", inputmode: "decimal", name: "standard_price", placeholder: "leave empty for no offer" });
  const offerCurrency = h("select", { name: "currency" }, cfg.currencies.map((c) => h("option", { value: c.address, selected: c.address !== ZERO }, c.symbol)));
  const submit = h("button", { type: "submit", class: "btn" }, "Upload and register");
  const confirm = h("input", { type: "checkbox", name: "confirm_own_work", "data-testid": "confirm-own-work" });
  const status = statusLine();
  const steps = stepList();
  const hashes = h("div", { class: "hashes" });
  const saltBox = h("div");
  const warning = h("div");
  const resourcesBox = h("div");
  const result = h("div", { "aria-live": "polite" });

  // The upload of the chosen file, kept until the file or kind changes, so that confirming a near-duplicate
  // registers what was checked without uploading it again.
  let uploaded: { file: File; kind: string; up: Upload } | null = null;
  // The previews made of example outputs, so that a retry does not send them again.
  const examplePreviews = new Map<File, string>();
  // The prompt commitment of the last attempt: a retry (say, after a rejected second signature) keeps the salt
  // the creator may already have downloaded.
  let promptCommit: { key: string; value: ReturnType<typeof commitPrompt> } | null = null;
  let busy = false;
  // Registered, or an exact duplicate: nothing more to register until another file is chosen.
  let done = false;
  // The near-duplicates shown for this upload: registering as an original then needs `confirm`; `derive`
  // registers as a derivative under the account's licences (null until they are checked, or without any).
  let review: { derive: HTMLButtonElement | null; deriveConfirm: HTMLInputElement | null } | null = null;
  // The registered resources this upload names: registering needs each settled (under a licence, or declared not
  // derived from it), and registers the work as a derivative of those it is under.
  let resources: { up: Upload; ids: string; step: ResourcesStep } | null = null;
  // The registered prompts the typed prompt is, by upload and prompt, so that a retry does not look them up again.
  const typedPrompts = new Map<string, Promise<Resource[]>>();
  const refresh = () => {
    const closed = busy || done;
    const unsettled = resources !== null && !resources.step.settled();
    submit.disabled = closed || unsettled || (review !== null && !confirm.checked);
    if (review?.derive) review.derive.disabled = closed || unsettled || (review.deriveConfirm !== null && !review.deriveConfirm.checked);
    if (resources && !closed && !review) {
      const n = resources.step.toBuy();
      submit.textContent = n ? `Buy ${n === 1 ? "the licence" : `${n} licences`} and register` : "Register";
    }
  };
  const reset = () => {
    uploaded = null;
    done = false;
    review = null;
    resources = null;
    confirm.checked = false;
    submit.textContent = "Upload and register";
    clear(resourcesBox);
    clear(warning);
    clear(hashes);
    clear(saltBox);
    clear(result);
    steps.reset();
    status.set("");
    refresh();
  };
  const showKind = () => {
    const chosen = kindOf(kind.value);
    file.accept = chosen?.suffixes.join(",") ?? "";
    prompt.required = chosen?.prompt_required ?? false;
    examplesField.hidden = chosen?.kind !== "prompt";
  };
  showKind();
  file.addEventListener("change", reset);
  kind.addEventListener("change", () => {
    showKind();
    reset();
  });
  confirm.addEventListener("change", refresh);

  const form = h("form", { class: "stack narrow" },
    h("h1", null, "Register a work"),
    h("p", { class: "muted" }, "Your wallet first signs the upload (a message, no transaction), then twice on the chain: once to commit to the registration, then, a block later, to register it and receive the certificate (an ERC-721 token). The file and its description are stored by content address; the prompt stays in your browser."),
    field("Kind", kind),
    field("File", file, `Up to ${Math.round(cfg.max_upload_bytes / 1048576)} MiB.`),
    field("Title", title),
    field("Description", description),
    field("Tags (comma-separated)", tags),
    field("Prompt", prompt, "Never published: only a salted hash of it, bound to your address, is. After registering it goes to the checker sealed to the checker's key, so only the checker can read it; keep the salt file to prove it later."),
    examplesField,
    field("Model (optional)", model),
    h("fieldset", null, h("legend", null, "Standard licence offer (optional)"),
      h("div", { class: "row" }, field("Price", offerPrice), field("Currency", offerCurrency))),
    hashes, saltBox, resourcesBox, warning, submit, steps.el, status, result);

  /** The CID of the watermarked preview the server makes of an example output (the example is not kept). */
  async function examplePreview(account: Address, example: File): Promise<string> {
    const known = examplePreviews.get(example);
    if (known) return known;
    const data = new FormData();
    data.append("file", example);
    try {
      const signed = await signUpload(account, example, "upload example"); // the wallet owns the upload
      const { preview_cid } = await postForm<{ preview_cid: string }>("/uploads/examples", data, signed);
      examplePreviews.set(example, preview_cid);
      return preview_cid;
    } catch (err) {
      throw new Error(`Example output ${example.name}: ${explain(err)}`);
    }
  }

  async function upload(account: Address, chosen: File): Promise<Upload> {
    if (uploaded && uploaded.file === chosen && uploaded.kind === kind.value) return uploaded.up;
    status.set("Sign the upload in your wallet…", "pending");
    const signed = await signUpload(account, chosen, "upload work"); // the wallet owns the upload (and its quota)
    status.set("Uploading and hashing…", "pending");
    const data = new FormData();
    data.append("file", chosen);
    data.append("kind", kind.value);
    data.append("creator", account);
    const up = await postForm<Upload>("/uploads", data, signed);
    uploaded = { file: chosen, kind: kind.value, up };
    clear(hashes, h("dl", { class: "facts" },
      h("dt", null, "sha256"), h("dd", null, h("code", { class: "hash" }, up.sha256)),
      h("dt", null, "CID"), h("dd", null, h("code", { class: "hash" }, up.cid)),
      h("dt", null, "Perceptual hash"), h("dd", null, h("code", { class: "hash" }, up.perceptual_hash?.value ?? "none for this kind"))),
      up.resource_notes?.length
        ? h("div", { class: "muted small", "data-testid": "resource-notes" },
          h("p", null, "About the resources your file names (evidence only; it does not stop the registration):"),
          h("ul", null, up.resource_notes.map((note) => h("li", null, noteSentence(note)))))
        : null);
    return up;
  }

  /** The exact file has a certificate: a link to it, and neither a prompt salt nor a way to register. */
  function showExactDuplicate(id: bigint): void {
    steps.fail();
    status.set("");
    done = true;
    review = null;
    resources = null;
    promptCommit = null;
    submit.textContent = "Already registered";
    clear(resourcesBox);
    clear(saltBox);
    clear(result);
    clear(warning, h("p", { class: "callout bad", role: "alert", "data-testid": "exact-duplicate" },
      "This exact file is already ", certificateLink(id), ". It cannot be registered again, so there is no prompt salt to keep. To build on it, buy a licence that allows derivatives on its page and register your own changed version as a derivative."));
    refresh();
  }

  /** The registered resources of this upload: those its file names (the API's answer), then the registered
   * prompt-kind works the typed prompt is (looked up without sending it; not for a prompt-kind work, whose text
   * is its content). */
  async function resourcesFor(account: Address, up: Upload, workKind: string): Promise<Resource[]> {
    const named: Resource[] = othersResources(account, resourcesOf(up));
    if (workKind === "prompt" || !normalizePrompt(prompt.value)) return named;
    const key = `${up.sha256}:${normalizePrompt(prompt.value)}`;
    let typed = typedPrompts.get(key);
    if (!typed) {
      status.set("Checking whether your prompt is a registered prompt (only 4 hex digits of its hash are sent)…", "pending");
      typed = typedPromptResources(prompt.value, named.map((r) => r.asset_id)).catch(() => []);
      typedPrompts.set(key, typed);
    }
    return [...named, ...othersResources(account, await typed)];
  }

  /** Shows the registered resources of the upload, each to settle before registering. */
  function showResources(account: Address, up: Upload, found: Resource[], ids: string): void {
    const step = resourcesStep(cfg, account, found, refresh);
    resources = { up, ids, step };
    clear(resourcesBox, step.el);
    status.set("Your work was made with registered resources: register it under a licence on each, or say why it is not derived from one.", "error");
    refresh();
  }

  /** Stops at near-duplicates of other creators' works: shows them, then what the account's licences allow. */
  async function showNearDuplicates(account: Address, dups: NearDuplicate[]): Promise<void> {
    const offer = h("div", null, h("p", { class: "muted" }, "Checking whether you hold a licence that allows derivatives…"));
    const current: NonNullable<typeof review> = { derive: null, deriveConfirm: null };
    review = current;
    clear(warning, duplicateWarning(dups, offer, confirm));
    submit.textContent = "Register anyway";
    status.set("Check the similar works above before you register.", "error");
    refresh();
    const checked = derivativeOffer(await nearLicences(account, dups));
    if (review !== current) return; // another file was chosen meanwhile
    clear(offer, checked.el);
    current.derive = checked.derive;
    current.deriveConfirm = checked.deriveConfirm;
    checked.deriveConfirm?.addEventListener("change", refresh);
    checked.derive?.addEventListener("click", () => void run(checked.parents));
    if (checked.parents.length) {
      status.set("You hold a licence that allows derivatives: register your work as a derivative, or confirm it is your own.");
    }
  }

  async function indexed(assetId: bigint, block: number): Promise<Asset> {
    for (let i = 0; i < 150; i++) {
      const asset = await get<Asset>(`/assets/${assetId}`, true).catch(() => null);
      if (asset && asset.as_of_block >= block) return asset;
      await sleep(400);
    }
    throw new Error(`Registered as certificate #${assetId}, but the index has not caught up; it will appear shortly.`);
  }

  /** Registers the chosen file: as an original (`parents` null), stopping at near-duplicates until confirmed,
   * or as a derivative under the licences in `parents`. */
  async function run(parents: Parent[] | null): Promise<void> {
    const chosen = file.files?.[0];
    if (!chosen) return status.set("Choose a file first.", "error");
    const workKind = kindOf(kind.value);
    if (!workKind) return status.set("Choose the kind of work.", "error");
    if (!title.value.trim()) return status.set("Give the work a title.", "error");
    if (workKind.prompt_required && !prompt.value.trim()) {
      return status.set(`${capitalised(workKind.kind)} works need the prompt that made them.`, "error");
    }
    const exampleFiles = workKind.kind === "prompt" ? [...(examples.files ?? [])] : [];
    if (exampleFiles.length > MAX_EXAMPLES) {
      return status.set(`Choose at most ${MAX_EXAMPLES} example outputs.`, "error");
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
    resources?.step.lock(true);
    refresh();
    steps.reset();
    status.set("Checking your wallet…", "pending"); // at once: the last attempt's error is gone
    // The step under way (set by the progress callback too, so kept in an object the compiler does not narrow).
    const at: { stage: Stage | null } = { stage: null };
    // The works this one is registered as a derivative of (near-duplicates and resources under licences).
    let derivedFrom: Parent[] = parents ?? [];
    try {
      const { account } = await wallet.ready();
      const up = await upload(account, chosen);
      const existing = await existingCertificate(cfg, up.sha256 as Hex);
      if (existing !== 0n) return showExactDuplicate(existing);
      // Resources the file names and near-duplicates are shown together, the first time this upload is checked.
      // A changed prompt may find other registered prompts: the step is rebuilt when the resources change.
      const found = await resourcesFor(account, up, workKind.kind);
      const ids = found.map((r) => r.asset_id).join(",");
      if (!found.length && resources) {
        resources = null;
        clear(resourcesBox);
      }
      const fresh = found.length > 0 && (resources?.up !== up || resources.ids !== ids);
      if (fresh) showResources(account, up, found, ids);
      if (!parents && up.near_duplicates.length && !(review && confirm.checked)) {
        return await showNearDuplicates(account, up.near_duplicates);
      }
      if (fresh) return;
      const used = resources?.up === up ? resources.step : null;
      if (used && !used.settled()) {
        return status.set("Settle each registered resource above first: register under a licence on it, or say why your work is not derived from it.", "error");
      }
      const plan = used?.plan() ?? { held: [], buy: [], notDerived: [] };
      steps.plan(plan.buy.map((b) => ({
        stage: `buy:${b.resource.asset_id}` as const,
        label: `Buying ${isGeneration(b.offer.tier) ? "a generation" : "an extended"} licence on ${used?.named(b.resource.asset_id)} (wallet signature)`,
      })));

      // A prompt-kind work is its prompt: given no other, it commits to the file's own text (UTF-8, BOM dropped, then
      // normalised), the very text `genip register` commits to for the same file.
      const promptText = workKind.kind === "prompt" && !normalizePrompt(prompt.value) ? await chosen.text() : prompt.value;
      const promptKey = `${account}:${up.sha256}:${normalizePrompt(promptText)}`;
      if (promptCommit?.key !== promptKey) promptCommit = { key: promptKey, value: commitPrompt(account, promptText) };
      const commit = promptCommit.value;
      const secret = JSON.stringify({
        scheme: "Gen-IP prompt commitment v2", creator: account, content_cid: up.cid, sha256: up.sha256,
        prompt: commit.prompt, salt: commit.salt, commitment: commit.commitment,
      }, null, 2);
      clear(saltBox, h("p", null,
        h("a", { href: saveFile(secret), download: `genip-prompt-${up.sha256.slice(2, 10)}.json`, class: "btn secondary" }, "Download your prompt salt"),
        h("span", { class: "muted small" }, " Keep it private: with it you can prove the prompt later.")));
      const exampleCids: string[] = [];
      for (const [i, example] of exampleFiles.entries()) {
        status.set(`Making a watermarked preview of example ${i + 1} of ${exampleFiles.length}…`, "pending");
        exampleCids.push(await examplePreview(account, example));
      }
      status.set("Storing the description…", "pending");
      const meta = await post<MetadataStored>("/metadata", {
        not_derived_from: plan.notDerived,
        examples: exampleCids,
        content_cid: up.cid,
        name: title.value,
        description: description.value,
        tags: tags.value.split(",").map((t) => t.trim()).filter(Boolean),
        prompt_commitment: commit.commitment,
        creator: account,
        model: model.value.trim() || null,
      } satisfies MetadataRequest);
      const work = {
        kind: workKind,
        sha256: up.sha256 as Hex,
        perceptualHash: (up.perceptual_hash?.value ?? `0x${"00".repeat(32)}`) as Hex,
        commitment: commit.commitment,
        metadataCid: meta.metadata_cid,
      };
      // Licences on the resources, bought one by one before the registration (a retry uses those already bought).
      // A purchase sent by an earlier attempt whose outcome the page missed is checked by its hash first: a licence
      // it bought is used, and another is bought only once it is known to have bought none.
      for (const { resource, offer } of plan.buy) {
        const id = resource.asset_id;
        const named = used?.named(id) ?? `#${id}`;
        const buying: Stage = `buy:${id}`;
        at.stage = buying;
        steps.set(buying, "active");
        const earlier = used?.pending(id) ?? null;
        if (earlier) {
          status.set(`Checking the purchase of a licence on ${named} sent earlier…`, "pending");
          const outcome = await purchaseOutcome(earlier);
          if (outcome === null) throw new WalletError("That purchase is not confirmed yet: wait for it in your wallet.");
          const held = outcome === 0n ? await used?.heldNow(id) : null;
          const licence = typeof outcome === "bigint" && outcome !== 0n ? { licenseId: Number(outcome), tier: offer.tier } : held;
          if (licence) {
            used?.bought(id, licence.licenseId, licence.tier);
            steps.set(buying, "done", `Bought licence #${licence.licenseId} on ${named}`);
            continue;
          }
          used?.sent(id, null); // reverted, or mined without a licence and none held: nothing was bought
        }
        const bought = await buyLicense(offer, (t) => status.set(`Licence on ${named}: ${t}`, "pending"), (hash) => used?.sent(id, hash));
        if (bought.licenseId === 0n) throw new WalletError("The purchase was mined but the hub reported no licence for it.");
        used?.bought(id, Number(bought.licenseId), offer.tier);
        steps.set(buying, "done", `Bought licence #${bought.licenseId} on ${named}`);
      }
      const under = used?.plan().held ?? [];
      derivedFrom = [...derivedFrom, ...under.filter((p) => !derivedFrom.some((q) => q.assetId === p.assetId))];
      const progress = (s: RegisterStage, detail?: string) => {
        at.stage = s;
        steps.set(s, "active");
        if (detail) status.set(detail, "pending");
      };
      const { assetId, block } = derivedFrom.length
        ? await registerDerivative(work, derivedFrom.map((p) => BigInt(p.licenseId)), progress)
        : await registerWork(work, progress);
      at.stage = "indexed";
      steps.set("indexed", "active", `Indexing certificate #${assetId}…`);
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
      steps.set("indexed", "done", `Indexed: certificate #${assetId}`);
      let promptNote = "";
      if (commit.prompt) {
        status.set("Sending your prompt, sealed so only the checker can read it…", "pending");
        try {
          const { chain_id } = await config();
          const { submitPrompt } = await import("../seal"); // libsodium loads only to seal a prompt
          await submitPrompt(chain_id, account, assetId, commit.commitment, commit.prompt, commit.salt);
          promptNote = " Your prompt went to the checker, sealed: only the checker can read it.";
        } catch (err) {
          promptNote = ` Your prompt was not sent to the checker (${explain(err)}); send it later with \`genip prompt submit ${assetId} --salt-file <the salt file>\`.`;
        }
      }
      submit.textContent = "Registered";
      const as = derivedFrom.length ? `, a derivative of ${certificates(derivedFrom.map((p) => p.assetId))}` : "";
      const declared = plan.notDerived.length
        ? ` Recorded with it: not derived from ${certificates(plan.notDerived.map((d) => d.asset_id)).replace(/^certificates? /, "")}.`
        : "";
      status.set(`Registered: certificate #${assetId}${as}.${declared}${offerError}${promptNote}`, offerError ? "error" : "ok");
      clear(result, h("p", null, h("a", { href: `#/work/${assetId}`, class: "btn", "data-testid": "new-certificate" }, `View certificate #${assetId}: ${asset.title ?? ""}`)));
      done = true; // the buttons stay off until another file is chosen
    } catch (err) {
      const stage = at.stage;
      if (stage !== null) steps.fail();
      if (err instanceof AlreadyRegisteredError) showExactDuplicate(err.assetId);
      else if (err instanceof RejectedError && stage === "register") {
        status.set("You rejected the registration in your wallet. Your commitment stays valid for 7 days: press the button again to register without committing again.", "error");
      } else if (stage?.startsWith("buy:")) {
        const id = Number(stage.slice(4));
        const step = resources?.step;
        const named = step?.named(id) ?? `#${id}`;
        if (err instanceof WalletError && err.reason === "Reverted") step?.sent(id, null); // it bought nothing
        const sent = step?.pending(id);
        // Once the purchase was sent, the page cannot say it failed: it may be mined (the next attempt checks it).
        status.set(sent
          ? `The licence on ${named} may have been bought (transaction ${sent.slice(0, 10)}…), and nothing was registered yet. ${explain(err, true)} Press the button again: the page checks that purchase first and does not buy a second licence.`
          : `The licence on ${named} was not bought and nothing was registered. ${explain(err)}`, "error");
      } else if (derivedFrom.length && err instanceof WalletError && err.reason && DERIVATIVE_REFUSALS[err.reason]) {
        status.set(`Not registered: ${DERIVATIVE_REFUSALS[err.reason]}`, "error");
      } else status.set(explain(err), "error");
    } finally {
      busy = false;
      resources?.step.lock(done);
      refresh();
    }
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void run(null);
  });
  clear(root, form);
}
