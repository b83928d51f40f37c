"""Which registered works a file names as the resources that made it (issue #21 part 2): the one rule, used by
`genip register` (reading the indexer's database, as its near-duplicate check does), by `POST /uploads`
(`resources_used`) and, through the API, by the web page.

    named = named_in(data)                          # what the file names, hashed; never a prompt's text
    found = look_up(connection, chain_id, named, timestamp=now)
    found.used                                      # registered works it names, with derivative offers
    found.notes                                     # unknown, ambiguous, not a resource: evidence, in words

What a file can name, and how each is matched (`MatchedBy`):

* **A model, LoRA or checkpoint by its file hash** (`sha256`): A1111 writes AutoV2 short hashes (the first 10
  hex digits of the file's sha256: `Model hash`, Civitai's `Hashes` JSON) and some tools the whole sha256. A
  hash of at least `MIN_HASH_DIGITS` hex digits names the registered **model-kind** work whose content sha256
  starts with it. Several such works (a short hash is only 40 bits: a colliding file can be ground on
  purpose) make it *ambiguous*: nothing is proposed, the note lists them. A work of another kind with that
  prefix is not proposed either (an image cannot be a LoRA). Short hashes are evidence a registrant confirms
  (the CLI shows the work's title and creator; `--not-derived-from` overrides it), never proof.
* **A LoRA by A1111's own addnet hash** (`addnet`): A1111 writes `Lora hashes` as the first 12 hex digits of
  the "addnet" hash, the sha256 of a safetensors file after its 8-byte length and JSON header. DECISION: it is
  matched only against addnet hashes the indexer computed itself (`file_facts.addnet_hash`, written by the
  media step from the sealed original after checking its whole sha256 against the certificate, for
  model-kind safetensors works), never against anything a registrant's metadata claims: a claimed hash
  would let anyone pass their work off as any LoRA. A named hash of at least `MIN_ADDNET_DIGITS` hex digits
  is looked up both ways, as a sha256 prefix and as an addnet prefix, among **model-kind** works joined on
  their current content hash (a reorg that replaces the content hides the old hash); the works found either
  way are one candidate set, so the ambiguity rule is the sha256 one: several distinct works, none
  proposed. DECISION (copies): the addnet hash leaves the header out, so a copy whose header was edited has
  a new sha256 (registrable) but the same addnet hash. Among model-kind works whose addnet hash is EXACTLY
  the same (the full hash), the earliest registration (lowest block, then asset id) owns it: the later ones
  are never proposed, whether named by the addnet hash or by their own file hash (a note says "asset N has
  the same tensors as earlier asset M: a possible copy, not proposed"), and a match resolves to the earliest
  instead of being ambiguous. Ambiguity remains only between different full hashes sharing a prefix.
  Every lookup filters the wanted kind in the query, before its limit (`MAX_PER_HASH`), so works of
  another kind sharing a prefix never hide the right one; with no chain given, works of different chains
  are kept apart. A LoRA registered before the media step read it (or not sealed, not safetensors, or
  larger than the step's limit) has no addnet hash yet: its 12-digit hash is then "not registered here",
  and the file's sha256 (AutoV2 in Civitai-style `Hashes`) still matches.
* **A workflow by its canonical hash** (`workflow`): a workflow work is registered as its canonical JSON
  (`genip.content.canonical.canonical_json`), its content sha256 the sha256 of those bytes. ComfyUI embeds
  its editor graph (`workflow` chunk) and its API graph (`prompt` chunk) in a PNG; each is canonicalised and
  its sha256 compared with registered **workflow-kind** works, exactly. DECISION: only exact documents match.
  ComfyUI's editor graph carries layout (node positions, the canvas offset in `extra.ds`) that changes when
  the user pans or moves a node, so an image matches a registered workflow only when the maker registered
  the very graph the image embeds (for instance a PNG's own workflow, saved as JSON). Anything looser (same
  nodes, other layout) would need a second, layout-free hash committed at registration, which the certificate
  does not have; it is not guessed here.
* **A prompt-kind work by its text** (`prompt`): A1111 `parameters` carry the prompt in clear. Its sha256 (the
  text canonicalised as a prompt-kind work is, `normalize_text`; as written, trimmed, and trimmed with one
  final newline, the three ways a prompt file is usually saved) is compared with registered **prompt-kind**
  works' content sha256, exactly. PRIVACY: the text itself never leaves this process and is never kept or
  logged; only its sha256 is compared, and what is answered is the registered work's content hash, which is
  public on-chain anyway. `POST /uploads` already holds the uploaded file (the prompt is in it, sealed at
  rest), so it compares there; a client holding a prompt alone asks `GET /resources/prompts?prefix=abcd`
  with the first `PROMPT_PREFIX_DIGITS` hex digits of its sha256 (k-anonymity: the API learns 16 bits,
  answers the content hashes of the prompt-kind works with that prefix, at most `MAX_PROMPTS_ANSWERED`
  in hash order, and the client compares locally: `prompt_matches`).

Evidence only: unknown, ambiguous or conflicting resources (the file's own notes from `content.made_with`,
such as A1111 and ComfyUI naming different checkpoints) are said in `notes` and never stop a registration by
themselves. A registered resource found unambiguously is what registration asks about: a licence on it, or
a declaration that the work is not derived from it (`content.metadata.NotDerivedFrom`).

Offers: each work found comes with its live offers that license derivatives (`DERIVATIVE_TIERS`: generation
first, then extended), purchasable now (`rules.purchasable_sql`), cheapest first within a tier (`rules.
price_order_key`): what `genip register --buy-licence` buys from.
"""

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session, aliased

