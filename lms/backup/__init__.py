"""Backups: one versioned archive holding the database dump and the storage folder."""
