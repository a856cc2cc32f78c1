"""Decoding article files: bytes to text, and the one form offsets are computed on.

UTF-8 first (a BOM is allowed; UTF-16/32 with a BOM too); then an HTML
page's declared charset; then detection with ``charset_normalizer``.
Binary data (NUL bytes, many control characters) is refused.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from geomap._input import Unreadable

__all__ = ["decode", "declared_charset", "normalise"]

_Unreadable = Unreadable  # a file or line that cannot be read; becomes a :class:`Skipped`

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first bytes, if Python knows it."""
    m = _DECLARED_CHARSET.search(data[:4096])
    if m is None:
        return None
    try:
        return codecs.lookup(m.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None


def decode(data: bytes, *, declared: str | None = None) -> tuple[str, str, bool]:
    """Decode file bytes: (text, encoding, truncated).  Raises _Unreadable.

    UTF-8 first; then an encoding the page declares (``declared``), when it
    decodes the bytes cleanly; then detection.
    """
    if not data.strip():
        raise _Unreadable("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding.replace("-sig", ""), False
            except UnicodeDecodeError as exc:
                msg = f"undecodable: not valid {encoding} despite its byte order mark ({exc.reason})"
                raise _Unreadable(msg) from None
    if b"\x00" in data[:8192]:
        raise _Unreadable("binary file (NUL bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A file cut inside a multi-byte character: keep what was read.
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return _check_text(data[: exc.start].decode("utf-8")), "utf-8", True
    else:
        return _check_text(text), "utf-8", False
    if declared and declared != "utf-8":
        try:
            return _check_text(data.decode(declared)), declared, False
        except UnicodeDecodeError:
            pass
    text, encoding = _detect(data)
    return _check_text(text), encoding, False


def _check_text(text: str) -> str:
    """``text`` unless control characters show it is binary data."""
    head = text[:8192]
    if "\x00" in head or len(_CONTROL.findall(head)) > max(2, len(head) // 100):
        raise _Unreadable("binary file (control characters)")
    return text


# charset_normalizer often names a rare code page (cp1257, cp775) for short
# Western text that cp1252 decodes just as well; these common encodings win
# when they decode the bytes to the same text or nearly as cleanly.
_PREFERRED = ("cp1252", "gb18030", "big5", "shift_jis", "euc_kr", "cp1251", "koi8_r", "cp1258", "latin_1")


def _detect(data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    results = list(from_bytes(data))
    if not results:
        raise _Unreadable("undecodable: not UTF-8 and no other encoding fits")
    best = results[0]
    best_text = str(best)
    by_name = {r.encoding: r for r in results}
    for name in _PREFERRED:
        match = by_name.get(name)
        if match is not None and match.chaos <= best.chaos + 0.1:
            return str(match), name
        try:
            if data.decode(name) == best_text:
                return best_text, name
        except (UnicodeDecodeError, LookupError):
            continue
    return best_text, codecs.lookup(best.encoding).name


def normalise(text: str) -> str:
    """NFC, ``\\n`` line ends, no BOM: the form offsets are computed on."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return unicodedata.normalize("NFC", text)
