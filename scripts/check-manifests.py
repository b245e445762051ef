#!/usr/bin/env python3
"""Checks the Kubernetes manifests in deploy/kubernetes/ against the service.

Every YAML file there must parse, and together they must hold a Deployment, a
Service and a HorizontalPodAutoscaler that fit the service as built: probes on
the real /healthz and /readyz routes, through the container port named `http`,
which is the Dockerfile's EXPOSE and the binary's default PORT; a Service and
an HPA that point at that Deployment; resource requests and limits; a non-root,
read-only security context with the Dockerfile's uid.

Needs PyYAML (python3 -m pip install pyyaml). Where the package
kubernetes-validate is installed, each resource is also validated against the
Kubernetes API schema.

Usage: scripts/check-manifests.py [--manifests DIR]
Prints one line per check and `manifests: N passed, M failed`; exits 1 on any
failure.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

try:
    import yaml
except ImportError:
    sys.exit("check-manifests: PyYAML is missing: python3 -m pip install pyyaml")

ROOT = Path(__file__).resolve().parent.parent
PORT_NAME = "http"
PROBES = {"livenessProbe": "/healthz", "readinessProbe": "/readyz"}


class Failed(Exception):
    """A check's precondition is missing; the message says what."""


class Report:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, name: str, test) -> None:
        """Runs test(); it returns a detail string on success and raises
        Failed or AssertionError with the reason on failure."""
        try:
            detail = test()
        except (Failed, AssertionError, KeyError, TypeError, ValueError) as err:
            self.failed += 1
            reason = str(err) or repr(err)
            print(f"FAIL {name}: {reason}")
        else:
            self.passed += 1
            print(f"ok   {name}: {detail}")


def expect(cond: bool, message: str) -> None:
    if not cond:
        raise Failed(message)


# ---- facts from the rest of the repository ------------------------------------


def dockerfile_facts() -> dict:
    path = ROOT / "Dockerfile"
    if not path.is_file():
        raise Failed(f"{path} not found")
    text = path.read_text()
    # The runtime stage is the last one; its instructions, continuation lines joined.
    stages = re.split(r"(?im)^\s*FROM\s", text)
    runtime = re.sub(r"\\\n", " ", stages[-1])
    exposes = re.findall(r"(?im)^\s*EXPOSE\s+(\d+)(?:/tcp)?\s*$", runtime)
    users = re.findall(r"(?im)^\s*USER\s+(\d+)(?::(\d+))?\s*$", runtime)
    if len(exposes) != 1:
        raise Failed(f"expected one 'EXPOSE <port>' in the Dockerfile's runtime stage, found {exposes}")
    if len(users) != 1:
        raise Failed(f"expected one numeric 'USER uid[:gid]' in the Dockerfile's runtime stage, found {users}")
    uid, gid = users[0]
    return {"expose": int(exposes[0]), "uid": int(uid), "gid": int(gid or uid)}


def source_facts() -> dict:
    """The binary's default PORT, the variables it reads and its GET routes, from src/."""
    port = None
    variables: set[str] = set()
    routes: set[str] = set()
    for path in sorted((ROOT / "src").rglob("*.rs")):
        text = path.read_text()
        m = re.search(r'\(\s*"PORT"\s*,\s*"(\d+)"', text)
        if m:
            port = int(m.group(1))
            table = re.search(r"VARIABLES[^=]*=\s*&\[(.*?)\];", text, re.DOTALL)
            if table:
                variables |= set(re.findall(r'\(\s*"([A-Z][A-Z0-9_]*)"\s*,', table.group(1)))
        routes |= set(re.findall(r'#\[get\(\s*"([^"]+)"', text))
    if port is None:
        raise Failed('cannot find the default PORT (a `("PORT", "<n>"` entry) under src/')
    return {"port": port, "variables": variables, "routes": routes}


# ---- manifests -------------------------------------------------------------------


