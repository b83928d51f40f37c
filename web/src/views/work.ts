// The work page: media, certificate, prompt-check badge, offers in plain words with Buy, lineage, status lookup; the
// mark of a possible copy (the API's `possible_original`) and, on an original, its possible copies. `?claim=N` (the
// dashboard's "Bring a claim") opens the claim form at once.

import { config, get, mediaUrl, type Account, type Asset, type Config, type Lineage, type LicenseStatus, type Offer, type Use } from "../api";
import { buyLicense } from "../chain";
import { clear, field, h, statusLine } from "../dom";
import { blocksLater, checkInWords, date, matchWords, pct, price, shortAddr, termsInWords, tierName } from "../format";
import { disputeInWords, standingText } from "../standing";
import { explain, sleep, wallet } from "../wallet";
import { answerControl, reportSection } from "./report";
import { downloadOriginal } from "../download";
import { perceptualInWords, showsMedia, workDetails } from "../details";
import { apiSentence } from "../errors";
import { creatorLink, creatorName, profileNote } from "../profile";
import { similarWorks } from "../similar";

/** `value` when it is a JSON object, else an empty one (metadata is the creator's JSON: trust no shape). */
function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The work's public face, never its original (sealed; licence holders download it): an image's watermarked
 * preview, a text's excerpt, the card of a model, workflow or prompt (a prompt's text is never on the page). */
function media(asset: Asset): HTMLElement {
  const title = asset.title || `Work #${asset.asset_id}`;
  const sealed = h("p", { class: "muted small", "data-testid": "original-note" },
    "This is the public preview. The original is kept encrypted and delivered only to its owner and licence holders.");
  if (asset.kind === "image") {
    const face = asset.preview_cid
      ? h("img", { src: mediaUrl(asset.preview_cid), alt: asset.description || title, "data-testid": "preview" })
      : h("p", { class: "muted" }, "No preview of this image yet.");
    return h("figure", { class: "media" }, face, h("figcaption", null, sealed));
  }
  const details = record(record(asset.metadata?.["genip"])["details"]);
  if (asset.kind === "text") {
    const excerpt = h("blockquote", { class: "excerpt", "data-testid": "excerpt" }, asset.excerpt || "No excerpt of this text yet.");
    return h("figure", { class: "media text" }, excerpt,
      h("figcaption", { class: "muted small" }, `Excerpt · ${details.characters ?? "?"} characters in all. `, sealed));
  }
  const rows = workDetails(asset);
  const heading = asset.kind === "model" ? "Model card" : asset.kind === "workflow" ? "Workflow card"
    : asset.kind === "prompt" ? "Prompt card" : "About the file";
  const examples = asset.kind === "prompt" ? exampleOutputs(asset, title) : null;
  return h(
    "figure",
    { class: "media card-model", "data-testid": "work-details" },
    examples,
    h("h2", null, heading),
    rows.length
      ? h("dl", { class: "facts" }, rows.map(([k, v]) => [h("dt", null, k), h("dd", null, v)]))
      : h("p", { class: "muted" }, "The file's metadata says nothing more about it."),
    asset.kind === "prompt"
      ? h("p", { class: "muted small" }, "The prompt itself is sealed: licence holders receive it with their licence.")
      : sealed,
  );
}

/** A prompt-kind work's example outputs: the watermarked previews its card lists (`card.examples`), never the
 * prompt; null when it has none. */
function exampleOutputs(asset: Asset, title: string): HTMLElement | null {
  const listed = record(asset.card)["examples"];
  const cids = Array.isArray(listed) ? listed.filter((c): c is string => typeof c === "string") : [];
  if (!cids.length) return null;
  return h("div", { class: "examples", "data-testid": "examples" },
    h("h2", null, "Example outputs"),
    h("ul", { class: "similar" }, cids.map((cid, i) => h("li", null,
      h("img", { src: mediaUrl(cid), alt: `Example output ${i + 1} of ${title}`, loading: "lazy", "data-testid": "example" })))),
    h("p", { class: "muted small" }, "Watermarked previews of images made with the prompt."));
}

/** The prompt check's state as a badge and a plain sentence (`checkInWords`); a failed check says whether sales are
 * stopped now, as the API's offers do (`refusal`), and an attested one names its checker and block. */
