"""Uploaded photos: checked by their content, re-encoded without metadata, and
given responsive renditions once, when they are saved.

- ``validate_image`` refuses what is not a photo the portal can show (not an
  image, SVG, too large in bytes or pixels, undecodable), with a message in
  the editor's language.
- ``clean_image`` re-encodes the first frame's pixels only: no EXIF (GPS
  included), no ICC or XMP, no trailing bytes of a polyglot file; CMYK and
  other colour spaces become RGB, 16-bit becomes 8-bit, an animation its first
  frame. What is stored is that clean file, never the upload.
- ``PhotoField`` does both for every save (the admin's forms and code alike)
  and makes the renditions through django-imagekit in the field's storage
  (Django's storage API only: a local folder or an object store).
- ``picture()`` describes the renditions for ``<picture>``: WebP with a JPEG
  fallback at several widths, each with its width and height.
"""

import io
import logging
import os

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_save
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from imagekit import ImageSpec
from imagekit.cachefiles import ImageCacheFile
from imagekit.processors import ResizeToFill, ResizeToFit
from PIL import Image, ImageOps, UnidentifiedImageError

from .storage import PublicationImageFieldFile, address

logger = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 8000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
# The widths of the responsive renditions, and the listing thumbnail's box.
WIDTHS = (480, 960, 1600)
DEFAULT_WIDTH = 960
THUMBNAIL = (400, 300)
QUALITY = 82

NOT_AN_IMAGE = _("This file is not an image that the portal can show (JPEG, PNG, WebP or GIF).")


def _looks_like_svg(head):
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in text)


def validate_image(upload):
    if upload is None:
        return
    if isinstance(upload, FieldFile) and upload._committed:
        # Stored already, so checked when it was uploaded: a form saved again
        # with its photo unchanged (whose size was just read, closing it).
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
        head = upload.read(1024)
        upload.seek(0)
        if _looks_like_svg(head):
            raise ValidationError(
                _(
                    "SVG drawings are not accepted as photos (they can carry scripts). "
                    "Export the drawing as PNG and upload that."
                ),
                code="svg",
            )
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            if image_format in ALLOWED_FORMATS and max(width, height) <= MAX_IMAGE_PIXELS:
                # Decode the pixels (the first frame): a file whose header is
                # sound but whose data is not is refused here, not at save.
                image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from None
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


