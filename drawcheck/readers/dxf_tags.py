"""ASCII DXF as arrays of tags: group codes and value spans over the file's bytes, read as ezdxf reads them.

ezdxf's reader (``ascii_tags_loader`` then ``tag_compiler``) makes a Python
object of every tag; :func:`read_tags` finds the same tags with numpy over
the bytes and leaves each value as a byte span, decoded or parsed only when
asked. It reads as ezdxf does: universal newlines, a code line as ``int()``
reads it, 999 comments dropped, nothing after ``0 EOF``, point codes followed
by their y code. What it cannot be sure to read the same way raises
:class:`Unsupported`, and the caller reads the file with ezdxf instead.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..geometry.jit import njit

#: Group codes of point x values: the next tag must be the y value (code + 10), as ezdxf's tag compiler requires.
POINT_CODES = frozenset({10, 11, 12, 13, 14, 15, 16, 17, 18, 110, 111, 112, 210, 211, 212, 213,
                         1010, 1011, 1012, 1013})
#: Group codes ezdxf reads as binary data (hexadecimal text).
BINARY_CODES = frozenset({310, 311, 312, 313, 314, 315, 316, 317, 318, 319, 1004})
#: The largest group code a value type is looked up for (ezdxf's ``MAX_GROUP_CODE``).
MAX_CODE = 1071


def _ranges(*pairs: tuple[int, int]) -> set[int]:
    return {c for lo, hi in pairs for c in range(lo, hi)}


#: Group codes whose values ezdxf converts to float / int (its ``TYPE_TABLE``); the rest stay text.
FLOAT_CODES = frozenset(_ranges((10, 60), (110, 150), (210, 240), (460, 470), (1010, 1060)))
INT_CODES = frozenset(_ranges((60, 80), (90, 100), (160, 180), (270, 300), (370, 390), (400, 410),
                              (420, 460), (1060, 1072)))
#: Per code 0..MAX_CODE: 0 text, 1 float, 2 int, 3 binary.
_KIND = np.zeros(MAX_CODE + 1, dtype=np.int8)
_KIND[sorted(FLOAT_CODES)] = 1
_KIND[sorted(INT_CODES)] = 2
_KIND[sorted(BINARY_CODES)] = 3
_IS_POINT = np.zeros(MAX_CODE + 1, dtype=bool)
_IS_POINT[sorted(POINT_CODES)] = True


class Unsupported(Exception):
    """The fast reader cannot promise to read this file as ezdxf does (one line: why)."""


@dataclass
class Tags:
    """The tags of a DXF text up to and including ``0 EOF``, 999 comments left out.

    ``data`` is the text's bytes with ``\\n`` line ends; tag ``i`` has group code
    ``codes[i]``, its code line starts at byte ``starts[i]`` and its value is
    ``data[vstart[i]:vend[i]]``. ``starts[n]`` is the end of the EOF tag.
    """

    data: bytes
    encoding: str
    codes: np.ndarray  # int32 (n,)
    starts: np.ndarray  # int32 (int64 for files of 2 GB or more) (n + 1,)
    vstart: np.ndarray  # as starts (n,)
    vend: np.ndarray  # as starts (n,)
    _floats: np.ndarray | None = None  # values read so far (floats), where _have
    _have: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.codes)

    def raw(self, i: int) -> bytes:
        return self.data[self.vstart[i]:self.vend[i]]

    def text(self, i: int) -> str:
        """The value of tag ``i`` as ezdxf holds it (decoded, undecodable bytes as lone surrogates)."""
        return self.data[self.vstart[i]:self.vend[i]].decode(self.encoding, errors="surrogateescape")

    def texts(self, idx, repeated: bool = False) -> list[str]:
        """The values of tags ``idx`` decoded; ``repeated``: few distinct ones (layers, owners), each decoded once."""
        data, enc = self.data, self.encoding
        if not repeated:
            joined = _ascii_lines(data, self.vstart[idx], self.vend[idx]) if _ascii_compatible(enc) else None
            if joined is not None:
                return joined
            spans = zip(self.vstart[idx].tolist(), self.vend[idx].tolist())
            return [data[s:e].decode(enc, errors="surrogateescape") for s, e in spans]
        spans = zip(self.vstart[idx].tolist(), self.vend[idx].tolist())
        cache: dict[bytes, str] = {}
        out = []
        for s, e in spans:
            raw = data[s:e]
            text = cache.get(raw)
            if text is None:
                text = cache[raw] = raw.decode(enc, errors="surrogateescape")
            out.append(text)
        return out

    def floats(self, idx) -> np.ndarray:
        """The values of tags ``idx`` as ezdxf's ``float()`` reads them; :class:`Unsupported` for one it cannot.

        Values read once are kept (the checks and the light entities read the same tags).
        """
        idx = np.asarray(idx, dtype=np.int64)
        if self._floats is None:
            self._floats = np.zeros(len(self.codes), dtype=np.float64)
            self._have = np.zeros(len(self.codes), dtype=bool)
        todo = idx[~self._have[idx]]
        if len(todo):
            if len(todo) > 1 and not (todo[1:] > todo[:-1]).all():
                todo = np.unique(todo)
            self._floats[todo] = _floats(self, self.vstart[todo], self.vend[todo])
            self._have[todo] = True
        return self._floats[idx]

    def float_of(self, raw: bytes, at: int) -> float:
        """``float()`` of one value's bytes as ezdxf reads it (``at``: its offset, for the message)."""
        try:
            return float(raw)
        except ValueError:  # float() of bytes knows ASCII only; ezdxf parses the decoded text
            return self._float_text(raw, at)

    def _float_text(self, raw: bytes, at: int) -> float:
        try:
            return float(raw.decode(self.encoding, errors="surrogateescape"))
        except ValueError:
            raise Unsupported(f"invalid number '{raw[:20].decode('ascii', 'replace')}' at byte {at}") from None

    def ints(self, idx) -> np.ndarray:
        """The values of tags ``idx`` as ezdxf reads integers (``int()``, else ``int(float())``)."""
        idx = np.asarray(idx, dtype=np.int64)
        values, ok = _ints(self.data, self.encoding, self.vstart[idx], self.vend[idx])
        for k in np.flatnonzero(~ok).tolist():
            values[k] = self._int_text(int(idx[k]))
        return values

    def _int_text(self, i: int) -> int:
        text = self.text(i)
        try:
            value = int(text)
        except ValueError:
            try:
                value = int(float(text))  # ProE writes integers as floats; ezdxf reads them so
            except (ValueError, OverflowError):
                raise Unsupported(f"invalid integer '{text[:20]}' at byte {int(self.vstart[i])}") from None
        if not -(1 << 62) < value < (1 << 62):
            raise Unsupported(f"integer '{text[:20]}' out of range at byte {int(self.vstart[i])}")
        return value

    def check_values(self, idx) -> None:
        """Raise :class:`Unsupported` where ezdxf's tag compiler would refuse a value of tags ``idx``."""
        idx = np.asarray(idx, dtype=np.int64)
        codes = self.codes[idx]
        kind = np.where((codes >= 0) & (codes <= MAX_CODE), _KIND[np.clip(codes, 0, MAX_CODE)], 0)
        self.floats(idx[kind == 1])
        self.ints(idx[kind == 2])
        for i in idx[kind == 3].tolist():
            try:
                binascii.unhexlify(self.text(i))
            except (ValueError, binascii.Error):
                raise Unsupported(f"invalid binary data at byte {int(self.vstart[i])}") from None


