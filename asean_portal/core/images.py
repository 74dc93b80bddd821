"""Uploaded images are checked by their content, not their file name."""

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 8000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def validate_image(upload):
    if upload is None:
        return
    if upload.size > MAX_IMAGE_BYTES:
        raise ValidationError(
            _("The image is %(size)s; the largest allowed is %(limit)s."),
            code="too_large",
            params={
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(MAX_IMAGE_BYTES),
            },
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("This file is not an image that the portal can show (JPEG, PNG, WebP or GIF)."),
            code="not_an_image",
        ) from None
    finally:
        upload.seek(position)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            _("Images must be JPEG, PNG, WebP or GIF; this one is %(format)s."),
            code="format",
            params={"format": image_format},
        )
    if width > MAX_IMAGE_PIXELS or height > MAX_IMAGE_PIXELS:
        raise ValidationError(
            _(
                "The image is %(width)s×%(height)s pixels; neither side may exceed "
                "%(limit)s pixels."
            ),
            code="dimensions",
            params={"width": width, "height": height, "limit": MAX_IMAGE_PIXELS},
        )
