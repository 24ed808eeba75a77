"""Replaces one generated section of a Markdown file with stdin, between the lines
`<!-- NAME:start -->` and `<!-- NAME:end -->` (appended at the end when absent), so that
each benchmark script rewrites its own section and leaves the others.

usage: python3 bench/report.py … | python3 bench/splice.py docs/benchmarks.md load
"""
import sys

path, name = sys.argv[1], sys.argv[2]
start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
section = sys.stdin.read().rstrip("\n")
try:
    text = open(path, encoding="utf-8").read()
except FileNotFoundError:
    text = "# Benchmarks\n"
block = f"{start}\n{section}\n{end}"
if start in text and end in text:
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    text = before + block + after
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
open(path, "w", encoding="utf-8").write(text)
