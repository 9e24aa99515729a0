"""Issue 9: hostile inputs, special files, a poisoned environment, secrets, terminals.

Every example of the issue is a test here (each failed before the fix)."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from envaudit import lockfile
from envaudit.api import diff
from envaudit.cli import app
from envaudit.collect import default_probes, snapshot
from envaudit.formats.text import TextFormat
from envaudit.model import Fingerprint, Unavailable
from envaudit.probes.distributions import iter_distributions
from envaudit.probes.env import capture
from envaudit.probes.interface import Host
from envaudit.probes.packages import collect_packages
from envaudit.report import FailOn
from tests.factories import cli_runner, fp

runner = cli_runner()
ROOT = Path(__file__).parent.parent


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.lock").write_text(lockfile.dumps(fp()), encoding="utf-8")
    return tmp_path


def one_line_error(result: Any, code: int = 3) -> str:
    assert result.exit_code == code, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return str(lines[0])


# ---------------------------------------------------------------- 1. crashes that look like drift

DEEP = "junk = " + "[" * 1000 + "]" * 1000 + "\n"
HUGE_INT = "junk = 1" + "0" * 5000 + "\n"
LOCK_HEAD = '[envaudit]\nschema = "1.0"\n'
HOSTILE_LOCKS = [
    pytest.param(LOCK_HEAD + DEEP, "nested deeper", id="nested-1000"),
    pytest.param(LOCK_HEAD + HUGE_INT, "key 'junk'", id="int-5000-digits"),
    pytest.param(LOCK_HEAD + '[[gpus]]\nindex = 0\nname = "A"\ncompute-capability = "8.0"\n'
                 "power-limit-w = 1" + "0" * 400 + "\n", "gpus[0].power-limit-w",
                 id="float-overflow"),
    pytest.param(LOCK_HEAD + '[[packages]]\nname = "torch"\nversion = "' + "1" * 5000 + '"\n',
                 "packages[0].version", id="version-5000-digits"),
]


@pytest.mark.parametrize(("text", "where"), HOSTILE_LOCKS)
@pytest.mark.parametrize("how", ["lock", "against", "show"])
def test_hostile_lock_is_invalid_with_its_key_path(in_tmp: Path, text: str, where: str,
                                                   how: str) -> None:
    (in_tmp / "bad.lock").write_text(text)
    argv = {"lock": ["diff", "bad.lock", "--fail-on", "never"],
            "against": ["diff", "a.lock", "--against", "bad.lock", "--fail-on", "never"],
            "show": ["show", "bad.lock"]}[how]
    line = one_line_error(runner.invoke(app, argv))
    assert where in line and "bad.lock" in line


@pytest.mark.parametrize("text", [DEEP, HUGE_INT, "[allowed]\nnumpy = \"\xff\"\n"])
@pytest.mark.parametrize("name", ["envaudit.toml", "pyproject.toml"])
def test_hostile_policy_is_invalid(in_tmp: Path, text: str, name: str) -> None:
    body = text if name == "envaudit.toml" else "[tool.envaudit]\n" + text
    (in_tmp / name).write_bytes(body.encode("utf-8", "surrogateescape").replace(
        b"\xc3\xbf", b"\xff"))  # a raw non-UTF-8 byte
    line = one_line_error(runner.invoke(app, ["diff", "a.lock", "--against", "a.lock"]))
    assert name in line


def test_unexpected_exception_is_one_line_and_exit_4(in_tmp: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug\nwith two lines")

    monkeypatch.setattr("envaudit.api.check", boom)
    line = one_line_error(runner.invoke(app, ["diff", "a.lock", "--fail-on", "never"]), 4)
    assert "internal error: RuntimeError: a bug" in line


def test_ctrl_c_is_130(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("envaudit.api.check", interrupted)
    assert one_line_error(runner.invoke(app, ["diff", "a.lock"]), 130) == "envaudit: interrupted"


# ---------------------------------------------------------------- 2. special files


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("argv", [
    ["diff", "f.lock"], ["diff", "a.lock", "--against", "f.lock"], ["show", "f.lock"],
    ["diff", "a.lock", "--against", "a.lock", "--config", "f.lock"],
])
def test_fifo_input_never_blocks(in_tmp: Path, argv: list[str]) -> None:
    _fifo(in_tmp / "f.lock")
    assert "FIFO" in one_line_error(_with_timeout(argv))


def _with_timeout(argv: list[str], seconds: float = 20) -> Any:
    out: list[Any] = []
    worker = threading.Thread(target=lambda: out.append(runner.invoke(app, argv)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert out, f"envaudit {' '.join(argv)} still running after {seconds}s"
    return out[0]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_device_as_lock_is_refused_unread(in_tmp: Path, device: str) -> None:
    (in_tmp / "dev.lock").symlink_to(device)
    assert "character device" in one_line_error(_with_timeout(["show", "dev.lock"]))


def test_fifo_envaudit_toml_is_not_ignored(in_tmp: Path) -> None:
    _fifo(in_tmp / "envaudit.toml")
    assert "envaudit.toml" in one_line_error(_with_timeout(["diff", "a.lock", "--against",
                                                            "a.lock"]))


# ---------------------------------------------------------------- 3./4. poisoned environment


def make_dist(site: Path, name: str, version: str, **files: str) -> Path:
    info = site / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n")
    for fname, content in files.items():
        (info / ("direct_url.json" if fname == "direct_url_json" else fname)).write_text(content)
    return info


def _site(root: Path, torch: str) -> Path:
    site = root / "site"
    make_dist(site, "torch", torch, RECORD="torch/__init__.py,,\n")
    make_dist(site, "numpy", "2.1.0")
    return site


def poison(site: Path, how: str) -> None:
    info = site / "evil-1.0.dist-info"
    info.mkdir()
    if how == "deep-direct-url":
        (info / "METADATA").write_text("Name: evil\nVersion: 1.0\n\n")
        (info / "direct_url.json").write_text("[" * 100_000 + "]" * 100_000)
    else:
        (info / "METADATA").symlink_to("/dev/zero")


def _snap(site: Path) -> Fingerprint:
    return snapshot(Host(root=site.parent, sys_path=(str(site),), environ={}),
                    default_probes(timeout=2.0))


@pytest.mark.parametrize("how", ["deep-direct-url", "metadata-is-dev-zero"])
def test_poisoned_environment_costs_only_the_bad_distribution(tmp_path: Path, how: str,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    training = _snap(_site(tmp_path / "train", "2.4.0"))
    deploy_site = _site(tmp_path / "deploy", "2.5.0")
    poison(deploy_site, how)
    deployed = _snap(deploy_site)
    assert isinstance(deployed.packages, tuple)
    assert {p.name for p in deployed.packages} == {"evil", "numpy", "torch"}
    assert not isinstance(deployed.frameworks, Unavailable)
    assert not isinstance(deployed.cuda_libraries, Unavailable)
    (evil,) = [p for p in deployed.packages if p.name == "evil"]
    assert evil.problem
    report = diff(lockfile.loads(lockfile.dumps(training)), deployed)
    assert int(report.exit_code(FailOn.ERROR)) == 1
    text = TextFormat().render(report, FailOn.ERROR)
    assert "evil" in text and "2.4.0 → 2.5.0" in text
    # and through the CLI, with the poisoned side recorded in a lock
    monkeypatch.chdir(tmp_path)
    Path("train.lock").write_text(lockfile.dumps(training))
    Path("deploy.lock").write_text(lockfile.dumps(deployed))
    assert "problem = " in Path("deploy.lock").read_text()
    result = runner.invoke(app, ["diff", "train.lock", "--against", "deploy.lock"])
    assert result.exit_code == 1, result.output
    assert "evil-1.0.dist-info" in result.stdout


def test_poisoned_distribution_is_named_on_stderr_by_snapshot(tmp_path: Path) -> None:
    site = _site(tmp_path, "2.4.0")
    poison(site, "deep-direct-url")
    code = ("import sys; sys.path[:0] = [sys.argv[1]]; from envaudit.main import main;"
            " sys.exit(main(['snapshot', '-o', '-']))")
    done = subprocess.run([sys.executable, "-c", code, str(site)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "evil-1.0.dist-info" in done.stderr
    assert "direct_url.json" in done.stderr


@pytest.mark.parametrize(("setup", "reason"), [
    (lambda info: None, "METADATA no such file"),
    (lambda info: (info / "METADATA").write_text("Name: broken\n\n"), "has no Version"),
    (lambda info: (info / "METADATA").mkdir(), "METADATA is a directory"),
    (lambda info: (info / "METADATA").symlink_to(info / "nowhere"), "dangling symlink"),
])
def test_broken_distribution_is_recorded(tmp_path: Path, setup: Any, reason: str) -> None:
    info = tmp_path / "broken-1.0.dist-info"
    info.mkdir()
    setup(info)
    (pkg,) = collect_packages((str(tmp_path),))
    assert (pkg.name, pkg.version) == ("broken", "1.0")
    assert reason in pkg.problem


def test_unreadable_dist_info_directory_is_recorded(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    info = tmp_path / "locked-2.0.dist-info"
    info.mkdir()
    real = os.listdir

    def listdir(path: Any = ".") -> list[str]:
        if Path(path) == info:
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr("envaudit.probes.distributions.os.listdir", listdir)
    (dist,) = iter_distributions((str(tmp_path),))
    assert (dist.name, dist.version) == ("locked", "2.0")
    assert "permission denied" in dist.problem


# ---------------------------------------------------------------- 5. special output targets


def private_device(path: Path, major: int, minor: int) -> Path:
    """A character device in tmp_path (never the real /dev/full or /dev/null: a regression
    that replaced its target would then destroy only this copy); skipped without root."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(major, minor))
    except (OSError, AttributeError) as e:
        pytest.skip(f"mknod needs root: {e}")
    return path


