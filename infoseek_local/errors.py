"""One exception hierarchy: the CLI turns any InfoseekError into a one-line message and exit code 1."""

import errno


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


_OS_ERROR_FIXES = {
    errno.ENOSPC: "the disk is full; free space, then rerun the same command to resume (finished shards are kept)",
    errno.EDQUOT: "the disk quota is used up; free space, then rerun the same command to resume",
    errno.EACCES: "not allowed to write there; fix its permissions or pick another output path",
    errno.EPERM: "not allowed to write there; fix its permissions or pick another output path",
    errno.EROFS: "the file system is read-only; pick another output path",
    errno.ENOTDIR: "a part of this path is a file, not a directory; pick another output path",
    errno.EISDIR: "this is a directory where a file was expected; pick another path",
}


def os_error_message(exc: OSError) -> str:
    """One line for an operating-system error the CLI did not expect: the path, what happened, the fix."""
    where = f"{exc.filename}: " if exc.filename else ""
    what = exc.strerror or str(exc)
    fix = _OS_ERROR_FIXES.get(exc.errno or -1, "")
    return f"{where}{what}" + (f"; {fix}" if fix else "")
