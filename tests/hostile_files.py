"""Documents made by hand for the hostile-input tests and ``bench/hostile.py``: a Word package around any body, a
one-page PDF with any page box."""

from __future__ import annotations

import zipfile
from pathlib import Path


def word_document(path: Path, body: list[bytes]) -> None:
    """A minimal Word document whose body is ``body`` (its pieces of XML, written as they come)."""
    w = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    rels = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            b'officeDocument" Target="word/document.xml"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("_rels/.rels", rels)
        with package.open("word/document.xml", "w") as part:
            part.write(b'<?xml version="1.0"?><w:document ' + w + b"><w:body>")
            for piece in body:
                part.write(piece)
            part.write(b"</w:body></w:document>")


def small_pdf(path: Path, box: str, lines: list[str]) -> None:
    """A small PDF written by hand: one page with the given MediaBox, its lines in Helvetica."""
    text = "".join(f"BT /F1 12 Tf 72 {700 - 16 * i} Td ({ln}) Tj ET\n" for i, ln in enumerate(lines)).encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               f"<< /Type /Page /Parent 2 0 R /MediaBox [{box}] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >>"
               " >> >>".encode(),
               b"<< /Length %d >>\nstream\n" % len(text) + text + b"endstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