@pytest.mark.parametrize("command", [["snapshot"], ["diff", "a.lock", "--against", "a.lock"]])
def test_dev_full_fails_loudly_and_stays_a_device(in_tmp: Path, command: list[str]) -> None:
    full = private_device(in_tmp / "full", 1, 7)
    line = one_line_error(runner.invoke(app, [*command, "-o", "full"]))
    assert "full" in line and "wrote" not in line
    assert stat.S_ISCHR(os.stat(full).st_mode)


def test_dev_null_is_written_and_stays_a_device(in_tmp: Path) -> None:
    null = private_device(in_tmp / "null", 1, 3)
    assert runner.invoke(app, ["snapshot", "-o", "null"]).exit_code == 0
    assert stat.S_ISCHR(os.stat(null).st_mode)


def test_dev_stdout_is_written_not_replaced(tmp_path: Path) -> None:
    link = tmp_path / "stdout"  # like /dev/stdout, which is never touched by a test
    link.symlink_to("/proc/self/fd/1")
    done = subprocess.run([sys.executable, "-m", "envaudit", "snapshot", "-o", str(link)],
                          capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "[envaudit]" in done.stdout
    assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1"


def test_symlink_target_is_replaced_keeping_link_and_mode(in_tmp: Path) -> None:
    (in_tmp / "real.lock").write_text("old")
    os.chmod(in_tmp / "real.lock", 0o640)
    (in_tmp / "link.lock").symlink_to("real.lock")
    assert runner.invoke(app, ["snapshot", "-o", "link.lock"]).exit_code == 0
    assert (in_tmp / "link.lock").is_symlink()
    assert "[envaudit]" in (in_tmp / "real.lock").read_text()
    assert stat.S_IMODE(os.stat(in_tmp / "real.lock").st_mode) == 0o640


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_directory_or_fifo_target_is_refused_with_exit_2(in_tmp: Path, kind: str) -> None:
    target = in_tmp / "out"
    target.mkdir() if kind == "directory" else _fifo(target)
    line = one_line_error(runner.invoke(app, ["snapshot", "-o", "out"]), 2)
    assert ("directory" if kind == "directory" else "FIFO") in line


def test_stale_temporary_of_a_dead_writer_is_removed(in_tmp: Path) -> None:
    dead = in_tmp / ".envaudit.lock.999999999.1.tmp"
    fresh = in_tmp / ".envaudit.lock.999999998.2.tmp"
    dead.write_text("half a lock")
    fresh.write_text("a writer in another pid namespace, maybe")
    os.utime(dead, (0, 0))
    assert runner.invoke(app, ["snapshot"]).exit_code == 0
    assert not dead.exists() and fresh.exists()


def test_append_adds_to_the_step_summary(in_tmp: Path) -> None:
    (in_tmp / "summary.md").write_text("# before\n")
    for _ in range(2):
        result = runner.invoke(app, ["diff", "a.lock", "--against", "a.lock", "-f", "markdown",
                                     "-o", "summary.md", "--append"])
        assert result.exit_code == 0
    text = (in_tmp / "summary.md").read_text()
    assert text.startswith("# before\n") and text.count("## envaudit") == 2


# ---------------------------------------------------------------- 6. secrets

SECRET = "s3cr3tVALUE"


@pytest.mark.parametrize(("name", "value"), [
    ("NVIDIA_PASS", SECRET), ("CUDA_PW", SECRET), ("TORCH_HUB_BEARER", SECRET),
    ("XLA_FLAGS", f"--xla_gpu_token={SECRET} --xla_dump_to=/tmp"),
    ("TORCH_HOME", f"https://mirror/x?token={SECRET}"),
    ("TORCH_HOME", f"https://mirror/x?sig={SECRET}&se=2027"),
    ("TORCH_HOME", f"user:{SECRET}@mirror.example"),
    ("TORCH_HOME", f"https://user:p@{SECRET}@mirror.example/x"),
    ("TORCH_HOME", "hf_" + "a" * 34), ("TORCH_HOME", "ghp_" + "b" * 36),
    ("TORCH_HOME", "AKIAABCDEFGHIJKLMNOP"), ("TORCH_HOME", "eyJhbGciOi.eyJzdWIiOi.c2lnbmF0"),
])
def test_secret_never_captured(name: str, value: str) -> None:
    captured = json.dumps(capture({name: value}))
    secret = SECRET if SECRET in value else value
    assert secret not in captured


def test_direct_url_token_is_scrubbed(tmp_path: Path) -> None:
    make_dist(tmp_path, "pkg", "1.0",
              direct_url_json=json.dumps({"url": f"https://host/pkg.whl?token={SECRET}"}))
    (pkg,) = collect_packages((str(tmp_path),))
    assert SECRET not in pkg.direct_url and "token=***" in pkg.direct_url


def test_secret_in_a_received_lock_is_not_printed(in_tmp: Path) -> None:
    leaky = fp(env={"OMP_NUM_THREADS": f"4 ?token={SECRET}"})
    (in_tmp / "b.lock").write_text(lockfile.dumps(leaky))
    for argv in (["show", "b.lock"], ["diff", "a.lock", "--against", "b.lock"]):
        assert SECRET not in runner.invoke(app, argv).output


# ---------------------------------------------------------------- 7. terminals and --deep


def test_escape_sequences_from_a_lock_never_reach_the_terminal(in_tmp: Path) -> None:
    evil = "\x1b]0;pwned\x07\x1b[2J"
    (in_tmp / "b.lock").write_text(lockfile.dumps(fp(env={"OMP_NUM_THREADS": evil},
                                                     packages={"numpy": "2.1.0\x1b[31m"})))
    for argv in (["show", "b.lock"], ["diff", "a.lock", "--against", "b.lock"],
                 *(["diff", "a.lock", "--against", "b.lock", "-f", f, "-v"]
                   for f in ("text", "markdown", "github", "junit", "sarif", "json"))):
        result = runner.invoke(app, argv)
        assert "\x1b" not in result.output and "\x07" not in result.output, argv
        assert argv[0] == "show" or "\\x1b" in result.output


def test_deep_child_stdout_is_not_trusted(tmp_path: Path) -> None:
    from envaudit.probes.gpu_runtime import run_child

    (tmp_path / "onnxruntime.py").write_text(
        "import atexit, json\n"  # a package that prints the last stdout line, at exit
        "atexit.register(lambda: print(json.dumps({'providers': 'SPOOFED', 'version': '0'})))\n"
        "__version__ = '1.99.0'\n"
        "def get_available_providers():\n    return ['CPUExecutionProvider']\n"
        "def get_device():\n    return 'CPU'\n")
    got = run_child("onnxruntime", timeout=30,
                    environ={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert got["providers"] == "CPUExecutionProvider" and got["version"] == "1.99.0"


@pytest.mark.parametrize(("data", "problem"), [
    ({"\x1bkey": "x"}, "invalid key"), ({"version\n": "x"}, "invalid key"),
    ({"version": "x" * 20000}, "at 'version'"),
    ({f"k{i}": "v" for i in range(300)}, "300 keys"),
])
def test_deep_child_result_is_validated(data: dict[str, str], problem: str) -> None:
    from envaudit.probes.gpu_runtime import validate_child

    assert problem in validate_child(data)["error"]


# ---------------------------------------------------------------- 8. smaller contract breaks


def test_unreadable_lock_is_exit_3_one_line(in_tmp: Path, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    real = os.open

    def deny(path: Any, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith("a.lock"):
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)

    (in_tmp / "b.lock").write_text((in_tmp / "a.lock").read_text())
    monkeypatch.setattr("envaudit.safeio.os.open", deny)
    assert "permission denied" in one_line_error(runner.invoke(app, ["diff", "a.lock"]))
    line = one_line_error(runner.invoke(app, ["diff", "b.lock", "--against", "b.lock",
                                              "--config", "a.lock"]))
    assert "a.lock: permission denied" in line


LOCK_CONTRACT = [
    pytest.param('[envaudit]\nschema = "1.0\\n"\n', "envaudit.schema", id="schema-newline"),
    pytest.param("\ufeff" + lockfile.dumps(fp()), "byte-order mark", id="bom"),
    pytest.param(lockfile.dumps(fp()).replace('name = "pip", version = "24.0"',
                                              'name = "numpy", version = "1"'),
                 "duplicate name 'numpy'", id="duplicate-package"),
    pytest.param(lockfile.dumps(fp(gpus=[("A", "8.0"), ("B", "8.0")])).replace(
        "index = 1", "index = 0"), "duplicate index 0", id="duplicate-gpu"),
]


@pytest.mark.parametrize(("text", "message"), LOCK_CONTRACT)
def test_lock_contract(in_tmp: Path, text: str, message: str) -> None:
    (in_tmp / "b.lock").write_text(text, encoding="utf-8")
    assert message in one_line_error(runner.invoke(app, ["show", "b.lock"]))


@pytest.mark.parametrize(("policy", "message"), [
    ("[allowed]\nnumpy = []\n", "allowed.numpy"),
    ('[allowed]\nnumpy = "' + "=" * 100_000 + '"\n', "allowed.numpy"),
])
def test_policy_contract(in_tmp: Path, policy: str, message: str) -> None:
    (in_tmp / "envaudit.toml").write_text(policy)
    line = one_line_error(runner.invoke(app, ["diff", "a.lock", "--against", "a.lock"]))
    assert message in line and len(line) < 500


@pytest.mark.parametrize("kind", ["directory", "fifo", "socket", "dangling"])
def test_special_envaudit_toml_is_an_error_not_ignored(in_tmp: Path, kind: str) -> None:
    path = in_tmp / "envaudit.toml"
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        _fifo(path)
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        sock.close()
    else:
        path.symlink_to(in_tmp / "nowhere.toml")
    line = one_line_error(_with_timeout(["diff", "a.lock", "--against", "a.lock"]))
    assert "envaudit.toml" in line


# ---------------------------------------------------------------- no network


def test_snapshot_and_diff_open_no_network_connection(in_tmp: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("envaudit tried to use the network")

    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    assert runner.invoke(app, ["snapshot", "-o", "live.lock"]).exit_code == 0
    result = runner.invoke(app, ["diff", "live.lock"])
    assert result.exit_code in (0, 1), result.output
    assert "network" not in result.output


# ---------------------------------------------------------------- the CLI over a fuzz corpus


def documented_exit_codes() -> set[int]:
    text = (ROOT / "docs" / "exit-codes.md").read_text(encoding="utf-8")
    return {int(m) for m in __import__("re").findall(r"^\| (\d+) \|", text, flags=8)}


def fuzz_corpus(seed: int = 9, size: int = 24) -> list[bytes]:
    """Deterministic hostile variants of a valid lock: the classes of issue 9 and random ones."""
    import random

    rng = random.Random(seed)
    valid = lockfile.dumps(fp(gpus=[("NVIDIA A100", "8.0")], env={"OMP_NUM_THREADS": "4"}))
    data = valid.encode()
    corpus = [b"", b"\xef\xbb\xbf" + data, data + b"\xff", data.replace(b'"1.0"', b'"1.0\\n"'),
              data + DEEP.encode(), data + HUGE_INT.encode(), data + b"x = " + b"{a=" * 3000,
              data.replace(b"2.1.0", b"9" * 5000),
              data.replace(b'OMP_NUM_THREADS = "4"', b'OMP_NUM_THREADS = "\\u001b[2J"')]
    for _ in range(size):
        mutated = bytearray(data)
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(mutated))
            op = rng.choice(["flip", "cut", "dup", "junk"])
            if op == "flip":
                mutated[at] ^= 1 << rng.randrange(8)
            elif op == "cut":
                del mutated[at:at + rng.randint(1, 400)]
            elif op == "dup":
                mutated[at:at] = mutated[at:at + rng.randint(1, 400)]
            else:
                mutated[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 20)))
        corpus.append(bytes(mutated))
    return corpus


def test_cli_over_a_fuzz_corpus_never_crashes(in_tmp: Path) -> None:
    codes = documented_exit_codes()
    assert {0, 1, 2, 3, 4, 130} <= codes
    for i, content in enumerate(fuzz_corpus()):
        (in_tmp / "x.lock").write_bytes(content)
        (in_tmp / "x.toml").write_bytes(content.replace(b"[envaudit]", b"[ignored]"))
        for argv in (["show", "x.lock"], ["diff", "a.lock", "--against", "x.lock"],
                     ["diff", "x.lock", "--against", "a.lock", "-f", "json"],
                     ["diff", "a.lock", "--against", "a.lock", "--config", "x.toml"]):
            result = runner.invoke(app, argv)
            where = f"corpus[{i}] envaudit {' '.join(argv)}"
            assert result.exit_code in codes and result.exit_code != 4, (where, result.output)
            lines = result.stderr.splitlines()
            if result.exit_code not in (0, 1):
                assert len(lines) == 1, (where, result.stderr)
            assert all(line.startswith("envaudit: ") for line in lines), (where, result.stderr)
            assert "\x1b" not in result.output, where


def test_security_md_documents_every_read_cap() -> None:
    from envaudit.safeio import LIMITS

    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    for kind, limit in LIMITS.items():
        size = f"{limit.size >> 20} MiB" if limit.size >= 1 << 20 else f"{limit.size >> 10} KiB"
        what = "only the first" if limit.prefix else "refused"
        row = [line for line in text.splitlines() if line.startswith(f"| `{kind}` |")]
        assert row and size in row[0] and what in row[0], (kind, row)


def test_closed_stdout_is_one_line_and_exit_3(in_tmp: Path) -> None:
    done = subprocess.Popen([sys.executable, "-m", "envaudit", "show", "a.lock"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=in_tmp)
    assert done.stdout is not None and done.stderr is not None
    done.stdout.close()
    with done.stderr:
        assert done.wait(60) == 3
        assert done.stderr.read().decode().splitlines() == [
            "envaudit: error: stdout was closed before the output was written (broken pipe)"]


def test_security_md_lists_exactly_the_secret_names() -> None:
    import re

    from envaudit.scrub import SECRET_NAME, secret_name

    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    bullet = text.split("- **By name.**", 1)[1].split("- **By structure.**", 1)[0]
    documented = set(re.findall(r"`([A-Z]{2,}(?:-[A-Z]+-)?)`", bullet))
    in_code = set(re.findall(r"[A-Z]{2,}", SECRET_NAME.pattern)) - {"X", "AMZ", "GOOG"}
    assert in_code <= documented, in_code - documented
    for word in documented - {"BYPASS", "X-AMZ-", "X-GOOG-"}:
        assert secret_name(f"NVIDIA_{word}_X"), word
    assert not secret_name("NCCL_BYPASS") and secret_name("X-Amz-Signature")


def test_append_without_output_is_said(in_tmp: Path) -> None:
    result = runner.invoke(app, ["diff", "a.lock", "--against", "a.lock", "--append"])
    assert result.exit_code == 0
    assert "--append applies only with -o FILE" in result.stderr


def test_show_lists_unreadable_distributions(in_tmp: Path) -> None:
    import dataclasses

    from envaudit.model import Package

    base = fp()
    assert isinstance(base.packages, tuple)
    bad = Package(name="evil", version="1.0", problem="evil-1.0.dist-info: METADATA is a FIFO")
    (in_tmp / "b.lock").write_text(lockfile.dumps(dataclasses.replace(
        base, packages=(*base.packages, bad))))
    out = runner.invoke(app, ["show", "b.lock"]).stdout
    assert "(1 unreadable)" in out and "unreadable: evil 1.0: evil-1.0.dist-info" in out


# ---------------------------------------------------------------- 9. readers merged from main


def _within(seconds: float, fn: Any) -> Any:
    """fn()'s result or exception, failing the test if it blocks (a FIFO opened for reading)."""
    out: list[Any] = []

    def call() -> None:
        try:
            out.append(fn())
        except Exception as e:  # the error is the answer under test
            out.append(e)

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(seconds)
    assert out, f"still blocked after {seconds}s"
    return out[0]


@pytest.mark.parametrize("name", ["args.yaml", "envaudit.pipeline.toml", "model.xml",
                                  "config.pbtxt", "preprocessor_config.json", "best.engine",
                                  "best.torchscript", "model.onnx"])
def test_pipeline_readers_refuse_a_fifo(tmp_path: Path, name: str) -> None:
    from envaudit.pipeline.interface import PipelineError
    from envaudit.pipeline.readers import read

    got = _within(10, lambda: read(_fifo(tmp_path / name)))
    assert isinstance(got, PipelineError) and "FIFO" in str(got), got


def test_pipeline_contract_is_bounded_toml(tmp_path: Path) -> None:
    from envaudit.pipeline.interface import PipelineError
    from envaudit.pipeline.readers import read

    (tmp_path / "envaudit.pipeline.toml").write_text("x = " + "[" * 100 + "]" * 100 + "\n")
    with pytest.raises(PipelineError, match="nested deeper"):
        read(tmp_path / "envaudit.pipeline.toml")


def test_host_report_fifo_is_skipped_not_waited_for(tmp_path: Path) -> None:
    from envaudit.fleet.merge import merge

    (tmp_path / "good.json").write_text(json.dumps({"findings": []}))
    _fifo(tmp_path / "stuck.json")
    warnings: list[str] = []
    fleet = _within(10, lambda: merge([tmp_path], warnings.append))
    assert [h.hostname for h in fleet.hosts] == ["good"]
    assert any("stuck.json" in w and "FIFO" in w for w in warnings), warnings


@pytest.mark.parametrize("name", ["model.onnx", "model.engine", "model.tflite", "model.pt"])
def test_artifact_special_files_are_refused_without_hanging(tmp_path: Path, name: str) -> None:
    from envaudit.artifacts.collect import read_artifact

    got = _within(10, lambda: read_artifact(_fifo(tmp_path / name), record_as=name))
    assert not isinstance(got, BaseException), got
    assert got.files == () and "FIFO" in got.problems[0]
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "weights.bin").write_bytes(b"\0" * 10)
    _fifo(tmp_path / "dir" / "model.onnx")
    inside = _within(10, lambda: read_artifact(tmp_path / "dir", record_as="dir"))
    assert [f.path for f in inside.files] == ["weights.bin"]
    assert any("model.onnx is a FIFO" in p for p in inside.problems), inside.problems


def test_artifact_reader_refuses_a_file_swapped_for_a_fifo(tmp_path: Path) -> None:
    from envaudit import safeio

    got = _within(10, lambda: safeio.open_regular(_fifo(tmp_path / "m.onnx")))
    assert isinstance(got, safeio.NotRegularFile) and "FIFO" in str(got)


# ---------------------------------------------------------------- 10. the speed work (i7)


@pytest.mark.parametrize(("package", "version", "where"), [
    ("numpy", "1." + "0" * 300, "version longer than 256"),
    ("x" * 70_000, "1.0", "string longer than 65536"),
])
def test_fast_lock_reader_keeps_the_bounds(package: str, version: str, where: str) -> None:
    from envaudit import lockread

    packages = {f"p{i}": "1.0" for i in range(5)}
    text = lockfile.dumps(fp(packages={**packages, package: version}))  # sealed: hash holds
    assert "[[packages]]" in text and lockread.read(text) is None
    with pytest.raises(lockfile.LockfileError, match=where):
        lockfile.loads(text)


def test_fast_lock_reader_never_recurses_without_bound() -> None:
    from envaudit import lockread

    text = lockfile.dumps(fp(packages={f"p{i}": "1.0" for i in range(5)}))
    deep = "deep = " + "[" * 5000 + "]" * 5000 + "\n"
    assert lockread.read(deep + text) is None  # no RecursionError
    with pytest.raises(lockfile.LockfileError, match="nested deeper"):
        lockfile.loads(deep + text)


def _catalog_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from envaudit.rules import catalog

    monkeypatch.setenv("ENVAUDIT_CACHE_DIR", str(tmp_path))
    catalog.load_catalog.cache_clear()
    catalog.data_files()
    (cache,) = tmp_path.glob("catalog-*.json")
    cache.unlink()
    return cache


@pytest.mark.parametrize("hostile", ["fifo", "directory", "zero", "broken", "foreign", "huge"])
def test_hostile_catalog_cache_falls_back_to_the_shipped_data(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hostile: str) -> None:
    from envaudit.rules import catalog

    cache = _catalog_cache(tmp_path, monkeypatch)
    monkeypatch.setenv("ENVAUDIT_CACHE_DIR", "")
    shipped = catalog.load_catalog()
    catalog.load_catalog.cache_clear()
    monkeypatch.setenv("ENVAUDIT_CACHE_DIR", str(tmp_path))
    names = sorted(p.name for p in catalog.DATA.glob("*.toml"))
    if hostile == "fifo":
        _fifo(cache)
    elif hostile == "directory":
        cache.mkdir()
    elif hostile == "zero":
        cache.symlink_to("/dev/zero")
    elif hostile == "broken":
        cache.write_text('{"core.toml": {"rule": [')
    elif hostile == "foreign":  # valid JSON of the right names, but not the catalog
        cache.write_text(json.dumps({n: {"rule": [{"id": 1}], "critical": 2} for n in names}))
    else:
        cache.write_text(" " * (catalog.CACHE_LIMIT + 1))
    try:
        got = _within(10, catalog.load_catalog)
        assert got == shipped, got
    finally:
        catalog.load_catalog.cache_clear()


def test_diff_fast_path_errors_go_through_the_one_funnel(
        in_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from envaudit import fastpath
    from envaudit.main import main

    argv = ["diff", "a.lock", "--against", "a.lock"]
    assert fastpath.parse_command(argv) is not None  # this line takes the fast path
    assert fastpath.parse_command([*argv, "-o", "out.md", "--append"]) is not None
    _fifo(in_tmp / "f.lock")
    assert main(["diff", "f.lock"]) == 3
    assert main(["diff", "missing.lock"]) == 3
    monkeypatch.setattr("envaudit.api.diff", lambda *a, **k: 1 / 0)
    assert main(argv) == 4
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and "FIFO" in err[0] and "internal error: ZeroDivisionError" in err[2]
    assert "Traceback" not in "".join(err)


# ---------------------------------------------------------------- 11. --python and export


def test_python_probe_answer_file_is_read_safely(tmp_path: Path) -> None:
    from envaudit.probes.interpreter import _load

    assert _within(10, lambda: _load(str(_fifo(tmp_path / "facts.json")))) is None
    (tmp_path / "zero.json").symlink_to("/dev/zero")
    assert _within(10, lambda: _load(str(tmp_path / "zero.json"))) is None


def test_export_wheels_fifo_is_an_error_not_a_hang(tmp_path: Path) -> None:
    from envaudit.errors import RemediationError
    from envaudit.remediation.pylock import _sha256

    got = _within(10, lambda: _sha256(_fifo(tmp_path / "numpy-2.1.0-py3-none-any.whl")))
    assert isinstance(got, RemediationError) and "FIFO" in str(got)