def _eight_bit(image):
    """The image in a mode that JPEG or PNG stores with 8 bits a channel."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        image = image.convert("I")
    if image.mode == "I":
        return image.point(lambda value: value * (1 / 256)).convert("L")
    if image.mode == "F":
        return image.convert("L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        return image.convert("RGBA")
    if image.mode in ("L", "RGB"):
        return image
    # CMYK, YCbCr, LAB, HSV, P without transparency, 1-bit…
    return image.convert("RGB")


def clean_image(upload):
    """A new file holding only the pixels of the upload's first frame: JPEG,
    or PNG when it has transparency. Raises ValidationError when the upload
    cannot be decoded."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        with Image.open(upload) as source:
            source.seek(0)
            source.load()
            try:
                image = ImageOps.exif_transpose(source)
            except Exception:  # noqa: BLE001 - a malformed orientation tag is only ignored
                image = source.copy()
            image = _eight_bit(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from None
    finally:
        upload.seek(position)
    out = io.BytesIO()
    if image.mode == "RGBA":
        image.save(out, "PNG", optimize=True)
        extension = ".png"
    else:
        image.save(out, "JPEG", quality=90, optimize=True, progressive=True)
        extension = ".jpg"
    stem = os.path.splitext(os.path.basename(getattr(upload, "name", "") or "photo"))[0]
    cleaned = ContentFile(out.getvalue(), name=f"{stem or 'photo'}{extension}")
    cleaned.portal_cleaned = True
    return cleaned


class PhotoFormField(forms.ImageField):
    """Checks the upload and hands the model the clean re-encoded file."""

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if value and value is not initial and not getattr(value, "portal_cleaned", False):
            validate_image(value)
            cleaned = clean_image(value)
            value = SimpleUploadedFile(
                cleaned.name,
                cleaned.read(),
                content_type="image/png" if cleaned.name.endswith(".png") else "image/jpeg",
            )
            value.portal_cleaned = True
        return value

    def to_python(self, data):
        # An SVG or other refused file gets the portal's own message.
        if data and hasattr(data, "read"):
            validate_image(data)
        return super().to_python(data)


class PhotoField(models.ImageField):
    """An ImageField whose stored file is always the clean re-encoding, and
    whose responsive renditions are made when a new file is saved, and whose
    address follows its item's publication (asean_portal/core/storage.py).

    ``focus_field`` names the model's (x, y) percentage fields: the point
    that the listing thumbnail keeps when it crops."""

    attr_class = PublicationImageFieldFile

    def __init__(self, *args, focus_fields=None, **kwargs):
        self.focus_fields = focus_fields
        kwargs.setdefault("validators", [validate_image])
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("validators") == [validate_image]:
            del kwargs["validators"]
        if self.focus_fields:
            kwargs["focus_fields"] = self.focus_fields
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        # A long file name is no reason to refuse a photo: the storage
        # shortens the stored name to fit, keeping its extension.
        return super().formfield(**{"form_class": PhotoFormField, **kwargs, "max_length": None})

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        # The sizes are stored when a photo is saved: loading a row never reads
        # the file from storage (a list page would fetch every photo, and one
        # missing file would break it). A file the store cannot give leaves them
        # empty instead of failing.
        if not force:
            return
        try:
            super().update_dimension_fields(instance, force, *args, **kwargs)
        except Exception:
            logger.warning("could not read the size of %s", getattr(instance, self.attname))

    def pre_save(self, model_instance, add):
        file = getattr(model_instance, self.attname)
        if file and not file._committed:
            if not getattr(file.file, "portal_cleaned", False):
                cleaned = clean_image(file.file)
                file.save(cleaned.name, cleaned, save=False)
            # A new file: its renditions are made afresh, even where a name
            # once used by a deleted photo would find old ones.
            model_instance._portal_new_photos = {
                *getattr(model_instance, "_portal_new_photos", ()),
                self.name,
            }
        return super().pre_save(model_instance, add)

    def derived_names(self, instance):
        """The names of the photo's renditions: their public copies follow
        the photo's (core/storage.py)."""
        if not getattr(instance, self.attname):
            return []
        return [cachefile.name for cachefile in rendition_files(instance, self.name)]

    def focus(self, instance):
        if not self.focus_fields:
            return (50, 50)
        # Left empty: the centre.
        return tuple(
            50 if getattr(instance, name) is None else getattr(instance, name)
            for name in self.focus_fields
        )


def _make_renditions(sender, instance, raw=False, **kwargs):
    """Every save of a model with photos: the renditions that are missing
    (a new photo, a new focal point) are made now, once."""
    if raw:
        return
    new = getattr(instance, "_portal_new_photos", set())
    for field in sender._meta.concrete_fields:
        if isinstance(field, PhotoField) and getattr(instance, field.attname):
            for cachefile in rendition_files(instance, field.name):
                if field.name in new:
                    # A new photo under a name once used by a deleted one:
                    # its renditions replace the old ones, never sit beside them.
                    if cachefile.storage.exists(cachefile.name):
                        cachefile.storage.delete(cachefile.name)
                    cachefile.generate(force=True)
                else:
                    cachefile.generate()
    instance._portal_new_photos = set()


post_save.connect(_make_renditions, dispatch_uid="portal-photo-renditions")


def focus_field(verbose_name):
    return models.PositiveSmallIntegerField(
        verbose_name,
        default=50,
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Where the listing thumbnail is centred when it crops the photo: 0 is the left "
            "(or top) edge, 100 the right (or bottom) edge."
        ),
    )