def load(manifests: Path) -> tuple[dict[str, list], list[dict]]:
    files = sorted(p for p in manifests.iterdir() if p.suffix in (".yaml", ".yml"))
    if not files:
        raise Failed(f"no YAML files in {manifests}")
    docs_by_file: dict[str, list] = {}
    resources: list[dict] = []
    for path in files:
        try:
            docs = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
        except yaml.YAMLError as err:
            raise Failed(f"{path.name} does not parse: {err}") from None
        for doc in docs:
            if not isinstance(doc, dict) or not doc.get("apiVersion") or not doc.get("kind"):
                raise Failed(f"{path.name}: a document without apiVersion and kind")
            if doc["kind"] != "Kustomization":
                if not (doc.get("metadata") or {}).get("name"):
                    raise Failed(f"{path.name}: {doc['kind']} without metadata.name")
                resources.append(doc | {"__file__": path.name})
        docs_by_file[path.name] = docs
    return docs_by_file, resources


def one(resources: list[dict], kind: str) -> dict:
    found = [r for r in resources if r["kind"] == kind]
    expect(len(found) == 1, f"expected one {kind}, found {len(found)}")
    return found[0]


def container_of(deployment: dict) -> dict:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    expect(len(containers) == 1, f"expected one container in the Deployment, found {len(containers)}")
    return containers[0]


def named_port(container: dict, name: str) -> int:
    ports = [p for p in container.get("ports") or [] if p.get("name") == name]
    expect(len(ports) == 1, f"expected one container port named {name!r}, found {len(ports)}")
    expect(ports[0].get("protocol", "TCP") == "TCP", f"port {name!r} is not TCP")
    return int(ports[0]["containerPort"])


def resolve_port(container: dict, port) -> int:
    """A probe's or Service's target port, by name or number, as a number."""
    if isinstance(port, str) and not port.isdigit():
        return named_port(container, port)
    return int(port)


