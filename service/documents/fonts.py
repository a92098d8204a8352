"""Font resolution for official documents (GB/T 9704-2012 faces and their free substitutes).

Five roles are used by the documents:

=======  =================  =============================================
role     wanted face        used for
=======  =================  =============================================
title    方正小标宋简体      document titles (2号, 22 pt)
body     仿宋_GB2312         body text (3号, 16 pt), 版记
kai      楷体_GB2312         second-level headings （一）, signatures
hei      黑体                first-level headings 一、
song     宋体                page numbers (4号, 14 pt)
=======  =================  =============================================

The real faces are proprietary.  A deployment drops them into the font directory
(``$WUHAO_FONT_DIR``, default ``$WUHAO_DATA_DIR/fonts``); that directory is searched first.
Then fontconfig (``fc-list``) is asked for the real faces installed system-wide, and finally for
the Debian substitutes (Noto Serif/Sans CJK SC, LXGW WenKai, AR PL UKai, cwTeX FangSong).
Every candidate must cover a sample of common simplified characters: cwTeX FangSong is a
Traditional-oriented face that lacks many of them, so it is rejected and Noto Serif CJK SC
serves the FangSong role.

Characters outside a face (e.g. 䶮 U+4DAE, 𠮷 U+20BB7 in 仿宋_GB2312) fall back, glyph by glyph,
to the fallback faces listed by :func:`fallback_chain` (Noto CJK SC covers CJK Ext. A and B).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont

FONT_EXTENSIONS = {".ttf", ".otf", ".ttc", ".otc"}

#: common simplified characters every face used for a role must contain
SIMPLIFIED_SAMPLE = (
    "补正通知验收意见表考核评分限期整改书任务台账表彰决定荣誉证摘牌党员季度报"
    "这个们发对说时会为国进来过还没关组织单位开展学习问题条件实现举办应该经济区县乡镇门户内总"
)

#: characters used by the font check to show glyph fallback (rare names)
RARE_PROBE = "䶮𠮷堃珺"


@dataclass(frozen=True)
class RoleSpec:
    role: str
    wanted: str
    label: str
    #: names of the real face (family, full or PostScript names)
    real_names: tuple[str, ...]
    #: substitutes as (fontconfig family, css weight)
    substitutes: tuple[tuple[str, int], ...]
    #: glyph fallback families (fontconfig family names)
    fallbacks: tuple[str, ...]
    generic: str


ROLES: dict[str, RoleSpec] = {
    "title": RoleSpec(
        "title", "方正小标宋简体", "标题（2号小标宋）",
        ("方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "FZXiaoBiaoSong-B05",
         "FZXBSJW--GB1-0", "FZXBSK--GBK1-0"),
        (("Noto Serif CJK SC", 700), ("Noto Serif SC", 700)),
        ("Noto Serif CJK SC", "Noto Sans CJK SC"), "serif"),
    "body": RoleSpec(
        "body", "仿宋_GB2312", "正文（3号仿宋）",
        ("仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "华文仿宋", "STFangsong"),
        (("cwTeXFangSong", 400), ("Noto Serif CJK SC", 400), ("Noto Serif SC", 400)),
        ("Noto Serif CJK SC", "Noto Sans CJK SC"), "serif"),
    "kai": RoleSpec(
        "kai", "楷体_GB2312", "二级标题、署名（楷体）",
        ("楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "华文楷体", "STKaiti"),
        (("LXGW WenKai", 400), ("AR PL UKai CN", 400), ("Noto Serif CJK SC", 400)),
        ("LXGW WenKai", "Noto Serif CJK SC", "Noto Sans CJK SC"), "serif"),
    "hei": RoleSpec(
        "hei", "黑体", "一级标题（黑体）",
        ("黑体", "SimHei", "华文黑体", "STHeiti"),
        (("Noto Sans CJK SC", 400), ("Noto Sans SC", 400)),
        ("Noto Sans CJK SC", "Noto Serif CJK SC"), "sans-serif"),
    "song": RoleSpec(
        "song", "宋体", "页码（4号宋体）",
        ("宋体", "SimSun", "NSimSun", "华文宋体", "STSong"),
        (("Noto Serif CJK SC", 400), ("Noto Serif SC", 400)),
        ("Noto Serif CJK SC", "Noto Sans CJK SC"), "serif"),
}


@dataclass(frozen=True)
class ResolvedFont:
    role: str
    family: str
    path: str | None
    index: int
    substitute: bool
    wanted: str
    #: CSS weight to request from the face (700 for the bold Noto title substitute)
    weight: int = 400
    #: "font-dir", "system" or "none"
    source: str = "system"

    def as_dict(self) -> dict:
        return asdict(self)


def font_dir() -> Path:
    """The deployment's font directory (may not exist)."""
    explicit = os.environ.get("WUHAO_FONT_DIR")
    if explicit:
        return Path(explicit)
    data = os.environ.get("WUHAO_DATA_DIR") or os.path.join(os.getcwd(), "var")
    return Path(data) / "fonts"


