"""Seeds a small, realistic marketplace on a fresh deployment.

Cast (anvil's dev accounts): 0 the platform (deployer, fee recipient and the court's arbiter), 1 Ada
(images), 2 Basho (texts), 3 Cleo (models and workflows), 4 Dex (derivative artist), 5 Northwind Studios and
6 Acme Games (brands), 7 Copycat, 8 the prompt checker. The story: every work registered (commit, then
reveal) with its prompt committed, offers in both tiers (ETH and the demo dollar) and generation offers on
Cleo's LoRA and workflow, brands buying licences, a two-level derivative chain (Dex builds on Ada, Acme builds
on Dex), an image Dex generated with Cleo's LoRA (below), revenue paid to the grandchild (flowing up to every
ancestor) and to that image (Cleo's share), royalties collected, a dispute (Copycat registers a mirrored
copy of Ada's coffee; Ada raises a claim naming her original, Copycat answers, the chain's clock moves past
the response window with `evm_increaseTime` and the platform, as arbiter, upholds it), every work's prompt
checked, and part of the revenue withdrawn.

The generated image goes through what `genip register --buy-licence` does (issue #21): its PNG's A1111
`parameters` name the LoRA by its AutoV2 hash (`cli.demo.content.generated_with_lora`); the seed indexes the
chain so far (as the demo's indexer would have), `genip.resources` finds the LoRA and its generation offer in
that index, and `cli.works`' own resolution buys the generation licence and returns the parent the image is
registered under. Nothing of the rule is restated here.

The checks are real: each creator seals their kept prompt to the checker's public key and signs it, exactly
as `genip prompt submit` does, the submission is stored as the API stores it, and the checker (its own
account, granted `CHECKER_ROLE`) opens it, runs the policy and attests the outcome — in this process, so that
the marketplace opens on finished checks; the checker process the demo then runs takes every later one.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from eth_account.signers.local import LocalAccount
from sqlalchemy import Engine
from web3.types import RPCEndpoint, Wei

from cli.demo.content import DemoWork, derived_image, generated_with_lora, near_copy, write_works
from genip.chain import actions
from genip.chain.accounts import dev_account
from genip.chain.client import GenIPClient
from genip.chain.reads import asset_info
from genip.chain.tx import send
from genip.chain.types import Tier
from genip.checker.sealing import CheckerKey
from genip.checker.submissions import SubmissionStore, seal_submission
from genip.checker.worker import Checker
from genip.content.metadata import ParentLink
from genip.prompts import PromptVault
from genip.storage import ContentStore
from genip.storage.originals import Keyring, Originals, key_file
from genip.terms.terms import extended_terms, generation_terms, standard_terms, template
from genip.works import Draft, WorkDescription, prepare_registration, register_draft

__all__ = [
    "CAST",
    "CHECKER",
    "GENERATION_PRICE",
    "GENERATION_SHARE_BPS",
    "POSTER_REVENUE",
    "SeedReport",
    "seed",
]

ETH = 10**18
DUSD = 10**6  # the demo dollar has 6 decimals
#: Cleo's generation offers (LoRA and workflow): 0.01 ETH, 15 % of every work generated with them.
GENERATION_PRICE = ETH // 100
GENERATION_SHARE_BPS = 1_500
#: What Northwind pays for the image Dex generated with Cleo's LoRA.
POSTER_REVENUE = ETH

#: Who is who in the demo (index of anvil's dev account → role).
#: The dev account of the checker process (granted the registry's CHECKER_ROLE by the seed).
CHECKER = 8

CAST: dict[int, str] = {
    0: "platform (deployer, fee recipient, arbiter)",
    1: "Ada — image creator",
    2: "Basho — writer",
    3: "Cleo — model and workflow maker (generation licences)",
    4: "Dex — derivative artist (generates with Cleo's LoRA)",
    5: "Northwind Studios — brand",
    6: "Acme Games — brand",
    7: "Copycat — registers a copy of Ada's work (disputed, upheld)",
    CHECKER: "prompt checker (CHECKER_ROLE; the checker process signs with it)",
}


@dataclass
class SeedReport:
    assets: dict[str, int] = field(default_factory=dict)
    offers: dict[str, int] = field(default_factory=dict)
    licenses: dict[str, int] = field(default_factory=dict)
    disputes: dict[str, int] = field(default_factory=dict)


def seed(
    client: GenIPClient,
    store: ContentStore,
    data_dir: Path,
    *,
    engine: Engine,
    checker_key: CheckerKey,
    keyring: Keyring | None = None,
    progress: Callable[[str], None] = lambda _step: None,
) -> SeedReport:
    """Registers, offers, sells, derives, pays, checks the prompts (their submissions go to `engine`'s
    migrated database, sealed to `checker_key`) and withdraws; returns the ids it created. Originals are
    sealed with `keyring` (default: the data dir's key file), their envelopes kept in `engine`'s database."""
    originals = Originals(engine, store, keyring or Keyring([key_file(data_dir)]))
    platform, ada, basho, cleo, dex, northwind, acme = (dev_account(i) for i in range(7))
    token = client.demo_token
    if token is None:
        raise ValueError("the demo needs the deployment's demo token (deploy with demo_token=True)")
    w3 = client.w3
    report = SeedReport()
    creators: dict[int, LocalAccount] = {}
    resource_licences: dict[int, int] = {}  # resource asset id → the licence a work was registered under
    for tier in Tier:
        store.put(template(tier).data)  # the terms documents resolve from the store like any content

    def register(
        creator: LocalAccount, work: DemoWork, *, licenses: list[int] | None = None, resources: bool = False
    ) -> int:
        """Registers `work`; with `resources`, as a derivative of the registered resources its file names,
        buying licences on them (`_resources_used`)."""
        progress(f"registering {work.title}")
        parents: tuple[ParentLink, ...] = ()
        if licenses:
            parents = tuple(
                ParentLink(int(client.license_token.functions.licenseOf(i).call()[0]), i) for i in licenses
            )
        draft = prepare_registration(
            work.path,
            WorkDescription(
                work.kind, work.title, work.description, work.prompt, work.model, None, work.tags
            ),
            creator=creator.address,
            parents=parents,
        )
        if resources:
            added = _resources_used(client, engine, creator, draft, parents, progress)
            resource_licences.update({p.asset_id: p.license_id for p in added})
            parents = (*parents, *added)
            draft = replace(draft, metadata=replace(draft.metadata, parents=parents))
            licenses = [p.license_id for p in parents]
        vault = PromptVault(data_dir, creator.address)
        registered = register_draft(
            client, creator, draft, store=store, vault=vault, originals=originals, license_ids=licenses
        )
        creators[registered.asset_id] = creator
        return registered.asset_id

    works = {w.key: w for w in write_works(data_dir / "demo-works")}
    owners = {"haiku": basho, "story": basho, "lora": cleo, "workflow": cleo}
    for key, work in works.items():
        report.assets[key] = register(owners.get(key, ada), work)

    progress("publishing offers")
    for key, asset_id in report.assets.items():
        owner = owners.get(key, ada)
        report.offers[f"{key}:standard"] = actions.create_offer(
            client, owner, asset_id, standard_terms(transferable=True), price=ETH // 50, duration=365 * 86_400
        ).value
        report.offers[f"{key}:extended"] = actions.create_offer(
            client,
            owner,
            asset_id,
            extended_terms(rev_share_bps=1_000),
            price=250 * DUSD,
            currency=token.address,
        ).value
    for key in ("lora", "workflow"):  # what others generate with: one licence, any number of works
        report.offers[f"{key}:generation"] = actions.create_offer(
            client,
            cleo,
            report.assets[key],
            generation_terms(rev_share_bps=GENERATION_SHARE_BPS),
            price=GENERATION_PRICE,
            duration=365 * 86_400,
        ).value

    progress("brands buying licences")
    for brand in (northwind, acme, dex):
        send(w3, brand, token.functions.mint(brand.address, 10_000 * DUSD))
        actions.approve_hub(client, brand, token.address, 2**255)
    for key in ("astronaut", "coffee", "rocket", "haiku"):
        report.licenses[f"northwind:{key}"] = actions.buy_license(
            client, northwind, report.offers[f"{key}:standard"]
        ).value
    report.licenses["acme:lora"] = actions.buy_license(client, acme, report.offers["lora:extended"]).value

    progress("building a two-level derivative chain")
    report.licenses["dex:astronaut"] = actions.buy_license(
        client, dex, report.offers["astronaut:extended"]
    ).value
    remix = works["astronaut"]
    remix_file = derived_image(remix.path, data_dir / "demo-works" / "astronaut-remix.png", hue_shift=90)
    report.assets["remix"] = register(
        dex,
        DemoWork(
            "remix",
            remix_file,
            remix.kind,
            "Orbit Portrait, Teal Edition",
            "Dex's recoloured, framed take on Ada's Orbit Portrait.",
            "recolour the orbit portrait in teal and frame it, poster style",
            ("portrait", "space", "remix"),
        ),
        licenses=[report.licenses["dex:astronaut"]],
    )
    report.offers["remix:extended"] = actions.create_offer(
        client,
        dex,
        report.assets["remix"],
        extended_terms(rev_share_bps=500),
        price=100 * DUSD,
        currency=token.address,
    ).value
    report.licenses["acme:remix"] = actions.buy_license(client, acme, report.offers["remix:extended"]).value
    poster = derived_image(remix_file, data_dir / "demo-works" / "astronaut-game-poster.png", hue_shift=170)
    report.assets["game-poster"] = register(
        acme,
        DemoWork(
            "game-poster",
            poster,
            remix.kind,
            "Orbit Arena Key Art",
            "Acme Games' key art for Orbit Arena, built on Dex's teal edition.",
            "game key art from the teal orbit portrait, magenta grade, bold frame",
            ("game", "key art", "space"),
        ),
        licenses=[report.licenses["acme:remix"]],
    )

    progress("generating with Cleo's LoRA under a generation licence")
    moon = generated_with_lora(works["lora"].path, data_dir / "demo-works" / "moon-poster.png")
    report.assets[moon.key] = register(dex, moon, resources=True)
    report.licenses["dex:lora"] = resource_licences[report.assets["lora"]]

    progress("paying revenue and royalties")
    actions.pay_revenue(client, northwind, report.assets[moon.key], POSTER_REVENUE)  # Cleo's share flows up
    actions.pay_revenue(client, acme, report.assets["game-poster"], 2 * ETH)
    actions.pay_revenue(client, acme, report.assets["game-poster"], 1_000 * DUSD, currency=token.address)
    sink = client.hub.functions.royaltySinkOf(report.assets["coffee"]).call()
    tx = w3.eth.send_transaction({"from": northwind.address, "to": sink, "value": Wei(ETH // 10)})
    w3.eth.wait_for_transaction_receipt(tx)
    send(w3, northwind, client.hub.functions.collectRoyalties(report.assets["coffee"], "0x" + "00" * 20))

    progress("a dispute: Ada claims a copy of her work")
    copycat = dev_account(7)
    coffee = works["coffee"]
    copy_file = near_copy(coffee.path, data_dir / "demo-works" / "coffee-copy.png")
    report.assets["copy"] = register(
        copycat,
        DemoWork(
            "copy",
            copy_file,
            coffee.kind,
            "Morning Brew",
            "A cup of coffee on a saucer (mirrored and brightened from Ada's work).",
            "a cup of coffee on a saucer, top view, warm light",
            ("coffee", "still life"),
        ),
    )

    def document(text: str) -> bytes:
        data = text.encode("utf-8")
        store.put(data)  # like evidence given on the command line: hashed, and stored by its CID
        return hashlib.sha256(data).digest()

    report.disputes["copy"] = dispute = actions.raise_dispute(
        client,
        ada,
        report.assets["copy"],
        document("Morning Brew is my Coffee Cup mirrored and brightened; compare the saucer's reflections."),
        claimant_asset_id=report.assets["coffee"],
    ).value
    actions.answer_dispute(client, copycat, dispute, document("I took the photo myself, in the same cafe."))
    window = int(client.court.functions.responseWindow().call())
    w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [window + 60])
    w3.provider.make_request(RPCEndpoint("evm_mine"), [])
    actions.resolve_dispute(
        client,
        platform,
        dispute,
        upheld=True,
        resolution_hash=document("Upheld: pixel-identical after mirroring; Ada's certificate is older."),
    )

    progress("checking the prompts")
    _check_prompts(client, platform, data_dir, creators, engine, checker_key)

    progress("withdrawing part of the revenue")
    actions.withdraw(client, ada)
    return report


def _check_prompts(
    client: GenIPClient,
    admin: LocalAccount,
    data_dir: Path,
    creators: dict[int, LocalAccount],
    engine: Engine,
    key: CheckerKey,
) -> None:
    """Every work's creator submits its sealed prompt; the checker account checks and attests them."""
    from cli.prompt import payload_of

    registry = client.registry.functions
    checker = dev_account(CHECKER)
    role = registry.CHECKER_ROLE().call()
    if not registry.hasRole(role, checker.address).call():
        send(client.w3, admin, registry.grantRole(role, checker.address))
    submissions = SubmissionStore(engine)
    public = key.public_key
    chain_id = client.deployment.chain_id
    for asset_id, creator in creators.items():
        info = asset_info(client, asset_id)
        kept = PromptVault(data_dir, creator.address).load_any(info.content_hash)
        if kept is None:
            raise ValueError(f"the seed kept no prompt for asset {asset_id}")
        sealed = seal_submission(
            payload_of(kept),
            public,
            chain_id=chain_id,
            asset_id=asset_id,
            commitment=info.prompt_commitment,
            creator=creator,
        )
        submissions.accept(
            sealed,
            public,
            chain_id=chain_id,
            asset_id=asset_id,
            creator=info.creator,
            commitment="0x" + info.prompt_commitment.hex(),
        )
    Checker(submissions, client, checker, key).run_once(limit=len(creators) + 1)


def _resources_used(
    client: GenIPClient,
    engine: Engine,
    creator: LocalAccount,
    draft: Draft,
    parents: tuple[ParentLink, ...],
    progress: Callable[[str], None],
) -> tuple[ParentLink, ...]:
    """The parents `genip register --buy-licence` would add to `parents` for `draft`: the chain indexed so
    far into `engine` (as the demo's indexer would have), the registered works the file names looked up
    there (`genip.resources`, as `cli.works.resources_of` does), then `cli.works`' own resolution, which buys
    a licence on each (its cheapest generation offer) and says so; what it says goes to `progress`. Refuses
    (`ValueError`) when the file names none: the demo's story needs the lineage."""
    from rich.text import Text

    from cli.output import status
    from cli.works import resolve_resources
    from genip.resources import look_up, named_in
    from indexer.config import IndexerConfig
    from indexer.runner import Indexer

    indexer = Indexer(engine, IndexerConfig.from_deployment(client.deployment))
    try:
        indexer.run(once=True)
    finally:
        indexer.close()
    named = named_in(draft.prepared.path.read_bytes(), draft.made_with)
    timestamp = int(client.w3.eth.get_block("latest")["timestamp"])
    with engine.connect() as connection:
        found = look_up(connection, client.deployment.chain_id, named, timestamp=timestamp)
    command = ["genip", "register", str(draft.prepared.path), "--title", draft.metadata.name]
    wrap, status.soft_wrap = status.soft_wrap, True  # one line per line said, whatever the terminal's width
    try:
        with status.capture() as said:  # the CLI's lines, shown as the seed's progress
            chosen = [u.offers[0].offer_id for u in found.used if u.offers]  # the cheapest the lookup shows
            added = resolve_resources(client, creator, found, parents, (), buy=chosen, command=command)
    finally:
        status.soft_wrap = wrap
        for line in Text.from_ansi(said.get()).plain.splitlines():
            if line.strip():
                progress(line.strip())
    if not added:
        raise ValueError(f"{draft.prepared.path.name} names no registered resource: {list(found.notes)}")
    return added