def quantity(value) -> float:
    """A Kubernetes quantity (250m, 2, 128Mi, 1Gi, 1e3) as a number."""
    m = re.fullmatch(r"([0-9.]+(?:[eE][+-]?\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?", str(value))
    if not m:
        raise Failed(f"not a quantity: {value!r}")
    scale = {None: 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
             "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}[m.group(2)]
    return float(m.group(1)) * scale


def effective_security(deployment: dict, container: dict) -> dict:
    """The container's securityContext over the pod's (the fields both have)."""
    pod = deployment["spec"]["template"]["spec"].get("securityContext") or {}
    ctr = container.get("securityContext") or {}
    merged = {k: pod[k] for k in ("runAsNonRoot", "runAsUser", "runAsGroup", "seccompProfile") if k in pod}
    merged.update(ctr)
    return merged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifests", type=Path, default=ROOT / "deploy" / "kubernetes",
                        help="directory of manifests (default: deploy/kubernetes)")
    args = parser.parse_args()
    report = Report()

    try:
        docs_by_file, resources = load(args.manifests)
        docker = dockerfile_facts()
        source = source_facts()
    except Failed as err:
        print(f"FAIL setup: {err}")
        print("manifests: 0 passed, 1 failed")
        return 1
    print(f"checking {len(docs_by_file)} files in {args.manifests}: "
          + ", ".join(f"{r['kind']}/{r['metadata']['name']}" for r in resources))

    def parses():
        return f"{sum(len(d) for d in docs_by_file.values())} documents in {len(docs_by_file)} files"

    def kinds():
        for kind in ("Deployment", "Service", "HorizontalPodAutoscaler"):
            one(resources, kind)
        return "one Deployment, one Service, one HorizontalPodAutoscaler"

    def kustomization():
        kust = [d for docs in docs_by_file.values() for d in docs if d["kind"] == "Kustomization"]
        expect(len(kust) == 1, f"expected one Kustomization, found {len(kust)}")
        listed = set(kust[0].get("resources") or [])
        manifests = {r["__file__"] for r in resources}
        expect(listed == manifests,
               f"kustomization resources {sorted(listed)} != manifest files {sorted(manifests)}")
        return f"lists {', '.join(sorted(listed))}"

    def deployment_labels():
        dep = one(resources, "Deployment")
        selector = dep["spec"]["selector"]["matchLabels"]
        labels = dep["spec"]["template"]["metadata"]["labels"]
        expect(selector and selector.items() <= labels.items(),
               f"selector {selector} does not match the pod labels {labels}")
        expect("replicas" not in dep["spec"],
               "spec.replicas is set, but the HPA owns the replica count (apply would reset it)")
        return f"selector {selector} matches the pod template; replicas left to the HPA"

    def port():
        ctr = container_of(one(resources, "Deployment"))
        number = named_port(ctr, PORT_NAME)
        expect(number == docker["expose"], f"containerPort {number} != Dockerfile EXPOSE {docker['expose']}")
        expect(number == source["port"], f"containerPort {number} != the binary's default PORT {source['port']}")
        env = {e["name"]: e for e in ctr.get("env") or []}
        if "PORT" in env:
            expect(str(env["PORT"].get("value")) == str(number),
                   f"env PORT={env['PORT'].get('value')!r} != containerPort {number}")
        return f"container port {PORT_NAME!r} = {number} = Dockerfile EXPOSE = binary default PORT = env PORT"

    def env():
        ctr = container_of(one(resources, "Deployment"))
        names = [e["name"] for e in ctr.get("env") or []]
        unknown = sorted(set(names) - source["variables"]) if source["variables"] else []
        expect(not unknown, f"env {unknown} is not read by the binary (it reads {sorted(source['variables'])})")
        values = {e["name"]: e.get("value") for e in ctr.get("env") or [] if "value" in e}
        if "MAX_BODY_BYTES" in values:
            expect(str(values["MAX_BODY_BYTES"]).isdigit(), f"MAX_BODY_BYTES={values['MAX_BODY_BYTES']!r}")
        return f"{', '.join(names)}: all read by the binary"

    def probes():
        ctr = container_of(one(resources, "Deployment"))
        http = named_port(ctr, PORT_NAME)
        seen = []
        for kind, path in (PROBES | {"startupProbe": None}).items():
            probe = ctr.get(kind)
            if probe is None and path is None:
                continue
            expect(probe is not None, f"no {kind}")
            get = probe.get("httpGet")
            expect(get is not None, f"{kind} is not an httpGet probe")
            allowed = [path] if path else list(PROBES.values())
            expect(get.get("path") in allowed, f"{kind} path {get.get('path')!r}, expected {' or '.join(allowed)}")
            expect(get["path"] in source["routes"],
                   f"{kind} path {get['path']} is not a GET route in src/ ({sorted(source['routes'])})")
            expect(get.get("scheme", "HTTP") == "HTTP", f"{kind} scheme {get.get('scheme')}")
            target = resolve_port(ctr, get.get("port"))
            expect(target == http, f"{kind} port {get.get('port')!r} ({target}) is not the {PORT_NAME!r} port ({http})")
            seen.append(f"{kind} GET {get['path']} on {get['port']}")
        return "; ".join(seen)

    def service():
        dep = one(resources, "Deployment")
        svc = one(resources, "Service")
        ctr = container_of(dep)
        labels = dep["spec"]["template"]["metadata"]["labels"]
        selector = svc["spec"].get("selector") or {}
        expect(selector and selector.items() <= labels.items(),
               f"Service selector {selector} does not select the Deployment's pods {labels}")
        expect(svc["spec"].get("type", "ClusterIP") == "ClusterIP", f"Service type {svc['spec'].get('type')}")
        ports = svc["spec"]["ports"]
        expect(len(ports) >= 1, "Service has no ports")
        for p in ports:
            target = resolve_port(ctr, p.get("targetPort", p["port"]))
            expect(target == named_port(ctr, PORT_NAME),
                   f"Service port {p['port']} targets {p.get('targetPort')!r} ({target}), not the {PORT_NAME!r} port")
        return ", ".join(f"port {p['port']} -> {p.get('targetPort')}" for p in ports) + " (8080)"

    def hpa():
        dep = one(resources, "Deployment")
        h = one(resources, "HorizontalPodAutoscaler")
        expect(h["apiVersion"] == "autoscaling/v2", f"HPA apiVersion {h['apiVersion']}, expected autoscaling/v2")
        ref = h["spec"]["scaleTargetRef"]
        expect((ref.get("apiVersion"), ref.get("kind"), ref.get("name"))
               == ("apps/v1", "Deployment", dep["metadata"]["name"]),
               f"scaleTargetRef {ref} is not the Deployment {dep['metadata']['name']}")
        lo, hi = h["spec"].get("minReplicas", 1), h["spec"]["maxReplicas"]
        expect(2 <= lo <= hi, f"replicas {lo}..{hi}: need 2 <= min <= max")
        cpu = [m for m in h["spec"].get("metrics") or []
               if m.get("type") == "Resource" and m["resource"]["name"] == "cpu"]
        expect(len(cpu) == 1, "no CPU metric")
        target = cpu[0]["resource"]["target"]
        expect(target.get("type") == "Utilization" and 0 < target.get("averageUtilization", 0) <= 100,
               f"CPU target {target}")
        return (f"scales Deployment/{ref['name']} {lo}..{hi} on CPU {target['averageUtilization']}%"
                " of requests")

    def resources_():
        ctr = container_of(one(resources, "Deployment"))
        res = ctr.get("resources") or {}
        parts = []
        for what in ("cpu", "memory"):
            req = (res.get("requests") or {}).get(what)
            lim = (res.get("limits") or {}).get(what)
            expect(req is not None and lim is not None, f"{what}: request {req!r}, limit {lim!r}: both needed")
            expect(quantity(req) <= quantity(lim), f"{what}: request {req} above limit {lim}")
            parts.append(f"{what} {req}..{lim}")
        return ", ".join(parts)

    def security():
        dep = one(resources, "Deployment")
        ctr = container_of(dep)
        sc = effective_security(dep, ctr)
        expect(sc.get("runAsNonRoot") is True, "runAsNonRoot is not true")
        expect(sc.get("runAsUser") == docker["uid"],
               f"runAsUser {sc.get('runAsUser')} != the Dockerfile's USER uid {docker['uid']}")
        if "runAsGroup" in sc:
            expect(sc["runAsGroup"] == docker["gid"], f"runAsGroup {sc['runAsGroup']} != {docker['gid']}")
        expect(sc.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem is not true")
        expect(sc.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation is not false")
        expect(sc.get("privileged") in (None, False), "privileged is true")
        expect("ALL" in ((sc.get("capabilities") or {}).get("drop") or []), "capabilities.drop lacks ALL")
        expect((sc.get("seccompProfile") or {}).get("type") == "RuntimeDefault", "seccompProfile is not RuntimeDefault")
        return (f"non-root uid {sc['runAsUser']} (= Dockerfile USER), read-only root, no privilege"
                " escalation, capabilities dropped, seccomp RuntimeDefault")

    def disruption_budget():
        pdbs = [r for r in resources if r["kind"] == "PodDisruptionBudget"]
        if not pdbs:
            return "none (optional)"
        dep = one(resources, "Deployment")
        labels = dep["spec"]["template"]["metadata"]["labels"]
        for pdb in pdbs:
            selector = pdb["spec"]["selector"]["matchLabels"]
            expect(selector.items() <= labels.items(), f"PDB selector {selector} does not select {labels}")
            lo = one(resources, "HorizontalPodAutoscaler")["spec"].get("minReplicas", 1)
            expect(pdb["spec"].get("minAvailable", 0) < lo,
                   f"PDB minAvailable {pdb['spec'].get('minAvailable')} would block every drain at {lo} replicas")
        return "selects the Deployment's pods; minAvailable below the HPA minimum"

    for name, test in [("parse", parses), ("kinds", kinds), ("kustomization", kustomization),
                       ("deployment", deployment_labels), ("port", port), ("env", env),
                       ("probes", probes), ("service", service), ("hpa", hpa),
                       ("resources", resources_), ("security", security),
                       ("pdb", disruption_budget)]:
        report.check(name, test)

    try:
        import kubernetes_validate
    except ImportError:
        print("note schema: not validated against the Kubernetes API (pip install kubernetes-validate)")
    else:
        def schema():
            version = kubernetes_validate.latest_version()
            for r in resources:
                doc = {k: v for k, v in r.items() if k != "__file__"}
                try:
                    kubernetes_validate.validate(doc, version, strict=True)
                except kubernetes_validate.ValidationError as err:
                    raise Failed(f"{r['__file__']} {r['kind']}: {err.message} at {list(err.path)}") from None
            return f"{len(resources)} resources valid against Kubernetes {version} (strict)"

        report.check("schema", schema)

    print(f"manifests: {report.passed} passed, {report.failed} failed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
