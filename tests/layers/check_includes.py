#!/usr/bin/python3
"""Fails when a project include points up or sideways between layers.

The layer table (name, paths, direct dependencies) is written by CMakeLists.txt's
marlsim_layer() calls into BUILD/layers.txt, so the build's link graph and this check read
the same list. A file may include its own layer and any layer reachable through the
dependencies. Usage: check_includes.py SOURCE_DIR LAYERS_TXT [--self-test]
"""
import re
import sys
from pathlib import Path

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)


def read_layers(table_text):
    layers = []  # (name, [path prefixes], [direct deps]) in table order
    for line in table_text.splitlines():
        if not line.strip():
            continue
        name, paths, *deps = line.split()
        layers.append((name, paths.split(","), deps[0].split(",") if deps and deps[0] else []))
    return layers


def layer_of(path, layers):
    best = None  # the longest matching prefix wins (mpi/communicator vs mpi/hdf5)
    for name, prefixes, _ in layers:
        for p in prefixes:
            if (path == p or path.startswith(p.rstrip("/") + "/") or path.startswith(p + ".")) and (
                best is None or len(p) > best[1]
            ):
                best = (name, len(p))
    return best[0] if best else None


def reachable(layers):
    direct = {name: set(deps) for name, _, deps in layers}
    closure = {}
    for name in direct:
        seen, todo = set(), list(direct[name])
        while todo:
            d = todo.pop()
            if d not in seen:
                seen.add(d)
                todo.extend(direct.get(d, ()))
        closure[name] = seen | {name}
    return closure


def violations(files, layers):
    """files: {relative path: text}. Returns 'file:line: message' strings."""
    allowed = reachable(layers)
    out = []
    for path, text in sorted(files.items()):
        own = layer_of(path, layers)
        if own is None:
            continue
        for m in INCLUDE.finditer(text):
            target = m.group(1)
            dep = layer_of(target, layers)
            if dep is None or dep in allowed[own]:
                continue
            line = text.count("\n", 0, m.start()) + 1
            out.append(f"{path}:{line}: layer '{own}' includes \"{target}\" of layer '{dep}', "
                       f"which is not below it (allowed: {', '.join(sorted(allowed[own] - {own}))})")
    return out


def main():
    src, table = Path(sys.argv[1]), Path(sys.argv[2])
    layers = read_layers(table.read_text())
    if "--self-test" in sys.argv[3:]:
        # The check must catch an upward include: the kernel including the cluster model.
        bad = {"engine/kernel/x.hpp": '#include "engine/support/rng.hpp"\n#include "engine/cluster/episode.hpp"\n'}
        found = violations(bad, layers)
        if len(found) != 1 or "engine/kernel/x.hpp:2:" not in found[0]:
            print("self-test failed: the upward include was not reported exactly once:", found)
            return 1
        print("self-test: an upward include is reported:", found[0])
        return 0
    files = {}
    for ext in ("*.hpp", "*.cpp"):
        for f in src.rglob(ext):
            rel = f.relative_to(src).as_posix()
            if rel.split("/")[0] in ("build", "tests", "benchmarks") or rel.startswith("build"):
                continue
            files[rel] = f.read_text(errors="replace")
    found = violations(files, layers)
    for v in found:
        print(v)
    print(f"layers: {len(files)} files, {len(found)} includes pointing the wrong way")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
