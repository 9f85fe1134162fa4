#!/usr/bin/env bash
# Prints the Python that `make` builds .venv with: Debian's /usr/bin/python3.11 when it
# is there and can make a venv, else the first python3.11 (or python3) on PATH.
#
# Debian builds its python3.11 with profile-guided and link-time optimisation; a source
# build without --enable-optimizations (pyenv's default, as on these machines) runs the
# archive load about 8% slower (bench/README.md). Override with `make PYTHON=...`.
set -u
for candidate in /usr/bin/python3.11 python3.11; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c \
        'import ensurepip, sys, venv; ensurepip.version(); sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null
    then
        echo "$candidate"
        exit 0
    fi
done
echo python3
