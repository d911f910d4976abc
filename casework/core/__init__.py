"""Shared building blocks: database base, column types, vocabularies, request pipeline."""
