"""1,000 host reports of the real H200 → CPU diff merge in bounded time and memory.

The reports are hard links to one real report without a `host` object, so each host is
named after its file and writing 1,000 × 190 KB costs nothing. The merge runs in a child
process so that its peak RSS is its own: the input is ~190 MiB of JSON (over 1 GiB as
Python objects), and the merge keeps only the matrix. Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.fleet_reports import CPU, diff_report

HOSTS = 1000
CHILD = """
import resource, sys
from pathlib import Path
from envaudit.choices import FailOn
from envaudit.fleet.merge import merge
from envaudit.formats.html import HtmlFormat
fleet = merge([Path(sys.argv[1])], print)
page = HtmlFormat().render(fleet, FailOn.ERROR)
print(len(fleet.hosts), len(fleet.causes), len(page))
# VmHWM is this process's own peak: ru_maxrss also counts the forked parent's before exec
# (Linux keeps the larger across exec), which is the whole test session here.
status = Path("/proc/self/status")
hwm = [l.split()[1] for l in status.read_text().splitlines() if l.startswith("VmHWM:")] \
    if status.exists() else []
print(hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_thousand_reports_merge_in_bounded_time_and_memory(tmp_path: Path) -> None:
    template = diff_report(tmp_path / "template.json", "template", CPU)
    doc = json.loads(template.read_text())
    del doc["host"]
    template.write_text(json.dumps(doc))
    hosts = tmp_path / "hosts"
    hosts.mkdir()
    for i in range(HOSTS):
        os.link(template, hosts / f"gpu-node-{i:04d}.json")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD, str(hosts)], capture_output=True,
                          text=True, timeout=120, check=True)
    seconds = time.perf_counter() - start
    counts, rss_kib = done.stdout.split("\n")[-3:-1]
    n_hosts, n_causes, _ = map(int, counts.split())
    assert (n_hosts, n_causes) == (HOSTS, 258)
    input_mib = HOSTS * template.stat().st_size / 2**20
    assert input_mib > 150
    assert int(rss_kib) / 1024 < 120, f"peak RSS {int(rss_kib) / 1024:.0f} MiB"
    assert seconds < 60, f"{seconds:.1f} s"
