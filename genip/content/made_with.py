"""What a file says about how it was made: C2PA content credentials and Stable-Diffusion-style generation
metadata, read bounded and safely (the bytes come from anyone), and said in plain words.

    facts = read_made_with(data)          # never raises on hostile bytes: what cannot be read becomes a note
    facts.to_json()                       # the `genip.madeWith` object of a work's metadata JSON
    summarize(facts)                      # "made with SDXL 1.0 and LoRA 'Retro Poster', in ComfyUI; ..."

What is read:

* C2PA (`c2pa-python`, the official bindings): the active manifest's claim generator, title, actions
  (`c2pa.created`, `c2pa.edited`, ...), `digitalSourceType`, software agents, ingredients (title,
  relationship, format, hash), the signer (certificate common name and issuer organisation) and the
  validation codes c2pa reports, from which: whether the claim signature verifies (`claimSignature.*`),
  whether the hard binding matches these bytes (`assertion.dataHash.mismatch`, `...boxesHash...`,
  `...bmffHash...`) and whether the signer is trusted. TRUST LIST: none is configured by default, so every
  signer is "not a trusted issuer" (c2pa's `signingCredential.untrusted`): a valid signature proves only that
  the holder of that certificate signed these bytes. `read_made_with(data, trust_anchors=PEM)` passes a trust
  list (PEM root certificates) to c2pa. Nothing is fetched over the network: remote manifests and OCSP are
  off, so a file whose credentials live elsewhere says so in a note.
* A1111 / Forge `parameters` (PNG text chunk; JPEG/WebP EXIF `UserComment`, or XMP `exif:UserComment`):
  steps, sampler, CFG scale, size, `Model`, `Model hash`, `Lora hashes: "name: hash, ..."` (AutoV2 short
  hashes: the first 10 hex digits of the file's sha256) and the `Hashes` JSON some tools add.
* ComfyUI `prompt` / `workflow` JSON (PNG text chunks): node types, checkpoint / UNet / LoRA / VAE names
  from the loader nodes.

PRIVACY (a decision of this project: prompts stay private, only their salted commitment is published). The
prompt, the negative prompt and the seed are private parts of a work's prompt commitment, but A1111 writes
them into the file in clear. They are NEVER kept here: the facts record only that the file embeds a prompt
(and its length in characters), a negative prompt, a seed. ComfyUI's node inputs (where the prompt text
lives) are not kept either, only node types and loader file names. The CLI warns a creator whose file
carries its prompt in clear that publishing the file publishes the prompt.

Bounds: at most `MAX_TEXT_CHUNK` bytes per text chunk (compressed chunks decompressed to at most that),
`MAX_CHUNKS` chunks walked, every kept string cut to `MAX_STRING` characters and every list to `MAX_ITEMS`.
Whatever cannot be read (malformed, oversized, truncated) becomes a note such as "unreadable generation
metadata", never an exception: the facts are evidence, shown as such, and never block a registration.
"""

import html
import io
import json
import re
import struct
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from PIL import Image

__all__ = [
    "MAX_TEXT_CHUNK",
    "C2paFacts",
    "GenerationFacts",
    "Ingredient",
    "MadeWith",
    "Resource",
    "read_made_with",
    "sniff_media_type",
    "summarize",
]

MAX_TEXT_CHUNK: Final = (
    1 << 20
)  # one text chunk (A1111 parameters ~ 1 KiB; ComfyUI workflows up to ~100s KiB)
MAX_CHUNKS: Final = 4096  # PNG chunks walked before giving up
MAX_STRING: Final = 200  # characters kept of any string
MAX_ITEMS: Final = 32  # items kept of any list
MAX_JSON_DEPTH: Final = 64

_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_UNTRUSTED: Final = "signingCredential.untrusted"
_BINDING_CODES: Final = ("dataHash", "boxesHash", "bmffHash", "collectionHash")


