"""Indonesian texts of the residents' self-report, aid schedule and training features."""

T = {
    # /lapor options
    "Not working": "Tidak bekerja",
    "Daily labourer": "Buruh harian",
    "Farmer or fisher": "Petani atau nelayan",
    "Small trader": "Pedagang kecil",
    "Employee": "Karyawan",
    "Other work": "Pekerjaan lain",
    "Earth": "Tanah",
    "Wood or bamboo": "Kayu atau bambu",
    "Cement": "Semen",
    "Tiles": "Keramik",
    "Bamboo or woven mat": "Bambu atau bilik",
    "Wood or board": "Kayu atau papan",
    "Brick, damaged": "Tembok, rusak",
    "Brick, good": "Tembok, bagus",
    "Leaves or straw": "Daun atau ijuk",
    "Zinc or asbestos": "Seng atau asbes",
    "Roof tiles": "Genteng",
    "Concrete": "Beton",
    "River or rain": "Sungai atau air hujan",
    "Open well": "Sumur terbuka",
    "Protected well or pump": "Sumur terlindung atau pompa",
    "Piped or bought water": "PAM atau air beli",
    "None (river, field)": "Tidak ada (sungai, kebun)",
    "Shared": "Bersama",
    "Own toilet": "Milik sendiri",
    "None": "Tidak ada",
    "From a neighbour": "Numpang tetangga",
    "PLN 450 VA": "PLN 450 VA",
    "PLN 900 VA or more": "PLN 900 VA atau lebih",
    "Food": "Makanan",
    "Health": "Kesehatan",
    "House repair": "Perbaikan rumah",
    "Work": "Pekerjaan",
    "School costs": "Biaya sekolah",
    "Enough": "Cukup",
    "Not enough": "Kurang",
    "No food at all": "Tidak ada makanan",
    "Ill, being treated": "Sakit, sedang berobat",
    "Severely ill, not treated": "Sakit parah, belum berobat",
    "Safe": "Aman",
    "Damaged but livable": "Rusak tapi masih bisa ditinggali",
    "Unsafe, may collapse": "Tidak aman, bisa roboh",
    # /lapor questions
    "That is more than the {count} members of the household. Please check again.":
        "Itu lebih banyak dari {count} anggota keluarga. Mohon periksa lagi.",
    "Report your household's condition now. It takes about 3 minutes.":
        "Laporkan kondisi keluarga Bapak/Ibu saat ini. Hanya sekitar 3 menit.",
    "What is the main work of the head of household?":
        "Apa pekerjaan utama kepala keluarga?",
    "How much is the income of the whole household in a month?":
        "Berapa penghasilan seluruh keluarga dalam sebulan?",
    "For example: 800 ribu, 1,5 juta or 1.500.000. No income: type 0.":
        "Contoh: 800 ribu, 1,5 juta atau 1.500.000. Tidak ada penghasilan: ketik 0.",
    "How many people live in the household?": "Berapa orang yang tinggal dalam keluarga?",
    "How many of them are elderly (60 years or older)?":
        "Berapa orang di antaranya lansia (60 tahun ke atas)?",
    "How many of them have a severe disability?":
        "Berapa orang di antaranya penyandang disabilitas berat?",
    "How many children of school age (7-18 years) do not go to school?":
        "Berapa anak usia sekolah (7-18 tahun) yang tidak sekolah?",
    "What is the floor of the house?": "Apa lantai rumahnya?",
    "What are the walls of the house?": "Apa dinding rumahnya?",
    "What is the roof of the house?": "Apa atap rumahnya?",
    "Where does your drinking water come from?": "Dari mana air minum keluarga?",
    "What toilet does the household use?": "Jamban (WC) apa yang dipakai keluarga?",
    "What electricity does the house have?": "Listrik apa yang ada di rumah?",
    "What does the household need most urgently now?":
        "Apa yang paling mendesak dibutuhkan keluarga sekarang?",
    "Nothing urgent: tap “Done” without choosing.":
        "Tidak ada yang mendesak: tekan “Selesai” tanpa memilih.",
    "Is there food at home for today?": "Apakah ada makanan di rumah untuk hari ini?",
    "How ill is the sick family member?": "Seberapa parah sakit anggota keluarga?",
    "Is the house safe to live in?": "Apakah rumah aman untuk ditinggali?",
    "A photo of the house (optional).": "Foto rumah (boleh dilewati).",
    "The location of the house (optional).": "Lokasi rumah (boleh dilewati).",
    "Anything else you want to tell us? (optional)":
        "Ada hal lain yang ingin disampaikan? (boleh dilewati)",
    "Please check your report:": "Mohon periksa laporan Bapak/Ibu:",
    "Your account is no longer linked to a household, so the report was not saved. "
    "Please link it again with /daftar.":
        "Akun Bapak/Ibu tidak lagi terhubung dengan keluarga, jadi laporan belum disimpan. "
        "Silakan hubungkan lagi dengan /daftar.",
    "Thank you, Bapak/Ibu. Your report is saved.":
        "Terima kasih, Bapak/Ibu. Laporan sudah disimpan.",
    "Income per person per day: {amount}.": "Penghasilan per orang per hari: {amount}.",
    "Your report says you need help urgently. A volunteer (PSM/TKSK) of your area has been "
    "asked to visit you soon.":
        "Laporan Bapak/Ibu menyebut ada kebutuhan mendesak. Pendamping (PSM/TKSK) di wilayah "
        "Bapak/Ibu sudah diminta segera berkunjung.",
    "Dinas Sosial staff will use it to check which aid fits your household. You can send a "
    "new report any time with /lapor.":
        "Petugas Dinas Sosial akan memakainya untuk menilai bantuan yang cocok bagi keluarga "
        "Bapak/Ibu. Laporan baru bisa dikirim kapan saja dengan /lapor.",
    "First please read and agree to the privacy notice: /privasi":
        "Mohon baca dan setujui dulu pemberitahuan privasi: /privasi",
    "Your account is not linked to a household yet. Please link it first with /daftar (you "
    "need your KK number and NIK).":
        "Akun Bapak/Ibu belum terhubung dengan data keluarga. Silakan hubungkan dulu dengan "
        "/daftar (siapkan nomor KK dan NIK).",
    "📝 Report condition": "📝 Lapor Kondisi",
    "Report your household's condition": "Lapor kondisi keluarga",
    "report your household's condition now (work, income, house, urgent needs).":
        "melaporkan kondisi keluarga saat ini (pekerjaan, penghasilan, rumah, kebutuhan "
        "mendesak).",
    # /jadwal
    "📅 Aid schedule": "📅 Jadwal Bantuan",
    "Aid schedule": "Jadwal bantuan",
    "shows when and where your household's aid is paid, and what to bring.":
        "menampilkan kapan dan di mana bantuan keluarga dibagikan, serta apa yang dibawa.",
    "KTP and KK (originals)": "KTP dan KK (asli)",
    "❌ {program}: {title}\n{when}\nThis disbursement has been cancelled.":
        "❌ {program}: {title}\n{when}\nPenyaluran ini dibatalkan.",
    "📅 {program}: {title}\nAmount: {amount}\nWhen: {when}\nWhere: {place}\nBring: {bring}":
        "📅 {program}: {title}\nJumlah: {amount}\nWaktu: {when}\nTempat: {place}\n"
        "Bawa: {bring}",
    "received": "diterima",
    "not collected yet": "belum diambil",
    "• {program}, {when}, {amount}: {status}": "• {program}, {when}, {amount}: {status}",
    "🔕 Turn off reminders": "🔕 Matikan pengingat",
    "🔔 Turn on reminders": "🔔 Nyalakan pengingat",
    "We send you a reminder the day before each disbursement.":
        "Kami mengirim pengingat sehari sebelum setiap penyaluran.",
    "Reminders are off: you get no message the day before a disbursement.":
        "Pengingat mati: tidak ada pesan sehari sebelum penyaluran.",
    "Have you received the aid {program} ({title}) of {when}?":
        "Sudah menerima bantuan {program} ({title}) tanggal {when}?",
    "✅ Yes, received": "✅ Ya, sudah",
    "❌ Not yet": "❌ Belum",
    "Your household's upcoming aid:": "Jadwal bantuan keluarga Bapak/Ibu:",
    "There is no aid scheduled for your household yet. We will send you a message as soon as "
    "there is one.":
        "Belum ada jadwal bantuan untuk keluarga Bapak/Ibu. Kami akan mengirim pesan begitu "
        "ada jadwal.",
    "Earlier aid:": "Bantuan sebelumnya:",
    "Reminders are on.": "Pengingat dinyalakan.",
    "Reminders are off.": "Pengingat dimatikan.",
    "This question is not for your household.": "Pertanyaan ini bukan untuk keluarga Bapak/Ibu.",
    "Your answer was already recorded. Thank you.": "Jawaban sudah dicatat. Terima kasih.",
    "Thank you. We have recorded that you received the aid.":
        "Terima kasih. Sudah kami catat bahwa bantuan sudah diterima.",
    "We are sorry. Please tell us in a few words what happened (for example: name not on the "
    "list, place closed). Or tap “Skip”.":
        "Mohon maaf. Ceritakan singkat apa yang terjadi (contoh: nama tidak ada di daftar, "
        "tempat tutup). Atau tekan “Lewati”.",
    "⚠️ A household in {desa} (KK {kk}) says it has NOT received the aid {program} of "
    "{when}.\nComplaint: {complaint}\nSee /tugas.":
        "⚠️ Satu keluarga di {desa} (KK {kk}) melapor BELUM menerima bantuan {program} "
        "tanggal {when}.\nKeluhan: {complaint}\nLihat /tugas.",
    "Thank you. Your complaint is recorded and sent to the TKSK of your kecamatan and to "
    "Dinas Sosial. A volunteer will contact you.":
        "Terima kasih. Keluhan sudah dicatat dan dikirim ke TKSK kecamatan dan Dinas Sosial. "
        "Pendamping akan menghubungi Bapak/Ibu.",
    "Please type a few words, or tap “Skip”.": "Mohon ketik beberapa kata, atau tekan “Lewati”.",
    # /pelatihan
    "🎓 Training": "🎓 Pelatihan",
    "Skills training": "Pelatihan keterampilan",
    "lists open skills trainings; sign up a member of your household or cancel.":
        "menampilkan pelatihan yang dibuka; daftarkan anggota keluarga atau batalkan.",
    "{start} until {end}": "{start} sampai {end}",
    "Seats left: {left} of {capacity}": "Sisa kursi: {left} dari {capacity}",
    "Full. Waiting list: {count} people": "Penuh. Daftar tunggu: {count} orang",
    "🎓 {title}\nBy: {provider}\nWhen: {when}\nWhere: {place}\n{seats}\nWho may join: aged "
    "{min_age}-{max_age} years":
        "🎓 {title}\nPenyelenggara: {provider}\nWaktu: {when}\nTempat: {place}\n{seats}\n"
        "Peserta: usia {min_age}-{max_age} tahun",
    "📋 My trainings": "📋 Pelatihan saya",
    "There is no open training right now. We will announce new trainings here. Your sign-ups: "
    "tap “My trainings”.":
        "Saat ini belum ada pelatihan yang dibuka. Pelatihan baru akan diumumkan di sini. "
        "Pendaftaran Bapak/Ibu: tekan “Pelatihan saya”.",
    "Open trainings:": "Pelatihan yang dibuka:",
    "✍️ Sign up: {title}": "✍️ Daftar: {title}",
    "This training is no longer available. See /pelatihan.":
        "Pelatihan ini sudah tidak tersedia. Lihat /pelatihan.",
    "Who in your household will join “{title}”?": "Siapa anggota keluarga yang ikut “{title}”?",
    "Done: {name} is signed up for “{title}”. Please come on {when} at {place}. Bring your KTP.":
        "Berhasil: {name} terdaftar di “{title}”. Silakan datang {when} di {place}. "
        "Bawa KTP.",
    "“{title}” is full. {name} is on the waiting list, number {position}. We will tell you "
    "here as soon as a seat frees up.":
        "“{title}” sudah penuh. {name} masuk daftar tunggu, nomor {position}. Kami kabari "
        "di sini begitu ada kursi kosong.",
    "{name} is already on the waiting list of “{title}”, number {position}.":
        "{name} sudah ada di daftar tunggu “{title}”, nomor {position}.",
    "{name} is already signed up for “{title}”.": "{name} sudah terdaftar di “{title}”.",
    "Sorry, {name} is too young for “{title}”: it is for people aged {min_age} to {max_age}. "
    "You can sign up another member of the household.":
        "Maaf, {name} belum cukup umur untuk “{title}”: pelatihan ini untuk usia {min_age} "
        "sampai {max_age} tahun. Bapak/Ibu bisa mendaftarkan anggota keluarga lain.",
    "Sorry, {name} is older than the age limit of “{title}”: it is for people aged {min_age} "
    "to {max_age}. You can sign up another member of the household.":
        "Maaf, usia {name} melewati batas untuk “{title}”: pelatihan ini untuk usia {min_age} "
        "sampai {max_age} tahun. Bapak/Ibu bisa mendaftarkan anggota keluarga lain.",
    "Sorry, sign-up for this training is closed. See /pelatihan for open ones.":
        "Maaf, pendaftaran pelatihan ini sudah ditutup. Lihat /pelatihan untuk yang dibuka.",
    "This person is not in your household.": "Orang ini bukan anggota keluarga Bapak/Ibu.",
    "waiting list, number {position}": "daftar tunggu, nomor {position}",
    "signed up": "terdaftar",
    "Nobody in your household is signed up for a training. See /pelatihan.":
        "Belum ada anggota keluarga yang terdaftar di pelatihan. Lihat /pelatihan.",
    "Your household's trainings:": "Pelatihan keluarga Bapak/Ibu:",
    "• {name}: “{title}”, {when}: {status}": "• {name}: “{title}”, {when}: {status}",
    "✖️ Cancel: {name}, {title}": "✖️ Batalkan: {name}, {title}",
    "Yes, cancel": "Ya, batalkan",
    "No, keep it": "Tidak, tetap ikut",
    "This sign-up is not of your household.": "Pendaftaran ini bukan milik keluarga Bapak/Ibu.",
    "Cancel the sign-up of {name} for “{title}”?": "Batalkan pendaftaran {name} di “{title}”?",
    "This sign-up was already cancelled.": "Pendaftaran ini sudah dibatalkan.",
    "The sign-up of {name} for “{title}” is cancelled.":
        "Pendaftaran {name} di “{title}” sudah dibatalkan.",
    "Good news: a seat freed up. {name} is now signed up for “{title}”. Please come on {when} "
    "at {place}. Bring your KTP.":
        "Kabar baik: ada kursi kosong. {name} sekarang terdaftar di “{title}”. Silakan datang "
        "{when} di {place}. Bawa KTP.",
    "Please link your household first with /daftar.":
        "Silakan hubungkan data keluarga dulu dengan /daftar.",
    "⚠️ Urgent report from a household in {desa} (KK {kk}): {reasons}. Please visit soon; "
    "see /tugas.":
        "⚠️ Laporan mendesak dari keluarga di {desa} (KK {kk}): {reasons}. Mohon segera "
        "dikunjungi; lihat /tugas.",
}
