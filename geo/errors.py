"""Errors the engine raises, so the UI can show clear messages instead of tracebacks."""

from __future__ import annotations


class GeoError(Exception):
    """Base class for every error the engine raises on purpose."""


class ValidationError(GeoError, ValueError):
    """Input that cannot be used: a bad argument, column, row or value. The message names it."""


class DataError(GeoError):
    """A data file is missing or unreadable as a whole (not a row-level problem)."""