@dataclass(frozen=True, slots=True)
class Ingredient:
    """One ingredient a C2PA manifest names."""

    title: str | None
    relationship: str | None = None  # parentOf, componentOf, inputTo
    format: str | None = None
    hash: str | None = None


@dataclass(frozen=True, slots=True)
class C2paFacts:
    """What the active C2PA manifest says, and what c2pa's validation found."""

    claim_generator: str | None = None
    title: str | None = None
    actions: tuple[str, ...] = ()
    digital_source_type: str | None = None
    software_agents: tuple[str, ...] = ()
    ingredients: tuple[Ingredient, ...] = ()
    signer: str | None = None  # the signing certificate's common name
    issuer: str | None = None  # its issuer organisation as c2pa reports it
    signature_valid: bool | None = None  # None: c2pa said neither
    binding_matches: bool | None = None  # the hard binding (data hash) against these bytes
    trusted: bool = False  # the signer chains to a configured trust anchor (none by default)
    failures: tuple[str, ...] = ()  # c2pa's failure codes, e.g. assertion.dataHash.mismatch

    @property
    def state(self) -> str:
        """`valid`, `signature does not verify`, `binding does not match the file`, `manifest altered`
        (another failure), or `unchecked`."""
        if self.signature_valid is False:
            return "signature does not verify"
        if self.binding_matches is False:
            return "binding does not match the file"
        if any(
            code != _UNTRUSTED and not code.startswith("signingCredential.ocsp") for code in self.failures
        ):
            return "manifest altered"
        if self.signature_valid and self.binding_matches:
            return "valid"
        return "unchecked"


@dataclass(frozen=True, slots=True)
class Resource:
    """A model, LoRA, VAE or other resource the generation metadata names (by name and/or hash)."""

    kind: str  # checkpoint, lora, vae, embedding, unet, other
    name: str | None
    hash: str | None = None  # lower-case hex as written (AutoV2: 10 digits; sometimes a full sha256)


@dataclass(frozen=True, slots=True)
class GenerationFacts:
    """What Stable-Diffusion-style generation metadata says (never the prompt, negative prompt or seed)."""

    tool: str  # "A1111", "ComfyUI"
    prompt_in_file: bool = False
    prompt_length: int | None = None  # characters of the embedded prompt
    negative_prompt_in_file: bool = False
    seed_in_file: bool = False
    steps: int | None = None
    sampler: str | None = None
    cfg_scale: str | None = None
    size: str | None = None
    version: str | None = None
    resources: tuple[Resource, ...] = ()
    node_types: tuple[str, ...] = ()  # ComfyUI