def _norm(name: str) -> str:
    return "".join(name.split()).casefold()


# --------------------------------------------------------------------------- face inspection

@functools.lru_cache(maxsize=64)
def _cmap(path: str, index: int) -> frozenset[int]:
    try:
        font = TTFont(path, fontNumber=index, lazy=True)
        cmap = font.getBestCmap() or {}
        return frozenset(cmap)
    except Exception:  # unreadable face: covers nothing
        return frozenset()


@functools.lru_cache(maxsize=64)
def postscript_name(path: str | None, index: int = 0) -> str:
    """The face's own PostScript name (name ID 6), e.g. ``NotoSerifCJKsc-Bold``; "" if unreadable."""
    if not path:
        return ""
    try:
        name = TTFont(path, fontNumber=index, lazy=True)["name"].getDebugName(6)
    except Exception:  # unreadable face: no name to report
        return ""
    return name or ""


def covers(path: str, index: int, text: str) -> bool:
    cmap = _cmap(path, index)
    return all(ord(ch) in cmap for ch in text if not ch.isspace())


def missing_in_face(path: str | None, index: int, text: str) -> list[str]:
    if not path:
        return sorted({ch for ch in text if not ch.isspace()})
    cmap = _cmap(path, index)
    return sorted({ch for ch in text if not ch.isspace() and ord(ch) not in cmap})


def _face_names(path: Path) -> list[tuple[int, set[str], int]]:
    """(index, names, css weight) for each face of a font file."""
    faces = []
    try:
        if path.suffix.lower() in {".ttc", ".otc"}:
            fonts = TTCollection(str(path), lazy=True).fonts
        else:
            fonts = [TTFont(str(path), lazy=True)]
    except Exception:
        return faces
    for i, font in enumerate(fonts):
        names: set[str] = set()
        try:
            for rec in font["name"].names:
                if rec.nameID in (1, 4, 6, 16):
                    try:
                        names.add(_norm(rec.toUnicode()))
                    except Exception:
                        continue
            weight = int(getattr(font["OS/2"], "usWeightClass", 400) or 400)
        except Exception:
            weight = 400
        faces.append((i, names, weight))
    return faces


def _font_dir_key(directory: Path) -> tuple:
    if not directory.is_dir():
        return ()
    entries = []
    for p in sorted(directory.rglob("*")):
        if p.suffix.lower() in FONT_EXTENSIONS and p.is_file():
            st = p.stat()
            entries.append((str(p), st.st_size, st.st_mtime_ns))
    return tuple(entries)


@functools.lru_cache(maxsize=8)
def _scan_font_dir(key: tuple) -> tuple[tuple[str, int, frozenset[str], int], ...]:
    out = []
    for path, _size, _mtime in key:
        for index, names, weight in _face_names(Path(path)):
            out.append((path, index, frozenset(names), weight))
    return tuple(out)


@dataclass(frozen=True)
class _SystemFace:
    families: tuple[str, ...]
    style: str
    path: str
    index: int
    fc_weight: int
    fullnames: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def _system_faces() -> tuple[_SystemFace, ...]:
    if not shutil.which("fc-list"):
        return ()
    fmt = "%{family}\t%{style}\t%{file}\t%{index}\t%{weight}\t%{fullname}\n"
    try:
        out = subprocess.run(["fc-list", "--format", fmt], capture_output=True, text=True,
                             timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    faces = []
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) < 6:
            continue
        fam, style, path, index, weight, full = parts[:6]
        try:
            idx = int(index or 0)
            w = int(float(weight or 80))
        except ValueError:
            continue
        faces.append(_SystemFace(tuple(f.strip() for f in fam.split(",") if f.strip()),
                                 style, path, idx, w,
                                 tuple(f.strip() for f in full.split(",") if f.strip())))
    return tuple(faces)