from genip import rules
from genip.content.canonical import canonical_json, normalize_text, parse_json
from genip.content.errors import FormatError
from genip.content.made_with import MadeWith, read_made_with, sniff_media_type
from genip.content.made_with import _texts as generation_texts  # the same bounded chunk reader
from genip.db import models

__all__ = [
    "MAX_PROMPTS_ANSWERED",
    "MIN_ADDNET_DIGITS",
    "MIN_HASH_DIGITS",
    "PROMPT_PREFIX_DIGITS",
    "Lookup",
    "MatchedBy",
    "Named",
    "ResourceOffer",
    "UsedResource",
    "first_with_same_tensors",
    "look_up",
    "named_in",
    "prompt_hashes",
    "prompt_matches",
    "prompts_with_prefix",
    "registered_with_addnet_prefix",
    "registered_with_prefix",
    "to_json",
]

MatchedBy = Literal["sha256", "addnet", "workflow", "prompt"]

#: Shortest hash looked up (A1111's AutoV2 is 10 hex digits).
MIN_HASH_DIGITS: Final = 10
#: Shortest hash also looked up as an addnet hash (A1111's `Lora hashes` are 12 hex digits).
MIN_ADDNET_DIGITS: Final = 12
#: Hex digits of a prompt's sha256 a client sends to `GET /resources/prompts` (16 bits: k-anonymity).
PROMPT_PREFIX_DIGITS: Final = 4
#: Prompt-kind works `GET /resources/prompts` answers per prefix (each is looked up with its offers).
MAX_PROMPTS_ANSWERED: Final = 100
#: Registered works looked up per hash; more than one is ambiguous.
MAX_PER_HASH: Final = 3
#: Things named per file looked up (the rest are ignored, said in a note).
MAX_NAMED: Final = 32
#: Offers listed per work found.
MAX_OFFERS: Final = 8

_HEX: Final = re.compile(r"^[0-9a-f]+$")
_KIND_OF: Final[dict[str, str]] = {
    "sha256": "model",
    "addnet": "model",
    "workflow": "workflow",
    "prompt": "prompt",
}
_WORDS: Final = {
    "lora": "LoRA",
    "checkpoint": "model",
    "unet": "model",
    "vae": "VAE",
    "embedding": "embedding",
    "workflow": "workflow",
    "prompt": "prompt",
}