@dataclass(frozen=True, slots=True)
class MadeWith:
    """Everything read from one file: its C2PA facts, its generation metadata, and notes on what could not be
    read or does not agree."""

    c2pa: C2paFacts | None = None
    generation: tuple[GenerationFacts, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return self.c2pa is None and not self.generation and not self.notes

    @property
    def prompt_in_file(self) -> bool:
        return any(g.prompt_in_file for g in self.generation)

    def resources(self) -> tuple[Resource, ...]:
        """Every resource named, once (by kind, name and hash), in the order found."""
        return tuple(dict.fromkeys(r for g in self.generation for r in g.resources))

    def to_json(self) -> dict[str, Any]:
        """The `genip.madeWith` object (camelCase, JSON-ready)."""
        doc: dict[str, Any] = {"notes": list(self.notes)}
        if self.c2pa is not None:
            c = self.c2pa
            doc["c2pa"] = {
                "claimGenerator": c.claim_generator,
                "title": c.title,
                "actions": list(c.actions),
                "digitalSourceType": c.digital_source_type,
                "softwareAgents": list(c.software_agents),
                "ingredients": [
                    {"title": i.title, "relationship": i.relationship, "format": i.format, "hash": i.hash}
                    for i in c.ingredients
                ],
                "signer": c.signer,
                "issuer": c.issuer,
                "signatureValid": c.signature_valid,
                "bindingMatches": c.binding_matches,
                "trusted": c.trusted,
                "failures": list(c.failures),
                "state": c.state,
            }
        doc["generation"] = [
            {
                "tool": g.tool,
                "promptInFile": g.prompt_in_file,
                "promptLength": g.prompt_length,
                "negativePromptInFile": g.negative_prompt_in_file,
                "seedInFile": g.seed_in_file,
                "steps": g.steps,
                "sampler": g.sampler,
                "cfgScale": g.cfg_scale,
                "size": g.size,
                "version": g.version,
                "resources": [{"kind": r.kind, "name": r.name, "hash": r.hash} for r in g.resources],
                "nodeTypes": list(g.node_types),
            }
            for g in self.generation
        ]
        return doc

    @classmethod
    def from_json(cls, doc: Any) -> "MadeWith | None":
        """Read `to_json` output back, keeping only well-typed, bounded values (the metadata JSON comes from
        whoever registered the work); `None` if `doc` is not such an object at all."""
        if not isinstance(doc, Mapping):
            return None
        c2pa = None
        c = doc.get("c2pa")
        if isinstance(c, Mapping):
            c2pa = C2paFacts(
                claim_generator=_str(c.get("claimGenerator")),
                title=_str(c.get("title")),
                actions=_strs(c.get("actions")),
                digital_source_type=_str(c.get("digitalSourceType")),
                software_agents=_strs(c.get("softwareAgents")),
                ingredients=tuple(
                    Ingredient(
                        _str(i.get("title")),
                        _str(i.get("relationship")),
                        _str(i.get("format")),
                        _str(i.get("hash")),
                    )
                    for i in _list(c.get("ingredients"))
                    if isinstance(i, Mapping)
                ),
                signer=_str(c.get("signer")),
                issuer=_str(c.get("issuer")),
                signature_valid=_bool(c.get("signatureValid")),
                binding_matches=_bool(c.get("bindingMatches")),
                trusted=c.get("trusted") is True,
                failures=_strs(c.get("failures")),
            )
        generation = tuple(
            GenerationFacts(
                tool=_str(g.get("tool")) or "unknown",
                prompt_in_file=g.get("promptInFile") is True,
                prompt_length=_int(g.get("promptLength")),
                negative_prompt_in_file=g.get("negativePromptInFile") is True,
                seed_in_file=g.get("seedInFile") is True,
                steps=_int(g.get("steps")),
                sampler=_str(g.get("sampler")),
                cfg_scale=_str(g.get("cfgScale")),
                size=_str(g.get("size")),
                version=_str(g.get("version")),
                resources=tuple(
                    Resource(_str(r.get("kind")) or "other", _str(r.get("name")), _hash(r.get("hash")))
                    for r in _list(g.get("resources"))
                    if isinstance(r, Mapping)
                ),
                node_types=_strs(g.get("nodeTypes")),
            )
            for g in _list(doc.get("generation"))
            if isinstance(g, Mapping)
        )
        return cls(c2pa=c2pa, generation=generation, notes=_strs(doc.get("notes")))


# --- reading --------------------------------------------------------------------------------------


def sniff_media_type(data: bytes) -> str | None:
    """The image type of `data` by its magic bytes (the formats read here), or `None`."""
    if data.startswith(_PNG_SIGNATURE):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def read_made_with(data: bytes, *, trust_anchors: str | None = None) -> MadeWith:
    """Everything `data` says about how it was made; never raises on malformed input (see the module)."""
    notes: list[str] = []
    media_type = sniff_media_type(data)
    c2pa = _read_c2pa(data, media_type, trust_anchors, notes)
    generation: list[GenerationFacts] = []
    texts = _texts(data, media_type, notes)
    if "parameters" in texts:
        found = _a1111(texts["parameters"])
        if found is None:
            notes.append("unreadable generation metadata (A1111 parameters)")
        else:
            generation.append(found)
    if "prompt" in texts or "workflow" in texts:
        found = _comfyui(texts.get("prompt"), texts.get("workflow"))
        if found is None:
            notes.append("unreadable generation metadata (ComfyUI prompt/workflow)")
        else:
            generation.append(found)
    notes.extend(_conflicts(generation))
    return MadeWith(c2pa=c2pa, generation=tuple(generation), notes=tuple(dict.fromkeys(notes)))


def _read_c2pa(
    data: bytes, media_type: str | None, trust_anchors: str | None, notes: list[str]
) -> C2paFacts | None:
    if media_type is None:
        return None
    import c2pa  # type: ignore[import-untyped]  # a native library: loaded only when reading

    settings: dict[str, Any] = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
    if trust_anchors is not None:
        settings["trust"] = {"trust_anchors": trust_anchors}
        settings["verify"]["verify_trust"] = True
    try:
        context = c2pa.Context.from_dict(settings)
        reader = c2pa.Reader.try_create(media_type, io.BytesIO(data), context=context)
        if reader is None:
            return None
        with reader:
            if not reader.is_embedded():
                notes.append("content credentials are stored elsewhere (not fetched)")
            store = json.loads(reader.json())
    except c2pa.C2paError as exc:
        text = str(exc)
        if "ManifestNotFound" in type(exc).__name__ or "NotSupported" in type(exc).__name__:
            return None
        if "Remote" in type(exc).__name__ or "remote" in text.lower():
            notes.append("content credentials are stored elsewhere (not fetched)")
            return None
        notes.append("unreadable content credentials (C2PA manifest damaged or forged)")
        return None
    except (ValueError, RecursionError, OSError):
        notes.append("unreadable content credentials (C2PA manifest damaged or forged)")
        return None
    try:
        return _c2pa_facts(store)
    except (AttributeError, KeyError, TypeError, ValueError):
        notes.append("unreadable content credentials (C2PA manifest damaged or forged)")
        return None


def _c2pa_facts(store: Mapping[str, Any]) -> C2paFacts:
    manifests = store.get("manifests")
    active = manifests.get(store.get("active_manifest")) if isinstance(manifests, Mapping) else None
    active = active if isinstance(active, Mapping) else {}
    actions: list[str] = []
    agents: list[str] = []
    source_type = None
    for assertion in _list(active.get("assertions")):
        if not isinstance(assertion, Mapping) or not str(assertion.get("label", "")).startswith(
            "c2pa.actions"
        ):
            continue
        body = assertion.get("data")
        for action in _list(body.get("actions") if isinstance(body, Mapping) else None):
            if not isinstance(action, Mapping):
                continue
            if (name := _str(action.get("action"))) is not None:
                actions.append(name)
            source_type = source_type or _str(action.get("digitalSourceType"))
            agent = action.get("softwareAgent")
            agent_name = _str(agent.get("name")) if isinstance(agent, Mapping) else _str(agent)
            if agent_name is not None:
                agents.append(agent_name)
    generator = _str(active.get("claim_generator"))
    if generator is None:
        info = [i for i in _list(active.get("claim_generator_info")) if isinstance(i, Mapping)]
        if info and (name := _str(info[0].get("name"))) is not None:
            version = _str(info[0].get("version"))
            generator = f"{name} {version}" if version else name
    ingredients = tuple(
        Ingredient(
            _str(i.get("title")),
            _str(i.get("relationship")),
            _str(i.get("format")),
            _hash(i.get("hash")),
        )
        for i in _list(active.get("ingredients"))
        if isinstance(i, Mapping)
    )
    signature = active.get("signature_info")
    signature = signature if isinstance(signature, Mapping) else {}
    results = store.get("validation_results")
    results = results.get("activeManifest") if isinstance(results, Mapping) else None
    results = results if isinstance(results, Mapping) else {}
    failures = _codes(results.get("failure")) or _codes(store.get("validation_status"))
    successes = _codes(results.get("success"))
    return C2paFacts(
        claim_generator=generator,
        title=_str(active.get("title")),
        actions=tuple(dict.fromkeys(actions))[:MAX_ITEMS],
        digital_source_type=source_type,
        software_agents=tuple(dict.fromkeys(agents))[:MAX_ITEMS],
        ingredients=ingredients[:MAX_ITEMS],
        signer=_str(signature.get("common_name")),
        issuer=_str(signature.get("issuer")),
        signature_valid=_verdict(failures, successes, ("claimSignature.",), "claimSignature.validated"),
        binding_matches=_verdict(
            failures,
            successes,
            tuple(f"assertion.{code}.mismatch" for code in _BINDING_CODES),
            tuple(f"assertion.{code}.match" for code in _BINDING_CODES),
        ),
        trusted=store.get("validation_state") == "Trusted" or "signingCredential.trusted" in successes,
        failures=failures[:MAX_ITEMS],
    )


def _codes(entries: Any) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(c for e in _list(entries) if isinstance(e, Mapping) and (c := _str(e.get("code"))))
    )


