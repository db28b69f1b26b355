"""What Dinas Sosial staff (petugas) use: data import and export, aid schedules, trainings,
broadcasts and statistics."""
