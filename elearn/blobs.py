"""Files kept for a while (export results) behind one small interface; the database by default.

In the database every app server and worker sees the same files, with no
shared disk to set up. ``FolderBlobStore`` keeps them in a folder instead
(one server, or a shared mount).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol

from sqlalchemy import delete, insert, select

from elearn.extensions import db
from elearn.models.blob import Blob, BlobChunk

CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class BlobInfo:
    ref: str
    filename: str
    content_type: str
    size: int
    owner_id: int | None
    expires_at: datetime


class BlobStore(Protocol):
    def put(
        self,
        source: BinaryIO,
        *,
        filename: str,
        content_type: str,
        owner_id: int | None,
        expires_at: datetime,
    ) -> str:
        """Store ``source``'s bytes; return the reference to keep (committed by the caller)."""

    def info(self, ref: str) -> BlobInfo | None: ...

    def chunks(self, ref: str) -> Iterator[bytes]: ...

    def purge(self, now: datetime) -> int:
        """Delete what expired before ``now``; return how many files."""


class DatabaseBlobStore:
    """Blobs as rows: a ``blob`` row and 1 MB ``blob_chunk`` rows, read one at a time."""

    prefix = "blob:"

    def put(
        self,
        source: BinaryIO,
        *,
        filename: str,
        content_type: str,
        owner_id: int | None,
        expires_at: datetime,
    ) -> str:
        blob = Blob(
            filename=filename, content_type=content_type, owner_id=owner_id, expires_at=expires_at
        )
        db.session.add(blob)
        db.session.flush()
        sequence = size = 0
        # Core inserts: the chunks never sit in the session's identity map.
        while data := source.read(CHUNK_BYTES):
            chunk = {"blob_id": blob.id, "sequence": sequence, "data": data}
            db.session.execute(insert(BlobChunk).values(chunk))
            sequence += 1
            size += len(data)
        blob.size = size
        return f"{self.prefix}{blob.id}"

    def _id(self, ref: str) -> int | None:
        if not ref.startswith(self.prefix) or not ref[len(self.prefix) :].isdigit():
            return None
        return int(ref[len(self.prefix) :])

    def info(self, ref: str) -> BlobInfo | None:
        blob_id = self._id(ref)
        blob = db.session.get(Blob, blob_id) if blob_id is not None else None
        if blob is None:
            return None
        return BlobInfo(
            ref, blob.filename, blob.content_type, blob.size, blob.owner_id, blob.expires_at
        )

    def chunks(self, ref: str) -> Iterator[bytes]:
        """Yield the file a chunk at a time, each read in its own short transaction."""
        blob_id = self._id(ref)
        sequence = 0
        while blob_id is not None:
            data = db.session.scalar(
                select(BlobChunk.data).where(
                    BlobChunk.blob_id == blob_id, BlobChunk.sequence == sequence
                )
            )
            db.session.commit()
            if data is None:
                return
            yield data
            sequence += 1

    def purge(self, now: datetime) -> int:
        expired = list(db.session.scalars(select(Blob.id).where(Blob.expires_at < now)))
        if expired:
            # Chunks first: SQLite enforces the foreign key but bulk deletes skip ORM cascades.
            db.session.execute(delete(BlobChunk).where(BlobChunk.blob_id.in_(expired)))
            db.session.execute(delete(Blob).where(Blob.id.in_(expired)))
        return len(expired)


class FolderBlobStore:
    """Blobs as files in a folder, named by a random id, with a small sidecar for the rest."""

    prefix = "file:"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def put(
        self,
        source: BinaryIO,
        *,
        filename: str,
        content_type: str,
        owner_id: int | None,
        expires_at: datetime,
    ) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = uuid.uuid4().hex
        size = 0
        with (self.folder / name).open("wb") as target:
            while data := source.read(CHUNK_BYTES):
                target.write(data)
                size += len(data)
        meta = "\n".join(
            [filename, content_type, str(size), str(owner_id or ""), expires_at.isoformat()]
        )
        (self.folder / f"{name}.meta").write_text(meta, "utf-8")
        return f"{self.prefix}{name}"

    def _path(self, ref: str) -> Path | None:
        name = ref[len(self.prefix) :]
        if not ref.startswith(self.prefix) or not name.isalnum():
            return None
        return self.folder / name

    def info(self, ref: str) -> BlobInfo | None:
        path = self._path(ref)
        if path is None or not path.with_suffix(".meta").is_file():
            return None
        filename, content_type, size, owner, expires = (
            path.with_suffix(".meta").read_text("utf-8").split("\n")
        )
        owner_id = int(owner) if owner else None
        return BlobInfo(
            ref, filename, content_type, int(size), owner_id, datetime.fromisoformat(expires)
        )

    def chunks(self, ref: str) -> Iterator[bytes]:
        path = self._path(ref)
        if path is None:
            return
        with path.open("rb") as source:
            while data := source.read(CHUNK_BYTES):
                yield data

    def purge(self, now: datetime) -> int:
        count = 0
        for meta in self.folder.glob("*.meta"):
            info = self.info(self.prefix + meta.stem)
            if info is not None and info.expires_at < now:
                meta.with_suffix("").unlink(missing_ok=True)
                meta.unlink(missing_ok=True)
                count += 1
        return count