def _verdict(
    failures: tuple[str, ...], successes: tuple[str, ...], bad: tuple[str, ...], good: str | tuple[str, ...]
) -> bool | None:
    if any(code.startswith(bad) for code in failures):
        return False
    good = (good,) if isinstance(good, str) else good
    return True if any(code in good for code in successes) else None


# --- text chunks ----------------------------------------------------------------------------------


def _texts(data: bytes, media_type: str | None, notes: list[str]) -> dict[str, str]:
    """The generation-metadata texts of `data` by key (`parameters`, `prompt`, `workflow`)."""
    try:
        if media_type == "image/png":
            return dict(_png_texts(data, notes))
        if media_type in ("image/jpeg", "image/webp"):
            return _exif_texts(data, notes)
    except (ValueError, OSError, struct.error, zlib.error, SyntaxError, EOFError, MemoryError):
        notes.append("unreadable generation metadata")
    except Image.DecompressionBombError:
        notes.append("unreadable generation metadata (image too large)")
    return {}


_WANTED: Final = frozenset({"parameters", "prompt", "workflow"})


def _png_texts(data: bytes, notes: list[str]) -> Iterator[tuple[str, str]]:
    """`tEXt`, `zTXt` and `iTXt` chunks named in `_WANTED`, walked without decoding the image."""
    offset = len(_PNG_SIGNATURE)
    for _ in range(MAX_CHUNKS):
        if offset + 8 > len(data):
            return
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        body = data[offset + 8 : offset + 8 + length]
        offset += 12 + length
        if kind == b"IEND":
            return
        if kind not in (b"tEXt", b"zTXt", b"iTXt"):
            continue
        key, _, rest = body.partition(b"\x00")
        name = key.decode("latin-1")
        if name not in _WANTED:
            continue
        if length > MAX_TEXT_CHUNK:
            notes.append(f"oversized generation metadata ('{name}' chunk of {length} bytes, not read)")
            continue
        if len(body) < length:
            notes.append("unreadable generation metadata (truncated chunk)")
            return
        text = _png_text(kind, rest)
        if text is None:
            notes.append(f"oversized or unreadable generation metadata ('{name}' chunk)")
            continue
        yield name, text


