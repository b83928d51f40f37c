"""The `made_with` answer of `GET /assets/{id}` and `POST /match`: what a file says about how it was made
(`genip.content.made_with`), in plain words, with each resource hash looked up among registered works.

A resource hash (A1111's AutoV2 short hash is the first 10 hex digits of the file's sha256; some tools write
the whole sha256) names the registered works whose content sha256 starts with it, at most `MAX_REGISTERED`:
none means the resource is unknown here, several that the short hash is ambiguous. Both are said in the
notes. Proposing such works as parents is registration's business (issue #21 part 2), not this answer's.
"""

from typing import Any, Final

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from api.schemas import MadeWithC2pa, MadeWithGeneration, MadeWithPublic, MadeWithResource
from genip.content.made_with import MadeWith, Resource, summarize
from genip.db import models

__all__ = ["made_with_of_metadata", "made_with_public"]

MAX_REGISTERED: Final = 3
MAX_LOOKUPS: Final = 16  # resource hashes looked up per answer


def made_with_of_metadata(metadata: Any) -> MadeWith | None:
    """The `genip.madeWith` facts of a metadata document (well-typed values only), or None."""
    genip = metadata.get("genip") if isinstance(metadata, dict) else None
    facts = MadeWith.from_json(genip.get("madeWith")) if isinstance(genip, dict) else None
    return None if facts is None or facts.empty else facts


def made_with_public(session: Session | Connection, chain_id: int | None, facts: MadeWith) -> MadeWithPublic:
    """`facts` as the API answers them, each resource hash looked up among `chain_id`'s registered works
    (every indexed chain's when None)."""
    found: dict[str, list[int]] = {}
    for resource in facts.resources():
        if resource.hash is not None and resource.hash not in found and len(found) < MAX_LOOKUPS:
            found[resource.hash] = _registered(session, chain_id, resource.hash)
    notes = list(facts.notes)
    for resource in facts.resources():
        ids = found.get(resource.hash or "")
        label = f"{resource.kind} {resource.name or resource.hash!s}"
        if resource.hash is not None and ids == []:
            notes.append(f"{label} (hash {resource.hash}) is not registered here")
        elif ids is not None and len(ids) > 1:
            notes.append(f"{label}: hash {resource.hash} matches several registered works {ids}")
    notes = list(dict.fromkeys(notes))
    c = facts.c2pa
    return MadeWithPublic(
        summary=summarize(MadeWith(c2pa=facts.c2pa, generation=facts.generation, notes=tuple(notes))),
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
    """Registered works whose content sha256 starts with hex `digest` (a range on the indexed column)."""
    a = models.Asset
    prefix = "0x" + digest.lower()
    query = select(a.asset_id).where(a.content_hash >= prefix, a.content_hash < prefix + "g")
    if chain_id is not None:
        query = query.where(a.chain_id == chain_id)
    rows = session.execute(query.order_by(a.asset_id).limit(MAX_REGISTERED))
    return [int(asset_id) for asset_id in rows.scalars()]
