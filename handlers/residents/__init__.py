"""What residents (warga) use: linking a household, their data, reports, aid schedules,
trainings, checking a message, and typed questions pointed to the right command."""
