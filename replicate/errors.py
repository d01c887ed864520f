"""One exception type for every error a user can fix; its message names the fix."""


class ReplicateError(Exception):
    """Bad input or missing data. ``python -m replicate`` prints the message alone, without a traceback."""


class DatasetError(ReplicateError):
    """A dataset is unknown, missing, or corrupt."""


class ParameterError(ReplicateError):
    """A notebook parameter or profile is unknown."""