function promptCheck(asset: Asset): HTMLElement {
  const check = asset.prompt_check;
  const state = asset.check_state;
  const enforced = state !== "failed" || !asset.offers.some((o) => o.purchasable);
  const words = checkInWords(state, enforced);
  const by = check.checker && (state === "passed" || state === "failed")
    ? ` Attested by ${shortAddr(check.checker)}${check.block_number ? ` at block ${check.block_number}` : ""}.` : "";
  return h("div", { class: "prompt-check", "data-testid": "prompt-check", "data-state": state },
    h("p", { class: `badge ${words.tone}`, "data-testid": "prompt-badge", title: "Copyright and artist-style check of the prompt" }, words.badge),
    h("p", { class: state === "failed" && enforced ? "callout bad" : "muted small" }, words.sentence, by));
}

function facts(asset: Asset): HTMLElement {
  const phash = perceptualInWords(asset);
  const rows: [string, Node | string | (Node | string)[]][] = [
    ["Certificate", `#${asset.asset_id}`],
    ["Creator", [h("code", { title: asset.creator }, asset.creator), profileNote(asset.creator)]],
    ["Owner", h("code", null, asset.owner)],
    ["Registered", `${date(asset.registered_at)} · block ${asset.block_number}`],
    ["Content sha256", h("code", { class: "hash" }, asset.content_hash)],
    ["Original CID", asset.media_cid ? [h("code", { class: "hash" }, asset.media_cid), h("span", { class: "muted small" }, " (sealed)")] : "—"],
    ["Metadata CID", h("a", { href: mediaUrl(asset.metadata_cid) }, h("code", { class: "hash" }, asset.metadata_cid))],
    [phash.label, phash.hash ? h("code", { class: "hash" }, phash.hash) : h("span", { class: "muted" }, phash.words)],
    ["Prompt commitment", h("code", { class: "hash" }, asset.prompt_commitment)],
    ["Transaction", h("code", { class: "hash" }, asset.tx_hash)],
  ];
  // An image or a text shows the work itself above; its facts in words (size, model, tool, tags) go here.
  if (showsMedia(asset)) rows.splice(4, 0, ...workDetails(asset));
  if (asset.expires_at) rows.splice(4, 0, ["Rights end", `${date(asset.expires_at)} (inherited from the licences it was built under)`]);
  return h("section", { "aria-labelledby": "cert-h", class: "certificate" }, h("h2", { id: "cert-h" }, "Certificate"),
    h("dl", { class: "facts" }, rows.map(([k, v]) => [h("dt", null, k), h("dd", null, v)])));
}

/** "Possible copy of #N": the earlier work by another creator this one matches, how, and how much later it came. */
function copyMark(asset: Asset): HTMLElement | null {
  const original = asset.possible_original;
  if (!original) return null;
  return h("div", { class: "callout bad copy-mark", role: "note", "data-testid": "copy-mark" },
    h("p", null, h("strong", null, "Possible copy of ", h("a", { href: `#/work/${original.asset_id}` }, `#${original.asset_id}`)),
      original.title ? ` (${original.title})` : ""),
    h("p", { "data-testid": "copy-how" },
      `It matches that earlier work by another creator (${matchWords(original)}) and was ${blocksLater(asset.block_number - original.block_number)}. `,
      "It is not registered as a derivative of it; the earlier work's owner may bring a claim."));
}

/** "The creator declares this work is not derived from #N (title): reason": the creator's answers, recorded with the
 * work at registration, to registered works the upload was matched to (by its generation data or typed prompt)
 * instead of registering it under a licence on them. Worded as the creator's unverified statement: neither the
 * match nor the reason is checked by anyone. */
function notDerivedFrom(asset: Asset): HTMLElement | null {
  const declared = asset.declared_not_derived_from ?? [];
  if (!declared.length) return null;
  return h("div", { class: "callout warn not-derived", role: "note", "data-testid": "not-derived-from" },
    h("ul", null, declared.map((d) => h("li", { "data-testid": "not-derived", "data-asset": d.asset_id },
      "The creator declares this work is not derived from ", h("a", { href: `#/work/${d.asset_id}` }, `#${d.asset_id}`), d.title ? ` (${d.title})` : "", `: ${d.reason}`))),
    h("p", { class: "muted small" }, "The creator's own statement when registering, not verified: these registered works were matched to the work's file or prompt, and the creator says the work was not made from them."));
}

