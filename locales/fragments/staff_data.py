"""Indonesian texts of the staff data feature (BNBA import, XLSX export)."""

T = {
    "Rows to check": "Baris perlu diperiksa",
    "row": "baris",
    "status": "status",
    "reason": "alasan",
    "rejected": "ditolak",
    "imported, please check": "diimpor, mohon diperiksa",
    "Column {column} is empty.": "Kolom {column} kosong.",
    "Column {column} holds {value}: Excel turned the number into a rounded one. Format the "
    "column as Text and type the 16 digits again.": "Kolom {column} berisi {value}: Excel "
    "mengubah angkanya menjadi angka bulat yang tidak utuh. Ubah format kolom menjadi Teks, "
    "lalu ketik ulang 16 digitnya.",
    'The name "{value}" does not look like a name.': 'Nama "{value}" tidak tampak seperti nama.',
    'Unknown relation "{value}". Use: kepala keluarga, istri, suami, anak, menantu, cucu, '
    "orang tua, mertua, famili lain, lainnya.": 'Hubungan "{value}" tidak dikenal. Gunakan: '
    "kepala keluarga, istri, suami, anak, menantu, cucu, orang tua, mertua, famili lain, "
    "lainnya.",
    'Unknown sex "{value}". Use L (laki-laki) or P (perempuan).': 'Jenis kelamin "{value}" '
    "tidak dikenal. Gunakan L (laki-laki) atau P (perempuan).",
    'Birth date "{value}" is not a date. Use a format like 17-08-1985.': 'Tanggal lahir '
    '"{value}" bukan tanggal. Gunakan bentuk seperti 17-08-1985.',
    'Birth date "{value}" is in the future.': 'Tanggal lahir "{value}" ada di masa depan.',
    'No kecamatan "{value}" in Kabupaten Bekasi.': 'Tidak ada kecamatan "{value}" di Kabupaten '
    "Bekasi.",
    'No desa/kelurahan "{value}" in Kabupaten Bekasi.': 'Tidak ada desa/kelurahan "{value}" di '
    "Kabupaten Bekasi.",
    'Desa "{desa}" is not in Kecamatan {kecamatan}.': 'Desa "{desa}" tidak berada di Kecamatan '
    "{kecamatan}.",
    'There are several desa named "{value}" (Kecamatan {options}): fill in the kecamatan '
    "column.": 'Ada beberapa desa bernama "{value}" (Kecamatan {options}): isi kolom kecamatan.',
    'Column {column} must be a number (for example 003), not "{value}".': "Kolom {column} harus "
    'berupa angka (misalnya 003), bukan "{value}".',
    'Unknown program "{value}". Use: {allowed}.': 'Program "{value}" tidak dikenal. Gunakan: '
    "{allowed}.",
    'Phone number "{value}" is not valid.': 'Nomor HP "{value}" tidak valid.',
    'Column {column} must be "ya" or "tidak", not "{value}".': 'Kolom {column} harus "ya" atau '
    '"tidak", bukan "{value}".',
    "This NIK is already in row {row} of the file.": "NIK ini sudah ada di baris {row} berkas.",
    'This KK has no valid "kepala keluarga" row, so none of its rows were imported.': "KK ini "
    'tidak punya baris "kepala keluarga" yang benar, jadi semua barisnya tidak diimpor.',
    'This KK has more than one "kepala keluarga", so none of its rows were imported.': "KK ini "
    'punya lebih dari satu "kepala keluarga", jadi semua barisnya tidak diimpor.',
    "The NIK does not match the sex {sex} (women's NIK: day + 40).": "NIK tidak cocok dengan "
    "jenis kelamin {sex} (NIK perempuan: tanggal + 40).",
    "The NIK holds the birth date {nik_date}, not the one in the row.": "NIK berisi tanggal "
    "lahir {nik_date}, tidak sama dengan tanggal lahir di baris ini.",
    "The file {name} is not CSV or XLSX.": "Berkas {name} bukan CSV atau XLSX.",
    "The file {name} cannot be opened as an Excel workbook (XLSX).": "Berkas {name} tidak bisa "
    "dibuka sebagai berkas Excel (XLSX).",
    "The file is empty.": "Berkasnya kosong.",
    "The file lacks these columns: {missing}.": "Kolom berikut tidak ada di berkas: {missing}.",
    "NIK": "NIK",
    "No. KK": "No. KK",
    "{what}: {detail}": "{what}: {detail}",
    "Import finished: {rows} rows read.": "Impor selesai: {rows} baris dibaca.",
    "People added: {n}": "Orang ditambahkan: {n}",
    "People updated: {n}": "Orang diperbarui: {n}",
    "People unchanged: {n}": "Orang tidak berubah: {n}",
    "Rows rejected: {n}": "Baris ditolak: {n}",
    "Families (KK): {added} new, {updated} updated, {unchanged} unchanged": "Keluarga (KK): "
    "{added} baru, {updated} diperbarui, {unchanged} tidak berubah",
    "Imported but to check: {n}": "Diimpor tetapi perlu diperiksa: {n}",
    "The file below lists those rows with the reason for each.": "Berkas di bawah ini berisi "
    "baris-baris tersebut beserta alasannya.",
    "📥 Import BNBA": "📥 Impor BNBA",
    "📤 Export data": "📤 Ekspor data",
    "Import the BNBA list": "Impor daftar BNBA",
    "imports the BNBA list from a CSV or XLSX file.": "mengimpor daftar BNBA dari berkas CSV "
    "atau XLSX.",
    "Export data (XLSX)": "Ekspor data (XLSX)",
    "sends a report as an Excel file, by area and period.": "mengirim laporan berupa berkas "
    "Excel, menurut wilayah dan periode.",
    "Send the BNBA file (CSV or XLSX) here as a document: one row per person, grouped by "
    "No. KK. Required columns: no_kk, nik, nama, hubungan, jenis_kelamin, tanggal_lahir, "
    "alamat, rt, rw, kecamatan, desa, program. The sample below shows the format.\n\n"
    "To stop: /batal": "Kirim berkas BNBA (CSV atau XLSX) di sini sebagai dokumen: satu baris "
    "per orang, dikelompokkan per No. KK. Kolom wajib: no_kk, nik, nama, hubungan, "
    "jenis_kelamin, tanggal_lahir, alamat, rt, rw, kecamatan, desa, program. Contoh ini "
    "menunjukkan bentuknya.\n\nUntuk berhenti: /batal",
    "Please send the CSV or XLSX file as a document (📎, then File). To stop: /batal": "Mohon "
    "kirim berkas CSV atau XLSX sebagai dokumen (📎, lalu Berkas). Untuk berhenti: /batal",
    "The file {name} is not CSV or XLSX. Please send a .csv or .xlsx file.": "Berkas {name} "
    "bukan CSV atau XLSX. Mohon kirim berkas .csv atau .xlsx.",
    "The file is larger than 20 MB, the most Telegram lets a bot receive. Please split it, or "
    "ask the administrator to import it on the server (python -m bot import).": "Berkas lebih "
    "dari 20 MB, batas yang bisa diterima bot dari Telegram. Mohon pecah berkasnya, atau minta "
    "admin mengimpornya di server (python -m bot import).",
    "Another import is running; yours starts after it.": "Ada impor lain yang sedang berjalan; "
    "impor Bapak/Ibu dimulai sesudahnya.",
    "Importing… The bot will tell you when it is done.": "Sedang mengimpor… Bot akan memberi "
    "tahu jika sudah selesai.",
    "Importing… {rows} rows read so far.": "Sedang mengimpor… {rows} baris sudah dibaca.",
    "The file could not be imported: {reason}": "Berkas tidak bisa diimpor: {reason}",
    "Import finished.": "Impor selesai.",
    "Rows not imported, or imported but to check, with the reason.": "Baris yang tidak "
    "diimpor, atau diimpor tetapi perlu diperiksa, beserta alasannya.",
    "Sorry, the import stopped because of an error. What was already saved stays; send the "
    "file again to finish it.": "Maaf, impor berhenti karena ada kesalahan. Data yang sudah "
    "tersimpan tetap ada; kirim berkasnya lagi untuk menyelesaikan.",
    "Households: latest status, verification": "Rumah tangga: status terakhir, verifikasi",
    "Self-reports": "Laporan mandiri warga",
    "Field visits": "Kunjungan lapangan",
    "Training enrollments": "Pendaftaran pelatihan",
    "Aid recipients and collection": "Penerima dan pengambilan bantuan",
    "Broadcast delivery": "Pengiriman siaran",
    "All time": "Semua waktu",
    "Last 7 days": "7 hari terakhir",
    "Last 30 days": "30 hari terakhir",
    "This month": "Bulan ini",
    "This year": "Tahun ini",
    "Which report do you need?": "Laporan apa yang Bapak/Ibu perlukan?",
    "Whole kabupaten": "Seluruh kabupaten",
    "Whole kecamatan": "Seluruh kecamatan",
    "Which area?": "Wilayah mana?",
    "Which desa/kelurahan?": "Desa/kelurahan mana?",
    "Which period?": "Periode kapan?",
    "Preparing the file…": "Sedang menyiapkan berkas…",
    "Kabupaten Bekasi": "Kabupaten Bekasi",
    "{report}: {rows} rows, {area}, {period}. It holds full NIK and KK numbers: keep it safe "
    "and do not share it.": "{report}: {rows} baris, {area}, {period}. Berkas ini berisi NIK "
    "dan No. KK lengkap: simpan baik-baik dan jangan dibagikan.",
    "📅 Type the dates": "📅 Ketik tanggalnya",
    "Type the first and the last day, for example: 01-10-2026 sampai 31-10-2026 "
    "(or one date for a single day). To stop: /batal": "Ketik tanggal awal dan tanggal akhir, "
    "misalnya: 01-10-2026 sampai 31-10-2026 (atau satu tanggal untuk satu hari saja). Untuk "
    "berhenti: /batal",
    "rows_to_check.xlsx": "baris_perlu_diperiksa.xlsx",
}
