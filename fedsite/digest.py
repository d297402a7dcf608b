"""Content digests that do not depend on how equal data happens to be shared in memory."""

from __future__ import annotations

import hashlib
import io
import pickle


def canonical_digest(value: object) -> str:
    """sha256 of a pickle without its memo, so that equal data gives equal bytes however it is shared."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=4)
    pickler.fast = True
    pickler.dump(value)
    return hashlib.sha256(buffer.getvalue()).hexdigest()