def _png_text(kind: bytes, rest: bytes) -> str | None:
    if kind == b"tEXt":
        return rest.decode("latin-1")
    if kind == b"zTXt":
        return _inflate(rest[1:], "latin-1")
    # iTXt: compression flag, method, language tag \0, translated keyword \0, text
    if len(rest) < 2:
        return None
    flag, body = rest[0], rest[2:]
    body = body.split(b"\x00", 2)[-1] if body.count(b"\x00") >= 2 else b""
    return _inflate(body, "utf-8") if flag else body.decode("utf-8", "replace")


def _inflate(data: bytes, encoding: str) -> str | None:
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, MAX_TEXT_CHUNK)
    if inflater.unconsumed_tail:  # more than MAX_TEXT_CHUNK once inflated: a zip bomb or just too big
        return None
    return out.decode(encoding, "replace")


def _exif_texts(data: bytes, notes: list[str]) -> dict[str, str]:
    """A1111's `parameters` from EXIF `UserComment` (JPEG/WebP) or XMP `exif:UserComment`."""
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        raw = exif.get_ifd(0x8769).get(0x9286)  # Exif IFD -> UserComment
        xmp = image.info.get("xmp")
    if isinstance(raw, bytes) and raw:
        if len(raw) > MAX_TEXT_CHUNK:
            notes.append(f"oversized generation metadata (EXIF UserComment of {len(raw)} bytes, not read)")
        elif (text := _user_comment(raw)).strip():
            return {"parameters": text}
    elif isinstance(raw, str) and raw.strip():
        return {"parameters": raw[:MAX_TEXT_CHUNK]}
    if isinstance(xmp, (bytes, str)) and xmp:
        xml = xmp.decode("utf-8", "replace") if isinstance(xmp, bytes) else xmp
        start = xml.find("<exif:UserComment>")
        end = xml.find("</exif:UserComment>", start)
        if 0 <= start < end and end - start <= MAX_TEXT_CHUNK:
            inner = re.sub(r"<[^>]{0,200}>", "", xml[start + len("<exif:UserComment>") : end])
            if "Steps:" in inner:
                return {"parameters": html.unescape(inner).strip()}
    return {}


