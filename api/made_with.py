"""The `made_with` answer of `GET /assets/{id}` and `POST /match`: what a file says about how it was made
(`genip.content.made_with`), in plain words, with each resource hash looked up among registered works.

Whose word it is (`source`). DECISION: the registered file's, once the indexer has read it. The metadata's
`genip.madeWith` is written by the registrant's client, so anyone with their own client can claim "content
credentials signed by Adobe, valid" for a file that has none. The indexer's media step derives the same facts
from the registered original itself (opened with the service keys, checked against the certificate's
content hash: `indexer.media`, table `file_facts`), and `made_with_of_asset` answers those (`source:
"file"`). Where the registrant's claims say something the file does not (another C2PA signer, signature or
binding verdict; a tool; a resource), a note says "the registrant's metadata claims …, which the registered
file does not show"; what the claims leave out is simply not a claim. Before the step has read the file (or
when it cannot: not sealed, not the registered bytes) the claims are answered as claims (`source:
"claimed"`, the summary saying so). `POST /match` reads the upload's own bytes: always `file`.

A resource hash (A1111's AutoV2 short hash is the first 10 hex digits of the file's sha256; some tools write
the whole sha256; A1111's `Lora hashes` are 12 digits of the addnet hash) names the registered model-kind
works whose content sha256 starts with it (the kind filtered before the limit), and the model-kind works whose
addnet hash as the indexer computed it does (`genip.resources.registered_with_addnet_prefix`: only the
earliest of exact copies), at most `MAX_REGISTERED`: none means the resource is
unknown here, several that the short hash is ambiguous. Both are said in the notes. Proposing such works as
parents is registration's business (`genip.resources`: only model-kind works, only unambiguous ones), not
this answer's; both read the same prefix lookups.
"""

from typing import Any, Final, Literal

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from api.schemas import MadeWithC2pa, MadeWithGeneration, MadeWithPublic, MadeWithResource
from genip.content.made_with import C2paFacts, MadeWith, Resource, summarize
from genip.db import models
from genip.resources import registered_with_addnet_prefix, registered_with_prefix

__all__ = [
    "claims_not_shown",
    "file_made_with",
    "made_with_of_asset",
    "made_with_of_metadata",
    "made_with_public",
]

MAX_REGISTERED: Final = 3
MAX_LOOKUPS: Final = 16  # resource hashes looked up per answer
MAX_CLAIMED_RESOURCES: Final = 8  # claimed resources the file does not show, listed in the note
#: How a claimed answer's summary starts.
CLAIMED: Final = "claimed by the registrant's metadata, not yet checked against the registered file: "


def made_with_of_metadata(metadata: Any) -> MadeWith | None:
    """The `genip.madeWith` facts of a metadata document (well-typed values only), or None."""
    genip = metadata.get("genip") if isinstance(metadata, dict) else None
    facts = MadeWith.from_json(genip.get("madeWith")) if isinstance(genip, dict) else None
    return None if facts is None or facts.empty else facts


def file_made_with(
    session: Session | Connection, chain_id: int, asset_id: int, content_hash: str
) -> MadeWith | None:
    """The facts the indexer derived from the registered original of `asset_id` (its current content), or
    None before it has (or when it cannot); an empty `MadeWith` when the file says nothing."""
    f = models.FileFacts
    doc = session.execute(
        select(f.made_with).where(
            f.chain_id == chain_id, f.asset_id == asset_id, f.content_hash == content_hash
        )
    ).scalar_one_or_none()
    return None if doc is None else (MadeWith.from_json(doc) or MadeWith())


def made_with_of_asset(
    session: Session | Connection,
    chain_id: int,
    asset_id: int,
    content_hash: str,
    claimed: MadeWith | None,
) -> MadeWithPublic | None:
    """The `made_with` answer of an asset: its file's facts, with notes on the registrant's `claimed` facts
    the file does not show; the claims marked as such while the file is not read (see the module)."""
    derived = file_made_with(session, chain_id, asset_id, content_hash)
    if derived is None:
        return None if claimed is None else made_with_public(session, chain_id, claimed, source="claimed")
    unshown = claims_not_shown(claimed, derived)
    if derived.empty and not unshown:
        return None
    notes = [
        f"the registrant's metadata claims {claim}, which the registered file does not show"
        for claim in unshown
    ]
    return made_with_public(session, chain_id, derived, notes=notes)


