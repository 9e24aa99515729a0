"""Host reports for the fleet tests, built by `envaudit diff --format json` from the fixtures."""

from __future__ import annotations

import json
from pathlib import Path

from envaudit.cli import app
from tests.factories import cli_runner

LOCKS = Path(__file__).parent.parent / "fixtures" / "locks"
H200 = LOCKS / "h200.lock"
CPU = LOCKS / "cpu-host.lock"
# (hostname, the lock the host "is"): two hosts drifted to the CPU host, one matches.
HOSTS = (("node-a", CPU), ("node-b", H200), ("node-c", CPU))


def diff_report(out: Path, hostname: str, current: Path, *extra: str) -> Path:
    """`envaudit diff h200.lock --against CURRENT --format json` as host `hostname`."""
    result = cli_runner().invoke(app, [
        "diff", str(H200), "--against", str(current), "--format", "json",
        "--hostname", hostname, "--model", "resnet50", "-o", str(out), *extra])
    assert result.exit_code in (0, 1), result.output
    return out


def three_reports(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    return [diff_report(directory / f"{name}.json", name, lock) for name, lock in HOSTS]


def synthetic_reports(directory: Path, count: int, template: Path) -> list[Path]:
    """`count` copies of the `template` report, each as another host (only the host varies)."""
    doc = json.loads(template.read_text(encoding="utf-8"))
    doc["host"].update(hostname="@HOST@", id="@ID@")
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = directory / f"host-{i:04d}.json"
        path.write_text(text.replace("@HOST@", f"gpu-node-{i:04d}")
                        .replace("@ID@", f"sha256:{i:016x}"), encoding="utf-8")
        paths.append(path)
    return paths