def _user_comment(raw: bytes) -> str:
    """An EXIF UserComment: an 8-byte character code then the text (A1111 writes UNICODE, UTF-16)."""
    code, body = raw[:8], raw[8:]
    if code.startswith(b"UNICODE"):
        decoded = [body.decode(e, "replace") for e in ("utf-16-be", "utf-16-le")]
        return max(decoded, key=lambda t: sum(c.isascii() and c.isprintable() for c in t)).rstrip("\x00")
    if code.startswith(b"ASCII"):
        return body.decode("ascii", "replace").rstrip("\x00")
    return raw.decode("utf-8", "replace").rstrip("\x00")


# --- A1111 / Forge --------------------------------------------------------------------------------

_PARAM: Final = re.compile(r'\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')
_HASHES: Final = re.compile(r"(?:^|,)\s*Hashes:\s*(\{[^{}]{0,4000}\})\s*(?=,|$)")
_HEX: Final = re.compile(r"^[0-9a-fA-F]{8,64}$")


def _a1111(text: str) -> GenerationFacts | None:
    """A1111 `parameters`: prompt lines, an optional `Negative prompt:` section, then the `Steps:` line."""
    lines = text.strip().split("\n")
    if not lines or not lines[-1].lstrip().startswith("Steps:"):
        return None
    last = lines[-1][:MAX_TEXT_CHUNK]
    hashes_json = _HASHES.search(last)  # Civitai's `Hashes: {...}`, unquoted JSON with commas inside
    if hashes_json is not None:
        last = last[: hashes_json.start()] + last[hashes_json.end() :]
    params = {m.group(1).strip(): _unquote(m.group(2).strip()) for m in _PARAM.finditer(last)}
    if hashes_json is not None:
        params["Hashes"] = hashes_json.group(1)
    if "Steps" not in params:
        return None
    body = "\n".join(lines[:-1])
    prompt, has_negative, _ = body.partition("\nNegative prompt:")
    if body.startswith("Negative prompt:"):
        prompt, has_negative = "", "x"
    resources: list[Resource] = []
    model, model_hash = _str(params.get("Model")), _hash(params.get("Model hash"))
    if model or model_hash:
        resources.append(Resource("checkpoint", model, model_hash))
    if (vae := _str(params.get("VAE"))) or params.get("VAE hash"):
        resources.append(Resource("vae", vae, _hash(params.get("VAE hash"))))
    for kind, key in (("lora", "Lora hashes"), ("embedding", "TI hashes")):
        for item in params.get(key, "").split(",")[:MAX_ITEMS]:
            name, _, digest = item.strip().rpartition(":")
            if name.strip():
                resources.append(Resource(kind, _str(name.strip()), _hash(digest)))
    hashes = params.get("Hashes")
    if hashes:
        try:
            table = json.loads(hashes)
        except ValueError:
            table = None
        if isinstance(table, Mapping):
            for key, digest in list(table.items())[:MAX_ITEMS]:
                kind, _, name = str(key).partition(":")
                resource = (
                    Resource("checkpoint", model, _hash(digest))
                    if kind == "model"
                    else Resource(kind if name else "other", _str(name or kind), _hash(digest))
                )
                if all(r.hash != resource.hash for r in resources):
                    resources.append(resource)
    steps = params.get("Steps", "")
    return GenerationFacts(
        tool="A1111",
        prompt_in_file=bool(prompt.strip()),
        prompt_length=len(prompt.strip()) or None,
        negative_prompt_in_file=bool(has_negative),
        seed_in_file="Seed" in params,
        steps=int(steps) if steps.isdigit() and len(steps) < 7 else None,
        sampler=_str(params.get("Sampler")),
        cfg_scale=_str(params.get("CFG scale")),
        size=_str(params.get("Size")),
        version=_str(params.get("Version")),
        resources=tuple(dict.fromkeys(resources))[:MAX_ITEMS],
    )


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            loaded = json.loads(value)
        except ValueError:
            return value[1:-1]
        return loaded if isinstance(loaded, str) else value[1:-1]
    return value


