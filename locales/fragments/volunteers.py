"""Indonesian texts of the volunteers feature (issue 4)."""

T = {
    "Met the family": "Bertemu keluarga",
    "Nobody home": "Tidak ada orang",
    "Moved away": "Sudah pindah",
    "Head of family died": "Kepala keluarga meninggal",
    "Address not found": "Alamat tidak ditemukan",
    "Data is wrong": "Data salah",
    "No work": "Tidak bekerja",
    "Daily labourer": "Buruh harian",
    "Farmer or fisher": "Petani atau nelayan",
    "Small trader": "Pedagang kecil",
    "Employee": "Karyawan",
    "Other": "Lainnya",
    "Roof": "Atap",
    "Floor": "Lantai",
    "Walls": "Dinding",
    "Toilet": "Jamban/MCK",
    "BLT": "BLT",
    "PKH": "PKH",
    "BPNT / Sembako": "BPNT / Sembako",
    "PBI-JK (BPJS)": "PBI-JK (BPJS)",
    "Rutilahu": "Rutilahu",
    "Food": "Makanan",
    "Health care": "Kesehatan",
    "Schooling": "Sekolah",
    "Work or training": "Pekerjaan atau pelatihan",
    "House repair": "Perbaikan rumah",
    "KTP/KK documents": "Dokumen KTP/KK",
    "✅ Eligible: verify": "✅ Layak: verifikasi",
    "✖️ Not eligible: reject": "✖️ Tidak layak: tolak",
    "Keep this location": "Tetap pakai lokasi ini",
    "Leave the location out": "Jangan simpan lokasi",
    "What happened at the visit?": "Bagaimana hasil kunjungan?",
    "Who no longer lives here? Tap nobody if everyone still lives here.": (
        "Siapa yang sudah tidak tinggal di sini? Jangan pilih siapa pun bila semua "
        "masih tinggal di sini."
    ),
    "Who is of working age (15–64) and able to work?": (
        "Siapa yang usia produktif (15–64 tahun) dan mampu bekerja?"
    ),
    "Who is elderly (60 or older)?": "Siapa yang lansia (60 tahun ke atas)?",
    "Who has a severe disability?": "Siapa yang disabilitas berat?",
    "Main work of the head of the family?": "Pekerjaan utama kepala keluarga?",
    "Income of the whole family in a month? (0 if none)": (
        "Penghasilan seluruh keluarga sebulan? (0 bila tidak ada)"
    ),
    "Which parts of the house are in bad condition? (for Rutilahu)": (
        "Bagian rumah mana yang rusak? (untuk Rutilahu)"
    ),
    "Which aid does the family receive now?": "Bantuan apa yang diterima keluarga sekarang?",
    "What does the family need most?": "Apa yang paling dibutuhkan keluarga?",
    "This family was proposed for the list. Is it eligible?": (
        "Keluarga ini diusulkan masuk daftar. Apakah layak?"
    ),
    "Why is it not eligible? (the proposer will read this)": (
        "Mengapa tidak layak? (pengusul akan membaca ini)"
    ),
    "A photo of the house?": "Foto rumah?",
    "The location of the house?": "Lokasi rumah?",
    "This location is outside Kabupaten Bekasi. Is it right?": (
        "Lokasi ini di luar Kabupaten Bekasi. Apakah sudah benar?"
    ),
    "A note? (optional)": "Catatan? (boleh dilewati)",
    "Field visit": "Kunjungan lapangan",
    "Please check the visit report:": "Mohon periksa laporan kunjungan:",
    "Field visit (verification of a proposed family)": (
        "Kunjungan lapangan (verifikasi keluarga usulan)"
    ),
    "⚡ Quick report": "⚡ Lapor cepat",
    "Quick report": "Lapor cepat",
    "send one message (and a photo) about any family or situation to the office.": (
        "kirim satu pesan (dan foto) tentang keluarga atau kejadian apa pun ke kantor."
    ),
    "Send without location": "Kirim tanpa lokasi",
    "Write what you saw in one message, e.g. “house collapsed in RT 03”. You may send a "
    "photo with the text as its caption. /batal to stop.": (
        "Tulis yang Bapak/Ibu lihat dalam satu pesan, misalnya “rumah roboh di RT 03”. "
        "Boleh kirim foto dengan tulisan sebagai keterangannya. /batal untuk berhenti."
    ),
    "Please write a few words (as the photo's caption if you send a photo).": (
        "Mohon tulis beberapa kata (sebagai keterangan foto bila mengirim foto)."
    ),
    "Add the location? Tap the button, or send without it.": (
        "Tambahkan lokasi? Ketuk tombolnya, atau kirim tanpa lokasi."
    ),
    "Please tap “📍 Send my location” or “Send without location”.": (
        "Mohon ketuk “📍 Kirim lokasi saya” atau “Kirim tanpa lokasi”."
    ),
    "Please start again: /laporcepat": "Mohon mulai lagi: /laporcepat",
    "⚡ Quick report #{id} from {role} {name}, {area}:": (
        "⚡ Lapor cepat #{id} dari {role} {name}, {area}:"
    ),
    "Thank you, your report was sent to the office.": (
        "Terima kasih, laporan Bapak/Ibu sudah dikirim ke kantor."
    ),
    "Thank you, your report is saved; the office will read it.": (
        "Terima kasih, laporan Bapak/Ibu sudah tersimpan; kantor akan membacanya."
    ),
    "📋 Tasks": "📋 Tugas",
    "🔎 Find a family": "🔎 Cari keluarga",
    "Families to visit": "Keluarga yang perlu dikunjungi",
    "families in your area to visit, most urgent first.": (
        "keluarga di wilayah Bapak/Ibu yang perlu dikunjungi, yang paling mendesak dulu."
    ),
    "Find a family": "Cari keluarga",
    "find a family by name, NIK, No. KK, or desa and RT.": (
        "cari keluarga menurut nama, NIK, No. KK, atau desa dan RT."
    ),
    "No families to visit in your area right now. Thank you!": (
        "Saat ini tidak ada keluarga yang perlu dikunjungi di wilayah Bapak/Ibu. Terima kasih!"
    ),
    "Families to visit (most urgent first), page {page}:": (
        "Keluarga yang perlu dikunjungi (paling mendesak dulu), halaman {page}:"
    ),
    "This family was not found in your area.": (
        "Keluarga ini tidak ditemukan di wilayah Bapak/Ibu."
    ),
    "🏘 By desa and RT": "🏘 Menurut desa dan RT",
    "Type part of a name, or a NIK or No. KK (16 digits). Or find families by desa and RT:": (
        "Ketik sebagian nama, atau NIK atau No. KK (16 angka). Atau cari keluarga menurut "
        "desa dan RT:"
    ),
    "Please type a name or a number.": "Mohon ketik nama atau nomor.",
    "Not found in your area. Check the number, or search by name.": (
        "Tidak ditemukan di wilayah Bapak/Ibu. Periksa nomornya, atau cari menurut nama."
    ),
    "Please type at least 3 letters of the name.": "Mohon ketik paling sedikit 3 huruf nama.",
    "No family with that name in your area. Try another spelling.": (
        "Tidak ada keluarga dengan nama itu di wilayah Bapak/Ibu. Coba ejaan lain."
    ),
    "Families found (page {page}). Tap one to open its card:": (
        "Keluarga yang ditemukan (halaman {page}). Ketuk salah satu untuk membuka kartunya:"
    ),
    "Please search again with /cari.": "Mohon cari lagi dengan /cari.",
    "Choose the kecamatan:": "Pilih kecamatan:",
    "Choose the desa:": "Pilih desa/kelurahan:",
    "This desa is not in your area.": "Desa ini bukan wilayah Bapak/Ibu.",
    "No families recorded in {desa}.": "Belum ada keluarga yang tercatat di {desa}.",
    "RT {rt}": "RT {rt}",
    "{desa}: choose the RT:": "{desa}: pilih RT:",
    "{desa}, RT {rt}: tap a family to open its card.": (
        "{desa}, RT {rt}: ketuk keluarga untuk membuka kartunya."
    ),
    "✉️ Invite a volunteer": "✉️ Undang relawan",
    "👥 Volunteers": "👥 Relawan",
    "Invite a volunteer": "Undang relawan",
    "creates a one-time code for a new PSM or TKSK (valid 7 days).": (
        "membuat kode sekali pakai untuk PSM atau TKSK baru (berlaku 7 hari)."
    ),
    "Volunteers": "Relawan",
    "lists the volunteers and lets you revoke one.": (
        "menampilkan daftar relawan dan bisa mencabut salah satunya."
    ),
    "PSM (desa)": "PSM (desa)",
    "TKSK (kecamatan)": "TKSK (kecamatan)",
    "Invite a volunteer. Which role?": "Undang relawan. Perannya apa?",
    "The invitation is cancelled; its code no longer works.": (
        "Undangan dibatalkan; kodenya tidak berlaku lagi."
    ),
    "This invitation was already used, cancelled or expired.": (
        "Undangan ini sudah dipakai, dibatalkan, atau kedaluwarsa."
    ),
    "{role}: choose the kecamatan:": "{role}: pilih kecamatan:",
    "PSM, Kec. {kecamatan}: choose the desa/kelurahan:": (
        "PSM, Kec. {kecamatan}: pilih desa/kelurahan:"
    ),
    "That area does not fit the role. Please start again: /undang": (
        "Wilayah itu tidak cocok dengan perannya. Mohon mulai lagi: /undang"
    ),
    "✖️ Cancel this invitation": "✖️ Batalkan undangan ini",
    "Invitation for {role} of {area}.\n\nCode: {code}\nLink: {link}\n\nGive the code or the "
    "link to the volunteer only. They send /petugas {code} to the bot, or open the link. It "
    "works once, until {until}.": (
        "Undangan untuk {role} {area}.\n\nKode: {code}\nTautan: {link}\n\nBerikan kode atau "
        "tautan ini hanya kepada relawannya. Relawan mengirim /petugas {code} ke bot, atau "
        "membuka tautannya. Berlaku sekali, sampai {until}."
    ),
    "There are no volunteers yet. Invite one with /undang.": (
        "Belum ada relawan. Undang dengan /undang."
    ),
    "Volunteers ({count}):": "Relawan ({count}):",
    "Revoke {n}. {name}": "Cabut {n}. {name}",
    "This person is no longer a volunteer.": "Orang ini sudah bukan relawan.",
    "Yes, revoke": "Ya, cabut",
    "No": "Tidak",
    "Revoke {name} as volunteer? They will no longer see any family data.": (
        "Cabut {name} sebagai relawan? Ia tidak akan bisa melihat data keluarga lagi."
    ),
    "Nothing was changed.": "Tidak ada yang diubah.",
    "{name} is no longer a volunteer.": "{name} sekarang bukan relawan lagi.",
    "Please send the code you received from Dinas Sosial, like this: /petugas ABCD2345": (
        "Mohon kirim kode yang Bapak/Ibu terima dari Dinas Sosial, seperti ini: "
        "/petugas ABCD2345"
    ),
    "That code is not right. Please check it and try again.": (
        "Kode itu salah. Mohon periksa dan coba lagi."
    ),
    "That code has already been used. Please ask Dinas Sosial for a new one.": (
        "Kode itu sudah dipakai. Mohon minta kode baru ke Dinas Sosial."
    ),
    "That code has expired. Please ask Dinas Sosial for a new one.": (
        "Kode itu sudah kedaluwarsa. Mohon minta kode baru ke Dinas Sosial."
    ),
    "That code was cancelled. Please ask Dinas Sosial for a new one.": (
        "Kode itu sudah dibatalkan. Mohon minta kode baru ke Dinas Sosial."
    ),
    "Too many wrong codes. Please wait an hour and try again.": (
        "Terlalu banyak kode salah. Mohon tunggu satu jam lalu coba lagi."
    ),
    "You are Dinas Sosial staff already; you do not need a code.": (
        "Bapak/Ibu sudah petugas Dinas Sosial; tidak perlu kode."
    ),
    "Welcome, you are now {role} for {area}.": (
        "Selamat bergabung, Bapak/Ibu sekarang {role} untuk {area}."
    ),
    "Before you start, please read and agree to the privacy notice.": (
        "Sebelum mulai, mohon baca dan setujui pemberitahuan privasi."
    ),
    "Your menu has the volunteer tools: tasks, search, visit.": (
        "Menu Bapak/Ibu sekarang berisi alat relawan: tugas, cari, kunjungan."
    ),
    "Urgent report": "Laporan mendesak",
    "Aid not received": "Bantuan belum diterima",
    "Proposed, to verify": "Usulan, perlu verifikasi",
    "Data correction": "Koreksi data",
    "Cannot be reached by the bot": "Tidak terjangkau bot",
    "Not visited for 90 days": "Belum dikunjungi 90 hari",
    "on the list": "terdaftar",
    "proposed, waiting for verification": "diusulkan, menunggu verifikasi",
    "verified": "terverifikasi",
    "rejected": "ditolak",
    "met the family": "bertemu keluarga",
    "nobody home": "tidak ada orang",
    "moved away": "sudah pindah",
    "head of family died": "kepala keluarga meninggal",
    "address not found": "alamat tidak ditemukan",
    "data is wrong": "data salah",
    "Please first agree to the privacy notice.": (
        "Mohon setujui pemberitahuan privasi terlebih dahulu."
    ),
    "{name} · RT {rt}": "{name} · RT {rt}",
    "« Previous": "« Sebelumnya",
    "Next »": "Berikutnya »",
    "never": "belum pernah",
    "RT {rt}/RW {rw}": "RT {rt}/RW {rw}",
    "Kec. {name}": "Kec. {name}",
    "🏠 Family card": "🏠 Kartu keluarga",
    "No. KK: {kk}": "No. KK: {kk}",
    "Address: {place}": "Alamat: {place}",
    "Status: {status}": "Status: {status}",
    "Members:": "Anggota:",
    "{age} yrs": "{age} th",
    "elderly": "lansia",
    "severe disability": "disabilitas berat",
    "• no members recorded": "• belum ada anggota tercatat",
    "income {amount} a month": "penghasilan {amount} sebulan",
    "URGENT": "MENDESAK",
    "Latest self-report: {when}": "Laporan mandiri terakhir: {when}",
    "Latest self-report: none": "Laporan mandiri terakhir: belum ada",
    "Last visit: {when} ({outcome})": "Kunjungan terakhir: {when} ({outcome})",
    "Last visit: never": "Kunjungan terakhir: belum pernah",
    "Open tasks:": "Tugas terbuka:",
    "📝 Record a visit": "📝 Catat kunjungan",
    "📝 Visit": "📝 Kunjungan",
    "Record a field visit": "Catat kunjungan lapangan",
    "record a visit to a family: what you saw, a photo and the location.": (
        "catat kunjungan ke keluarga: yang dilihat, foto, dan lokasi."
    ),
    "Visit to the family of {name} (No. KK {kk}).": (
        "Kunjungan ke keluarga {name} (No. KK {kk})."
    ),
    "Which family? Type its No. KK (16 digits), or open a family from /tugas or /cari and "
    "tap “Record a visit”.": (
        "Keluarga yang mana? Ketik No. KK-nya (16 angka), atau buka keluarga dari /tugas "
        "atau /cari lalu ketuk “Catat kunjungan”."
    ),
    "A No. KK has 16 digits. Please type it again, or send /batal to stop.": (
        "No. KK terdiri dari 16 angka. Mohon ketik lagi, atau kirim /batal untuk berhenti."
    ),
    "This family is no longer in your area: the visit was not saved.": (
        "Keluarga ini bukan lagi wilayah Bapak/Ibu: kunjungan tidak disimpan."
    ),
    "Thank you, the visit is saved.": "Terima kasih, kunjungan sudah tersimpan.",
    "Note: this location is {km} km from where the family was recorded before. If it is "
    "wrong, please tell the office.": (
        "Catatan: lokasi ini {km} km dari lokasi keluarga yang tercatat sebelumnya. Bila "
        "salah, mohon beri tahu kantor."
    ),
    "The proposed family is now verified.": "Keluarga usulan sekarang terverifikasi.",
    "The proposed family is rejected.": "Keluarga usulan ditolak.",
    "Good news: the family you proposed (No. KK {kk}) was visited and verified by our "
    "volunteer. It is now on the list for aid.": (
        "Kabar baik: keluarga yang Bapak/Ibu usulkan (No. KK {kk}) sudah dikunjungi dan "
        "diverifikasi oleh relawan kami. Keluarga itu sekarang masuk daftar bantuan."
    ),
    "The family you proposed (No. KK {kk}) was visited by our volunteer and could not be "
    "accepted. Reason: {reason}": (
        "Keluarga yang Bapak/Ibu usulkan (No. KK {kk}) sudah dikunjungi relawan kami dan "
        "belum dapat diterima. Alasannya: {reason}"
    ),
    "The person who proposed it has been told.": "Pengusulnya sudah diberi tahu.",
    "The person who proposed it could not be reached by the bot.": (
        "Pengusulnya tidak dapat dihubungi lewat bot."
    ),
    "▶️ Continue the visit": "▶️ Lanjutkan kunjungan",
    "🗑 Discard it": "🗑 Buang",
    "You have an unfinished visit report. Continue where you stopped, or discard it?": (
        "Ada laporan kunjungan yang belum selesai. Lanjutkan dari yang terakhir, atau buang?"
    ),
    "There is no unfinished visit.": "Tidak ada kunjungan yang belum selesai.",
    "The unfinished visit was discarded. Nothing was saved.": (
        "Kunjungan yang belum selesai sudah dibuang. Tidak ada yang disimpan."
    ),
    "Location: {url}": "Lokasi: {url}",
    "A NIK or No. KK has 16 digits; you typed {count}. Please type it again.": (
        "NIK atau No. KK terdiri dari 16 angka; Bapak/Ibu mengetik {count} angka. Mohon ketik lagi."
    ),
}