/** On an original: the later works recorded as possible copies of it (its owner may bring a claim against each). */
function possibleCopies(asset: Asset): HTMLElement | null {
  const found = asset.possible_copies ?? [];
  if (!found.length) return null;
  const section = h("section", { "aria-labelledby": "copies-h", "data-testid": "possible-copies" });
  const render = () => {
    const mine = wallet.account?.toLowerCase() === asset.owner.toLowerCase();
    clear(section, h("h2", { id: "copies-h" }, `Possible copies (${found.length})`),
      h("p", { class: "muted small" }, "Later works by other creators that match this one and are not licensed derivatives of it."),
      h("ul", { class: "copies" }, found.map((c) => h("li", { "data-testid": "possible-copy" },
        h("a", { href: `#/work/${c.asset_id}` }, c.title || `Work #${c.asset_id}`), ` (#${c.asset_id}) by `, creatorName(c.creator), ": ",
        `${matchWords(c)}, ${blocksLater(c.blocks_later)}.`,
        c.asset_status === "disputed" ? " A claim against it is open." : "",
        mine && c.asset_status === "active" ? [" ", h("a", { href: `#/work/${c.asset_id}?claim=${asset.asset_id}` }, "Bring a claim")] : null))));
  };
  render();
  const off = wallet.onChange(() => (section.isConnected ? render() : off()));
  return section;
}

async function pollLicensed(assetId: number, account: string, use: Use, minBlock: number, licenseId: bigint): Promise<LicenseStatus> {
  for (let i = 0; i < 150; i++) {
    const s = await get<LicenseStatus>(`/licenses/status?asset=${assetId}&account=${account}&use=${use}`, true).catch(() => null);
    if (s && s.as_of_block >= minBlock && s.licensed && (licenseId === 0n || s.license_ids.includes(Number(licenseId)))) return s;
    await sleep(400);
  }
  throw new Error("Bought, but the index has not caught up yet; reload the page in a moment.");
}

/** What the Buy button says: the API decides whether it can be bought (the offer's `purchasable`, which holds the
 * asset's status too), this only words it. */
function buyLabel(asset: Asset, offer: Offer, canBuy: boolean): string {
  if (canBuy) return `Buy ${tierName(offer.tier).toLowerCase()}`;
  if (offer.paused) return "Paused";
  if (offer.supply_cap && offer.sold >= offer.supply_cap) return "Sold out";
  if (offer.lapsed) return "Lapsed: the work changed hands";
  if (offer.refusal === "check_failed") return "Not for sale: the prompt check failed";
  return standingText(asset) ? "Not for sale" : "Not available";
}

function offerCard(asset: Asset, offer: Offer, cfg: Config | null, onBought: () => void): HTMLElement {
  const status = statusLine();
  const canBuy = offer.purchasable;
  const buy = h("button", { type: "button", class: "btn", disabled: !canBuy }, buyLabel(asset, offer, canBuy));
  buy.setAttribute("data-offer", String(offer.offer_id));
  buy.addEventListener("click", async () => {
    buy.disabled = true;
    try {
      const use: Use = offer.terms?.commercial_use ? "commercial" : "display";
      const { licenseId, block, account } = await buyLicense(offer, (t) => status.set(t, "pending"));
      status.set(`Confirmed in block ${block} (licence #${licenseId}). Waiting for the index…`, "pending");
      await pollLicensed(asset.asset_id, account, use, block, licenseId);
      status.set(`Licensed: licence #${licenseId} is yours. It is listed under “My licences”.`, "ok");
      onBought();
    } catch (err) {
      status.set(explain(err), "error");
    } finally {
      buy.disabled = !canBuy;
    }
  });
  const doc = offer.terms?.document_uri?.startsWith("ipfs://") ? mediaUrl(offer.terms.document_uri.slice(7)) : null;
  return h("li", { class: "offer" },
    h("div", { class: "offer-head" }, h("h3", null, tierName(offer.tier)), h("p", { class: "price big" }, price(cfg, offer.price, offer.currency))),
    h("ul", { class: "terms" }, termsInWords(offer).map((line) => h("li", null, line))),
    doc ? h("p", { class: "small" }, h("a", { href: doc }, "Full licence text")) : null,
    buy, status);
}

