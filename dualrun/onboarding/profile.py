"""Column profiling: what the values of one column look like, and which kind they are.

Turns the tables of one side (``RawTable``) into ``_Group``s of ``_Column`` profiles:
the field kind the values fit (ID, Salesforce ID, e-mail, phone, date, amount, text),
each cell prepared and normalised per that kind, capped at ``SAMPLE_ROWS`` cells.
Pure: reads no file, prints nothing, and knows nothing of the other side.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from dualrun.onboarding.synonyms import concept, concept_scores
from dualrun.reconcile.normalise import (
    normalise_amount,
    normalise_date,
    normalise_id,
    normalise_phone,
    normalise_text,
    prepare_text,
    salesforce_id_18,
)
from dualrun.reconcile.readers import RawTable

SAMPLE_ROWS = 50_000  # per column and side: enough evidence, bounded time on 1M rows

_SFID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")
_EMAIL = re.compile(r"^(?:mailto:)?[^@\s]+@[^@\s]+\.[^@\s]+$", re.IGNORECASE)
_PHONE_CHARS = re.compile(r"^[+\d\s\-()（）]{7,}$")
_CN_MOBILE = re.compile(r"^(?:\+?0{0,2}86)?1[3-9]\d{9}$")
_GUID = re.compile(r"^\{?[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\}?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PLAIN_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_CODE = re.compile(r"^[A-Za-z]{1,6}[-_]?\d{2,}$")
_MONEY_MARKS = re.compile(r"[¥￥$万亿元]|RMB|CNY", re.IGNORECASE)


@dataclass(frozen=True)
class _Column:
    """What the values of one column look like (capped at SAMPLE_ROWS cells)."""

    header: str
    kind: str
    kind_share: float
    cells: tuple[str | None, ...]  # prepared cell per row (None = empty)
    typed: tuple[str | None, ...]  # normalised per the kind, per row
    concepts: dict[str, float]
    has_fullwidth: bool = False

    @property
    def filled(self) -> int:
        return sum(v is not None for v in self.typed)

    @property
    def distinct(self) -> frozenset[str]:
        return frozenset(v for v in self.typed if v is not None)

    @property
    def uniqueness(self) -> float:
        return len(self.distinct) / self.filled if self.filled else 0.0

    @property
    def fill(self) -> float:
        return self.filled / len(self.typed) if self.typed else 0.0

    def numbers(self) -> frozenset[Decimal]:
        found = set()
        for value in self.distinct:
            number = _decimal(value)
            if number is not None:
                found.add(number)
        return frozenset(found)


@dataclass(frozen=True)
class _Group:
    """The tables of one file (one side) that share one header: one entity's source."""

    side: str
    file: str
    sheets: tuple[str | None, ...]
    header_rows: tuple[int, ...]
    columns: tuple[_Column, ...]
    rows: int
    all_sheets: bool

    def column(self, header: str) -> _Column:
        return next(c for c in self.columns if c.header == header)


def _decimal(value: str) -> Decimal | None:
    if not _PLAIN_NUMBER.match(value):
        return None
    try:
        return Decimal(value).normalize()
    except InvalidOperation:
        return None


def _share(values: Sequence[str], test: Callable[[str], bool]) -> float:
    return sum(1 for v in values if test(v)) / len(values) if values else 0.0


def _looks_like_phone(value: str) -> bool:
    if not _PHONE_CHARS.match(value):
        return False
    digits = re.sub(r"\D", "", value)
    if not 7 <= len(digits) <= 15:
        return False
    return bool(re.search(r"[\s\-()+]", value)) or bool(_CN_MOBILE.match(digits))