@lru_cache(maxsize=None)
def _ascii_compatible(encoding: str) -> bool:
    """Whether ``encoding`` decodes every ASCII byte to itself (the DXF code pages and UTF-8 do)."""
    ascii_bytes = bytes(range(128))
    try:
        return ascii_bytes.decode(encoding) == ascii_bytes.decode("ascii")
    except (LookupError, UnicodeDecodeError):
        return False


def _ascii_lines(data: bytes, start: np.ndarray, end: np.ndarray) -> list[str] | None:
    """The spans as text in one decode when they are all ASCII (as any ASCII-compatible code page reads
    them), else None. Many short values (handles) decode faster joined by newlines, which no value holds."""
    if len(start) < 64:
        return None
    arr = np.frombuffer(data, dtype=np.uint8)
    size = (end - start).astype(np.int64) + 1  # each value and a newline
    first = np.cumsum(size) - size  # where each value starts in the joined bytes
    source = np.arange(int(size.sum()), dtype=np.int64) + np.repeat(start.astype(np.int64) - first, size)
    joined = arr[np.minimum(source, len(arr) - 1)]
    joined[first + size - 1] = 10
    if (joined >= 128).any():
        return None
    return joined.tobytes().decode("ascii").split("\n")[:-1]


def normalize_newlines(data: bytes) -> bytes:
    """``\\r\\n`` and lone ``\\r`` as ``\\n``, as a text stream with universal newlines reads them."""
    if b"\r" not in data:
        return data
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def read_tags(data: bytes, encoding: str) -> Tags:
    """The tags of ``data`` (``\\n`` line ends, in ``encoding``) up to ``0 EOF``; :class:`Unsupported` otherwise."""
    arr = np.frombuffer(data, dtype=np.uint8)
    line_start, line_end, codes, ok = _lines_and_codes(arr)
    n = len(line_start) // 2
    cs, ce = line_start[0:2 * n:2], line_end[0:2 * n:2]
    vs, ve = line_start[1:2 * n:2], line_end[1:2 * n:2]
    other = np.flatnonzero(~ok)
    if len(other):  # as int() reads the code line, like ezdxf's tag loader: signs, tabs, other digits
        codes[other], ok[other] = _ints(data, encoding, cs[other], ce[other])
    zero = np.flatnonzero(ok & (codes == 0))
    eof = zero[_equals(arr, vs[zero], ve[zero], b"EOF")]
    if not len(eof):
        raise Unsupported("no 0 EOF tag")
    last = int(eof[0])
    if not ok[:last + 1].all():
        k = int(np.flatnonzero(~ok[:last + 1])[0])
        raise Unsupported(f"invalid group code at line {2 * k + 1}")
    keep = codes[:last + 1] != 999  # comments: ezdxf's tag loader drops them
    if np.abs(codes[:last + 1]).max() > MAX_CODE * 1000:
        raise Unsupported("a group code far beyond DXF's")
    offset = np.int32 if len(data) < (1 << 31) else np.int64  # half the memory of int64 for files under 2 GB
    starts = np.concatenate((cs[:last + 1][keep], [ve[last] + 1])).astype(offset)
    tags = Tags(data, encoding, codes[:last + 1][keep].astype(np.int32), starts, vs[:last + 1][keep].astype(offset),
                ve[:last + 1][keep].astype(offset))
    _check_points(tags.codes)
    return tags


