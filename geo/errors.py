"""Errors the engine raises, so the UI can show clear messages instead of tracebacks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class GeoError(Exception):
    """Base class for every error the engine raises on purpose.

    The message is for developers and logs: it names the argument and the value received.
    ``code`` and ``params`` let the user interface word the same problem in its own language
    (``ui.i18n.error_text``); an error without a code is shown with a generic sentence.

    Parameters
    ----------
    message : str
        English text naming what was wrong.
    code : str, optional
        Stable message code of the catalogue in ``ui/i18n.py`` (``problem.<code>``).
    params : mapping, optional
        The values the worded message names.
    """

    def __init__(self, message: str = "", *, code: str | None = None,
                 params: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.params = dict(params) if params else {}


class ValidationError(GeoError, ValueError):
    """Input that cannot be used: a bad argument, column, row or value. The message names it."""


class DataError(GeoError):
    """A data file is missing or unreadable as a whole (not a row-level problem)."""


class SettingsError(GeoError, ValueError):
    """A setting (environment variable or secrets.toml key) has an impossible value."""
