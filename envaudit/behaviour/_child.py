"""Child process of the behavioural probes: runs ONE library's probes, writes JSON to a file.

Run as `python -I -m envaudit.behaviour._child LIBRARY RESULT_PATH`. The parent created
RESULT_PATH in a private directory; the answer goes there, never to stdout, because the
probed libraries may print anything.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from typing import Any

from envaudit.behaviour.catalog import load_probe_catalog
from envaudit.behaviour.interface import LibrarySpec, ProbeSpec


def _distribution(spec: LibrarySpec, module: Any) -> tuple[str, str]:
    """(distribution, version) of the installed provider of the module."""
    from importlib import metadata

    for name in spec.distributions:
        try:
            return name, metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return spec.module, str(getattr(module, "__version__", ""))


def _run(probe: ProbeSpec, impl: Any, device: str) -> dict[str, Any]:
    out: dict[str, Any] = {"key": f"{probe.id}@{device}", "device": device}
    try:
        out.update(getattr(impl, probe.function)(device=device, **probe.params))
    except Exception as e:  # one failing probe is recorded, the others still run
        out["error"] = f"{type(e).__name__}: {e}"[:300]
    return out


def results(spec: LibrarySpec, impl: Any) -> Iterator[dict[str, Any]]:
    """Every probe of `spec` on every device it runs on; skipped devices with their reason."""
    devices, skipped = impl.devices() if hasattr(impl, "devices") else (["cpu"], {})
    for probe in spec.probes:
        if not probe.per_device:
            yield _run(probe, impl, "cpu")
            continue
        for device in devices:
            yield _run(probe, impl, device)
        for device, reason in sorted(skipped.items()):
            yield {"key": f"{probe.id}@{device}", "device": device, "skipped": reason}


def answer(library: str) -> dict[str, Any]:
    """The JSON document for `library`, or {"unavailable": reason}."""
    spec = load_probe_catalog()[library]
    try:
        module = importlib.import_module(spec.module)
        impl = importlib.import_module(f"envaudit.behaviour.{spec.probe_module}")
    except ImportError as e:
        return {"unavailable": f"cannot import {e.name or spec.module}: {e}"[:300]}
    distribution, version = _distribution(spec, module)
    return {"library": library, "distribution": distribution, "version": version,
            "results": list(results(spec, impl))}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in load_probe_catalog():
        sys.stderr.write(f"usage: python -I -m envaudit.behaviour._child "
                         f"{{{','.join(sorted(load_probe_catalog()))}}} RESULT_PATH\n")
        return 2
    doc = answer(argv[0])
    with open(argv[1], "w", encoding="utf-8") as fh:
        json.dump(doc, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
