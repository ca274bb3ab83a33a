#!/bin/sh
# heppy_loop.py as the original heppy's users type it: heppy translates it into the command that does the
# same work (README.md, "From the original heppy"). A shell script, since Node runs no .py file.
self=$(readlink -f "$0" 2>/dev/null || printf '%s' "$0")
exec node "$(dirname "$self")/heppy.js" --legacy-program heppy_loop.py "$@"
