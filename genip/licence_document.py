"""A licence as a PDF document a brand can file: who licensed what to whom, on which terms, for how much, in
which transaction, until when, and where to verify it.

    pdf: bytes = licence_pdf(LicenceFacts(...))

The facts come from the caller (the API reads them from the indexed database); this module only lays them out,
with fpdf2 (pure Python, no system libraries). The terms are given twice, each from its one source: the
switches and numbers of the on-chain Terms Record as a table, and, when the record's `documentHash` is the
sha256 of a template shipped in `genip.terms`, that template's own plain-language text, which says what the
switches mean. A record pointing at another document names its URI and hash instead.

Fonts: no Unicode TrueType font ships in an installed Python package here (fpdf2 bundles none; matplotlib,
which carries DejaVu, is not a dependency), so the document uses the PDF core fonts (Helvetica, Courier) and
text is folded to Latin-1: typographic dashes and quotes become their ASCII forms, accents outside Latin-1
lose their accent, anything else becomes `?`. Ids, hashes, CIDs, addresses and amounts are ASCII, so every
fact that identifies the licence survives exactly; only a title in another script is degraded.
"""

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from genip.chain.explain import format_time
from genip.money import format_amount
from genip.terms import Tier, template

__all__ = ["LicenceFacts", "expiry_words", "latin1", "licence_filename", "licence_pdf", "price_words"]

_TYPOGRAPHY: Final = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u2022": "*",
        "\u2192": "->",
        "\u2190": "<-",
        "\u2264": "<=",
        "\u2265": ">=",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
    }
)
_LABEL_W: Final = 42.0
_LINE: Final = 5.0


@dataclass(frozen=True, slots=True)
class LicenceFacts:
    """Everything a licence document states. Addresses and hashes are `0x` hex; times are Unix seconds."""

    license_id: int
    chain_id: int
    # The work
    asset_id: int
    title: str | None
    kind: str
    content_sha256: str
    media_cid: str | None
    creator: str
    # The parties
    licensor: str  # whoever owned the certificate when the licence was bought (the offer's seller)
    licensee: str  # the holder of the licence token as of `as_of_block`
    buyer: str  # who paid (differs from the holder when bought for someone else)
    # The terms (the on-chain Terms Record the offer points to)
    offer_id: int
    tier: str
    commercial_use: bool
    derivatives_allowed: bool
    transferable: bool
    rev_share_bps: int
    document_hash: str | None
    document_uri: str | None
    # The sale
    price: int  # base units
    currency: str  # token address, zero for the native coin
    currency_symbol: str
    currency_decimals: int
    tx_hash: str
    block_number: int
    purchased_at: int
    expires_at: int  # 0 = perpetual
    # Where it stands now and where to check it
    renounced: bool
    used_for_derivative: int | None
    as_of_block: int
    verify_url: str
    page_url: str


def latin1(text: str) -> str:
    """`text` as the PDF core fonts can show it (see the module docstring)."""
    folded = unicodedata.normalize("NFC", text).translate(_TYPOGRAPHY)
    out: list[str] = []
    for char in folded:
        if ord(char) < 256:
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if ord(c) < 128 and c.isprintable())
        out.append(base or "?")
    return "".join(out)


def price_words(units: int, decimals: int, symbol: str) -> str:
    """An exact price: `0.001 ETH (1000000000000000 base units)`, or `free`."""
    if units == 0:
        return "free (0)"
    return f"{format_amount(units, decimals)} {symbol} ({units} base units)"


def expiry_words(expires_at: int) -> str:
    """`2026-12-09 14:00 UTC`, or `never expires (perpetual)` for 0."""
    return "never expires (perpetual)" if expires_at == 0 else format_time(expires_at)


def licence_filename(license_id: int, chain_id: int) -> str:
    """The download name of a licence's document."""
    return f"genip-licence-{chain_id}-{license_id}.pdf"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _pct(bps: int) -> str:
    """Basis points as a percentage: 1000 → `10 %`, 250 → `2.5 %`."""
    return f"{format_amount(bps, 2)} %"


