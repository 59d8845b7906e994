"""What Schemathesis generated in a run of scripts/api-fuzz: test cases per phase, operations, checks, statuses.

The coverage phase also sends methods the document does not name (DELETE, PUT …: 405 with Allow expected); those
cases count for the operation whose path they use.

Reads the NDJSON event reports of the run (the folder given as the only argument) and prints one table, so the
figures need no counting by hand: `python scripts/api-fuzz-summary.py REPORT_DIR`.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

PHASES = ("examples", "coverage", "fuzzing", "stateful")


def summarise(folder: Path) -> str:
    """The table for every NDJSON report in ``folder``."""
    cases: Counter[str] = Counter()
    modes: dict[str, Counter[str]] = defaultdict(Counter)
    operations: dict[str, set[str]] = defaultdict(set)
    checks: dict[str, Counter[str]] = defaultdict(Counter)
    statuses: dict[str, Counter[int]] = defaultdict(Counter)
    for report in sorted(folder.glob("*.ndjson")):
        for line in report.read_text(encoding="utf-8").splitlines():
            event = json.loads(line)
            finished = event.get("ScenarioFinished")
            if not finished or finished["status"] == "skip":
                continue
            phase, recorder = finished["phase"], finished["recorder"]
            if phase != "stateful":  # a stateful scenario is a chain through several operations
                operations[phase].add(recorder["label"])
            for case in recorder.get("cases", {}).values():
                value = case["value"]
                cases[phase] += 1
                if phase == "stateful":
                    operations[phase].add(f"{value['method']} {value['path']}")
                modes[phase][value.get("meta", {}).get("generation", {}).get("mode", "?")] += 1
            for results in recorder.get("checks", {}).values():
                for result in results:
                    checks[phase][result["name"]] += 1
            for interaction in recorder.get("interactions", {}).values():
                response = interaction.get("response")
                if response:
                    statuses[phase][response["status_code"]] += 1
    lines = []
    for phase in PHASES:
        if not cases[phase]:
            continue
        mode = ", ".join(f"{count} {name}" for name, count in sorted(modes[phase].items()))
        lines.append(
            f"{phase}: {cases[phase]} test cases ({mode}) on {len(operations[phase])} operations, "
            f"{sum(checks[phase].values())} check results from {len(checks[phase])} checks"
        )
        lines.append("  statuses: " + ", ".join(f"{s}×{n}" for s, n in sorted(statuses[phase].items())))
    every = sorted(set().union(*checks.values())) if checks else []
    lines.append(f"total: {sum(cases.values())} test cases; checks: {', '.join(every)}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(summarise(Path(sys.argv[1])))