def _fc_to_css_weight(w: int) -> int:
    # fontconfig: 50 light, 80 regular, 100 medium, 180 demibold, 200 bold, 210 black
    table = [(0, 100), (40, 200), (50, 300), (80, 400), (100, 500), (180, 600), (200, 700),
             (205, 800), (210, 900)]
    css = 400
    for fc, c in table:
        if w >= fc:
            css = c
    return css


def _pick_system(family: str, weight: int) -> _SystemFace | None:
    want = _norm(family)
    matches = [f for f in _system_faces()
               if any(_norm(n) == want for n in f.families + f.fullnames)]
    if not matches:
        return None
    return min(matches, key=lambda f: (abs(_fc_to_css_weight(f.fc_weight) - weight),
                                       "Light" in f.style, f.path))


# --------------------------------------------------------------------------- resolution

def _resolve(role: str, dir_key: tuple) -> ResolvedFont:
    spec = ROLES[role]
    wanted = {_norm(n) for n in spec.real_names}
    # 1. the deployment's font directory: the real faces
    for path, index, names, weight in _scan_font_dir(dir_key):
        if names & wanted and covers(path, index, SIMPLIFIED_SAMPLE):
            family = next((n for n in spec.real_names if _norm(n) in names), spec.wanted)
            return ResolvedFont(role, family, path, index, False, spec.wanted,
                                weight=400, source="font-dir")
    # 2. the real faces installed system-wide
    for name in spec.real_names:
        face = _pick_system(name, 400)
        if face and covers(face.path, face.index, SIMPLIFIED_SAMPLE):
            return ResolvedFont(role, face.families[0], face.path, face.index, False,
                                spec.wanted, weight=_fc_to_css_weight(face.fc_weight),
                                source="system")
    # 3. the free substitutes
    for family, weight in spec.substitutes:
        face = _pick_system(family, weight)
        if face and covers(face.path, face.index, SIMPLIFIED_SAMPLE):
            return ResolvedFont(role, family, face.path, face.index, True, spec.wanted,
                                weight=_fc_to_css_weight(face.fc_weight), source="system")
    return ResolvedFont(role, spec.generic, None, 0, True, spec.wanted, weight=400, source="none")


def resolve_font(role: str) -> ResolvedFont:
    """The face serving ``role`` (title, body, kai, hei, song)."""
    if role not in ROLES:
        raise KeyError(f"unknown font role {role!r}; roles: {', '.join(ROLES)}")
    return _resolve_cached(role, _font_dir_key(font_dir()))


@functools.lru_cache(maxsize=64)
def _resolve_cached(role: str, dir_key: tuple) -> ResolvedFont:
    return _resolve(role, dir_key)


def resolve_all() -> dict[str, ResolvedFont]:
    return {role: resolve_font(role) for role in ROLES}


def clear_cache() -> None:
    """Forget resolved faces (after fonts were added to the font directory)."""
    _resolve_cached.cache_clear()
    _fallback_cached.cache_clear()
    _scan_font_dir.cache_clear()
    _system_faces.cache_clear()


def fallback_chain(role: str) -> list[ResolvedFont]:
    """Faces consulted, in order, for characters the role's face lacks."""
    return list(_fallback_cached(role, _font_dir_key(font_dir())))


@functools.lru_cache(maxsize=64)
def _fallback_cached(role: str, dir_key: tuple) -> tuple[ResolvedFont, ...]:
    chain = []
    primary = resolve_font(role)
    seen = {(primary.path, primary.index)}
    for family in ROLES[role].fallbacks:
        face = _pick_system(family, 400)
        if face and (face.path, face.index) not in seen:
            seen.add((face.path, face.index))
            chain.append(ResolvedFont(role, family, face.path, face.index, True,
                                      ROLES[role].wanted, weight=_fc_to_css_weight(face.fc_weight),
                                      source="system"))
    return tuple(chain)


def missing_glyphs(text: str, role: str = "body") -> list[str]:
    """Characters of ``text`` that neither the role's face nor its fallbacks can draw."""
    primary = resolve_font(role)
    missing = missing_in_face(primary.path, primary.index, text)
    for face in fallback_chain(role):
        if not missing:
            break
        missing = missing_in_face(face.path, face.index, "".join(missing))
    return missing


# --------------------------------------------------------------------------- CSS for WeasyPrint

def css_alias(role: str) -> str:
    return f"wuhao-{role}"


