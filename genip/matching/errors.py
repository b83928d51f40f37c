"""Exceptions of the matching engine.

    GenIPError
    └── MatchingError                 an image cannot be matched
        ├── ImageRefusedError         the upload is refused before hashing
        │   ├── ImageTooLargeError    the file is over the byte-size limit
        │   ├── DecompressionBombError  the header announces more pixels than the cap
        │   └── NotAnImageError       the bytes are not an image format Gen-IP reads
        └── LowQualityImageError      the image is too flat for a reliable perceptual hash

Refusals are raised before any pixel is decoded where possible (size, format, announced dimensions).
"""

from genip.errors import GenIPError

__all__ = [
    "DecompressionBombError",
    "ImageRefusedError",
    "ImageTooLargeError",
    "LowQualityImageError",
    "MatchingError",
    "NotAnImageError",
]


class MatchingError(GenIPError):
    """An image cannot be matched against the registry."""


class ImageRefusedError(MatchingError):
    """An uploaded file is refused before it is decoded or hashed."""


class ImageTooLargeError(ImageRefusedError):
    """The file is larger than the byte-size limit."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"image file is {size:,} bytes; the limit is {limit:,} bytes")
        self.size = size
        self.limit = limit


class DecompressionBombError(ImageRefusedError):
    """The image announces more pixels than the cap (a decompression bomb, or just too big to decode)."""

    def __init__(self, pixels: int, limit: int, size: tuple[int, int] | None = None) -> None:
        shape = f"{size[0]}x{size[1]} = " if size else ""
        super().__init__(
            f"image is {shape}{pixels:,} pixels; the limit is {limit:,} (possible decompression bomb)"
        )
        self.pixels = pixels
        self.limit = limit
        self.size = size


class NotAnImageError(ImageRefusedError):
    """The bytes are not an image in a format Gen-IP reads (or it is truncated or corrupt)."""


class LowQualityImageError(MatchingError):
    """The image is too flat or featureless for its perceptual hash to mean anything."""

    def __init__(self, quality: int, minimum: int) -> None:
        super().__init__(
            f"image is too flat to match reliably: PDQ quality {quality} is below {minimum} "
            "(blank, single-colour or nearly featureless images are not matched)"
        )
        self.quality = quality
        self.minimum = minimum
