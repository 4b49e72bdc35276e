"""One exception hierarchy: the CLI turns any InfoseekError into a one-line message and exit code 1."""


class InfoseekError(Exception):
    """Root of every error this package raises on purpose; the message says where and how to fix it."""


class InputError(InfoseekError):
    """An input file, record or option is missing or malformed and the run cannot go on."""


class StoreError(InfoseekError):
    """A record shard or completion marker is unreadable or belongs to something else."""


class IndexMismatchError(InfoseekError):
    """An index directory holds a different index, or one built by an incompatible version."""


class LLMError(InfoseekError):
    """A model could not be loaded or called, or kept answering outside its schema."""


class ConfigError(InfoseekError):
    """A config file or option value is invalid."""