@dataclass(frozen=True, slots=True)
class Named:
    """A resource a file names, as it can be looked up: its kind as the file says (lora, checkpoint, vae,
    embedding, unet, other, workflow, prompt), its name if any, a lower-case hex hash and how it matches."""

    kind: str
    name: str | None
    hash: str = field(repr=False)  # a prompt's sha256 stays out of reprs and logs
    matched_by: MatchedBy

    @property
    def label(self) -> str:
        """In words: `LoRA 'Retro Poster'`, `model 'sdxl'`, `the embedded workflow`, `the embedded prompt`."""
        if self.matched_by == "workflow":
            return "the embedded workflow"
        if self.matched_by == "prompt":
            return "the embedded prompt"
        word = _WORDS.get(self.kind, self.kind)
        return f"{word} {self.name!r}" if self.name else f"{word} with hash {self.hash}"


@dataclass(frozen=True, slots=True)
class ResourceOffer:
    """A live offer on a resource that licenses derivatives (generation or extended)."""

    offer_id: int
    tier: str
    price: int
    currency: str
    duration: int
    rev_share_bps: int


@dataclass(frozen=True, slots=True)
class UsedResource:
    """A registered work a file names unambiguously, and its offers that license derivatives."""

    asset_id: int
    kind: str
    title: str | None
    creator: str
    owner: str
    named_as: str
    matched_by: MatchedBy
    hash: str  # the registered work's content sha256, 0x hex (public on-chain)
    offers: tuple[ResourceOffer, ...] = ()


@dataclass(frozen=True, slots=True)
class Lookup:
    """What a file's named resources are here: the registered works found, and notes on the rest."""

    used: tuple[UsedResource, ...] = ()
    notes: tuple[str, ...] = ()


# ─────────────────────────────── what a file names ───────────────────────────────


def named_in(data: bytes, facts: MadeWith | None = None) -> tuple[Named, ...]:
    """The resources `data` names, hashed for lookup (see the module); `facts` when already read. Never
    raises on hostile bytes; never keeps a prompt's text."""
    facts = read_made_with(data) if facts is None else facts
    named: list[Named] = []
    for resource in facts.resources():
        digest = (resource.hash or "").lower()
        if MIN_HASH_DIGITS <= len(digest) <= 64 and _HEX.match(digest):
            named.append(Named(resource.kind, resource.name, digest, "sha256"))
    texts = generation_texts(data, sniff_media_type(data), [])
    for key in ("workflow", "prompt"):
        graph = _workflow_hash(texts.get(key))
        if graph is not None:
            named.append(Named("workflow", None, graph, "workflow"))
    named.extend(Named("prompt", None, digest, "prompt") for digest in prompt_hashes(texts.get("parameters")))
    return tuple(dict.fromkeys(named))[:MAX_NAMED]


def _workflow_hash(text: str | None) -> str | None:
    """sha256 (hex) of a ComfyUI graph's canonical JSON, as a workflow work would be registered; None if it
    is not a JSON object or array with a canonical form."""
    if text is None:
        return None
    try:
        document = parse_json(text.encode("utf-8", "surrogatepass"))
        if not isinstance(document, dict | list):
            return None
        return hashlib.sha256(canonical_json(document)).hexdigest()
    except (FormatError, ValueError, RecursionError, UnicodeError):
        return None


def _a1111_prompt(parameters: str | None) -> str | None:
    """The prompt part of A1111 `parameters` (before `Negative prompt:` and the `Steps:` line), or None."""
    if parameters is None:
        return None
    lines = parameters.strip().split("\n")
    if len(lines) < 2 or not lines[-1].lstrip().startswith("Steps:"):
        return None
    body = "\n".join(lines[:-1])
    if body.startswith("Negative prompt:"):
        return None
    prompt = body.partition("\nNegative prompt:")[0]
    return prompt if prompt.strip() else None


def prompt_hashes(parameters: str | None) -> tuple[str, ...]:
    """sha256 (hex) of the prompt in A1111 `parameters`, canonicalised as a prompt-kind work is, as written,
    trimmed, and trimmed with one final newline (distinct values only); none without a prompt."""
    prompt = _a1111_prompt(parameters)
    if prompt is None:
        return ()
    text = normalize_text(prompt)
    forms = (text, text.strip(), text.strip() + "\n")
    return tuple(dict.fromkeys(hashlib.sha256(form.encode("utf-8")).hexdigest() for form in forms))