function lineage(graph: Lineage, asset: Asset): HTMLElement {
  const ancestors = graph.nodes.filter((n) => n.relation === "ancestor").sort((a, b) => a.depth - b.depth);
  const descendants = graph.nodes.filter((n) => n.relation === "descendant").sort((a, b) => a.depth - b.depth);
  const link = (id: number, title: string | null) => h("a", { href: `#/work/${id}` }, title || `#${id}`);
  if (!ancestors.length && !descendants.length) {
    return h("section", { "aria-labelledby": "lin-h" }, h("h2", { id: "lin-h" }, "Lineage"), h("p", { class: "muted" }, "An original work: no parents, no derivatives yet."));
  }
  return h("section", { "aria-labelledby": "lin-h", class: "lineage" },
    h("h2", { id: "lin-h" }, "Lineage"),
    ancestors.length
      ? [h("h3", null, "Built on"), h("ol", { class: "tree" }, ancestors.map((n) =>
          h("li", null, link(n.asset_id, n.title), ` · ${n.kind} · receives ${pct(n.effective_share_bps ?? 0)} of this work's revenue`)))]
      : null,
    h("p", { class: "self" }, h("strong", null, asset.title || `#${asset.asset_id}`),
      graph.royalty_stack_bps ? ` · ${pct(graph.royalty_stack_bps)} of its revenue flows to ancestors` : ""),
    descendants.length
      ? [h("h3", null, "Derivatives"), h("ol", { class: "tree" }, descendants.map((n) => {
          const edge = graph.edges.find((e) => e.child_id === n.asset_id);
          return h("li", { style: `margin-left:${(n.depth - asset.depth - 1) * 1.2}rem` }, link(n.asset_id, n.title),
            ` · ${n.kind}${edge ? ` · pays ${pct(edge.share_bps)} to #${edge.parent_id}` : ""}`);
        }))]
      : null,
    graph.truncated ? h("p", { class: "muted small" }, "Only the first derivatives are shown.") : null);
}

function statusLookup(asset: Asset, uses: readonly Use[]): HTMLElement {
  const address = h("input", { type: "text", name: "account", placeholder: "0x…", autocomplete: "off", spellcheck: "false" });
  const use = h("select", { name: "use" }, uses.map((u) => h("option", { value: u }, u)));
  const out = statusLine();
  if (wallet.account) address.value = wallet.account;
  const form = h("form", { class: "inline-form" }, field("Address", address), field("Use", use), h("button", { type: "submit", class: "btn secondary" }, "Check"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    out.set("Checking…", "pending");
    try {
      const s = await get<LicenseStatus>(`/licenses/status?asset=${asset.asset_id}&account=${encodeURIComponent(address.value.trim())}&use=${use.value}`, true);
      const until = s.expires_at === 0 ? "perpetual" : s.expires_at ? `until ${date(s.expires_at)}` : "";
      out.set(s.licensed ? `Licensed for ${s.use} (${until}; licence ${s.license_ids.map((i) => `#${i}`).join(", ")}), as of block ${s.as_of_block}.`
        : `Not licensed for ${s.use}, as of block ${s.as_of_block}.`, s.licensed ? "ok" : "error");
    } catch (err) {
      out.set(apiSentence(String((err as Error).message)), "error");
    }
  });
  return h("section", { "aria-labelledby": "status-h" }, h("h2", { id: "status-h" }, "Licence status"), form, out);
}

/** "Download original" for the owner and licence holders (the API decides, by the indexed state now; a refusal,
 * say an expired licence or an open claim, is shown as the sentence `downloadOriginal` throws). */
function downloadControl(asset: Asset, owner: boolean, holder: boolean): HTMLElement | null {
  if (!owner && !holder) return null;
  const out = statusLine();
  const button = h("button", { type: "button", class: "btn secondary", "data-testid": "download-original" }, "Download original");
  button.addEventListener("click", async () => {
    button.disabled = true;
    out.set("Sign the download request in your wallet…", "pending");
    try {
      await downloadOriginal(asset.asset_id);
      out.set("Downloaded: the file matches the certificate's sha256.", "ok");
    } catch (err) {
      out.set(err instanceof Error ? err.message : explain(err), "error");
    } finally {
      button.disabled = false;
    }
  });
  return h("div", { class: "download-original" }, button, out);
}

export default async function work(root: HTMLElement, params: URLSearchParams, id?: string): Promise<void> {
  const cfg = await config().catch(() => null);
  const [asset, graph] = await Promise.all([get<Asset>(`/assets/${id}`, true), get<Lineage>(`/assets/${id}/lineage`, true).catch(() => null)]);
  const mine = h("section", { "aria-labelledby": "mine-h", id: "my-licences" });
  const refreshMine = async () => {
    if (!wallet.account) return clear(mine);
    const s = await get<LicenseStatus>(`/licenses/status?asset=${asset.asset_id}&account=${wallet.account}&use=display`, true).catch(() => null);
    const acct = await get<Account>(`/accounts/${wallet.account}`, true).catch(() => null);
    const held = acct?.licenses_held.filter((l) => l.asset_id === asset.asset_id) ?? [];
    clear(mine, h("h2", { id: "mine-h" }, "My licences"),
      held.length
        ? h("ul", null, held.map((l) => h("li", { "data-testid": "my-licence" }, `Licence #${l.license_id} · ${tierName(l.tier)} · ${l.valid ? (l.expires_at ? `valid until ${date(l.expires_at)}` : "perpetual") : "expired"}`)))
        : h("p", { class: "muted" }, s?.licensed ? "You may display this work." : "You hold no licence on this work yet."),
      downloadControl(asset, wallet.account?.toLowerCase() === asset.owner.toLowerCase(), held.length > 0));
  };
  // "N licences sold" in the header follows purchases made on this page (re-read from the index after each).
  const soldText = (n: number) => `${n} licence${n === 1 ? "" : "s"} sold`;
  const sold = h("span", { "data-testid": "licences-sold" }, soldText(asset.licenses.total));
  const refreshSold = async () => {
    const fresh = await get<Asset>(`/assets/${asset.asset_id}`, true).catch(() => null);
    if (fresh) sold.textContent = soldText(fresh.licenses.total);
  };
  const title = asset.title || `Work #${asset.asset_id}`;
  document.title = `${title} · Gen-IP`;
  const offers = asset.offers.filter((o) => !o.paused || o.sold > 0);
  const standing = standingText(asset);
  clear(root,
    h("p", { class: "crumbs" }, h("a", { href: "#/" }, "← Search")),
    h("div", { class: "work" },
      h("div", { class: "work-media" }, media(asset)),
      h("div", { class: "work-side" },
        h("h1", null, title),
        copyMark(asset),
        notDerivedFrom(asset),
        h("p", { class: "muted" }, `${asset.kind} by `, creatorLink(asset.creator),
          " · ", sold),
        asset.description ? h("p", null, asset.description) : null,
        promptCheck(asset),
        standing ? h("p", { class: "callout bad standing", "data-testid": "standing" }, standing) : null,
        asset.disputes.length
          ? h("section", { "aria-labelledby": "claims-h" }, h("h2", { id: "claims-h" }, "Claims"),
            h("ul", { class: "claims" }, asset.disputes.map((d) => h("li", { "data-testid": "claim" }, disputeInWords(d),
              d.claimant_asset_id ? [" It names the claimant's earlier work ", h("a", { href: `#/work/${d.claimant_asset_id}` }, `#${d.claimant_asset_id}`), "."] : null,
              answerControl(asset, d, () => void work(root, new URLSearchParams(), id))))))
          : null,
        possibleCopies(asset),
        h("section", { "aria-labelledby": "offers-h" }, h("h2", { id: "offers-h" }, "Licences"),
          offers.length ? h("ul", { class: "offers" }, offers.map((o) => offerCard(asset, o, cfg, () => void refreshMine().then(refreshSold))))
            : h("p", { class: "muted" }, "The creator offers no licence on this work yet.")),
        mine,
        reportSection(asset, cfg, () => void work(root, new URLSearchParams(), id), { open: params.has("claim") }),
      ),
    ),
    h("div", { class: "work-more" }, facts(asset), graph ? lineage(graph, asset) : null, cfg ? statusLookup(asset, cfg.uses) : null),
    similarWorks(asset.asset_id),
  );
  await refreshMine();
  const off = wallet.onChange(() => (root.isConnected ? void refreshMine() : off()));
}
