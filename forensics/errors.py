"""One exception root for the library; the CLI catches it once."""


class ForensicsError(Exception):
    """Base class of every error the library raises on purpose."""


class UnreadableFile(ForensicsError):
    """A file could not be read or decoded; the message says why."""


class ReferenceIndexError(ForensicsError):
    """A reference index is missing, corrupt or not one of ours."""


class CaseFileError(ForensicsError):
    """A case file is malformed; the message names the line."""
