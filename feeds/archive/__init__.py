"""Stage 1, the archive: the one place that reads the press-release files.

Files are listed and read (:mod:`.files`), decoded (:mod:`.decoding`), and parsed
(:mod:`.parsing`, with :mod:`.dates` for the date line) into immutable :class:`Entry`
values with stable ids (:mod:`.ids`) and ``path:line`` diagnostics.
"""
