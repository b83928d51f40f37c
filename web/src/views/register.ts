// Register a work from the browser: upload (server hashes, fingerprints, stores) → commit the prompt locally
// with a random salt → store the metadata → the wallet signs registry.register → certificate once indexed.

import { config, get, post, postForm, type Asset, type Upload } from "../api";
import { commitPrompt, createOffer, registerWork, ZERO } from "../chain";
import { clear, field, h, statusLine } from "../dom";
import { toUnits } from "../format";
import { explain, sleep, wallet } from "../wallet";

const ACCEPT: Record<string, string> = {
  image: ".png,.jpg,.jpeg,.webp,.gif",
  text: ".txt,.md,.markdown,.text,.rst",
  prompt: ".txt,.md",
  model: ".safetensors,.ckpt,.pt,.pth,.bin,.gguf,.onnx",
  workflow: ".json",
  other: ".zip,.pdf,.json,.bin",
};

function saveFile(text: string): string {
  return URL.createObjectURL(new Blob([text], { type: "application/json" }));
}

export default async function register(root: HTMLElement): Promise<void> {
  const cfg = await config();
  const kind = h("select", { name: "kind" }, Object.keys(ACCEPT).map((k) => h("option", { value: k }, k)));
  const file = h("input", { type: "file", name: "file", accept: ACCEPT.image, required: true });
  const title = h("input", { type: "text", name: "title", required: true, maxlength: 200 });
  const description = h("textarea", { name: "description", rows: 3, maxlength: 5000 });
  const tags = h("input", { type: "text", name: "tags", placeholder: "sea, night, poster" });
  const prompt = h("textarea", { name: "prompt", rows: 4, required: true });
  const model = h("input", { type: "text", name: "model", placeholder: "e.g. SDXL 1.0" });
  const offerPrice = h("input", { type: "text", inputmode: "decimal", name: "standard_price", placeholder: "leave empty for no offer" });
  const offerCurrency = h("select", { name: "currency" }, cfg.currencies.map((c) => h("option", { value: c.address, selected: c.address !== ZERO }, c.symbol)));
  const submit = h("button", { type: "submit", class: "btn" }, "Upload and register");
  const status = statusLine();
  const hashes = h("div", { class: "hashes" });
  const result = h("div", { "aria-live": "polite" });
  kind.addEventListener("change", () => {
    file.accept = ACCEPT[kind.value];
    prompt.required = kind.value === "image" || kind.value === "text";
  });
  const form = h("form", { class: "stack narrow", novalidate: false },
    h("h1", null, "Register a work"),
    h("p", { class: "muted" }, "Your wallet signs the registration and receives the certificate (an ERC-721 token). The file and its description are stored by content address; the prompt stays in your browser."),
    field("Kind", kind),
    field("File", file, `Up to ${Math.round(cfg.max_upload_bytes / 1048576)} MiB.`),
    field("Title", title),
    field("Description", description),
    field("Tags (comma-separated)", tags),
    field("Prompt", prompt, "Never uploaded: only keccak256(salt ‖ prompt) is published. You download the salt to reveal it to a checker later."),
    field("Model (optional)", model),
    h("fieldset", null, h("legend", null, "Standard licence offer (optional)"),
      h("div", { class: "row" }, field("Price", offerPrice), field("Currency", offerCurrency))),
    submit, status, hashes, result);

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!file.files?.length) return status.set("Choose a file first.", "error");
    if (!title.value.trim()) return status.set("Give the work a title.", "error");
    if (prompt.required && !prompt.value.trim()) return status.set("Image and text works need the prompt that made them.", "error");
    let price: bigint | null = null;
    if (offerPrice.value.trim()) {
      const c = cfg.currencies.find((x) => x.address === offerCurrency.value)!;
      try {
        price = toUnits(offerPrice.value, c.decimals);
      } catch (err) {
        return status.set(`Price: ${(err as Error).message}.`, "error");
      }
    }
    submit.disabled = true;
    try {
      const { account } = await wallet.ready();
      status.set("Uploading and hashing…", "pending");
      const data = new FormData();
      data.append("file", file.files[0]);
      data.append("kind", kind.value);
      data.append("creator", account);
      const up = await postForm<Upload>("/uploads", data);
      clear(hashes, h("dl", { class: "facts" },
        h("dt", null, "sha256"), h("dd", null, h("code", { class: "hash" }, up.sha256)),
        h("dt", null, "CID"), h("dd", null, h("code", { class: "hash" }, up.cid)),
        h("dt", null, "Perceptual hash"), h("dd", null, h("code", { class: "hash" }, up.perceptual_hash?.value ?? "none for this kind"))),
        up.near_duplicates.length
          ? h("p", { class: "badge warn", role: "alert" }, `Looks like already registered work: ${up.near_duplicates.map((d) => `#${d.asset_id}`).join(", ")}. Register only if it is yours.`)
          : null);
      const commit = commitPrompt(prompt.value || "");
      const secret = JSON.stringify({ content_cid: up.cid, sha256: up.sha256, prompt: commit.prompt, salt: commit.salt, commitment: commit.commitment }, null, 2);
      const saltLink = h("a", { href: saveFile(secret), download: `genip-prompt-${up.sha256.slice(2, 10)}.json`, class: "btn secondary" }, "Download your prompt salt");
      hashes.append(h("p", null, saltLink, h("span", { class: "muted small" }, " Keep it private: with it you can prove the prompt later.")));
      status.set("Storing the metadata…", "pending");
      const meta = await post<{ metadata_cid: string }>("/metadata", {
        content_cid: up.cid,
        name: title.value,
        description: description.value,
        tags: tags.value.split(",").map((t) => t.trim()).filter(Boolean),
        prompt_commitment: commit.commitment,
        creator: account,
        model: model.value.trim() || null,
      });
      const { assetId, block } = await registerWork(
        {
          kind: kind.value,
          sha256: up.sha256 as `0x${string}`,
          perceptualHash: (up.perceptual_hash?.value ?? `0x${"00".repeat(32)}`) as `0x${string}`,
          commitment: commit.commitment,
          metadataCid: meta.metadata_cid,
        },
        (t) => status.set(t, "pending"),
      );
      if (price !== null) {
        await createOffer(assetId, { tier: "standard", currency: offerCurrency.value, price, durationDays: 0, supplyCap: 0, revShareBps: 0 }, (t) => status.set(t, "pending"));
      }
      status.set(`Confirmed in block ${block}: certificate #${assetId}. Waiting for the index…`, "pending");
      let asset: Asset | null = null;
      for (let i = 0; i < 150 && !asset; i++) {
        asset = await get<Asset>(`/assets/${assetId}`, true).catch(() => null);
        if (!asset || asset.as_of_block < block) {
          asset = null;
          await sleep(400);
        }
      }
      if (!asset) throw new Error(`Registered as #${assetId}, but the index has not caught up; it will appear shortly.`);
      status.set(`Registered: certificate #${assetId}.`, "ok");
      clear(result, h("p", null, h("a", { href: `#/work/${assetId}`, class: "btn", "data-testid": "new-certificate" }, `View certificate #${assetId}: ${asset.title ?? ""}`)));
    } catch (err) {
      status.set(explain(err), "error");
    } finally {
      submit.disabled = false;
    }
  });
  clear(root, form);
}