class Rendition(ImageSpec):
    """One rendition: a width (never wider than the photo), or the listing
    thumbnail cropped around the focal point; WebP or JPEG. Neither format
    carries metadata: Pillow writes none unless asked."""

    autoconvert = True

    def __init__(self, source, width=None, image_format="JPEG", focus=None):
        super().__init__(source=source)
        self.format = image_format
        self.options = {"quality": QUALITY}
        if focus is None:
            self.processors = [ResizeToFit(width=width, upscale=False)]
        else:
            anchor = (focus[0] / 100, focus[1] / 100)
            self.processors = [ResizeToFill(*THUMBNAIL, anchor=anchor)]


def _widths(width):
    """The rendition widths of a photo ``width`` pixels wide."""
    if not width:
        return []
    return sorted({*(w for w in WIDTHS if w < width), min(width, WIDTHS[-1])})


def _height(size, width):
    # As pilkit's ResizeToFit computes it.
    original_width, original_height = size
    return int(round(original_height * (float(width) / original_width)))


def _size(instance, field):
    if field.width_field and field.height_field:
        return getattr(instance, field.width_field), getattr(instance, field.height_field)
    file = getattr(instance, field.attname)
    return file.width, file.height


def rendition_files(instance, field_name):
    field = instance._meta.get_field(field_name)
    file = getattr(instance, field.attname)
    width, _height_ = _size(instance, field)
    files = []
    for image_format in ("WEBP", "JPEG"):
        for w in _widths(width):
            files.append(ImageCacheFile(Rendition(file, width=w, image_format=image_format)))
        files.append(
            ImageCacheFile(Rendition(file, image_format=image_format, focus=field.focus(instance)))
        )
    return files


# Rendition file names by (source name, rendition settings). imagekit derives
# a name by pickling and hashing the rendition's settings, which costs more
# than the rest of a <picture>; the name depends on nothing else.
_NAMES = {}
NAMES_SIZE = 8192


def rendition_name(file, **options):
    key = (file.name, *sorted(options.items()))
    name = _NAMES.get(key)
    if name is None:
        name = Rendition(file, **options).cachefile_name
        if len(_NAMES) >= NAMES_SIZE:
            _NAMES.clear()
        _NAMES[key] = name
    return name


def _rendition_url(instance, file, **options):
    """A rendition's address: in the object store, its public copy while the
    photo's item is public (core/storage.py), as for the photo itself."""
    name = rendition_name(file, **options)
    cachefile = ImageCacheFile(Rendition(file, **options), name=name)
    return address(cachefile.storage, name, instance)


def picture(instance, field_name, thumbnail=False):
    """What a <picture> element needs, read from the row alone (no storage
    call): the renditions' names derive from the source's name and the
    rendition's settings."""
    field = instance._meta.get_field(field_name)
    file = getattr(instance, field.attname)
    if not file:
        return None
    if thumbnail:
        focus = field.focus(instance)
        urls = {
            fmt: _rendition_url(instance, file, image_format=fmt, focus=focus)
            for fmt in ("WEBP", "JPEG")
        }
        return {
            "webp_srcset": urls["WEBP"],
            "jpeg_srcset": urls["JPEG"],
            "src": urls["JPEG"],
            "width": THUMBNAIL[0],
            "height": THUMBNAIL[1],
        }
    size = _size(instance, field)
    widths = _widths(size[0])
    if not widths or not size[1]:
        # The size was not read when the photo was saved (the store could not
        # give the file): no rendition was made, so there is none to show.
        return None
    srcsets = {
        fmt: [(_rendition_url(instance, file, width=w, image_format=fmt), w) for w in widths]
        for fmt in ("WEBP", "JPEG")
    }
    default = max((w for w in widths if w <= DEFAULT_WIDTH), default=widths[0])
    return {
        "webp_srcset": ", ".join(f"{url} {w}w" for url, w in srcsets["WEBP"]),
        "jpeg_srcset": ", ".join(f"{url} {w}w" for url, w in srcsets["JPEG"]),
        "src": next(url for url, w in srcsets["JPEG"] if w == default),
        "width": default,
        "height": _height(size, default),
    }