# --- ComfyUI --------------------------------------------------------------------------------------

#: Loader node types and the input naming the file they load.
_LOADERS: Final = {
    "CheckpointLoaderSimple": ("checkpoint", "ckpt_name"),
    "CheckpointLoader": ("checkpoint", "ckpt_name"),
    "ImageOnlyCheckpointLoader": ("checkpoint", "ckpt_name"),
    "UNETLoader": ("unet", "unet_name"),
    "LoraLoader": ("lora", "lora_name"),
    "LoraLoaderModelOnly": ("lora", "lora_name"),
    "VAELoader": ("vae", "vae_name"),
}


def _comfyui(prompt: str | None, workflow: str | None) -> GenerationFacts | None:
    """ComfyUI's API-format `prompt` (node id -> {class_type, inputs}) or, failing that, its UI `workflow`
    ({nodes: [{type, widgets_values}]}). Node inputs (where the prompt text lives) are not kept."""
    nodes: list[tuple[str, Any]] = []  # (type, the loader's file name or None)
    graph = _json(prompt)
    if isinstance(graph, Mapping):
        for node in list(graph.values())[:MAX_CHUNKS]:
            if isinstance(node, Mapping) and isinstance(kind := node.get("class_type"), str):
                inputs = node.get("inputs")
                key = _LOADERS.get(kind, ("", ""))[1]
                nodes.append((kind, inputs.get(key) if isinstance(inputs, Mapping) and key else None))
    if not nodes:
        ui = _json(workflow)
        for node in _list(ui.get("nodes") if isinstance(ui, Mapping) else None, MAX_CHUNKS):
            if isinstance(node, Mapping) and isinstance(kind := node.get("type"), str):
                values = node.get("widgets_values")
                first = values[0] if isinstance(values, list) and values and kind in _LOADERS else None
                nodes.append((kind, first))
    if not nodes:
        return None
    resources = tuple(
        dict.fromkeys(
            Resource(_LOADERS[kind][0], _str(name))
            for kind, name in nodes
            if kind in _LOADERS and isinstance(name, str) and name.strip()
        )
    )
    prompts = [kind for kind, _ in nodes if kind.startswith("CLIPTextEncode")]
    return GenerationFacts(
        tool="ComfyUI",
        prompt_in_file=bool(prompts),
        resources=resources[:MAX_ITEMS],
        node_types=tuple(sorted({_str(kind) or "" for kind, _ in nodes}))[:MAX_ITEMS],
    )


