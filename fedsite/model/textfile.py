"""Text files as every stage reads them: UTF-8 with or without a BOM, \\n line ends, no invisible
control characters; and the one message for a text file that cannot be read."""

from __future__ import annotations

import re
from pathlib import Path


def read_text(path: Path) -> str:
    """Read UTF-8 text, tolerating a BOM and Windows line ends."""
    return decode_text(path.read_bytes())


# Control characters pasted from office programs (Word's line break is U+000B): invisible to the writer,
# refused by XML (feeds), so read as spaces; tabs and line breaks stay.
INVISIBLE_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def decode_text(data: bytes) -> str:
    """A text file's bytes as the stages read it: UTF-8 with or without a BOM, \\n line ends, no
    invisible control characters."""
    text = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    return INVISIBLE_CONTROL.sub(" ", text) if INVISIBLE_CONTROL.search(text) else text


def unreadable(e: UnicodeDecodeError | OSError) -> str:
    """Why a text file could not be read, and what to do: the same words for every reader."""
    if isinstance(e, UnicodeDecodeError):
        return "файл не в кодировке UTF-8; сохраните его в UTF-8"
    if isinstance(e, IsADirectoryError):
        return "здесь папка, а должен быть файл; переименуйте папку"
    if isinstance(e, PermissionError):
        return "файл не удалось прочитать: нет прав на чтение"
    return f"файл не удалось прочитать ({e.strerror or e}); проверьте, что это обычный файл"
