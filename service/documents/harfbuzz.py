"""HarfBuzz subsetting (libharfbuzz-subset) through cffi: the project's one binding.

fontTools reparses a 20 MB CJK collection for every subset; HarfBuzz keeps the face
memory-mapped and, after ``hb_subset_preprocess``, cuts a small subset in about a
millisecond.  Two kinds of subset, for two callers:

* :meth:`Face.subset_text` — the glyphs of some characters, cmap kept.  The PDF renderer
  (:func:`service.documents.html_render.subset_plan`) cuts, before layout, every face a
  document needs down to the document's characters and hands the few-KB faces to WeasyPrint
  through ``@font-face``; WeasyPrint then embeds subsets of subsets.  Its faces come from
  :func:`face`: cached per process, preprocessed only with ``WUHAO_HB_PREPROCESS=1``.
* :meth:`Face.subset_glyphs` — glyph ids in, ``(font bytes, {old gid: new gid})`` out, through
  the plan API, cmap and layout tables dropped: the certificate PDF writer
  (:mod:`service.certificates.pdffont`) encodes text with glyph ids and its own ToUnicode
  CMap.  It builds its own faces, not preprocessed unless asked (see :class:`Face`).

Preprocessing makes repeated subsets faster but costs ~500 MB per CJK face and process and
~1 s of CPU per face when it is made; the subsets are the same bytes either way.
"""

from __future__ import annotations

import functools
import os
import threading

from cffi import FFI

_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_map_t hb_map_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef struct hb_subset_plan_t hb_subset_plan_t;
typedef uint32_t hb_codepoint_t;
typedef uint32_t hb_tag_t;

hb_blob_t *hb_blob_create_from_file_or_fail (const char *file_name);
hb_blob_t *hb_blob_create (const char *data, unsigned int length, int mode, void *user_data, void *destroy);
void hb_blob_destroy (hb_blob_t *blob);
const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
void hb_face_destroy (hb_face_t *face);
hb_blob_t *hb_face_reference_blob (hb_face_t *face);
unsigned int hb_face_get_glyph_count (const hb_face_t *face);
void hb_set_add (hb_set_t *set, hb_codepoint_t codepoint);
hb_codepoint_t hb_map_get (const hb_map_t *map, hb_codepoint_t key);
hb_tag_t hb_tag_from_string (const char *str, int len);