def prompt_matches(candidates: Iterable[str], content_hashes: Iterable[str]) -> list[str]:
    """The client's side of `GET /resources/prompts`: which of the answered content hashes (0x hex) equal one
    of `candidates` (`prompt_hashes`), compared locally."""
    wanted = {c.lower().removeprefix("0x") for c in candidates}
    return [h for h in content_hashes if h.lower().removeprefix("0x") in wanted]


# ─────────────────────────────── looking them up ───────────────────────────────


def prompts_with_prefix(
    session: Session | Connection, chain_id: int | None, prefix: str, *, limit: int = 1000
) -> list[str]:
    """Content hashes (0x hex) of prompt-kind works starting with hex `prefix` (`PROMPT_PREFIX_DIGITS`
    digits): the API's half of the k-anonymity lookup."""
    a = models.Asset
    start = "0x" + prefix.lower()
    query = select(a.content_hash).where(
        a.kind == "prompt", a.content_hash >= start, a.content_hash < start + "g"
    )
    if chain_id is not None:
        query = query.where(a.chain_id == chain_id)
    return [str(h) for h in session.execute(query.order_by(a.content_hash).limit(limit)).scalars()]


def registered_with_prefix(
    session: Session | Connection,
    chain_id: int | None,
    digest: str,
    *,
    kind: str | None = None,
    limit: int = MAX_PER_HASH,
) -> list[Any]:
    """Registered works (rows: chain_id, asset_id, kind, title, creator, owner, content_hash, block_number)
    whose content sha256 starts with hex `digest`, of `kind` when given (filtered in the query, before the
    limit: works of another kind never crowd out the wanted one), by chain then asset id, at most `limit`
    (a range on the indexed column)."""
    a = models.Asset
    prefix = "0x" + digest.lower()
    query = select(*_columns(a)).where(a.content_hash >= prefix, a.content_hash < prefix + "g")
    if kind is not None:
        query = query.where(a.kind == kind)
    if chain_id is not None:
        query = query.where(a.chain_id == chain_id)
    return list(session.execute(query.order_by(a.chain_id, a.asset_id).limit(limit)).all())


def _columns(a: Any) -> tuple[Any, ...]:
    return (a.chain_id, a.asset_id, a.kind, a.title, a.creator, a.owner, a.content_hash, a.block_number)


def _with_tensors(chain_id: int | None) -> tuple[Any, Any, Any]:
    """(asset alias, file_facts alias, join condition) for model-kind works with an addnet hash the indexer
    computed from their current content."""
    a, f = aliased(models.Asset), aliased(models.FileFacts)
    on = (f.chain_id == a.chain_id) & (f.asset_id == a.asset_id) & (f.content_hash == a.content_hash)
    return a, f, on


def _earlier_twin(a: Any, f: Any) -> Any:
    """EXISTS an earlier registered model-kind work (lower block, then asset id) on `a`'s chain whose addnet
    hash is exactly `f`'s: `a` is then a possible copy (see the module)."""
    b, g, on = _with_tensors(None)
    earlier = (b.block_number < a.block_number) | (
        (b.block_number == a.block_number) & (b.asset_id < a.asset_id)
    )
    return (
        select(b.asset_id)
        .join(g, on)
        .where(b.chain_id == a.chain_id, b.kind == "model", g.addnet_hash == f.addnet_hash, earlier)
        .exists()
    )


def registered_with_addnet_prefix(
    session: Session | Connection,
    chain_id: int | None,
    digest: str,
    *,
    limit: int = MAX_PER_HASH,
    copies: bool = False,
) -> list[Any]:
    """Registered model-kind works (rows as `registered_with_prefix`) whose addnet hash, as the indexer
    computed it from their verified original (`file_facts`, joined on the asset's current content hash),
    starts with hex `digest`, by chain then asset id, at most `limit`; none for fewer than
    `MIN_ADDNET_DIGITS` digits. Only the earliest registration of each full addnet hash (its owner, see the
    module); with `copies`, only the later ones instead."""
    digest = digest.lower()
    if not MIN_ADDNET_DIGITS <= len(digest) <= 64 or not _HEX.match(digest):
        return []
    a, f, on = _with_tensors(chain_id)
    twin = _earlier_twin(a, f)
    query = (
        select(*_columns(a))
        .join(f, on)
        .where(f.addnet_hash >= digest, f.addnet_hash < digest + "g", a.kind == "model")
        .where(twin if copies else ~twin)
    )
    if chain_id is not None:
        query = query.where(a.chain_id == chain_id)
    return list(session.execute(query.order_by(a.chain_id, a.asset_id).limit(limit)).all())


