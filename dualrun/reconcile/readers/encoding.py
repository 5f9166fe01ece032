"""Decode a text file's bytes to UTF-8: the encodings Excel and CRM exports really use.

Order: an explicit encoding; a BOM (UTF-8/16/32); strict UTF-8; strict GB18030 when the
text looks like common Chinese (what Chinese-Windows Excel writes as "CSV");
charset-normalizer's guess as a last resort, with a note for the user. Undecodable bytes
give an InputError naming the line of the first bad byte. No parsing happens here.
"""

from __future__ import annotations

import codecs
import re

from dualrun.errors import InputError, Location

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CHUNK = 1 << 23
_GB_CHARS = re.compile(rb"[\x81-\xfe][\x30-\x39][\x81-\xfe][\x30-\x39]|[\x81-\xfe][\x40-\xfe]")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_ENCODING_HINT = (
    'set encoding = "gb18030" (Chinese Windows), "big5", "cp1252" or the right one in the '
    "source config, or save the file again as CSV UTF-8"
)


def to_utf8(raw: bytes, encoding: str | None, name: str) -> tuple[bytes, tuple[str, ...]]:
    """The file as UTF-8 bytes (a UTF-8 BOM may remain), plus notes for the user.

    An explicit ``encoding`` wins. Otherwise: a BOM; strict UTF-8; strict GB18030 when the
    text looks Chinese; charset-normalizer's guess (with a note); else an error.

    Raises:
        InputError: unknown encoding name, or bytes that cannot be decoded (with the line).
    """
    if encoding is not None:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError as exc:
            raise InputError(
                f"unknown encoding {encoding!r}",
                location=Location(file=name),
                hint='use an encoding name such as "utf-8", "gb18030", "utf-16", "big5"',
            ) from exc
        return _transcode(raw, codec, name, explicit=True), ()
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return _transcode(raw, codec, name, explicit=False), ()
    bad = _first_bad_byte(raw, "utf-8")
    if bad is None:
        return raw, ()
    if len(raw[:bad].translate(None, bytes(range(128)))) >= 64:
        # Well into valid UTF-8 text: a damaged byte, not another encoding.
        why = "is not valid UTF-8, though the text before it is"
        raise _decode_error(raw, bad, "utf-8", name, explicit=False, why=why)
    try:
        chinese: bytes | None = _transcode(raw, "gb18030", name, explicit=False)
    except InputError:
        chinese = None
    if chinese is not None and _looks_chinese(raw, chinese):
        return chinese, ()
    guessed = _guess(raw)
    if guessed is not None:
        data, codec = guessed
        note = f"text encoding guessed as {codec}; if characters look wrong, {_ENCODING_HINT}"
        return data, (note,)
    if chinese is not None:
        return chinese, ()
    why = "is not valid UTF-8, and the file is in no other encoding dualrun recognises"
    raise _decode_error(raw, bad, "utf-8", name, explicit=False, why=why)


def _first_bad_byte(raw: bytes, codec: str) -> int | None:
    decoder = codecs.getincrementaldecoder(codec)("strict")
    view = memoryview(raw)
    for start in range(0, len(raw), _CHUNK):
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(view[start : start + _CHUNK], final=start + _CHUNK >= len(raw))
        except UnicodeDecodeError as exc:
            return start - pending + exc.start
    return None


def _transcode(raw: bytes, codec: str, name: str, *, explicit: bool) -> bytes:
    if codec in ("utf-8", "utf-8-sig"):
        bad = _first_bad_byte(raw, "utf-8")
        if bad is not None:
            raise _decode_error(raw, bad, codec, name, explicit=explicit)
        return raw
    decoder = codecs.getincrementaldecoder(codec)("strict")
    view = memoryview(raw)
    parts: list[bytes] = []
    for start in range(0, len(raw), _CHUNK):
        pending = len(decoder.getstate()[0])
        try:
            text = decoder.decode(view[start : start + _CHUNK], final=start + _CHUNK >= len(raw))
        except UnicodeDecodeError as exc:
            bad = start - pending + exc.start
            raise _decode_error(raw, bad, codec, name, explicit=explicit) from exc
        parts.append(text.encode("utf-8", "surrogatepass"))
    return b"".join(parts)


def _looks_chinese(raw: bytes, decoded: bytes) -> bool:
    """True when GB18030 gave common simplified Chinese, not private-use mojibake.

    Most double-byte characters of real GBK text fall in GB2312; Big5 or Latin-1 text read
    as GB18030 gives rare characters and private-use code points instead.
    """
    pairs = _GB_CHARS.findall(raw[: 1 << 18])
    common = sum(1 for p in pairs if len(p) == 2 and p[0] >= 0xA1 and p[1] >= 0xA1)
    private = len(_PRIVATE_USE.findall(decoded[: 1 << 18].decode("utf-8", "ignore")))
    return common >= 0.5 * len(pairs) and private <= 0.01 * len(pairs)


def _guess(raw: bytes) -> tuple[bytes, str] | None:
    import charset_normalizer  # only needed for unusual files

    best = charset_normalizer.from_bytes(raw[: 1 << 20]).best()
    if best is None:
        return None
    try:
        return _transcode(raw, best.encoding, "", explicit=True), best.encoding
    except InputError:
        return None


def _decode_error(
    raw: bytes, position: int, codec: str, name: str, *, explicit: bool, why: str = ""
) -> InputError:
    line = raw[:position].decode(codec, "replace").count("\n") + 1
    message = f"byte 0x{raw[position]:02X} on line {line} {why or f'cannot be decoded as {codec}'}"
    hint = _ENCODING_HINT
    if explicit:
        hint = f'the source config says encoding = "{codec}"; {hint}'
    return InputError(message, location=Location(file=name, row=line), hint=hint)
