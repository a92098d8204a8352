"""Per-document font subsets with HarfBuzz (libharfbuzz-subset), for small and fast PDFs.

WeasyPrint embeds subsets on its own, but it keeps glyph ids (a CJK face keeps ~65 000 empty
glyph slots: 140 KB per face) and it copies the whole 20 MB .ttc into Python for every
document.  So before layout we cut, for every face a document needs, a subset holding just
the document's characters (``hb_subset_preprocess`` makes that ~1 ms), and hand those few-KB
faces to WeasyPrint through ``@font-face``.  The PDF then embeds subsets of subsets.
"""

from __future__ import annotations

import functools
import threading

from cffi import FFI

_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef uint32_t hb_codepoint_t;
typedef uint32_t hb_tag_t;
hb_blob_t *hb_blob_create_from_file_or_fail (const char *file_name);
void hb_blob_destroy (hb_blob_t *blob);
const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
void hb_face_destroy (hb_face_t *face);
hb_blob_t *hb_face_reference_blob (hb_face_t *face);
unsigned int hb_face_get_glyph_count (const hb_face_t *face);
void hb_set_add (hb_set_t *set, hb_codepoint_t codepoint);
hb_tag_t hb_tag_from_string (const char *str, int len);
hb_subset_input_t *hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t *hb_subset_input_unicode_set (hb_subset_input_t *input);
hb_set_t *hb_subset_input_set (hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned value);
hb_face_t *hb_subset_preprocess (hb_face_t *source);
hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""

_FLAG_NO_HINTING = 0x1
_FLAG_DESUBROUTINIZE = 0x4
_FLAG_NOTDEF_OUTLINE = 0x40
_FLAG_NO_LAYOUT_CLOSURE = 0x200
_SETS_DROP_TABLE_TAG = 3
_DROP = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT",
         b"SVG ", b"VORG", b"vhea", b"vmtx", b"GDEF", b"kern", b"hdmx", b"VDMX", b"gasp", b"meta",
         b"STAT", b"MVAR", b"HVAR", b"VVAR")

_lib = None
_lib_lock = threading.Lock()


def _load():
    global _lib
    if _lib is None:
        with _lib_lock:
            if _lib is None:
                ffi = FFI()
                ffi.cdef(_CDEF)
                hb = ffi.dlopen("libharfbuzz.so.0")
                hbs = ffi.dlopen("libharfbuzz-subset.so.0")
                _lib = (ffi, hb, hbs)
    return _lib


def available() -> bool:
    try:
        _load()
        return True
    except OSError:
        return False


class Face:
    """One face of a font file, preprocessed for repeated subsetting."""

    def __init__(self, path: str, index: int = 0):
        ffi, hb, hbs = _load()
        blob = hb.hb_blob_create_from_file_or_fail(path.encode())
        if blob == ffi.NULL:
            raise OSError(f"cannot read font file {path}")
        face = hb.hb_face_create(blob, index)
        hb.hb_blob_destroy(blob)
        if hb.hb_face_get_glyph_count(face) == 0:
            hb.hb_face_destroy(face)
            raise OSError(f"no face {index} in {path}")
        pre = hbs.hb_subset_preprocess(face)
        hb.hb_face_destroy(face)
        self._face = ffi.gc(pre, hb.hb_face_destroy)
        self._drop = [hb.hb_tag_from_string(t, 4) for t in _DROP]
        self._lock = threading.Lock()
        self.path, self.index = path, index

    def subset(self, text: str) -> bytes:
        """A font file holding the glyphs of ``text`` (plus .notdef), cmap kept."""
        ffi, hb, hbs = _load()
        with self._lock:
            inp = hbs.hb_subset_input_create_or_fail()
            if inp == ffi.NULL:
                raise MemoryError("hb_subset_input_create_or_fail")
            try:
                uset = hbs.hb_subset_input_unicode_set(inp)
                for ch in set(text):
                    hb.hb_set_add(uset, ord(ch))
                drop = hbs.hb_subset_input_set(inp, _SETS_DROP_TABLE_TAG)
                for tag in self._drop:
                    hb.hb_set_add(drop, tag)
                hbs.hb_subset_input_set_flags(
                    inp, _FLAG_NO_HINTING | _FLAG_DESUBROUTINIZE | _FLAG_NOTDEF_OUTLINE
                    | _FLAG_NO_LAYOUT_CLOSURE)
                out = hbs.hb_subset_or_fail(self._face, inp)
                if out == ffi.NULL:
                    raise RuntimeError(f"HarfBuzz cannot subset {self.path}")
                try:
                    blob = hb.hb_face_reference_blob(out)
                    length = ffi.new("unsigned int *")
                    data = hb.hb_blob_get_data(blob, length)
                    result = bytes(ffi.buffer(data, length[0]))
                    hb.hb_blob_destroy(blob)
                finally:
                    hb.hb_face_destroy(out)
            finally:
                hbs.hb_subset_input_destroy(inp)
        return result


@functools.lru_cache(maxsize=16)
def face(path: str, index: int = 0) -> Face:
    return Face(path, index)
