"""Work that runs on the calendar: the daily segment upkeep, run by ``retentio worker``."""