def _json(text: str | None) -> Any:
    if text is None or _too_deep(text):
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


_JSON_TOKENS: Final = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _too_deep(text: str) -> bool:
    """Whether JSON `text` nests past `MAX_JSON_DEPTH` (the C decoder recurses; deep enough, it crashes the
    process whatever the recursion limit: `genip.recursion`)."""
    depth = 0
    for token in _JSON_TOKENS.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif bracket in "]}":
            depth -= 1
    return False


def _conflicts(generation: list[GenerationFacts]) -> list[str]:
    """A file whose A1111 parameters and ComfyUI graph name different checkpoints contradicts itself."""
    checkpoints = {
        g.tool: {_stem(r.name) for r in g.resources if r.kind in ("checkpoint", "unet") and r.name}
        for g in generation
    }
    a, c = checkpoints.get("A1111"), checkpoints.get("ComfyUI")
    if a and c and not a & c:
        return [f"conflicting generation metadata: A1111 names {sorted(a)}, ComfyUI names {sorted(c)}"]
    return []


def _stem(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, extension = base.rpartition(".")
    return stem if dot and extension.lower() in _MODEL_EXTENSIONS else base


_MODEL_EXTENSIONS: Final = frozenset({"safetensors", "ckpt", "pt", "pth", "bin", "sft", "gguf"})


# --- bounded values -------------------------------------------------------------------------------


def _str(value: Any) -> str | None:
    """A string value, NUL and control characters dropped, cut to `MAX_STRING`; `None` for anything else."""
    if not isinstance(value, str):
        return None
    text = "".join(c for c in value[: MAX_STRING * 2] if c.isprintable()).strip()[:MAX_STRING]
    return text or None


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(s for v in _list(value) if (s := _str(v)) is not None)


def _list(value: Any, limit: int = MAX_ITEMS) -> list[Any]:
    return value[:limit] if isinstance(value, list) else []


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1 << 31 else None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _hash(value: Any) -> str | None:
    text = value.strip() if isinstance(value, str) else ""
    return text.lower() if _HEX.match(text) else None


# --- plain words ----------------------------------------------------------------------------------


def summarize(facts: MadeWith) -> str:
    """One plain-words line: "made with SDXL 1.0 and LoRA 'Retro Poster', in ComfyUI; the file carries its
    prompt in clear; content credentials by Firefly signed by Cleo (Adobe), not a trusted issuer, valid"."""
    parts: list[str] = []
    if facts.generation:
        resources = facts.resources()
        models = [_stem(r.name) for r in resources if r.kind in ("checkpoint", "unet") and r.name]
        models += [f"model {r.hash}" for r in resources if r.kind == "checkpoint" and not r.name and r.hash]
        loras = [f"LoRA '{_stem(r.name)}'" for r in resources if r.kind == "lora" and r.name]
        named = list(dict.fromkeys(models + loras))
        tools = " and ".join(dict.fromkeys(g.tool for g in facts.generation))
        line = f"made with {_join(named)}, in {tools}" if named else f"made in {tools}"
        if facts.prompt_in_file:
            line += "; the file carries its prompt in clear"
        parts.append(line)
    if facts.c2pa is not None:
        c = facts.c2pa
        line = "content credentials"
        if c.claim_generator:
            line += f" by {c.claim_generator}"
        if c.digital_source_type and c.digital_source_type.rstrip("/").endswith("trainedAlgorithmicMedia"):
            line += " (AI-generated)"
        if c.signer or c.issuer:
            who = c.signer or c.issuer
            line += f" signed by {who}" + (f" ({c.issuer})" if c.signer and c.issuer else "")
        if not c.trusted:
            line += ", not a trusted issuer"
        line += f", {c.state}"
        parts.append(line)
    elif facts.generation and not any("content credentials" in note for note in facts.notes):
        parts.append("no content credentials")
    parts.extend(facts.notes)
    return "; ".join(parts) if parts else "the file says nothing about how it was made"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
