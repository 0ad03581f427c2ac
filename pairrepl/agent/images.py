"""Plots for the model: a displayed ``image/png``, shrunk and re-encoded as a small PNG.

Pillow is imported inside ``shrink_png``, on first use, never when ``pairrepl.agent`` is
imported: the app starts fast, and a session that shows no plot never loads it. Nothing
here raises for a bad image: a PNG that does not decode comes back as ``UnreadableImage``
with a short reason, for the context to mention instead.

The same plots are sent again with every request, so results are cached by content.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
from dataclasses import dataclass
from functools import lru_cache

PNG = "image/png"
MAX_PIXELS = 40_000_000  # larger images are not decoded at all (memory and time)


@dataclass(frozen=True)
class ShrunkImage:
    """A PNG no larger than asked on its longest side, base64-encoded, and its sizes."""

    data_base64: str
    width: int
    height: int
    original_width: int
    original_height: int

    @property
    def tokens(self) -> int:
        return image_tokens(self.width, self.height)

    @property
    def downscaled(self) -> bool:
        return (self.width, self.height) != (self.original_width, self.original_height)


@dataclass(frozen=True)
class UnreadableImage:
    reason: str


def image_tokens(width: int, height: int) -> int:
    """What an image costs a model, estimated as Anthropic documents it: width*height/750."""
    return math.ceil(width * height / 750)


def shrink_png(data_base64: str, max_side: int) -> ShrunkImage | UnreadableImage:
    """Decode ``data_base64`` (as Jupyter sends ``image/png``), shrink it so its longest
    side is at most ``max_side`` pixels (keeping its proportions, never enlarging), and
    encode it again as PNG. Re-encoding also drops any metadata chunks the original had."""
    return _shrink(data_base64, max(1, max_side))


@lru_cache(maxsize=16)
def _shrink(data_base64: str, max_side: int) -> ShrunkImage | UnreadableImage:
    try:
        raw = base64.b64decode(data_base64, validate=False)
    except (binascii.Error, ValueError):
        return UnreadableImage("its base64 data does not decode")
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow is a dependency
        return UnreadableImage("Pillow is not installed")
    try:
        with Image.open(io.BytesIO(raw)) as opened:
            original = opened.size
            if original[0] * original[1] > MAX_PIXELS:
                return UnreadableImage(f"it is too large to decode ({original[0]}x{original[1]})")
            opened.load()
            image = opened if opened.mode in ("RGB", "RGBA", "L", "LA") else opened.convert("RGBA")
            image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            image.save(out, format="PNG")
            size = image.size
    except Exception as error:  # Pillow raises many kinds for a bad file; all mean "unreadable"
        return UnreadableImage(f"it could not be decoded ({type(error).__name__})")
    return ShrunkImage(
        data_base64=base64.b64encode(out.getvalue()).decode("ascii"),
        width=size[0],
        height=size[1],
        original_width=original[0],
        original_height=original[1],
    )
