"""Write tools/seed_rules.yaml into the built-in protocol YAMLs (text edit, verbatim text kept).

Usage: python tools/apply_seed_rules.py [--check]
Each listed criterion's ``manual: true`` + ``manual_reason`` lines are replaced by a ``rule:``
block (or the reason is replaced). The result is re-validated, and the criterion texts are
compared with the originals.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TRIALS = ROOT / "src" / "abscopal" / "datasets" / "trials"


def _block_end(lines: list[str], start: int) -> int:
    for i in range(start + 1, len(lines)):
        if lines[i].startswith("- ") or (lines[i] and not lines[i].startswith(" ")):
            return i
    return len(lines)


def apply(text: str, entries: dict[str, dict[str, object]]) -> str:
    lines = text.split("\n")
    for cid, entry in entries.items():
        start = next(i for i, line in enumerate(lines) if line == f"- id: {cid}")
        end = _block_end(lines, start)
        block = lines[start:end]
        keep = []
        skip = False
        for line in block:
            if line.startswith("  manual: ") or line.startswith("  manual_reason:"):
                skip = True
                continue
            if skip and line.startswith("    "):
                continue
            skip = False
            keep.append(line)
        if set(entry) == {"manual_reason"}:
            reason = yaml.safe_dump({"manual_reason": entry["manual_reason"]}, width=96,
                                    allow_unicode=True, sort_keys=False).rstrip("\n")
            new = ["  manual: true"] + ["  " + r if i == 0 else "  " + r
                                        for i, r in enumerate(reason.split("\n"))]
        else:
            dumped = yaml.safe_dump(entry, width=96, allow_unicode=True, sort_keys=False)
            new = ["  rule:"] + ["    " + r for r in dumped.rstrip("\n").split("\n")]
        lines[start:end] = keep + new
    return "\n".join(lines)


def main() -> int:
    sys.path.insert(0, str(ROOT / "src"))
    from abscopal.protocol import parse_protocol_text

    seed = yaml.safe_load((Path(__file__).parent / "seed_rules.yaml").read_text())
    for registry_id, entries in seed.items():
        path = TRIALS / f"{registry_id}.yaml"
        before = path.read_text(encoding="utf-8")
        after = apply(before, entries)
        old = parse_protocol_text(before, source=str(path))
        new = parse_protocol_text(after, source=str(path))
        assert [c.text for c in old.eligibility] == [c.text for c in new.eligibility]
        assert [c.id for c in old.eligibility] == [c.id for c in new.eligibility]
        if "--check" not in sys.argv:
            path.write_text(after, encoding="utf-8")
        automated = sum(c.rule is not None for c in new.eligibility)
        print(f"{registry_id}: {automated}/{len(new.eligibility)} criteria automated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
