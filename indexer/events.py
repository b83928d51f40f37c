"""Event specs from the exported ABIs, and fast log decoding.

web3's per-log decoding runs at a few thousand events/s; here each event's layout is prepared once and logs
are decoded straight from their hex: indexed topics and static data words by slicing, and only events with
dynamic data (strings, arrays, tuples) through eth-abi. Values come out as the database stores them:
checksummed addresses, lowercase `0x` hex for bytes32, Python ints for integers and enums.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from genip.chain.artifacts import load_artifact

__all__ = ["ContractEvents", "DecodedLog", "EventSpec", "checksum", "contract_events"]

_STATIC_WORD = ("uint", "int", "address", "bool", "bytes32")


@lru_cache(maxsize=65_536)
def checksum(address_hex: str) -> str:
    """EIP-55 form of a 20-byte address given as hex (cached: the same accounts recur constantly)."""
    return str(to_checksum_address(address_hex))


def _canonical_type(param: Mapping[str, Any]) -> str:
    kind = str(param["type"])
    if kind.startswith("tuple"):
        inner = ",".join(_canonical_type(c) for c in param["components"])
        return f"({inner}){kind[5:]}"
    return kind


def _is_static_word(abi_type: str) -> bool:
    return abi_type.startswith(_STATIC_WORD) and "[" not in abi_type


def _word_value(abi_type: str, word: str) -> Any:
    """Decodes one 64-hex-char word of a static type."""
    return _word_decoder(abi_type)(word)


def _word_decoder(abi_type: str) -> Callable[[str], Any]:
    """A function decoding one 64-hex-char word (no `0x`) of a static type."""
    if abi_type == "address":
        return lambda word: checksum(word[24:])
    if abi_type == "bool":
        return lambda word: int(word, 16) != 0
    if abi_type == "bytes32":
        return lambda word: "0x" + word
    if abi_type.startswith("int"):
        return _signed
    return lambda word: int(word, 16)


def _signed(word: str) -> int:
    value = int(word, 16)
    return value - (1 << 256) if value >= 1 << 255 else value  # sign-extended to 256 bits by the ABI


def _topic_decoder(abi_type: str) -> Callable[[str], Any]:
    """A function decoding one `0x`-prefixed topic of a static type."""
    if abi_type == "address":
        return lambda topic: checksum(topic[26:])
    if abi_type == "bytes32":
        return str.lower
    word = _word_decoder(abi_type)
    return lambda topic: word(topic[2:])


def _convert(abi_type: str, value: Any) -> Any:
    """Normalises eth-abi output to the same forms as `_word_value`."""
    if abi_type == "address":
        return checksum(value[2:].lower())
    if abi_type == "bytes32":
        return "0x" + value.hex()
    if abi_type.endswith("[]"):
        return [_convert(abi_type[:-2], v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class EventSpec:
    """Layout of one event of one contract, with its decoders prepared once."""

    name: str
    signature: str
    topic0: str
    indexed: tuple[tuple[str, str], ...]  # (name, type) in topic order
    data: tuple[tuple[str, str], ...]  # (name, type) in data order
    static_data: bool
    _topics: tuple[tuple[str, Callable[[str], Any]], ...] = ()
    _words: tuple[tuple[str, Callable[[str], Any], int], ...] = ()

    @classmethod
    def build(
        cls,
        name: str,
        signature: str,
        indexed: tuple[tuple[str, str], ...],
        data: tuple[tuple[str, str], ...],
    ) -> "EventSpec":
        static = all(_is_static_word(t) for _, t in data)
        return cls(
            name=name,
            signature=signature,
            topic0="0x" + keccak(text=signature).hex(),
            indexed=indexed,
            data=data,
            static_data=static,
            _topics=tuple((n, _topic_decoder(t)) for n, t in indexed),
            _words=tuple((n, _word_decoder(t), 2 + 64 * i) for i, (n, t) in enumerate(data))
            if static
            else (),
        )

    def decode(self, topics: list[str], data: str) -> dict[str, Any]:
        """Arguments by name from a log's topics (topic0 included) and data hex."""
        args = {name: fn(topic) for (name, fn), topic in zip(self._topics, topics[1:], strict=True)}
        if not self.data:
            return args
        if self.static_data:
            for name, fn, start in self._words:
                args[name] = fn(data[start : start + 64])
            return args
        values = abi_decode([kind for _, kind in self.data], bytes.fromhex(data[2:]))
        for (name, kind), value in zip(self.data, values, strict=True):
            args[name] = _convert(kind, value)
        return args


@dataclass(frozen=True, slots=True)
class DecodedLog:
    """A log with its position on the chain and its decoded arguments (`event` None when unknown)."""

    block_number: int
    block_hash: str
    log_index: int
    tx_hash: str
    address: str
    timestamp: int
    topics: list[str]
    data: str
    event: str | None
    args: dict[str, Any]


class ContractEvents:
    """Every event of the Gen-IP contracts at their deployed addresses, keyed by (address, topic0)."""

    def __init__(self, contracts: Mapping[str, str]) -> None:
        """`contracts` maps an artifact name (GenIPRegistry, LicensingHub, LicenseToken) to its address."""
        self.addresses = [a.lower() for a in contracts.values()]
        self._by_key: dict[tuple[str, str], tuple[str, EventSpec]] = {}
        for contract_name, address in contracts.items():
            for spec in _specs(contract_name):
                self._by_key[(address.lower(), spec.topic0)] = (contract_name, spec)

    def lookup(self, address: str, topic0: str) -> tuple[str, EventSpec] | None:
        """(contract name, spec) of a log, or None for events the indexer does not know."""
        return self._by_key.get((address.lower(), topic0))

    def decode(self, log: Mapping[str, Any]) -> DecodedLog:
        """Decodes one `eth_getLogs` entry."""
        topics: list[str] = log["topics"]
        address = str(log["address"]).lower()
        found = self.lookup(address, topics[0]) if topics else None
        name: str | None = None
        args: dict[str, Any] = {}
        if found is not None:
            contract_name, spec = found
            name = f"{contract_name}.{spec.name}"
            args = spec.decode(topics, log["data"])
        timestamp = log.get("blockTimestamp")
        return DecodedLog(
            block_number=int(log["blockNumber"], 16),
            block_hash=str(log["blockHash"]).lower(),
            log_index=int(log["logIndex"], 16),
            tx_hash=str(log["transactionHash"]).lower(),
            address=checksum(address[2:]),
            timestamp=int(timestamp, 16) if timestamp else 0,
            topics=topics,
            data=log["data"],
            event=name,
            args=args,
        )


@cache
def _specs(contract_name: str) -> tuple[EventSpec, ...]:
    specs = []
    for item in load_artifact(contract_name).abi:
        if item.get("type") != "event" or item.get("anonymous"):
            continue
        types = [_canonical_type(p) for p in item["inputs"]]
        signature = f"{item['name']}({','.join(types)})"
        indexed = tuple((p["name"], t) for p, t in zip(item["inputs"], types, strict=True) if p["indexed"])
        data = tuple((p["name"], t) for p, t in zip(item["inputs"], types, strict=True) if not p["indexed"])
        specs.append(EventSpec.build(item["name"], signature, indexed, data))
    return tuple(specs)


def contract_events(registry: str, hub: str, license_token: str) -> ContractEvents:
    """The event table for one deployment."""
    return ContractEvents({"GenIPRegistry": registry, "LicensingHub": hub, "LicenseToken": license_token})
