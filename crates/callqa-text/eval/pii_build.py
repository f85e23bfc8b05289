"""Helpers the held-out PII set builders share (build_pii_heldout*.py import this module)."""

import gzip
import json


def read_jsonl_gz(path):
    """Every line of a gzipped JSONL file, parsed."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def question_before(lines, i):
    """The other party's last turn before line i (up to three lines), as the pipeline builds it."""
    me = lines[i]["speaker"]
    if me == "other":
        return None
    parts = []
    for p in reversed(lines[:i]):
        if p["speaker"] == "other":
            continue
        if p["speaker"] == me:
            if not parts:
                continue
            break
        parts.append(p["text"])
        if len(parts) == 3:
            break
    return " ".join(reversed(parts)) or None
