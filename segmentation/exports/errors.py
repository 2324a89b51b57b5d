"""The two ways an export stops without writing a file."""


class ExportRefused(Exception):
    """The request names a campaign or field that does not exist or is not allowed, or there is nothing to export
    (the command exits 2)."""


class ExportFailed(Exception):
    """The export cannot be made: no published warehouse, a table missing from it, a file that cannot be written
    (the command exits 1)."""
