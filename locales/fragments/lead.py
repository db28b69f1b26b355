"""Indonesian texts of the lead's integration code (shared helpers, cross-feature glue)."""

T = {
    "{date}, at {time} WIB": "{date}, pukul {time} WIB",
    "Sorry, this is only for Dinas Sosial staff.": (
        "Maaf, fitur ini hanya untuk petugas Dinas Sosial."
    ),
    "Sorry, this is only for volunteers (PSM/TKSK) and staff.": (
        "Maaf, fitur ini hanya untuk pendamping (PSM/TKSK) dan petugas Dinas Sosial."
    ),
    "If you think this is a mistake, you can register again with /daftar or ask the volunteer "
    "(PSM) of your desa.": (
        "Jika menurut Bapak/Ibu ini keliru, Bapak/Ibu dapat mendaftar lagi lewat /daftar atau "
        "bertanya kepada pendamping (PSM) di desa Bapak/Ibu."
    ),
}