def _infer_kind(values: Sequence[str], concepts: dict[str, float], tz: str) -> tuple[str, float]:
    """The field type the (non-empty, prepared) values have, and the share that fits it."""
    hinted = {concept(name).kind for name, s in concepts.items() if s >= 1.0} - {None}
    checks: list[tuple[str, float, float]] = [
        ("sfid", _share(values, lambda v: bool(_SFID.match(v)) and not v.isdigit()), 0.95),
        ("email", _share(values, lambda v: bool(_EMAIL.match(v))), 0.8),
    ]
    for kind, share, needed in checks:
        if share >= (0.5 if kind in hinted else needed):
            return kind, share
    if _share(values, lambda v: bool(_GUID.match(v))) >= 0.95:
        return "id", 1.0
    dated = [normalise_date(v, tz=tz) for v in values]
    textual = _share(
        [v for v, d in zip(values, dated, strict=True) if d and _ISO_DATE.match(d)],
        lambda v: not _PLAIN_NUMBER.match(v),
    )
    date_share = _share([d or "" for d in dated], lambda d: bool(_ISO_DATE.match(d)))
    textual_share = textual * date_share
    if date_share >= 0.8 and (textual_share >= 0.3 or "date" in hinted):
        return "date", date_share
    phone_share = _share(values, _looks_like_phone)
    if phone_share >= (0.5 if "phone" in hinted else 0.8):
        return "phone", phone_share
    numeric = _share(
        [normalise_amount(v, unit="") or "" for v in values],
        lambda v: bool(_PLAIN_NUMBER.match(v)),
    )
    if "id" in hinted or (
        _share(values, lambda v: bool(_CODE.match(v))) >= 0.9
        and len(set(values)) >= 0.95 * len(values)
    ):
        return "id", 1.0
    if numeric >= 0.9:
        money = "amount" in hinted or _share(values, lambda v: bool(_MONEY_MARKS.search(v))) > 0
        return ("amount" if money else "number"), numeric
    return "text", 1.0


def _typed(kind: str, value: str | None, tz: str, country: str) -> str | None:
    if value is None:
        return None
    if kind == "sfid":
        return salesforce_id_18(value)
    if kind == "phone":
        return normalise_phone(value, default_country=country)
    if kind == "date":
        return normalise_date(value, tz=tz)
    if kind in ("amount", "number"):
        return normalise_amount(value, unit="")
    if kind == "id":
        return normalise_id(value, casefold=True)
    return _loose(value)


def _loose(value: str | None) -> str | None:
    """Text as loosely as the text steps allow: for spotting the same values."""
    return normalise_text(value, casefold=True, simplified=True, company_suffix=True)


def _profile(header: str, raw: Sequence[str | None], tz: str, country: str) -> _Column:
    cells = tuple(prepare_text(v) for v in raw)
    values = [v for v in cells if v is not None]
    concepts = concept_scores(header)
    kind, share = _infer_kind(values[:5000], concepts, tz)
    return _Column(
        header=header,
        kind=kind,
        kind_share=share,
        cells=cells,
        typed=tuple(_typed(kind, v, tz, country) for v in cells),
        concepts=concepts,
        has_fullwidth=any(re.search("[\uff01-\uff5e]", v or "") for v in raw[:5000]),
    )


def _groups(side: str, tables: Sequence[RawTable], tz: str, country: str) -> list[_Group]:
    by_header: dict[tuple[str, tuple[str, ...]], list[RawTable]] = {}
    sheets_per_file: dict[str, int] = {}
    for table in tables:
        by_header.setdefault((table.file, table.columns), []).append(table)
        sheets_per_file[table.file] = sheets_per_file.get(table.file, 0) + 1
    groups = []
    for (file, columns), members in by_header.items():
        profiles = []
        for header in columns:
            raw: list[str | None] = []
            for table in members:
                raw.extend(table.data.get_column(header).head(SAMPLE_ROWS - len(raw)).to_list())
            profiles.append(_profile(header, raw, tz, country))
        groups.append(
            _Group(
                side=side,
                file=file,
                sheets=tuple(t.sheet for t in members),
                header_rows=tuple(t.header_row for t in members),
                columns=tuple(profiles),
                rows=sum(t.data.height for t in members),
                all_sheets=len(members) == sheets_per_file[file],
            )
        )
    return groups