def claims_not_shown(claimed: MadeWith | None, derived: MadeWith) -> list[str]:
    """What `claimed` says that `derived` (the file's facts) does not, in words: content credentials
    (signer, issuer, generator, source type, signature, binding, trust verdicts), generation tools,
    resources (kind, name, hash)."""
    if claimed is None:
        return []
    said: list[str] = []
    if claimed.c2pa is not None and (
        derived.c2pa is None or _c2pa_key(claimed.c2pa) != _c2pa_key(derived.c2pa)
    ):
        said.append(summarize(MadeWith(c2pa=claimed.c2pa)))
    tools = {g.tool for g in derived.generation}
    said.extend(
        f"generation metadata from {tool}"
        for tool in dict.fromkeys(g.tool for g in claimed.generation)
        if tool not in tools
    )
    shown = set(derived.resources())
    missing = [r for r in claimed.resources() if r not in shown]
    if missing:
        words = [_resource_words(r) for r in missing[:MAX_CLAIMED_RESOURCES]]
        more = len(missing) - len(words)
        said.append(", ".join(words) + (f" and {more} more" if more > 0 else ""))
    return said


def _c2pa_key(c: C2paFacts) -> tuple[object, ...]:
    """What the answer shows of content credentials' origin and verdicts."""
    return (
        c.signer,
        c.issuer,
        c.claim_generator,
        c.digital_source_type,
        c.signature_valid,
        c.binding_matches,
        c.trusted,
        c.state,
    )


def _resource_words(r: Resource) -> str:
    kind = {"lora": "LoRA", "checkpoint": "model", "unet": "model"}.get(r.kind, r.kind)
    named = f"{kind} {r.name!r}" if r.name else kind
    return named + (f" (hash {r.hash})" if r.hash else "")


def made_with_public(
    session: Session | Connection,
    chain_id: int | None,
    facts: MadeWith,
    *,
    source: Literal["file", "claimed"] = "file",
    notes: list[str] | None = None,
) -> MadeWithPublic:
    """`facts` as the API answers them, each resource hash looked up among `chain_id`'s registered works
    (every indexed chain's when None); `source` says whose word they are, `notes` are added to theirs."""
    found: dict[str, list[int]] = {}
    for resource in facts.resources():
        if resource.hash is not None and resource.hash not in found and len(found) < MAX_LOOKUPS:
            found[resource.hash] = _registered(session, chain_id, resource.hash)
    notes = [*facts.notes, *(notes or [])]
    for resource in facts.resources():
        ids = found.get(resource.hash or "")
        label = f"{resource.kind} {resource.name or resource.hash!s}"
        if resource.hash is not None and ids == []:
            notes.append(f"{label} (hash {resource.hash}) is not registered here")
        elif ids is not None and len(ids) > 1:
            notes.append(f"{label}: hash {resource.hash} matches several registered works {ids}")
    notes = list(dict.fromkeys(notes))
    c = facts.c2pa
    summary = summarize(MadeWith(c2pa=facts.c2pa, generation=facts.generation, notes=tuple(notes)))
    return MadeWithPublic(
        source=source,
        summary=CLAIMED + summary if source == "claimed" else summary,
        c2pa=None
        if c is None
        else MadeWithC2pa(
            claim_generator=c.claim_generator,
            title=c.title,
            actions=list(c.actions),
            digital_source_type=c.digital_source_type,
            software_agents=list(c.software_agents),
            ingredients=[i.title for i in c.ingredients if i.title],
            signer=c.signer,
            issuer=c.issuer,
            signature_valid=c.signature_valid,
            binding_matches=c.binding_matches,
            trusted=c.trusted,
            failures=list(c.failures),
            state=c.state,
        ),
        generation=[
            MadeWithGeneration(
                tool=g.tool,
                prompt_in_file=g.prompt_in_file,
                steps=g.steps,
                sampler=g.sampler,
                resources=[_resource(r, found) for r in g.resources],
                node_types=list(g.node_types),
            )
            for g in facts.generation
        ],
        notes=notes,
    )


def _resource(resource: Resource, found: dict[str, list[int]]) -> MadeWithResource:
    return MadeWithResource(
        kind=resource.kind,
        name=resource.name,
        hash=resource.hash,
        registered=found.get(resource.hash or "", []),
    )


def _registered(session: Session | Connection, chain_id: int | None, digest: str) -> list[int]:
    """Registered model-kind works whose content sha256 starts with hex `digest` (the kind filtered before
    the limit: images sharing the prefix never hide a model), then those whose addnet hash does (only the
    earliest of exact copies), `genip.resources`' one rule, at most `MAX_REGISTERED`; works of different
    chains kept apart when `chain_id` is None."""
    rows = registered_with_prefix(session, chain_id, digest, kind="model", limit=MAX_REGISTERED)
    rows += registered_with_addnet_prefix(session, chain_id, digest, limit=MAX_REGISTERED)
    keys = dict.fromkeys((int(row.chain_id), int(row.asset_id)) for row in rows)
    return [asset_id for _, asset_id in keys][:MAX_REGISTERED]
