"""Safe decoding of an uploaded image into the RGB pixels that get hashed.

Order of checks, cheapest first, so hostile input costs little:

1. **Byte size** over `max_bytes` → `ImageTooLargeError`, before anything is parsed.
2. **Format**: Pillow opens only the formats in `ALLOWED_FORMATS` (it reads just the header here); anything
   else, truncated or corrupt → `NotAnImageError`.
3. **Pixel cap** from the header's width x height, before decoding: over `max_pixels` →
   `DecompressionBombError`. Pillow's own guard (`Image.MAX_IMAGE_PIXELS`, an error at twice that) is also
   mapped to the same error; our cap (default 64 MP) is lower and holds per call, since Pillow's is global.
   Animated images are hashed from their first frame. Encodings Pillow decodes in Python (RLE-compressed
   BMP; `genip.content.fingerprint.python_decoder`) → `NotAnImageError`: their cost follows the announced
   size, not the file's.
4. **Preparation** (`genip.content.fingerprint.prepare_image`, shared with registration): shrink to
   `MAX_PDQ_SIDE` first, apply the EXIF orientation, flatten alpha onto white, convert to RGB.
"""

import io
import re
import warnings

from genip_sdk.imaging import ALLOWED_FORMATS, MAX_PDQ_SIDE, prepare_image, python_decoder
from PIL import Image, UnidentifiedImageError

from genip.matching.errors import DecompressionBombError, ImageTooLargeError, NotAnImageError
from genip.settings import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS

__all__ = ["ALLOWED_FORMATS", "DEFAULT_MAX_BYTES", "DEFAULT_MAX_PIXELS", "load_image"]


def load_image(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_side: int = MAX_PDQ_SIDE,
) -> Image.Image:
    """Decode `data` into a prepared RGB image (at most `max_side` on its longer side); see module doc."""
    if len(data) > max_bytes:
        raise ImageTooLargeError(len(data), max_bytes)
    if not data:
        raise NotAnImageError("the file is empty")
    width = height = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
            width, height = image.size
            if width * height > max_pixels:
                raise DecompressionBombError(width * height, max_pixels, (width, height))
            if (decoder := python_decoder(image)) is not None:
                raise NotAnImageError(f"the image is encoded with {decoder}, which is not accepted")
            image.load()
            return prepare_image(image, max_side=max_side)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Raised by Pillow inside `open` (before we see the size) when the image is over its global guard.
        announced = re.search(r"\((\d+) pixels\)", str(exc))
        pixels = int(announced.group(1)) if announced else width * height
        limit = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
        raise DecompressionBombError(pixels, limit, (width, height) if width else None) from None
    except UnidentifiedImageError:
        allowed = ", ".join(ALLOWED_FORMATS)
        raise NotAnImageError(f"the file is not an image in a supported format ({allowed})") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise NotAnImageError(f"the image cannot be decoded: {exc}") from None