@njit(cache=True)
def _lines_and_codes(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The lines of ``arr`` (``\\n`` ends; none after a final newline): starts and ends (byte offsets), and
    per code line (every other line from the first) its value where it is spaces, an optional minus, 1-9
    digits and spaces, as ``int()`` reads it, and whether it was that (the others: :func:`_ints`)."""
    n = arr.size
    count = 0
    for i in range(n):
        if arr[i] == 10:
            count += 1
    if n > 0 and arr[n - 1] != 10:
        count += 1
    start = np.empty(count, dtype=np.int64)
    end = np.empty(count, dtype=np.int64)
    j, s = 0, 0
    for i in range(n):
        if arr[i] == 10:
            start[j], end[j] = s, i
            j += 1
            s = i + 1
    if j < count:
        start[j], end[j] = s, n
    pairs = count // 2
    codes = np.zeros(pairs, dtype=np.int64)
    ok = np.zeros(pairs, dtype=np.bool_)
    for p in range(pairs):
        a, b = start[2 * p], end[2 * p]
        while a < b and arr[a] == 32:
            a += 1
        while b > a and arr[b - 1] == 32:
            b -= 1
        negative = a < b and arr[a] == 45
        if negative:
            a += 1
        if b - a < 1 or b - a > 9:
            continue
        value, digits = 0, True
        for i in range(a, b):
            if arr[i] < 48 or arr[i] > 57:
                digits = False
                break
            value = value * 10 + (arr[i] - 48)
        if digits:
            codes[p] = -value if negative else value
            ok[p] = True
    return start, end, codes, ok


def _check_points(codes: np.ndarray) -> None:
    """Every point code followed by its y code (ezdxf raises on a point without one)."""
    at = np.flatnonzero(_IS_POINT[np.clip(codes, 0, MAX_CODE)] & (codes >= 0) & (codes <= MAX_CODE))
    nxt = np.minimum(at + 1, len(codes) - 1)
    bad = (at + 1 >= len(codes)) | (codes[nxt] != codes[at] + 10)
    if bad.any():
        raise Unsupported(f"point code {int(codes[at[bad][0]])} without its y value")


def _equals(arr: np.ndarray, start: np.ndarray, end: np.ndarray, word: bytes) -> np.ndarray:
    """Whether each span ``arr[start:end]`` is exactly ``word``."""
    out = (end - start) == len(word)
    for k, byte in enumerate(word):
        out &= arr[np.minimum(start + k, len(arr) - 1)] == byte
    return out


def _floats(tags: "Tags", start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """``float()`` of each span: each distinct span of up to 15 bytes read once (sorted by its bytes), longer
    ones one by one. Drawings repeat their coordinates (rows of stalls, grids, dimension chains)."""
    data = tags.data
    n = len(start)
    values = np.zeros(n, dtype=np.float64)
    length = end - start
    short = (length <= 15) & (start + 16 <= len(data))
    if short.sum() > 64:
        words = np.ndarray((len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))
        at = np.flatnonzero(short)
        s, ln = start[at], length[at]
        w1 = words[s] & _masks(np.minimum(ln, 8))
        w2 = (words[s + 8] & _masks(np.maximum(ln - 8, 0))) | (ln.astype(np.uint64) << np.uint64(56))
        order = np.lexsort((w2, w1))
        a, b = w1[order], w2[order]
        new = np.ones(len(order), dtype=bool)
        new[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
        group = np.cumsum(new) - 1
        firsts = at[order[new]]
        distinct = np.array([tags.float_of(data[x:y], x) for x, y in zip(start[firsts].tolist(), end[firsts].tolist())],
                            dtype=np.float64)
        values[at[order]] = distinct[group]
    else:
        short[:] = False
    for k in np.flatnonzero(~short).tolist():
        x, y = int(start[k]), int(end[k])
        values[k] = tags.float_of(data[x:y], x)
    return values


def _masks(nbytes: np.ndarray) -> np.ndarray:
    """Per entry, a mask of its low ``nbytes`` (0-8) bytes."""
    return np.where(nbytes >= 8, np.uint64(0xFFFFFFFFFFFFFFFF),
                    (np.uint64(1) << (nbytes.astype(np.uint64) * np.uint64(8))) - np.uint64(1))


def _ints(data: bytes, encoding: str, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``int()`` of each span's decoded text, and which spans it reads (0 where it does not).

    Code lines and integer values take few distinct forms: each distinct span of
    up to 7 bytes is read once (keyed by its bytes), longer ones one by one.
    """
    values = np.zeros(len(start), dtype=np.int64)
    ok = np.zeros(len(start), dtype=bool)
    if not len(start):
        return values, ok
    keys, short = span_keys(data, start, end)
    plain, plain_values = _plain_ints(keys, end - start)
    values[plain], ok[plain] = plain_values[plain], True
    other = short & ~plain
    distinct, inverse = np.unique(keys[other], return_inverse=True)
    first = np.zeros(len(distinct), dtype=np.int64)
    first[inverse[::-1]] = np.flatnonzero(other)[::-1]  # a span of each distinct key
    read = np.array([_int_or_none(data[s:e].decode(encoding, errors="surrogateescape"))
                     for s, e in zip(start[first].tolist(), end[first].tolist())], dtype=object)
    good = np.array([v is not None for v in read], dtype=bool)
    values[other] = np.where(good, read, 0).astype(np.int64)[inverse]
    ok[other] = good[inverse]
    for k in np.flatnonzero(~short).tolist():
        value = _int_or_none(data[start[k]:end[k]].decode(encoding, errors="surrogateescape"))
        if value is not None:
            values[k], ok[k] = value, True
    return values, ok


def _plain_ints(keys: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spans of 1-4 bytes that are spaces then digits (how DXF writers put codes), and their values."""
    ok = (length >= 1) & (length <= 4)
    seen = np.zeros(len(keys), dtype=bool)  # a digit came
    values = np.zeros(len(keys), dtype=np.int64)
    for k in range(4):
        byte = ((keys >> np.uint64(8 * k)) & np.uint64(0xFF)).astype(np.int64)
        inside = length > k
        digit = inside & (byte >= 48) & (byte <= 57)
        ok &= ~inside | digit | ((byte == 32) & ~seen)  # spaces only before the digits
        seen |= digit
        values = np.where(digit, values * 10 + (byte - 48), values)
    return ok & seen, values


def _int_or_none(text: str) -> int | None:
    try:
        value = int(text)
    except ValueError:
        return None
    return value if -(1 << 62) < value < (1 << 62) else None


_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)], dtype=np.uint64)


def span_keys(data: bytes, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A uint64 key per span naming its bytes (length and up to 7 bytes), and which spans are that short."""
    length = end - start
    short = length <= 7
    keys = np.zeros(len(start), dtype=np.uint64)
    if len(data) >= 8:
        words = np.ndarray((len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))  # 8 bytes from each offset
        direct = short & (start <= len(data) - 8)
        keys[direct] = words[start[direct]]
    else:
        direct = np.zeros(len(start), dtype=bool)
    for k in np.flatnonzero(short & ~direct).tolist():  # the last few bytes of the text
        keys[k] = int.from_bytes(data[start[k]:end[k]], "little")
    keys &= _MASKS[np.clip(length, 0, 7)]
    keys |= np.clip(length, 0, 7).astype(np.uint64) << np.uint64(56)
    return keys, short