def first_with_same_tensors(session: Session | Connection, row: Any) -> Any | None:
    """The earliest registered model-kind work (lowest block, then asset id) on `row`'s chain whose addnet
    hash is exactly `row`'s, when that is another work than `row` (`row` is then a possible copy); else
    None (no addnet hash computed, or `row` is the earliest)."""
    a, f, on = _with_tensors(None)
    mine = aliased(models.FileFacts)
    addnet = (
        select(mine.addnet_hash)
        .where(
            mine.chain_id == row.chain_id,
            mine.asset_id == row.asset_id,
            mine.content_hash == row.content_hash,
            mine.addnet_hash.is_not(None),
        )
        .scalar_subquery()
    )
    first = session.execute(
        select(*_columns(a))
        .join(f, on)
        .where(a.chain_id == row.chain_id, a.kind == "model", f.addnet_hash == addnet)
        .order_by(a.block_number, a.asset_id)
        .limit(1)
    ).first()
    return first if first is not None and first.asset_id != row.asset_id else None


def _add(fits: list[Any], by_addnet: set[tuple[int, int]], row: Any, *, addnet: bool) -> None:
    """Add `row` to the candidates unless there already (one work per chain and asset id)."""
    key = (row.chain_id, row.asset_id)
    if all((f.chain_id, f.asset_id) != key for f in fits):
        fits.append(row)
        if addnet:
            by_addnet.add(key)


def _copy_note(copy: Any, first: Any) -> str:
    return (
        f"asset {copy.asset_id} has the same tensors as earlier asset {first.asset_id}: a possible copy, "
        "not proposed"
    )


def look_up(
    session: Session | Connection,
    chain_id: int | None,
    named: Sequence[Named],
    *,
    timestamp: int,
    notes: Iterable[str] = (),
) -> Lookup:
    """The registered works `named` designates on `chain_id` (every indexed chain's when None, works of
    different chains kept apart), with their offers that license derivatives, purchasable at `timestamp`
    (chain time); `notes` (the file's own, from `content.made_with`) are kept, and what is unknown,
    ambiguous, of another kind or a possible copy is added to them."""
    said = [n for n in notes if n.startswith(("conflicting", "unreadable", "oversized"))]
    used: dict[tuple[int, int], UsedResource] = {}
    prompt_named = [n for n in named if n.matched_by == "prompt"]
    prompt_found = False
    for item in named:
        wanted = _KIND_OF[item.matched_by]
        fits: list[Any] = []
        by_addnet: set[tuple[int, int]] = set()

        for r in registered_with_prefix(session, chain_id, item.hash, kind=wanted):
            first = first_with_same_tensors(session, r) if wanted == "model" else None
            if first is None:
                _add(fits, by_addnet, r, addnet=False)
            else:  # a copy named by its own file hash: its tensors are the earliest's
                said.append(_copy_note(r, first))
                _add(fits, by_addnet, first, addnet=True)
        if item.matched_by == "sha256":  # also A1111's addnet hash, as the indexer computed it
            for r in registered_with_addnet_prefix(session, chain_id, item.hash):
                _add(fits, by_addnet, r, addnet=True)
            for r in registered_with_addnet_prefix(session, chain_id, item.hash, copies=True):
                first = first_with_same_tensors(session, r)
                if first is not None:
                    said.append(_copy_note(r, first))
        if item.matched_by == "prompt":
            if fits:
                prompt_found = True
            else:
                continue  # said once below, without the prompt's hash
        if not fits:
            rows = registered_with_prefix(session, chain_id, item.hash)
            if rows:
                others = ", ".join(f"asset {r.asset_id} ({r.kind})" for r in rows)
                said.append(f"{item.label} (hash {item.hash}) matches {others}, not a {wanted}: not proposed")
            else:
                said.append(f"{item.label} (hash {item.hash}) is not registered here")
            continue
        if len(fits) > 1:
            ids = ", ".join(str(r.asset_id) for r in sorted(fits, key=lambda r: (r.chain_id, r.asset_id)))
            which = "content or addnet hash" if by_addnet else "content hash"
            said.append(
                f"{item.label}: hash {item.hash} is ambiguous, it starts the {which} of several "
                f"registered {wanted}s (assets {ids}): none is proposed; name the one you used with "
                "--parent ASSET:LICENCE"
            )
            continue
        row = fits[0]
        if (row.chain_id, row.asset_id) not in used:
            used[(row.chain_id, row.asset_id)] = UsedResource(
                asset_id=row.asset_id,
                kind=row.kind,
                title=row.title,
                creator=row.creator,
                owner=row.owner,
                named_as=_named_as(item, row.title),
                matched_by="addnet" if (row.chain_id, row.asset_id) in by_addnet else item.matched_by,
                hash=row.content_hash,
                offers=_offers(session, row, timestamp),
            )
    if prompt_named and not prompt_found:
        said.append("the embedded prompt is not a registered prompt-kind work")
    return Lookup(tuple(used.values()), tuple(dict.fromkeys(said)))


