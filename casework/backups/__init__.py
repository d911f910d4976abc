"""Encrypted, verified backups of the database and the uploads, and their restore."""
