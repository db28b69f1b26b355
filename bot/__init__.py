"""Nirmiskin: the Telegram bot of Dinas Sosial Kabupaten Bekasi."""
