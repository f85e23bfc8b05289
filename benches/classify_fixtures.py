#!/usr/bin/env python3
"""Call-level script-step and courtesy detection of `callqa classify` on the fixture dialogues.

For every fixture call (fixtures/calls/<id>.json, ground-truth text, SYNTHETIC dialogues), the
agent turns are classified with `callqa classify --json`; an evaluation item whose expected result
is `pass` must have its step(s) among the agent turns' `script_steps`, one expected `fail` must not
(windows and na rules of the forms are ignored: this measures the classifiers, not the form engine).
hold_etiquette needs both hold_request and hold_return. Courtesy: does any agent turn come out
`impolite`, against the expected courtesy item.

Usage: python benches/classify_fixtures.py [--models DIR] [--callqa target/release/callqa] [-v]
"""
import argparse
import collections
import glob
import json
import pathlib
import subprocess
import sys

ITEM_STEPS = {"greeting": ["greeting"], "self_intro": ["self_intro"],
              "identity_check": ["identity_check"], "empathy": ["empathy"],
              "summary": ["summary"], "anything_else": ["anything_else"],
              "farewell": ["farewell"], "hold_etiquette": ["hold_request", "hold_return"]}


def main():
    root = pathlib.Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", help="models root (default: callqa's default, $CALLQA_HOME/models)")
    ap.add_argument("--callqa", default=str(root / "target" / "release" / "callqa"))
    ap.add_argument("-v", "--verbose", action="store_true", help="list every miss and impolite line")
    args = ap.parse_args()
    calls = sorted(p for p in glob.glob(str(root / "fixtures" / "calls" / "*.json"))
                   if not p.endswith(".timeline.json"))
    if not calls:
        print("skipping: no fixture calls in fixtures/calls")
        return 0
    tot, ok = collections.Counter(), collections.Counter()
    courtesy = collections.Counter()
    for path in calls:
        d = json.load(open(path))
        agent = [t["text"] for t in d["turns"] if t["speaker"] == "agent"]
        cmd = [args.callqa, "classify", "--lang", d["language"], "--json", "--file", "-"]
        if args.models:
            cmd += ["--models", args.models]
        run = subprocess.run(cmd, input="\n".join(agent), capture_output=True, text=True)
        if run.returncode != 0:
            print(f"callqa classify failed: {run.stderr.strip()}")
            return 1
        judged = [json.loads(line) for line in run.stdout.splitlines()]
        found = {s for j in judged for s in j["script_steps"]}
        for item, steps in ITEM_STEPS.items():
            expected = d["expected"].get(item)
            if expected not in ("pass", "fail"):
                continue
            present = all(s in found for s in steps)
            good = present if expected == "pass" else not present
            for key in (expected, (d["language"], expected)):
                tot[key] += 1
                ok[key] += good
            if not good and args.verbose:
                print(f"  miss {d['call_id']} {item} expected {expected}")
        rude = [j for j in judged if j["courtesy"] == "impolite"]
        courtesy[(d["expected"].get("courtesy"), bool(rude))] += 1
        if args.verbose:
            for j in rude:
                print(f"  impolite {j['courtesy_score']:.2f} {d['call_id']}: {j['text']}")
    print(f"calls: {len(calls)}")
    for lang in ("all", "zh", "en"):
        k = (lambda e: e) if lang == "all" else (lambda e, lang=lang: (lang, e))
        print(f"{lang}: expected-pass steps found {ok[k('pass')]}/{tot[k('pass')]}, "
              f"expected-fail steps absent {ok[k('fail')]}/{tot[k('fail')]}")
    for (exp, rude), n in sorted(courtesy.items(), key=str):
        print(f"courtesy expected {exp}: {n} calls with{'' if rude else ' no'} impolite agent turn")
    return 0


if __name__ == "__main__":
    sys.exit(main())
