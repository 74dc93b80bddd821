"""Uploaded documents are checked by their content, not their name.

A document is accepted only if its bytes are one of the kinds below (PDF;
Word, Excel and PowerPoint files; OpenDocument text and spreadsheets; JPEG,
PNG and WebP images), without macros, scripts or files hidden inside, no larger
than DOCUMENT_MAX_BYTES, and named with an extension of its kind: the name is
what gives a served file its type, so a PDF named .html would be served as a
page.
"""

import re
import struct
import zipfile

import olefile
import pikepdf
from defusedxml import ElementTree
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from .images import clean_image, validate_image
from .storage import PublicationFieldFile

# kind: (what the editor is told it is, the extensions its name may have)
KINDS = {
    "pdf": (_("a PDF document"), (".pdf",)),
    "docx": (_("a Word document (DOCX)"), (".docx",)),
    "xlsx": (_("an Excel workbook (XLSX)"), (".xlsx",)),
    "pptx": (_("a PowerPoint presentation (PPTX)"), (".pptx",)),
    "odt": (_("an OpenDocument text (ODT)"), (".odt",)),
    "ods": (_("an OpenDocument spreadsheet (ODS)"), (".ods",)),
    "doc": (_("a Word 97–2003 document (DOC)"), (".doc",)),
    "xls": (_("an Excel 97–2003 workbook (XLS)"), (".xls",)),
    "jpeg": (_("a JPEG image"), (".jpg", ".jpeg")),
    "png": (_("a PNG image"), (".png",)),
    "webp": (_("a WebP image"), (".webp",)),
}
MACROS = "macros"
EXTERNAL = "external"
# A PDF that runs something or carries other files, and one that needs a
# password to open (its content cannot be checked, nor read by the public).
ACTIVE = "active"
LOCKED = "locked"

# The content type of the main part of each Office Open XML kind, as listed in
# its [Content_Types].xml; the macro-enabled variants have other types.
OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
}
OOXML_MACROS = re.compile(r"macroEnabled|vbaProject|macrosheet", re.IGNORECASE)
# A part an Office document loads from outside the file when it is opened (a
# linked template, which may carry macros, a picture or an object); links a
# reader follows are hyperlinks.
OOXML_HYPERLINK = "/relationships/hyperlink"
# Sheets of an Excel 97-2003 workbook (BOUNDSHEET records) that are Excel 4.0
# macro sheets or Visual Basic modules.
XLS_BOUNDSHEET = 0x0085
XLS_MACRO_SHEETS = {0x01, 0x06}
CONTENT_TYPE = re.compile(rb"""ContentType\s*=\s*["']([^"']+)["']""")
# The first entry of an OpenDocument package, stored uncompressed.
ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}
# Folders of an OpenDocument package (or of an object embedded in it) that
# hold macros, in any case: a folder named otherwise is not a library.
ODF_MACRO_FOLDERS = {"basic", "scripts"}
# A document event bound to a macro, and an address that runs one, in the
# package's XML parts, as an XML parser reads them (whatever prefix names the
# namespace, with character references read).
ODF_EVENT_LISTENER = "{urn:oasis:names:tc:opendocument:xmlns:script:1.0}event-listener"
MACRO_ADDRESS = re.compile(r"\s*(?:vnd\.sun\.star\.script|macro):", re.IGNORECASE)
ODF_XML_PARTS = re.compile(r"(?:^|/)(?:content|styles|settings)\.xml$")
# How much of the XML parts is read for a macro call: more than any real
# document's text; a compressed bomb is not read further, and is refused as
# not a document.
ODF_MAX_XML_BYTES = 64 * 1024 * 1024
# Enough for any real [Content_Types].xml; a compressed bomb is not read further.
MAX_INDEX_BYTES = 1024 * 1024
IMAGE_FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp"}

