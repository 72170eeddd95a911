"""The fasciclf model file layout: a checked header in front of a payload.

File layout (all integers big-endian)::

    MAGIC            10 bytes   b"\\x93FASCICLF\\n"
    format version    2 bytes   FORMAT_VERSION
    header length     4 bytes   n (at most MAX_HEADER_BYTES)
    header           n bytes    UTF-8 JSON: payload format, length and SHA-256,
                                model class, metadata
    header SHA-256   32 bytes   digest of the header bytes
    payload          rest       joblib pickle or skops zip

:func:`read_model_file` reads only what the first bytes promise: it refuses
anything but a regular file before opening it (a FIFO would block, a device
never ends), checks the magic bytes and the header length from the first 16
bytes, validates the header's structure, compares the declared payload
length with the file size, and streams the SHA-256 digests. Every failure is
a :class:`ModelIntegrityError` naming the file and the problem.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAGIC = b"\x93FASCICLF\n"
FORMAT_VERSION = 1
FORMATS: tuple[str, ...] = ("joblib", "skops")
MAX_HEADER_BYTES = 4 * 1024 * 1024
"""A header holds metadata only (a few kB); anything longer is damage or an attack."""

_PREFIX = struct.Struct(">HI")
_DIGEST_LEN = 32
_CHUNK = 1 << 20
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
# Metadata keys that code reads, with the JSON type they must have.
_METADATA_TYPES: dict[str, type | tuple[type, ...]] = {
    "versions": dict,
    "classes": list,
    "lexicon_version": str,
    "model_version": str,
    "cv_metrics": dict,
}


class ModelIntegrityError(Exception):
    """A model file was refused: not a fasciclf model, damaged, or not trusted."""


@dataclass(frozen=True)
class ModelFile:
    """A verified model file: its header, its payload (or ``None``) and its digest."""

    header: dict[str, Any]
    payload: bytes | None
    file_sha256: str


def encode(payload: bytes, fmt: str, model_class: str, metadata: dict[str, Any]) -> bytes:
    """The bytes of a model file around ``payload`` (see the module docstring)."""
    header = {
        "format_version": FORMAT_VERSION,
        "payload": {
            "format": fmt,
            "length": len(payload),
            "sha256": hashlib.sha256(payload).hexdigest(),
        },
        "model_class": model_class,
        "metadata": metadata,
    }
    hb = json.dumps(header, ensure_ascii=False, sort_keys=True, allow_nan=False).encode()
    return (
        MAGIC + _PREFIX.pack(FORMAT_VERSION, len(hb)) + hb + hashlib.sha256(hb).digest() + payload
    )


def _open_regular(path: Path):
    """Open ``path`` for reading only if it is a regular file (never blocks)."""
    st = os.stat(path)  # FileNotFoundError / PermissionError pass through as they are
    if not stat.S_ISREG(st.st_mode):
        kind = (
            "a directory"
            if stat.S_ISDIR(st.st_mode)
            else "a FIFO"
            if stat.S_ISFIFO(st.st_mode)
            else "a device or socket"
        )
        raise ModelIntegrityError(
            f"{path.name}: not a regular file ({kind}); expected a model file"
        )
    # O_NONBLOCK: if the path was swapped for a FIFO since stat(), open() still returns.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    fh = os.fdopen(fd, "rb")
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        fh.close()
        raise ModelIntegrityError(f"{path.name}: not a regular file; expected a model file")
    return fh, st.st_size


def read_model_file(path: str | os.PathLike[str], *, keep_payload: bool = True) -> ModelFile:
    """Verify a model file's structure and digests; return its header and payload.

    Raises
    ------
    ModelIntegrityError
        Not a regular file, not a fasciclf model, truncated, modified, or a
        malformed header.
    FileNotFoundError
        If there is no such file.
    """
    path = Path(path)
    fh, size = _open_regular(path)
    with fh:
        return _read(fh, size, path.name, keep_payload)


def _read(fh: Any, size: int, name: str, keep_payload: bool) -> ModelFile:
    whole = hashlib.sha256()
    fixed = fh.read(len(MAGIC) + _PREFIX.size)
    whole.update(fixed)
    _check_prefix(fixed, name)
    version, hlen = _PREFIX.unpack_from(fixed, len(MAGIC))
    _check_version(version, hlen, name)
    body = len(fixed) + hlen + _DIGEST_LEN
    if size < body:
        raise ModelIntegrityError(
            f"{name}: truncated: the header needs {body} bytes, the file has {size}"
        )
    header_bytes = fh.read(hlen)
    digest = fh.read(_DIGEST_LEN)
    whole.update(header_bytes)
    whole.update(digest)
    if hashlib.sha256(header_bytes).digest() != digest:
        raise ModelIntegrityError(
            f"{name}: header checksum mismatch; the file was modified or damaged"
        )
    header = parse_header(header_bytes, name)
    expected_len = header["payload"]["length"]
    found = size - body
    if found != expected_len:
        what = "truncated" if found < expected_len else "has trailing bytes"
        raise ModelIntegrityError(
            f"{name}: {what}: expected a payload of {expected_len} bytes, found {found}"
        )
    payload_sha = hashlib.sha256()
    kept = bytearray() if keep_payload else None
    while chunk := fh.read(_CHUNK):
        payload_sha.update(chunk)
        whole.update(chunk)
        if kept is not None:
            kept += chunk
    expected_sha = header["payload"]["sha256"]
    if payload_sha.hexdigest() != expected_sha:
        raise ModelIntegrityError(
            f"{name}: payload SHA-256 mismatch (expected {expected_sha[:16]}…, found "
            f"{payload_sha.hexdigest()[:16]}…); the file was modified or damaged. "
            "Nothing was loaded."
        )
    header["file_sha256"] = whole.hexdigest()
    return ModelFile(header, None if kept is None else bytes(kept), header["file_sha256"])


def _check_prefix(fixed: bytes, name: str) -> None:
    if not fixed.startswith(MAGIC):
        if MAGIC.startswith(fixed):
            raise ModelIntegrityError(
                f"{name}: truncated ({len(fixed)} bytes, ends inside the header)"
            )
        raise ModelIntegrityError(
            f"{name} is not a fasciclf model file: expected it to start with {MAGIC!r}, "
            f"found {fixed[:10]!r}{_guess(fixed)}. Save models with fasciclf.save_model()."
        )
    if len(fixed) < len(MAGIC) + _PREFIX.size:
        raise ModelIntegrityError(f"{name}: truncated ({len(fixed)} bytes, ends inside the header)")


def _check_version(version: int, hlen: int, name: str) -> None:
    if version != FORMAT_VERSION:
        newer = (
            " (written by a newer fasciclf; upgrade to read it)" if version > FORMAT_VERSION else ""
        )
        raise ModelIntegrityError(
            f"{name}: model file format {version} is not supported; this fasciclf reads "
            f"format {FORMAT_VERSION}{newer}"
        )
    if hlen > MAX_HEADER_BYTES:
        raise ModelIntegrityError(
            f"{name}: header length {hlen} is implausible (at most {MAX_HEADER_BYTES}); "
            "the file is damaged"
        )


def parse_header(header_bytes: bytes, name: str) -> dict[str, Any]:
    """Decode and validate a header; any malformation is a :class:`ModelIntegrityError`."""
    try:
        header = json.loads(header_bytes)
    except (ValueError, RecursionError) as exc:
        # RecursionError: a checksummed header can still nest 100,000 levels deep.
        raise ModelIntegrityError(
            f"{name}: unreadable header ({type(exc).__name__}: {str(exc)[:200]})"
        ) from None
    problem = _header_problem(header)
    if problem:
        raise ModelIntegrityError(f"{name}: malformed header: {problem}")
    return header


def _header_problem(header: Any) -> str | None:
    if not isinstance(header, dict):
        return f"expected a JSON object, found {type(header).__name__}"
    payload = header.get("payload")
    if not isinstance(payload, dict):
        return f"'payload' must be an object, found {type(payload).__name__}"
    length = payload.get("length")
    if not isinstance(length, int) or isinstance(length, bool) or length < 0:
        return f"'payload.length' must be a non-negative integer, found {length!r:.40}"
    sha = payload.get("sha256")
    if not (isinstance(sha, str) and _SHA256_HEX.fullmatch(sha)):
        return f"'payload.sha256' must be 64 lowercase hex digits, found {sha!r:.80}"
    fmt = payload.get("format")
    if fmt not in FORMATS:
        return f"unknown payload format {fmt!r:.40}; expected one of {FORMATS}"
    if not isinstance(header.get("model_class", ""), str):
        return "'model_class' must be a string"
    metadata = header.setdefault("metadata", {})
    if not isinstance(metadata, dict):
        return f"'metadata' must be an object, found {type(metadata).__name__}"
    for key, typ in _METADATA_TYPES.items():
        value = metadata.get(key)
        if value is not None and not isinstance(value, typ):
            return f"'metadata.{key}' must be a {typ.__name__}, found {type(value).__name__}"
    versions = metadata.get("versions") or {}
    if not all(isinstance(v, str) for v in versions.values()):
        return "'metadata.versions' must map library names to version strings"
    return None


def _guess(data: bytes) -> str:
    if data[:1] == b"\x80":
        return " (a raw pickle/joblib file?)"
    if data[:2] in (b"x\x01", b"x\x5e", b"x\x9c", b"x\xda"):
        return " (a compressed joblib file?)"
    if data[:4] == b"PK\x03\x04":
        return " (a zip or raw skops file?)"
    return ""


__all__ = [
    "FORMATS",
    "FORMAT_VERSION",
    "MAGIC",
    "MAX_HEADER_BYTES",
    "ModelFile",
    "ModelIntegrityError",
    "encode",
    "parse_header",
    "read_model_file",
]