def _named_as(item: Named, title: str | None) -> str:
    """How the file named it; a workflow or prompt (named by content alone) with the work's title."""
    return item.label + (f" ({title!r})" if item.matched_by not in ("sha256", "addnet") and title else "")


def _offers(session: Session | Connection, asset: Any, timestamp: int) -> tuple[ResourceOffer, ...]:
    """`asset`'s offers that license derivatives and can be bought at `timestamp`: generation first, then
    extended, cheapest first within a tier (per currency, `rules.price_order_key`)."""
    o, t, p = models.Offer.__table__, models.Terms.__table__, models.ChainParams.__table__
    assets = models.Asset.__table__
    query = (
        select(o.c.offer_id, o.c.tier, o.c.price, o.c.currency, o.c.duration, t.c.rev_share_bps)
        .select_from(o.join(assets, rules.offer_of_sql(o, assets)))
        .join(t, (t.c.chain_id == o.c.chain_id) & (t.c.terms_id == o.c.terms_id))
        .where(
            (assets.c.chain_id == asset.chain_id)
            & (assets.c.asset_id == asset.asset_id)
            & o.c.tier.in_([tier.value for tier in rules.DERIVATIVE_TIERS])
            & t.c.derivatives_allowed
            & rules.purchasable_sql(o, assets, timestamp, params=p)
        )
    )
    rows = session.execute(query).all()
    order = {tier.value: i for i, tier in enumerate(rules.DERIVATIVE_TIERS)}
    offers = sorted(
        (
            ResourceOffer(
                int(r.offer_id), r.tier, int(r.price), r.currency, int(r.duration), int(r.rev_share_bps)
            )
            for r in rows
        ),
        key=lambda x: (order[x.tier], rules.price_order_key(x.currency, x.price), x.offer_id),
    )
    return tuple(offers[:MAX_OFFERS])


def to_json(found: Lookup) -> dict[str, object]:
    """`found` as JSON-ready data (the CLI's `--json`; amounts as decimal strings)."""
    return {
        "resources_used": [
            {
                "asset_id": u.asset_id,
                "kind": u.kind,
                "title": u.title,
                "creator": u.creator,
                "owner": u.owner,
                "named_as": u.named_as,
                "matched_by": u.matched_by,
                "hash": u.hash,
                "offers": [
                    {
                        "offer_id": x.offer_id,
                        "tier": x.tier,
                        "price": str(x.price),
                        "currency": x.currency,
                        "duration": x.duration,
                        "rev_share_bps": x.rev_share_bps,
                    }
                    for x in u.offers
                ],
            }
            for u in found.used
        ],
        "notes": list(found.notes),
    }
