"""Our records in SIASN's riwayat kursus and riwayat diklat shapes."""

from __future__ import annotations

from datetime import date

from elearn.models import CodeList, PushShape
from elearn.siasn.mapping import Codes, map_record
from elearn.siasn.records import PushRecord, shape_for


def record(**changes: object) -> PushRecord:
    fields: dict[str, object] = {
        "source": "training",
        "source_id": 7,
        "user_id": 3,
        "nip": "198609262015051001",
        "learner_name": "Andi Pratama",
        "instansi_id": 1,
        "name": "Bimtek SAKIP",
        "organiser": "Bappeda Provinsi Sulawesi Tengah",
        "route": "bimbingan-teknis",
        "competency": "teknis",
        "jp": 12,
        "started_on": date(2026, 2, 2),
        "finished_on": date(2026, 2, 4),
        "certificate_number": "027/45/BAPPEDA/2026",
        **changes,
    }
    return PushRecord(**fields)  # type: ignore[arg-type]


CODES = Codes(
    [
        (CodeList.INSTANSI, "default", "INST-PALU"),
        (CodeList.LOKASI, "default", "LOK-PALU"),
        (CodeList.JENIS_KURSUS, "default", "2"),
        (CodeList.JENIS_KURSUS, "seminar", "6"),
        (CodeList.JENIS_DIKLAT, "manajerial", "55"),
        (CodeList.LATIHAN_STRUKTURAL, "default", "4"),
    ]
)


def test_a_technical_guidance_is_a_riwayat_kursus():
    mapped = map_record(record(), CODES, "pns-andi")

    assert mapped.shape is PushShape.KURSUS
    assert mapped.missing == ()
    assert mapped.body == {
        "pnsOrangId": "pns-andi",
        "instansiId": "INST-PALU",
        "namaKursus": "Bimtek SAKIP",
        "institusiPenyelenggara": "Bappeda Provinsi Sulawesi Tengah",
        "jenisDiklatId": "8",  # bimbingan teknis, from the national list
        "jenisKursus": "2",
        "jenisKursusSertipikat": "Sertifikat",
        "jumlahJam": 12,
        "lokasiId": "LOK-PALU",
        "nomorSertipikat": "027/45/BAPPEDA/2026",
        "tahunKursus": 2026,
        "tanggalKursus": "02-02-2026",
        "tanggalSelesaiKursus": "04-02-2026",
    }


def test_codes_for_a_route_or_competency_win_over_the_default():
    seminar = map_record(record(route="seminar"), CODES).body
    managerial = map_record(record(route="e-learning", competency="manajerial"), CODES).body

    assert seminar["jenisKursus"] == "6"
    assert managerial["jenisKursus"] == "2"
    assert managerial["jenisDiklatId"] == "55"  # the instansi's own id over the national 5


def test_a_structural_training_is_a_riwayat_diklat():
    mapped = map_record(
        record(route="pelatihan-struktural", competency="manajerial", jp=90), CODES, "pns-andi"
    )

    assert shape_for("pelatihan-struktural") is PushShape.DIKLAT
    assert mapped.shape is PushShape.DIKLAT
    assert mapped.body == {
        "pnsOrangId": "pns-andi",
        "latihanStrukturalId": "4",
        "nomor": "027/45/BAPPEDA/2026",
        "tahun": 2026,
        "tanggal": "02-02-2026",
        "tanggalSelesai": "04-02-2026",
        "jumlahJam": 90,
        "bobot": 0,
        "jenisKompetensi": "Manajerial",
        "institusiPenyelenggara": "Bappeda Provinsi Sulawesi Tengah",
    }


def test_missing_codes_are_named():
    kursus = map_record(record(), Codes([]))
    diklat = map_record(record(route="pelatihan-struktural", certificate_number=""), Codes([]))

    assert kursus.missing == ("instansiId", "jenisKursus", "lokasiId")
    assert diklat.missing == ("latihanStrukturalId", "nomor")
