"""Our records in SIASN's shapes: riwayat kursus (``kursus/save``) and riwayat diklat
(``diklat/save``). Field lists from the public client libraries cited in
docs/career-record.md; the code lists are per instansi (``SiasnCode``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from elearn.certificates.pdf import competency_label
from elearn.extensions import db
from elearn.models import CodeList, PushShape, SiasnCode
from elearn.records.routes import siasn_diklat_id
from elearn.siasn.records import PushRecord

DEFAULT_KEY = "default"
CERTIFICATE_KIND = "Sertifikat"  # jenisKursusSertipikat: always a certificate here
DIKLAT_WEIGHT = 0  # bobot: no weight of our own to give; SIASN's verifier sets it

KURSUS_FIELDS = (
    "pnsOrangId",
    "instansiId",
    "namaKursus",
    "institusiPenyelenggara",
    "jenisDiklatId",
    "jenisKursus",
    "jenisKursusSertipikat",
    "jumlahJam",
    "lokasiId",
    "nomorSertipikat",
    "tahunKursus",
    "tanggalKursus",
    "tanggalSelesaiKursus",
)
DIKLAT_FIELDS = (
    "pnsOrangId",
    "latihanStrukturalId",
    "nomor",
    "tahun",
    "tanggal",
    "tanggalSelesai",
    "jumlahJam",
    "bobot",
    "jenisKompetensi",
    "institusiPenyelenggara",
)


class Codes:
    """An instansi's SIASN ids: looked up by list and by the first of our keys found."""

    def __init__(self, rows: Iterable[tuple[str, str, str]]) -> None:
        self._codes = {(list_name, key): code for list_name, key, code in rows}

    @classmethod
    def of(cls, instansi_id: int) -> Codes:
        rows = db.session.execute(
            select(SiasnCode.list_name, SiasnCode.key, SiasnCode.code).where(
                SiasnCode.instansi_id == instansi_id
            )
        )
        return cls((str(a), str(b), str(c)) for a, b, c in rows)

    def get(self, list_name: CodeList, *keys: str) -> str:
        """The id for the first of ``keys`` (then ``default``) in ``list_name``; "" if none."""
        for key in (*keys, DEFAULT_KEY):
            code = self._codes.get((list_name, key))
            if code:
                return code
        return ""


@dataclass(frozen=True)
class Mapped:
    """A record in SIASN's shape, and the ids it still lacks (it cannot be sent then)."""

    shape: PushShape
    body: dict[str, Any]
    missing: tuple[str, ...]


def dmy(day: Any) -> str:
    return str(day.strftime("%d-%m-%Y"))


def map_record(record: PushRecord, codes: Codes, pns_orang_id: str = "") -> Mapped:
    """The body of ``kursus/save`` or ``diklat/save`` for ``record``."""
    if record.shape is PushShape.DIKLAT:
        return _diklat(record, codes, pns_orang_id)
    return _kursus(record, codes, pns_orang_id)


def _kursus(record: PushRecord, codes: Codes, pns_orang_id: str) -> Mapped:
    keys = (record.route, record.competency)
    body: dict[str, Any] = {
        "pnsOrangId": pns_orang_id,
        "instansiId": codes.get(CodeList.INSTANSI),
        "namaKursus": record.name,
        "institusiPenyelenggara": record.organiser,
        # The instansi's own list wins; else the national ids (records/routes.py).
        "jenisDiklatId": codes.get(CodeList.JENIS_DIKLAT, *keys)
        or str(siasn_diklat_id(record.route, record.competency)),
        "jenisKursus": codes.get(CodeList.JENIS_KURSUS, *keys),
        "jenisKursusSertipikat": CERTIFICATE_KIND,
        "jumlahJam": record.jp,
        "lokasiId": codes.get(CodeList.LOKASI, *keys),
        "nomorSertipikat": record.certificate_number,
        "tahunKursus": record.finished_on.year,
        "tanggalKursus": dmy(record.started_on),
        "tanggalSelesaiKursus": dmy(record.finished_on),
    }
    required = ("instansiId", "jenisKursus", "lokasiId")
    return Mapped(PushShape.KURSUS, body, tuple(f for f in required if not body[f]))


def _diklat(record: PushRecord, codes: Codes, pns_orang_id: str) -> Mapped:
    body: dict[str, Any] = {
        "pnsOrangId": pns_orang_id,
        "latihanStrukturalId": codes.get(
            CodeList.LATIHAN_STRUKTURAL, record.route, record.competency
        ),
        "nomor": record.certificate_number,
        "tahun": record.finished_on.year,
        "tanggal": dmy(record.started_on),
        "tanggalSelesai": dmy(record.finished_on),
        "jumlahJam": record.jp,
        "bobot": DIKLAT_WEIGHT,
        "jenisKompetensi": competency_label(record.competency),  # Indonesian, as SIASN shows
        "institusiPenyelenggara": record.organiser,
    }
    required = ("latihanStrukturalId", "nomor")
    return Mapped(PushShape.DIKLAT, body, tuple(f for f in required if not body[f]))
