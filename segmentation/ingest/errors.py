"""The one error the loader raises for a delivery it refuses."""

from __future__ import annotations


class RawInputError(Exception):
    """A raw file is missing, empty, unreadable, not UTF-8, in another delimiter, or lacks a required column.

    The message names the file (and the column, where there is one) and says what to do, as
    docs/rules/raw-input.md#what-stops-the-build asks: it is shown to the user as it is.
    """
