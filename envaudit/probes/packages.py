"""PackagesProbe: every installed distribution on sys.path (the active one of each name)."""

from __future__ import annotations

from collections.abc import Iterable

from envaudit.model import Package
from envaudit.probes.distributions import Distribution, iter_distributions
from envaudit.probes.imports import shared_imports
from envaudit.probes.interface import Host, Probe


def collect_packages(sys_path: tuple[str, ...],
                     found: Iterable[Distribution] | None = None) -> tuple[Package, ...]:
    active: dict[str, Distribution] = {}
    shadowed: dict[str, list[str]] = {}
    for dist in iter_distributions(sys_path) if found is None else found:
        if dist.name in active:
            shadowed.setdefault(dist.name, []).append(dist.version)
        else:
            active[dist.name] = dist
    shared = shared_imports(active.values())
    return tuple(
        Package(
            name=d.name,
            version=d.version,
            installer=d.installer,
            requested=d.requested,
            direct_url=d.direct_url,
            editable=d.editable,
            shadowed=tuple(shadowed.get(d.name, ())),
            problem=d.problem,
            wheel_tags=d.wheel_tags,
            shared_imports=shared.get(d.name, ()),
        )
        for d in sorted(active.values(), key=lambda d: d.name)
    )


class PackagesProbe(Probe):
    section = "packages"

    def collect(self, host: Host) -> tuple[Package, ...]:
        return collect_packages(host.sys_path, host.distributions)