def _shipped_template(document_hash: str | None) -> tuple[Tier, str] | None:
    """The shipped template whose sha256 is `document_hash`, with its text."""
    if not document_hash:
        return None
    for tier in Tier:
        doc = template(tier)
        if "0x" + doc.sha256.hex() == document_hash.lower():
            return tier, doc.data.decode("utf-8")
    return None


class _Document(FPDF):
    def __init__(self, facts: LicenceFacts) -> None:
        super().__init__(format="A4")
        self.facts = facts
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_title(latin1(f"Gen-IP licence {facts.license_id}"))
        self.set_author("Gen-IP")
        self.set_subject(latin1(f"Licence {facts.license_id} on work {facts.asset_id}"))
        self.set_creator("genip.licence_document")
        # Reproducible bytes: the same facts give the same document.
        self.set_creation_date(datetime.fromtimestamp(facts.purchased_at, UTC))

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=7)
        self.set_text_color(110)
        self.cell(
            0,
            4,
            latin1(
                f"Gen-IP licence {self.facts.license_id}, chain {self.facts.chain_id}, page {self.page_no()}"
            ),
            align="C",
        )
        self.set_text_color(0)

    def heading(self, text: str, size: float = 12) -> None:
        self.ln(2)
        self.set_font("Helvetica", "B", size)
        self.multi_cell(0, size * 0.5, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def row(self, label: str, value: str, *, mono: bool = False) -> None:
        self.set_font("Helvetica", "B", 9)
        y = self.get_y()
        self.multi_cell(_LABEL_W, _LINE, latin1(label), new_x=XPos.RIGHT, new_y=YPos.TOP)
        label_bottom = y + _LINE
        self.set_font("Courier" if mono else "Helvetica", size=8.5 if mono else 9.5)
        self.multi_cell(
            0,
            _LINE,
            latin1(value),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
            wrapmode=WrapMode.CHAR if mono else WrapMode.WORD,
        )
        if self.get_y() < label_bottom:
            self.set_y(label_bottom)

    def paragraph(self, text: str, *, size: float = 9.5, markdown: bool = False, indent: float = 0) -> None:
        self.set_font("Helvetica", size=size)
        if indent:
            self.set_x(self.l_margin + indent)
        self.multi_cell(0, size * 0.48, latin1(text), markdown=markdown, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _markdown_text(doc: _Document, text: str) -> None:
    """The shipped template (a small Markdown subset: headings, paragraphs, bullets, **bold**, `code`)."""
    blocks: list[tuple[str, str]] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            blocks.append(("gap", ""))
        elif stripped.startswith("## "):
            blocks.append(("h2", stripped[3:]))
        elif stripped.startswith("# "):
            blocks.append(("h1", stripped[2:]))
        elif stripped.startswith("- "):
            blocks.append(("li", stripped[2:]))
        elif blocks and blocks[-1][0] in ("p", "li"):
            kind, body = blocks[-1]
            blocks[-1] = (kind, f"{body} {stripped}")
        else:
            blocks.append(("p", stripped))
    for kind, body in blocks:
        body = body.replace("`", "")
        if kind == "h1":
            doc.heading(body, 11)
        elif kind == "h2":
            doc.heading(body, 10)
        elif kind == "li":
            doc.paragraph("- " + body, size=8.5, markdown=True, indent=4)
        elif kind == "p":
            doc.paragraph(body, size=8.5, markdown=True)
            doc.ln(1)


def licence_pdf(facts: LicenceFacts) -> bytes:
    """The licence document of `facts` as PDF bytes."""
    doc = _Document(facts)
    doc.add_page()
    doc.set_font("Helvetica", "B", 18)
    doc.cell(0, 10, latin1(f"Gen-IP licence #{facts.license_id}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    title = facts.title or f"Work #{facts.asset_id}"
    doc.paragraph(
        f'{facts.tier.capitalize()} licence on "{title}" (work #{facts.asset_id}), recorded on chain '
        f"{facts.chain_id}. Stated as indexed at block {facts.as_of_block}.",
        size=10,
    )
    if facts.renounced:
        doc.set_text_color(160, 0, 0)
        doc.paragraph(
            "This licence was renounced (burned) by its holder: it grants nothing any more.", size=10
        )
        doc.set_text_color(0)

    doc.heading("Parties")
    doc.row("Licensor", facts.licensor, mono=True)
    doc.row("", "Owner of the certificate when the licence was bought (the offer's seller).")
    if facts.creator.lower() != facts.licensor.lower():
        doc.row("Creator", facts.creator, mono=True)
    doc.row("Licensee", facts.licensee, mono=True)
    doc.row("", f"Holder of licence token #{facts.license_id} as of block {facts.as_of_block}.")
    if facts.buyer.lower() != facts.licensee.lower():
        doc.row("Bought by", facts.buyer, mono=True)

    doc.heading("The work")
    doc.row("Certificate", f"#{facts.asset_id} on chain {facts.chain_id}")
    doc.row("Title", title)
    doc.row("Kind", facts.kind)
    doc.row("Content sha256", facts.content_sha256, mono=True)
    doc.row("Media CID", facts.media_cid or "not recorded", mono=bool(facts.media_cid))

    doc.heading("The sale")
    doc.row("Licence id", str(facts.license_id))
    doc.row("Offer", f"#{facts.offer_id}")
    doc.row("Price paid", price_words(facts.price, facts.currency_decimals, facts.currency_symbol))
    doc.row("Currency", f"{facts.currency_symbol} ({facts.currency})", mono=False)
    doc.row("Transaction", facts.tx_hash, mono=True)
    doc.row("Block", str(facts.block_number))
    doc.row("Purchased", format_time(facts.purchased_at))
    doc.row("Expires", expiry_words(facts.expires_at))

    doc.heading("The terms")
    doc.row("Tier", f"{facts.tier.capitalize()} licence")
    doc.row("Commercial use", _yes(facts.commercial_use))
    doc.row("Derivatives", _yes(facts.derivatives_allowed))
    if facts.derivatives_allowed:
        doc.row("Revenue share", f"{_pct(facts.rev_share_bps)} of each derivative's revenue")
        if facts.tier == "generation":  # never marked used: it licenses every work generated with it
            used = "any number of generated works: a generation licence is never used up"
        elif facts.used_for_derivative:
            used = f"derivative #{facts.used_for_derivative}"
        else:
            used = "no derivative yet"
        doc.row("Used for", used)
    doc.row("Transferable", _yes(facts.transferable))
    if facts.document_hash:
        doc.row("Terms document", facts.document_hash, mono=True)
    if facts.document_uri:
        doc.row("Terms URI", facts.document_uri, mono=True)

    doc.heading("Verify")
    doc.paragraph(
        "The chain is the record; this document only restates it. Check the licence as it stands now at:",
        size=9.5,
    )
    doc.row("Licence (API)", facts.verify_url, mono=True)
    doc.row("Work page", facts.page_url, mono=True)

    shipped = _shipped_template(facts.document_hash)
    doc.add_page()
    if shipped is not None:
        doc.heading("The licence terms in full")
        doc.paragraph(
            "The text below is the terms document the Terms Record points to; its sha256 is the record's "
            "documentHash above. The numbers and switches above are those of the Offer and the Terms Record.",
            size=8.5,
        )
        _markdown_text(doc, shipped[1])
    else:
        doc.heading("The licence terms")
        doc.paragraph(
            "The Terms Record points to a terms document this server does not ship. Its text is at the "
            "Terms URI above and must hash to the Terms document sha256.",
            size=9.5,
        )
    return bytes(doc.output())
