"""docs/environments.md "Which operating systems": the documented policy snippet does what the
page says on a deployment whose cpu section could not be read (macOS, native Windows)."""

from __future__ import annotations

import re
from pathlib import Path

from envaudit.api import check
from envaudit.config import load_policy

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ROOT / "fixtures" / "locks"


def _snippet() -> str:
    text = (ROOT / "docs" / "environments.md").read_text(encoding="utf-8")
    section = text.split("## Which operating systems", 1)[1].split("\n## ", 1)[0]
    (body,) = re.findall(r"```toml\n(.*?)```", section, re.S)
    return body


def _without_cpu(tmp_path: Path) -> Path:
    """The CPU host's lock as a macOS deployment would write it: [cpu] unknown, with a reason."""
    text = (LOCKS / "cpu-host.lock").read_text(encoding="utf-8")
    text = re.sub(r"\n\[cpu\]\n.*?(?=\n\[)", "\n", text, count=1, flags=re.S)
    text = text.replace("[unavailable]\n", '[unavailable]\ncpu = "/proc/cpuinfo is not readable'
                        ' on this system"\n', 1)
    target = tmp_path / "macos.lock"
    target.write_text(text, encoding="utf-8")
    return target


def _unk_cpu(report: object) -> list[str]:
    return [f.severity.value for lead in report.findings  # type: ignore[attr-defined]
            for f in (lead, *lead.related) if f.rule == "UNK-001" and f.subject == "unknown:cpu"]


def test_cpu_unknown_on_the_deployment_is_an_error_until_ignored_knowingly(tmp_path: Path) -> None:
    target = _without_cpu(tmp_path)
    lock = LOCKS / "cpu-host.lock"
    bare = check(lock, against=target, policy=load_policy(cwd=tmp_path))
    assert _unk_cpu(bare) == ["error"]
    policy_file = tmp_path / "envaudit.toml"
    policy_file.write_text(_snippet(), encoding="utf-8")
    assert _unk_cpu(check(lock, against=target, policy=load_policy(policy_file))) == []