hb_subset_input_t *hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t *hb_subset_input_glyph_set (hb_subset_input_t *input);
hb_set_t *hb_subset_input_unicode_set (hb_subset_input_t *input);
hb_set_t *hb_subset_input_set (hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned value);
hb_face_t *hb_subset_preprocess (hb_face_t *source);
hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
hb_subset_plan_t *hb_subset_plan_create_or_fail (hb_face_t *source, const hb_subset_input_t *input);
void hb_subset_plan_destroy (hb_subset_plan_t *plan);
hb_face_t *hb_subset_plan_execute_or_fail (hb_subset_plan_t *plan);
const hb_map_t *hb_subset_plan_old_to_new_glyph_mapping (const hb_subset_plan_t *plan);
"""

# hb_subset_flags_t
_FLAG_NO_HINTING = 0x00000001
_FLAG_RETAIN_GIDS = 0x00000002
_FLAG_DESUBROUTINIZE = 0x00000004
_FLAG_NOTDEF_OUTLINE = 0x00000040
_FLAG_NO_LAYOUT_CLOSURE = 0x00000200  # harfbuzz >= 5.0 (ignored before)
_FLAGS = _FLAG_NO_HINTING | _FLAG_DESUBROUTINIZE | _FLAG_NOTDEF_OUTLINE | _FLAG_NO_LAYOUT_CLOSURE
_SETS_DROP_TABLE_TAG = 3  # HB_SUBSET_SETS_DROP_TABLE_TAG
_MEMORY_MODE_DUPLICATE = 0

# Tables a PDF renderer never reads: dropping them keeps a 10-glyph subset of a CJK
# face near 5 KB.
_DROP_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF",
                b"LTSH", b"PCLT", b"SVG ", b"VORG", b"vhea", b"vmtx", b"GDEF", b"kern",
                b"hdmx", b"VDMX", b"gasp", b"meta", b"STAT", b"MVAR", b"HVAR", b"VVAR")

_lib = None
_lib_lock = threading.Lock()


def _load():
    """(ffi, libharfbuzz, libharfbuzz-subset), opened on first use."""
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
    """One face of a font file (or of font bytes), ready for repeated subsetting (thread-safe).

    ``preprocess``: run ``hb_subset_preprocess`` once (faster subsets, far more memory).  When
    not given, ``WUHAO_HB_PREPROCESS=1`` turns it on; it is off by default.
    """

    def __init__(self, path: str, index: int = 0, data: bytes | None = None,
                 preprocess: bool | None = None):
        ffi, hb, hbs = _load()
        self.path = path
        self.index = index
        if data is not None:
            blob = hb.hb_blob_create(data, len(data), _MEMORY_MODE_DUPLICATE, ffi.NULL, ffi.NULL)
        else:
            blob = hb.hb_blob_create_from_file_or_fail(path.encode())
        if blob == ffi.NULL:
            raise OSError(f"cannot read font file {path}")
        face = hb.hb_face_create(blob, index)
        hb.hb_blob_destroy(blob)
        self.glyph_count = hb.hb_face_get_glyph_count(face)
        if self.glyph_count == 0:
            hb.hb_face_destroy(face)
            raise OSError(f"no face {index} in {path}")
        if preprocess is None:
            preprocess = os.environ.get("WUHAO_HB_PREPROCESS", "0") == "1"
        if preprocess:
            pre = hbs.hb_subset_preprocess(face)
            hb.hb_face_destroy(face)
            face = pre
        self._face = ffi.gc(face, hb.hb_face_destroy)
        self._drop = [hb.hb_tag_from_string(t, 4) for t in _DROP_TABLES]
        self._lock = threading.Lock()

    def subset_text(self, text: str) -> bytes:
        """A font file holding the glyphs of ``text`` (plus .notdef), cmap kept."""
        data, _map = self._subset({ord(ch) for ch in text}, None, _FLAGS)
        return data

    def subset_glyphs(self, gids, retain_gids: bool = False) -> tuple[bytes, dict[int, int]]:
        """Return (font file bytes, {old gid: new gid}) keeping ``gids`` and .notdef.

        No unicode set: the PDF uses glyph ids and its own ToUnicode CMap, so the cmap
        table can be empty.
        """
        gids = sorted(set(int(g) for g in gids) | {0})
        flags = _FLAGS | (_FLAG_RETAIN_GIDS if retain_gids else 0)
        return self._subset(None, gids, flags)

    def _subset(self, unicodes, gids, flags) -> tuple[bytes, dict[int, int] | None]:
        """Subset by code points (``hb_subset_or_fail``) or by glyph ids (plan API, with the
        new id of every glyph in ``gids``)."""
        ffi, hb, hbs = _load()
        old_to_new = None
        with self._lock:
            inp = hbs.hb_subset_input_create_or_fail()
            if inp == ffi.NULL:
                raise MemoryError("hb_subset_input_create_or_fail")
            try:
                if unicodes is not None:
                    uset = hbs.hb_subset_input_unicode_set(inp)
                    for cp in unicodes:
                        hb.hb_set_add(uset, cp)
                if gids is not None:
                    gset = hbs.hb_subset_input_glyph_set(inp)
                    for g in gids:
                        hb.hb_set_add(gset, g)
                drop = hbs.hb_subset_input_set(inp, _SETS_DROP_TABLE_TAG)
                for tag in self._drop:
                    hb.hb_set_add(drop, tag)
                hbs.hb_subset_input_set_flags(inp, flags)
                if gids is None:
                    out = hbs.hb_subset_or_fail(self._face, inp)
                else:
                    plan = hbs.hb_subset_plan_create_or_fail(self._face, inp)
                    if plan == ffi.NULL:
                        raise RuntimeError(f"HarfBuzz cannot plan a subset of {self.path}")
                    try:
                        mapping = hbs.hb_subset_plan_old_to_new_glyph_mapping(plan)
                        old_to_new = {g: hb.hb_map_get(mapping, g) for g in gids}
                        out = hbs.hb_subset_plan_execute_or_fail(plan)
                    finally:
                        hbs.hb_subset_plan_destroy(plan)
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
        return result, old_to_new


@functools.lru_cache(maxsize=16)
def face(path: str, index: int = 0) -> Face:
    """The face of a font file, one per process (per-document subsets).

    Not preprocessed unless ``WUHAO_HB_PREPROCESS=1`` (the default of every face): for a
    document's four faces, preprocessing cost 2.9 s of CPU and 570 MB in the process that
    renders its first PDF, and saved 0.1 to 1 ms per face and document (50 to 500 characters)."""
    return Face(path, index)