# What makes a PDF active, wherever it is in the file (the document's open
# action, a page's or a field's additional actions, a link, the names tree):
# scripts, XFA forms (which carry scripts), embedded files and rich media.
PDF_ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/XFA", "/EmbeddedFiles", "/EF"})
PDF_ACTIVE_TYPES = frozenset({"/EmbeddedFile", "/RichMedia", "/RichMediaContent"})
# Actions that run a script or a program, send or read data, open an
# embedded file or a file outside the document (a network share's address
# gives the reader's Windows credentials away).
PDF_ACTIVE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/RichMediaExecute",
        "/GoToE",
        "/GoToR",
    }
)
# More objects than any document the ministry publishes (a 300-page report
# has tens of thousands): reading them all would hold a web process for
# seconds and a lot of memory.
PDF_MAX_OBJECTS = 200_000


class _TooLarge(Exception):
    pass


class _Budget:
    """How much of a package's XML is read: a compressed bomb is not read
    further, and is refused as not a document."""

    def __init__(self, limit):
        self.left = limit

    def reading(self, entry):
        budget = self

        class Reader:
            def read(self, size=-1):
                size = budget.left if size is None or size < 0 else min(size, budget.left)
                chunk = entry.read(size)
                budget.left -= len(chunk)
                if not budget.left and entry.read(1):
                    raise _TooLarge
                return chunk

        return Reader()


def _elements(entry, budget):
    """The elements of an XML part, with their attributes, read as a parser
    reads them, without a document type (no entities of its own). Each is
    let go once read: millions of empty elements hold no memory."""
    root = None
    for event, element in ElementTree.iterparse(
        budget.reading(entry), events=("start", "end"), forbid_dtd=True
    ):
        if event == "start":
            root = element if root is None else root
            yield element
        else:
            element.clear()
            root.clear()


def _zip_kind(upload):
    with zipfile.ZipFile(upload) as archive:
        names = archive.namelist()
        if names[:1] == ["mimetype"]:
            with archive.open("mimetype") as entry:
                kind = ODF_MIMETYPES.get(entry.read(100).strip())
            if kind is None:
                return None
            macros = _odf_macros(archive, names)
            if macros is None:
                return None  # too large to tell
            return MACROS if macros else kind
        if "[Content_Types].xml" not in names:
            return None
        with archive.open("[Content_Types].xml") as entry:
            types = {value.decode() for value in CONTENT_TYPE.findall(entry.read(MAX_INDEX_BYTES))}
        if any(OOXML_MACROS.search(value) for value in types) or any(
            name.lower().endswith("vbaproject.bin") or "/macrosheets/" in name.lower()
            for name in names
        ):
            return MACROS
        if _ooxml_external(archive, names):
            return EXTERNAL
    kinds = {OOXML_MAIN[value] for value in types if value in OOXML_MAIN}
    return kinds.pop() if len(kinds) == 1 else None


def _ooxml_external(archive, names):
    """Whether an Office Open XML package loads a part from outside the file."""
    budget = _Budget(MAX_INDEX_BYTES * 16)
    for name in names:
        if not name.lower().endswith(".rels"):
            continue
        with archive.open(name) as entry:
            for element in _elements(entry, budget):
                if (
                    element.tag.endswith("}Relationship")
                    and element.get("TargetMode", "").lower() == "external"
                    and not element.get("Type", "").endswith(OOXML_HYPERLINK)
                ):
                    return True
    return False


def _odf_macros(archive, names):
    """Whether an OpenDocument package holds a macro library (Basic, or
    scripts in another language), binds a document event to a macro or
    links to one; None when its XML is too large to tell."""
    for name in names:
        if set(name.lower().split("/")[:-1]) & ODF_MACRO_FOLDERS:
            return True
    budget = _Budget(ODF_MAX_XML_BYTES)
    try:
        for name in filter(ODF_XML_PARTS.search, names):
            with archive.open(name) as entry:
                for element in _elements(entry, budget):
                    if element.tag == ODF_EVENT_LISTENER:
                        return True
                    if any(
                        key.endswith("}href") and MACRO_ADDRESS.match(value)
                        for key, value in element.attrib.items()
                    ):
                        return True
    except _TooLarge:
        return None
    return False


def _pdf_name(value):
    return str(value) if isinstance(value, NameObject | pikepdf.Name) else None


