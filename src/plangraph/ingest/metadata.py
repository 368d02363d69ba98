"""Plan metadata: the sidecar file, what the text says about itself, and inference.

A plan file ``NAME.txt`` may have a sidecar ``NAME.meta.toml`` beside it::

    id = "linan"
    title = "临安区教育事业发展“十四五”规划"
    region = "杭州市临安区"
    level = "district"
    issuer = "杭州市临安区教育局"
    issued = "2022-07-11"
    period = "2021-2025"
    source_url = "https://…"

Metadata the text itself carries (a page header's 发布单位 and 发文日期, the title
line) must agree with the sidecar; a disagreement becomes a ``metadata-mismatch``
finding. Without a sidecar, metadata is inferred from the text and the file name.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from plangraph.errors import MetadataError
from plangraph.model import SLUG_RE, Finding

SIDECAR_SUFFIX = ".meta.toml"
SIDECAR_KEYS = ("id", "title", "region", "level", "issuer", "issued", "period", "source_url")
LEVELS = ("national", "provincial", "municipal", "district", "county")
_PERIOD = re.compile(r"^(\d{4})\s*[-–—~至]\s*(\d{4})$")
_DATE = re.compile(r"^\d{4}(-\d{2}){0,2}$")
_FYP = {"十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030)}
_TITLE_WORDS = ("规划", "纲要", "计划", "方案", "意见", "《")


@dataclass(frozen=True)
class MetaFields:
    """Metadata values and where each came from (``sidecar``, ``text``, ``file name``)."""

    values: dict[str, object]
    provenance: dict[str, str]


def sidecar_path(path: Path) -> Path:
    """``corpus/linan.raw.txt`` → ``corpus/linan.raw.meta.toml``."""
    return path.with_suffix(SIDECAR_SUFFIX) if path.suffix else path.with_name(path.name + SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> dict[str, object] | None:
    """The validated sidecar of plan file ``path``, or None if it has none."""
    side = sidecar_path(path)
    if not side.exists():
        return None
    try:
        data = tomllib.loads(side.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MetadataError(f"{side}: not valid TOML ({exc})") from None
    unknown = sorted(set(data) - set(SIDECAR_KEYS))
    if unknown:
        raise MetadataError(f"{side}: unknown field {unknown[0]!r}; valid fields: {', '.join(SIDECAR_KEYS)}")
    for key, value in data.items():
        if not isinstance(value, str):
            raise MetadataError(f"{side}: field {key!r} must be a string, got {type(value).__name__}")
    out: dict[str, object] = {}
    if "id" in data:
        if not SLUG_RE.match(data["id"]):
            raise MetadataError(f"{side}: field 'id' = {data['id']!r} must be a short ASCII slug (a-z, 0-9, '-')")
        out["plan_id"] = data["id"]
    if "level" in data and data["level"] not in LEVELS:
        raise MetadataError(f"{side}: field 'level' = {data['level']!r}; choose one of: {', '.join(LEVELS)}")
    if "issued" in data and not _DATE.match(data["issued"]):
        raise MetadataError(f"{side}: field 'issued' = {data['issued']!r} must be a date like 2022-07-11")
    if "period" in data:
        m = _PERIOD.match(data["period"])
        if not m or int(m.group(2)) < int(m.group(1)):
            raise MetadataError(f"{side}: field 'period' = {data['period']!r} must be like 2021-2025")
        out["period_start"], out["period_end"] = int(m.group(1)), int(m.group(2))
    for key in ("title", "region", "level", "issuer", "issued", "source_url"):
        if key in data:
            out[key] = data[key]
    return out


_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_HASH_CHARS = 4


def slug_from_filename(path: Path) -> str:
    """A plan id from a file name: ``national-china-education-modernization-2035.txt`` →
    ``national-china-education-modernization-2035``; ``.raw``/``.excerpt`` are dropped.

    Chinese is spelled in pinyin, one word per run of characters between spaces or
    punctuation, and a name with anything beyond ASCII gets a short hash of the name
    as written: ``2022 临安 教育 规划.txt`` → ``2022-linan-jiaoyu-guihua-xxxx``. Readable,
    and two names that differ only in Chinese (homophones, punctuation, full-width
    forms included) still get two ids.
    """
    stem = path.name.split(".")[0]
    # full-width letters, digits and spaces are their ASCII selves
    folded = unicodedata.normalize("NFKC", stem)
    spelled = _HAN_RUN.sub(lambda m: " " + _pinyin(m.group(0)) + " ", folded) if _HAN_RUN.search(folded) else folded
    slug = re.sub(r"[^a-z0-9]+", "-", spelled.lower()).strip("-")
    if stem.isascii():
        return slug[:63].strip("-") or "plan"
    digest = hashlib.sha1(unicodedata.normalize("NFC", stem).encode("utf-8")).hexdigest()[:_HASH_CHARS]
    head = slug[: 62 - _HASH_CHARS].strip("-")
    return f"{head}-{digest}" if head else f"plan-{digest}"


def _pinyin(han: str) -> str:
    """``临安`` → ``linan`` (tone-less pinyin, one word; the ü of 绿 written ``v``)."""
    from pypinyin import lazy_pinyin  # loads its dictionary: only for Chinese names

    return "".join(lazy_pinyin(han))


def infer_from_title(title: str) -> dict[str, object]:
    """Region, level and period that a plan title states."""
    out: dict[str, object] = {}
    for word, (a, b) in _FYP.items():
        if word in title:
            out["period_start"], out["period_end"] = a, b
    m = re.search(r"(\d{4})\s*[-–—－~至]\s*(\d{4})", title)
    if m:
        out["period_start"], out["period_end"] = int(m.group(1)), int(m.group(2))
    elif (m := re.search(r"(20\d{2})", title)) and "period_end" not in out:
        out["period_end"] = int(m.group(1))
    if re.search(r"国家|中国|全国", title):
        out["level"], out["region"] = "national", "中国"
    elif m := re.match(r"^(.{1,8}?[区县])", title):
        out["level"], out["region"] = ("county" if m.group(1).endswith("县") else "district"), m.group(1)
    elif m := re.match(r"^(.{1,8}?市)", title):
        out["level"], out["region"] = "municipal", m.group(1)
    elif m := re.match(r"^(.{1,8}?省)", title):
        out["level"], out["region"] = "provincial", m.group(1)
    return out


def looks_like_title(text: str) -> bool:
    return len(text) <= 60 and "。" not in text and any(w in text for w in _TITLE_WORDS)


def _same(a: str, b: str) -> bool:
    strip = lambda s: re.sub(r"[\s“”\"《》()（）]", "", s)  # noqa: E731
    a, b = strip(a), strip(b)
    return a == b or a.endswith(b) or b.endswith(a)


def resolve(path: Path, text_title: str | None, header: dict[str, str],
            sidecar: dict[str, object] | None) -> tuple[MetaFields, list[Finding]]:
    """Merge sidecar, text and file-name metadata; report disagreements."""
    values: dict[str, object] = {}
    prov: dict[str, str] = {}
    findings: list[Finding] = []

    def put(key: str, value: object, source: str) -> None:
        if value is not None and key not in values:
            values[key] = value
            prov[key] = source

    for key, value in (sidecar or {}).items():
        put(key, value, "sidecar")
    text_values: dict[str, object] = {}
    if text_title:
        text_values["title"] = text_title
    if header.get("发布单位"):
        text_values["issuer"] = header["发布单位"]
    date = header.get("发文日期") or header.get("成文日期")
    if date:
        text_values["issued"] = date
    for key, value in text_values.items():
        if sidecar and key in sidecar and not _same(str(sidecar[key]), str(value)):
            side = sidecar_path(path)
            findings.append(Finding(
                "warning", "metadata-mismatch",
                f"{side.name}: {key} is {sidecar[key]!r} but the text says {value!r}"))
        put(key, value, "text")
    title = str(values.get("title") or path.name.split(".")[0])
    put("title", title, "file name")
    for key, value in infer_from_title(title).items():
        put(key, value, "title")
    put("plan_id", slug_from_filename(path), "file name")
    return MetaFields(values, prov), findings


def input_hash(path: Path) -> str:
    """sha256 of a plan file and its sidecar (what ingestion reads), read in pieces: a
    build hashes every input before it reads any, so a file of gigabytes costs no memory
    here and is refused by its size when it is read (``MAX_FILE_BYTES``)."""
    with path.open("rb") as f:
        digest = hashlib.file_digest(f, "sha256")
    side = sidecar_path(path)
    if side.is_file():
        digest.update(b"\x00sidecar\x00" + side.read_bytes())
    return digest.hexdigest()
