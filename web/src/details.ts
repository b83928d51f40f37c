// A work's facts in words, for every kind: what its file's format says (the metadata's `genip.details`: a model's
// base model, trigger words and size; a workflow's node types and the models it loads; an image's size; a text's
// length), what it was made with (`genip.model`, `genip.tool`) and its tags. Keys the page does not know are worded
// from their name ("ssNumEpochs" → "Ss num epochs"), never shown raw; lists are joined, nested maps flattened.

import type { Asset } from "./api";

/** `value` when it is a JSON object, else an empty one (metadata is the creator's JSON: trust no shape). */
export function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Labels of the keys `genip.content.formats` writes (safetensors, ComfyUI workflows, images, texts). */
const LABELS: Record<string, string> = {
  format: "File format",
  baseModel: "Base model",
  modelName: "Model name",
  title: "Title in the file",
  triggerWords: "Trigger words",
  tensorCount: "Tensors",
  parameterCount: "Parameters",
  dtypes: "Number formats",
  nodeCount: "Nodes",
  nodeTypes: "Node types",
  models: "Models it loads",
  characters: "Characters",
  lines: "Lines",
};

/** Labels of the training fields kohya-ss and modelspec write (the `training` map of a model's details). */
const TRAINING: Record<string, string> = {
  ss_training_started_at: "Training started",
  ss_training_finished_at: "Training finished",
  ss_num_train_images: "Training images",
  ss_num_reg_images: "Regularisation images",
  ss_num_epochs: "Epochs",
  ss_epoch: "Epoch",
  ss_max_train_steps: "Training steps (maximum)",
  ss_steps: "Training steps",
  ss_learning_rate: "Learning rate",
  ss_unet_lr: "UNet learning rate",
  ss_text_encoder_lr: "Text encoder learning rate",
  ss_lr_scheduler: "Learning-rate schedule",
  ss_optimizer: "Optimiser",
  ss_network_module: "Network module",
  ss_network_dim: "Network rank",
  ss_network_alpha: "Network alpha",
  ss_resolution: "Training resolution",
  ss_mixed_precision: "Mixed precision",
  ss_seed: "Seed",
  ss_training_comment: "Training comment",
  "modelspec.resolution": "Resolution",
  "modelspec.date": "Date",
};

/** File formats as people name them. */
const FORMATS: Record<string, string> = {
  safetensors: "safetensors (weights only, no code)",
  "comfyui-ui": "ComfyUI workflow (editor file)",
  "comfyui-api": "ComfyUI workflow (API format)",
};

/** "ssNumEpochs" / "ss_num_epochs" / "modelspec.date" → "Ss num epochs" (a key the page has no label for). */
export function keyInWords(key: string): string {
  const words = key
    .replace(/^(ss_|modelspec\.)/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_.\-]+/g, " ")
    .trim()
    .toLowerCase();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : key;
}

/** 1234567 → "1 234 567"; 12_345_678 parameters → "12.3 million". */
function count(n: number, big = false): string {
  if (big && n >= 1e9) return `${(n / 1e9).toFixed(n >= 1e10 ? 0 : 1)} billion`;
  if (big && n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)} million`;
  return n.toLocaleString("en-GB").replace(/,/g, " ");
}

/** A value as text: lists joined, numbers grouped, epoch seconds (training times) as dates; "" when empty. */
function valueInWords(key: string, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.filter((v) => typeof v !== "object").map(String).filter(Boolean).join(", ");
  if (typeof value === "object") return "";
  if (typeof value === "boolean") return value ? "yes" : "no";
  const text = String(value).trim();
  if (/_at$/.test(key) && /^\d{9,11}(\.\d+)?$/.test(text)) {
    return new Date(Number(text) * 1000).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }
  if (typeof value === "number") return count(value, key === "parameterCount");
  if (key === "format") return FORMATS[text] ?? text;
  return text;
}

/** Whether the page shows the work itself (an image, or a text's excerpt) rather than a card of its facts. */
export function showsMedia(asset: Asset): boolean {
  return asset.kind === "image" || asset.kind === "text"; // a preview or an excerpt; other kinds show their card
}

/** The work's facts as (label, words) pairs, in a stable order: what the file says, then what made it, then tags. */
export function workDetails(asset: Asset): [string, string][] {
  const genip = record(asset.metadata?.["genip"]);
  const details = record(genip["details"]);
  const rows: [string, string][] = [];
  const width = details["width"];
  const height = details["height"];
  for (const [key, value] of Object.entries(details)) {
    if (key === "width" || key === "height" || key === "training") continue;
    const words = valueInWords(key, value);
    if (words) rows.push([LABELS[key] ?? keyInWords(key), words]);
  }
  if (typeof width === "number" && typeof height === "number") rows.push(["Size", `${count(width)} × ${count(height)} pixels`]);
  for (const [key, value] of Object.entries(record(details["training"]))) {
    const words = valueInWords(key, value);
    if (words) rows.push([TRAINING[key] ?? keyInWords(key), words]);
  }
  const model = typeof genip["model"] === "string" ? genip["model"].trim() : "";
  const tool = typeof genip["tool"] === "string" ? genip["tool"].trim() : "";
  if (model) rows.push(["Made with model", model]);
  if (tool) rows.push(["Made with tool", tool]);
  // What the file itself says (C2PA content credentials, A1111/ComfyUI metadata; never its prompt): evidence.
  const madeWith = asset.made_with?.summary?.trim();
  if (madeWith) rows.push(["The file says", madeWith]);
  const tags = (Array.isArray(genip["tags"]) ? genip["tags"] : asset.tags ?? []).filter((t): t is string => typeof t === "string" && t.trim() !== "");
  if (tags.length) rows.push(["Tags", tags.join(", ")]);
  return rows;
}

/** The certificate's perceptual hash in words: an image's PDQ hash, a text's SimHash, or for kinds without one
 * (models, workflows, other files commit all zeros) a sentence saying there is none. */
export function perceptualInWords(asset: Asset): { label: string; hash: string | null; words: string } {
  const algorithm = String(record(record(asset.metadata?.["genip"])["perceptualHash"])["algorithm"] ?? "");
  if (!asset.perceptual_hash || /^(0x)?0*$/.test(asset.perceptual_hash)) {
    return { label: "Perceptual hash", hash: null, words: `None: only images and texts carry a look-alike fingerprint; a ${asset.kind} is identified by its exact sha256.` };
  }
  if (algorithm === "simhash64" || asset.kind === "text" || asset.kind === "prompt") {
    return { label: "Text fingerprint (SimHash)", hash: asset.perceptual_hash, words: "" };
  }
  return { label: "Perceptual hash (PDQ)", hash: asset.perceptual_hash, words: "" };
}
