"""Where the lines of a delimited text file end, found with numpy (no Python loop).

The CSV reader's fast path parses a file as it is and needs, per physical line, where
its last cell ends, to count the delimiters a line ends with (an empty last cell), and
the number of lines, to tell records that run over several lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

# Control characters the marker path appends to lines; a delimiter cannot be one.
MARKERS = ("\x1e", "\x1f", "\x1d", "\x1c")
HEAD_BYTES = 1 << 16  # the head of a file looked at for its delimiter and header
_SCAN_CHUNK = 1 << 20  # numpy works on 1 MiB at a time: fits the CPU caches
_LF, _CR = 10, 13


@dataclass(frozen=True)
class Lines:
    """Where the physical lines of a file whose lines end in "\\n" or "\\r\\n" end."""

    newlines: np.ndarray[Any, np.dtype[np.intp]]
    """Position of every "\\n"."""
    ends: np.ndarray[Any, np.dtype[np.intp]]
    """Per line, the position just after its last cell (before its "\\r\\n" or "\\n")."""

    @classmethod
    def scan(cls, data: bytes, delimiter: str) -> Lines | None:
        """None when some "\\r" does not end a line (old Mac line ends, a stray one)."""
        if delimiter in ("\n", "\r", '"', *MARKERS):
            return None
        bytes_ = np.frombuffer(data, np.uint8)
        has_cr = b"\r" in data
        found = []
        crs = 0
        for start in range(0, len(bytes_), _SCAN_CHUNK):
            part = bytes_[start : start + _SCAN_CHUNK]
            at = np.flatnonzero(part == _LF)
            at += start
            found.append(at)
            if has_cr:
                crs += int(np.count_nonzero(part == _CR))
        newlines = np.concatenate(found)
        # The byte before each "\n"; a "\n" at 0 gets itself, which is no "\r".
        crlf = bytes_[np.maximum(newlines - 1, 0)] == _CR
        if has_cr and int(np.count_nonzero(crlf)) != crs:
            return None
        ends = newlines - crlf.astype(np.intp)
        if not data.endswith(b"\n"):
            ends = np.append(ends, len(data))
        return cls(newlines, ends)

    @property
    def count(self) -> int:
        return len(self.ends)

    def head(self, data: bytes, rows: int) -> bytes | None:
        """The file's first 64 KiB and at least ``rows + 1`` lines, cut after a newline.

        None when that is the whole file.
        """
        last = max(rows, int(np.searchsorted(self.newlines, HEAD_BYTES)))
        if last >= len(self.newlines) - 1:
            return None
        return data[: int(self.newlines[last]) + 1]

    def trailing_delimiters(
        self, data: bytes, delimiter: str, limit: int, lines: np.ndarray | None = None
    ) -> np.ndarray | None:
        """How many delimiters each line (or each of ``lines``, 0-based) ends with.

        None when some line ends with more than ``limit``.
        """
        bytes_ = np.frombuffer(data, np.uint8)
        code = ord(delimiter)
        ends = self.ends if lines is None else self.ends[lines]
        runs = np.zeros(len(ends), np.int64)
        last = ends - 1  # the first step on its own: no gathers while most lines fail it
        candidates = np.flatnonzero((bytes_[np.maximum(last, 0)] == code) & (last >= 0))
        if not len(candidates):
            return runs
        runs[candidates] = 1
        for step in range(2, limit + 2):
            at = ends[candidates] - step
            inside = at >= 0  # the byte before a line is a "\n", except for the first line
            candidates, at = candidates[inside], at[inside]
            candidates = candidates[bytes_[at] == code]
            if not len(candidates):
                return runs
            runs[candidates] = step
        return None
