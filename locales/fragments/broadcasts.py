"""Indonesian texts of staff broadcasts and reminders."""
# ruff: noqa: E501

T = {
    "📣 Broadcast #{id}: preparing the recipient list…": "📣 Siaran #{id}: menyiapkan daftar penerima…",
    "📣 Broadcast #{id}: sending…": "📣 Siaran #{id}: sedang dikirim…",
    "⏸ Broadcast #{id} is paused.": "⏸ Siaran #{id} dijeda.",
    "✖️ Broadcast #{id} was cancelled.": "✖️ Siaran #{id} dibatalkan.",
    "✅ Broadcast #{id} is finished.": "✅ Siaran #{id} selesai.",
    "📣 Broadcast #{id}": "📣 Siaran #{id}",
    "Sent {sent} of {total} ({percent}%) · failed {failed} · blocked {blocked}":
        "Terkirim {sent} dari {total} ({percent}%) · gagal {failed} · diblokir {blocked}",
    "{n} uncertain: the bot stopped while sending to them; not sent again, so that nobody "
    "gets it twice.":
        "{n} tidak pasti: bot berhenti saat mengirim kepada mereka; tidak dikirim ulang agar "
        "tidak ada yang menerima dua kali.",
    "{n} were not sent.": "{n} tidak jadi dikirim.",
    "{n} households could not be reached by the bot: they are now visit tasks for the "
    "volunteers of their desa.":
        "{n} keluarga tidak terjangkau oleh bot: sekarang menjadi tugas kunjungan relawan di "
        "desanya.",
    "⏸ Pause": "⏸ Jeda",
    "✖️ Cancel": "✖️ Batal",
    "▶️ Resume": "▶️ Lanjutkan",
    "🔁 Resend to the {n} that failed": "🔁 Kirim ulang ke {n} yang gagal",
    "⏰ Reminder: tomorrow is the payout of {title}.\nWhen: {when}\nWhere: {place}":
        "⏰ Pengingat: besok penyaluran {title}.\nWaktu: {when}\nTempat: {place}",
    "Please bring: {bring}": "Mohon bawa: {bring}",
    "⏰ Reminder: your training {title} is tomorrow.\nWhen: {when}\nWhere: {place}":
        "⏰ Pengingat: pelatihan {title} Bapak/Ibu besok.\nWaktu: {when}\nTempat: {place}",
    "📣 Broadcast": "📣 Siaran",
    "Broadcast a notice": "Kirim siaran",
    "sends a notice to residents or volunteers, with a preview and the exact number of "
    "recipients.":
        "mengirim pengumuman ke warga atau relawan, dengan pratinjau dan jumlah penerima "
        "yang pasti.",
    "All linked residents": "Semua warga terhubung",
    "A kecamatan": "Satu kecamatan",
    "A desa/kelurahan": "Satu desa/kelurahan",
    "A program": "Satu program",
    "Recipients of a disbursement": "Penerima satu penyaluran",
    "Participants of a training": "Peserta satu pelatihan",
    "Volunteers (PSM/TKSK)": "Relawan (PSM/TKSK)",
    "Write the message to broadcast. You may also send a photo or a document with the "
    "message as its caption.\nDo not put anyone's personal data (NIK, names) in it.\n"
    "/batal stops.":
        "Tulis pesan siaran. Boleh juga kirim foto atau dokumen dengan pesan sebagai "
        "keterangannya.\nJangan cantumkan data pribadi siapa pun (NIK, nama).\n"
        "/batal untuk berhenti.",
    "Please send the text of the message (with a photo or document, as its caption). "
    "/batal stops.":
        "Mohon kirim teks pesannya (jika dengan foto atau dokumen, sebagai keterangannya). "
        "/batal untuk berhenti.",
    "Who should receive it?": "Siapa yang menerima?",
    "all linked residents": "semua warga terhubung",
    "all volunteers (PSM/TKSK)": "semua relawan (PSM/TKSK)",
    "Which kecamatan?": "Kecamatan mana?",
    "Which program?": "Program apa?",
    "Which disbursement?": "Penyaluran yang mana?",
    "Which training?": "Pelatihan yang mana?",
    "⬅️ Choose another audience": "⬅️ Pilih penerima lain",
    "There is none to choose yet.": "Belum ada yang bisa dipilih.",
    "Which desa/kelurahan?": "Desa/kelurahan mana?",
    "Kecamatan {name}": "Kecamatan {name}",
    "Desa/Kelurahan {name}": "Desa/Kelurahan {name}",
    "program {code}": "program {code}",
    "recipients of {title}": "penerima {title}",
    "participants of {title}": "peserta {title}",
    "Preview: this is what they will receive.": "Pratinjau: inilah yang akan mereka terima.",
    "Nobody in {audience} can receive it (no linked account, or they blocked the bot).":
        "Tidak ada di {audience} yang bisa menerima (belum terhubung, atau memblokir bot).",
    "✅ Send to {n} people": "✅ Kirim ke {n} orang",
    "Recipients: {audience}, {n} people. Send it?": "Penerima: {audience}, {n} orang. Kirim?",
    "Broadcast cancelled. Nothing was sent.": "Siaran dibatalkan. Tidak ada yang dikirim.",
    "Here is the main menu.": "Ini menu utama.",
    "This draft is closed. Start again with /siaran.":
        "Draf ini sudah ditutup. Mulai lagi dengan /siaran.",
    "Sending again to {n}.": "Mengirim ulang ke {n}.",
    "Nothing to resend.": "Tidak ada yang perlu dikirim ulang.",
    "Paused.": "Dijeda.",
    "Sending again.": "Dilanjutkan.",
    "Cancelled.": "Dibatalkan.",
    "That is no longer possible.": "Itu sudah tidak bisa dilakukan.",
}