def _pdf_active_here(value, get):
    """Whether a dictionary (``get`` reads one of its values, resolved) makes
    the PDF active."""
    if PDF_ACTIVE_KEYS.intersection(str(key) for key in value.keys()):
        return True
    if {_pdf_name(get("/Type")), _pdf_name(get("/Subtype"))} & PDF_ACTIVE_TYPES:
        return True
    if _pdf_name(get("/S")) in PDF_ACTIVE_ACTIONS:
        return True
    address = get("/URI")
    if isinstance(address, pikepdf.String):
        address = bytes(address)
    elif isinstance(address, str):
        address = address.encode("latin-1", "replace")
    return isinstance(address, bytes) and address.strip().lower().startswith(b"javascript:")


def _resolved(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def _pypdf_active(reader):
    """pypdf's reading: every object listed by the cross-reference tables
    (compressed object streams included), and the trailer. Of a key written
    twice it keeps the first; of an object written twice, the one the table
    points at."""
    objects = [reader.trailer]
    for generation, numbers in reader.xref.items():
        objects += [IndirectObject(number, generation, reader) for number in numbers]
    objects += [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
    for found in objects:
        # Objects referred to by number are checked on their own.
        stack = [_resolved(found)]
        while stack:
            value = stack.pop()
            if isinstance(value, DictionaryObject):
                if _pdf_active_here(value, lambda key, d=value: _resolved(d.get(key))):
                    return True
                stack.extend(value.values())
            elif isinstance(value, ArrayObject):
                stack.extend(value)
    return False


def _qpdf_active(pdf):
    """qpdf's reading, as viewers read (MuPDF, Acrobat): of a key written
    twice it keeps the last, and a damaged file's cross-reference table is
    rebuilt from the objects it holds, the last of an object written twice."""
    for found in pdf.objects:
        stack = [found]
        while stack:
            value = stack.pop()
            if isinstance(value, pikepdf.Dictionary | pikepdf.Stream):
                if _pdf_active_here(value, value.get):
                    return True
                children = value.values()
            elif isinstance(value, pikepdf.Array):
                children = value
            else:
                continue
            stack.extend(
                child
                for child in children
                if isinstance(child, pikepdf.Dictionary | pikepdf.Array) and not child.is_indirect
            )
    return False


def _pdf_kind(upload):
    """A PDF is read by two parsers that settle what a file leaves ambiguous
    (a key or an object written twice, a damaged table) in opposite ways; it
    is accepted only if neither reading finds it active. Names are read as a
    viewer reads them (/Java#53cript is /JavaScript), and compressed object
    streams are opened: a search of the bytes would miss both."""
    try:
        pdf = pikepdf.open(upload)
    except pikepdf.PasswordError:
        return LOCKED
    with pdf:
        if len(pdf.objects) > PDF_MAX_OBJECTS:
            return None
        if _qpdf_active(pdf):
            return ACTIVE
    upload.seek(0)
    reader = PdfReader(upload, strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        return LOCKED
    return ACTIVE if _pypdf_active(reader) else "pdf"


def _xls_macro_sheets(stream):
    """Whether a workbook stream lists an Excel 4.0 macro sheet or a Visual
    Basic module among its sheets (BIFF records: type, size, data)."""
    data = stream.read()
    at = 0
    while at + 4 <= len(data):
        record, size = struct.unpack_from("<HH", data, at)
        if record == XLS_BOUNDSHEET and size >= 6 and data[at + 9] in XLS_MACRO_SHEETS:
            return True
        at += 4 + size
    return False


def _ole_kind(upload):
    with olefile.OleFileIO(upload) as ole:
        if ole.exists("Macros") or ole.exists("_VBA_PROJECT_CUR"):
            return MACROS
        if ole.exists("WordDocument"):
            return "doc"
        for name in ("Workbook", "Book"):
            if ole.exists(name):
                with ole.openstream(name) as stream:
                    return MACROS if _xls_macro_sheets(stream) else "xls"
    return None


def _image_kind(upload):
    with Image.open(upload) as image:
        image_format = image.format
        image.verify()
    return IMAGE_FORMATS.get(image_format)


def _kind_of(upload):
    """The kind of the file's content (a key of KINDS), MACROS, or None."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return _pdf_kind(upload)
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(upload)
    if head.startswith(bytes.fromhex("d0cf11e0a1b11ae1")):
        return _ole_kind(upload)
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")) or (
        head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    ):
        return _image_kind(upload)
    return None


# What an editor is told of a file refused for what it holds, by its kind
# (None: not a document the portal accepts).
REFUSED = {
    MACROS: _(
        "Documents with macros are not accepted. Save it without macros (as DOCX, "
        "XLSX or ODT, for example) or as PDF, and choose it again."
    ),
    EXTERNAL: _(
        "Documents that load a template, a picture or an object from outside the "
        "file when they are opened are not accepted. Save a copy with the linked "
        "content included, or as PDF, and choose it again."
    ),
    ACTIVE: _(
        "PDF files with scripts (JavaScript), actions that start programs or send "
        "data, or files attached inside are not accepted. Print it to PDF again, or "
        "export it from the original document without them, and choose it again."
    ),
    LOCKED: _("This PDF needs a password to open. Save it without a password and choose it again."),
    None: _(
        "This file is not one of the kinds of document the portal accepts: PDF, "
        "Word (DOCX, DOC), Excel (XLSX, XLS), PowerPoint (PPTX), OpenDocument (ODT, "
        "ODS), or a JPEG, PNG or WebP image. Its content is checked, not its name."
    ),
}


def validate_document(upload):
    if upload is None:
        return
    if upload.size > settings.DOCUMENT_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s; the largest allowed is %(limit)s."),
            code="too_large",
            params={
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.DOCUMENT_MAX_BYTES),
            },
        )
    position = upload.tell()
    try:
        kind = _kind_of(upload)
    # The parsers read bytes from anyone: whatever they fail on is not a
    # document the portal accepts.
    except Exception:
        kind = None
    finally:
        upload.seek(position)
    if kind in REFUSED:
        raise ValidationError(REFUSED[kind], code=kind or "not_allowed")
    if kind in IMAGE_FORMATS.values():
        # Decoded as a photo is, within its size limits: a cut JPEG passes
        # verify() and would fail only when stored, re-encoded (pre_save).
        validate_image(upload)
    label, extensions = KINDS[kind]
    if not upload.name.lower().endswith(extensions):
        raise ValidationError(
            _(
                "This file is %(kind)s, but its name “%(name)s” does not end in %(extension)s. "
                "Rename it and choose it again."
            ),
            code="name",
            params={"kind": label, "name": upload.name, "extension": extensions[0]},
        )


def document_path(instance, filename):
    """documents/<year>/<name>: the name without any folder, in letters, digits,
    dashes, underscores and dots, never a hidden file's."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"(?u)[^-\w.]", "", name.strip().replace(" ", "_"))
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem = stem.lstrip(".") if stem.strip("._-") else ""
    name = f"{stem or 'document'}{dot}{extension}"
    return f"documents/{timezone.localdate().year}/{get_valid_filename(name)}"


class DocumentField(models.FileField):
    """A document file; a JPEG, PNG or WebP image among them is stored as the
    clean re-encoding of its pixels (no EXIF, no GPS), as photos are. Its
    address follows its item's publication (asean_portal/core/storage.py)."""

    attr_class = PublicationFieldFile

    def formfield(self, **kwargs):
        # A long file name is no reason to refuse a document: the storage
        # shortens the stored name to fit, keeping its extension.
        return super().formfield(**{**kwargs, "max_length": None})

    def pre_save(self, model_instance, add):
        file = getattr(model_instance, self.attname)
        if file and not file._committed:
            upload = file.file
            upload.seek(0)
            head = upload.read(16)
            upload.seek(0)
            if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")) or (
                head[:4] == b"RIFF" and head[8:12] == b"WEBP"
            ):
                cleaned = clean_image(upload)
                file.save(cleaned.name, cleaned, save=False)
        return super().pre_save(model_instance, add)