def css_font_stack(role: str) -> str:
    """``font-family`` value for a role: the resolved face then the glyph fallbacks."""
    resolved = resolve_font(role)
    names = []
    if resolved.source == "font-dir":
        names.append(css_alias(role))
    elif resolved.path:
        names.append(resolved.family)
    for face in fallback_chain(role):
        names.append(face.family)
    out = []
    for n in names:
        q = f'"{n}"'
        if q not in out:
            out.append(q)
    out.append(ROLES[role].generic)
    return ", ".join(out)


def css_font_faces() -> str:
    """CSS for WeasyPrint: @font-face rules and one ``.font-<role>`` class per role.

    Faces from the font directory get an ``@font-face`` rule (``url(file:…)``) under the alias
    ``wuhao-<role>``.  System faces are already known to fontconfig and are named by family:
    WeasyPrint's ``@font-face`` cannot pick one face out of a .ttc collection (it registers every
    face of the file under the alias), and copying a 20 MB collection per document is slow.
    WeasyPrint embeds subsets of the faces actually used.
    """
    rules = []
    for role in ROLES:
        r = resolve_font(role)
        if r.source == "font-dir" and r.path:
            rules.append(
                "@font-face { font-family: \"%s\"; src: url(\"%s\"); font-weight: %d; }"
                % (css_alias(role), Path(r.path).resolve().as_uri(), r.weight))
    for role in ROLES:
        r = resolve_font(role)
        rules.append(".font-%s { font-family: %s; font-weight: %d; }"
                     % (role, css_font_stack(role), r.weight))
    return "\n".join(rules) + "\n"


def allowed_font_files() -> set[str]:
    """Font files the WeasyPrint URL fetcher may read (those named by :func:`css_font_faces`)."""
    out = set()
    for role in ROLES:
        r = resolve_font(role)
        if r.source == "font-dir" and r.path:
            out.add(str(Path(r.path).resolve()))
    return out


# --------------------------------------------------------------------------- report

def font_report() -> list[dict]:
    """One row per role for ``wuhao fonts``: which face serves it, and warnings."""
    rows = []
    for role, spec in ROLES.items():
        r = resolve_font(role)
        if r.source == "none":
            status, message = "missing", f"未找到可用字体：{spec.wanted} 及其替代字体均不可用"
        elif r.substitute:
            status = "substitute"
            message = (f"警告：未安装 {spec.wanted}，使用替代字体 {r.family}；"
                       f"正式发文请将 {spec.wanted} 放入字体目录 {font_dir()}")
        else:
            status, message = "ok", f"使用 {r.family}"
        rare_missing = missing_in_face(r.path, r.index, RARE_PROBE)
        fallback = [f.family for f in fallback_chain(role)]
        unresolved = missing_glyphs(RARE_PROBE, role)
        rows.append({
            "role": role,
            "label": spec.label,
            "wanted": spec.wanted,
            "family": r.family,
            "postscript": postscript_name(r.path, r.index),
            "path": r.path,
            "index": r.index,
            "weight": r.weight,
            "source": r.source,
            "substitute": r.substitute,
            "status": status,
            "message": message,
            "rare_chars_from_fallback": "".join(c for c in rare_missing if c not in unresolved),
            "rare_chars_missing": "".join(unresolved),
            "fallback": fallback,
        })
    return rows


def substitutes_note(roles=None) -> str:
    """One Chinese sentence naming every substitute face in use, for a document's metadata."""
    parts = []
    for role in roles or ROLES:
        r = resolve_font(role)
        if r.substitute:
            parts.append(f"{ROLES[role].wanted}以{r.family}代替")
    return ("替代字体：" + "；".join(parts) + "。") if parts else ""


def format_report(rows: list[dict] | None = None) -> str:
    rows = font_report() if rows is None else rows
    lines = [f"字体目录：{font_dir()}"]
    for row in rows:
        where = f"{row['path']}#{row['index']}" if row["path"] else "-"
        ps = f"，PostScript 名 {row['postscript']}" if row.get("postscript") else ""
        lines.append(f"[{row['status']}] {row['role']:<5} {row['label']}：需要 {row['wanted']}，"
                     f"实际 {row['family']}（{where}{ps}）")
        if row["status"] != "ok":
            lines.append(f"    {row['message']}")
        if row["rare_chars_from_fallback"]:
            lines.append(f"    生僻字 {row['rare_chars_from_fallback']} 由后备字体 "
                         f"{'、'.join(row['fallback'])} 显示")
        if row["rare_chars_missing"]:
            lines.append(f"    警告：生僻字 {row['rare_chars_missing']} 无字体可显示")
    return "\n".join(lines)
