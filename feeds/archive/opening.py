"""Opening archive files safely (issue 14): only regular files inside the archive, no
larger than a limit, never blocking. Everything else is :class:`Unreadable`, with a
message for a ``path: error: …`` diagnostic; the file is skipped, the rest published.
"""

from __future__ import annotations

import errno
import os
import stat as stat_module


class Unreadable(OSError):
    """A file that is reported and skipped: the message says why."""

    def __init__(self, message: str, signature: tuple[int, int, int] = (0, 0, 0)) -> None:
        super().__init__(message)
        self.signature = signature


def regular_file_stat(path: str, root: str, max_bytes: int) -> os.stat_result:
    """``stat`` of a regular file inside ``root``, no larger than ``max_bytes``; raises
    Unreadable for anything else (issue 14: nothing else is ever opened)."""
    link = os.lstat(path)
    if stat_module.S_ISLNK(link.st_mode):
        target = os.path.realpath(path)
        if os.path.commonpath([root, target]) != root:
            raise Unreadable(f"symbolic link to {target}, outside the archive: not read")
        try:
            info = os.stat(path)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise Unreadable("symbolic link loop: not read") from None
            if isinstance(exc, FileNotFoundError):
                raise Unreadable(f"symbolic link to {target}, which does not exist") from None
            raise Unreadable(f"cannot read: {exc.strerror}") from None
    else:
        info = link
    signature = (info.st_mtime_ns, info.st_size, info.st_ino)
    if not stat_module.S_ISREG(info.st_mode):
        raise Unreadable(f"not a regular file ({_kind(info.st_mode)}): not read", signature)
    if info.st_size > max_bytes:
        raise Unreadable(
            f"{info.st_size:,} bytes, more than FEEDS_MAX_FILE_BYTES ({max_bytes:,}): not read",
            signature,
        )
    return info


def _kind(mode: int) -> str:
    kinds = {stat_module.S_ISFIFO: "a FIFO", stat_module.S_ISSOCK: "a socket",
             stat_module.S_ISCHR: "a character device", stat_module.S_ISBLK: "a block device",
             stat_module.S_ISDIR: "a directory"}  # fmt: skip
    return next((name for test, name in kinds.items() if test(mode)), "not a file")


def _without_blocking(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_NONBLOCK)


def read_bytes(path: str, max_bytes: int | None = None) -> bytes:
    """The file's bytes. Opened without blocking and checked again once open, so a FIFO
    swapped in after the ``stat`` can never hang a reload (issue 14)."""
    try:
        file = open(path, "rb", opener=_without_blocking)  # noqa: SIM115 (closed below)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror}") from None
    with file:
        info = os.fstat(file.fileno())
        if not stat_module.S_ISREG(info.st_mode):
            raise Unreadable(f"not a regular file ({_kind(info.st_mode)}): not read")
        try:
            data = file.read() if max_bytes is None else file.read(max_bytes + 1)
        except OSError as exc:
            raise Unreadable(f"cannot read: {exc.strerror}") from None
    if max_bytes is not None and len(data) > max_bytes:
        raise Unreadable(f"more than FEEDS_MAX_FILE_BYTES ({max_bytes:,}) bytes: not read")
    return data
