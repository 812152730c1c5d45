"""Invariants of the rendered chart that Kubernetes' schemas cannot express.

Usage: check_manifests.py RENDERED.yaml [...]  (one multi-document file per values file)
"""

import sys

import yaml

HOOK = {"pre-install", "pre-upgrade"}


def pod_specs(doc):
    spec = doc.get("spec", {})
    if doc["kind"] in ("Deployment", "Job"):
        yield spec["template"]["spec"]


def check(path):
    problems = []
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    kinds = [d["kind"] for d in docs]
    for doc in docs:
        name = f"{doc['kind']}/{doc['metadata']['name']}"
        for pod in pod_specs(doc):
            if pod.get("securityContext", {}).get("runAsNonRoot") is not True:
                problems.append(f"{name}: pod may run as root")
            for c in pod["containers"]:
                sc = c.get("securityContext", {})
                if sc.get("readOnlyRootFilesystem") is not True:
                    problems.append(f"{name}/{c['name']}: writable root filesystem")
                if sc.get("allowPrivilegeEscalation") is not False:
                    problems.append(f"{name}/{c['name']}: privilege escalation allowed")
                if "ALL" not in sc.get("capabilities", {}).get("drop", []):
                    problems.append(f"{name}/{c['name']}: capabilities not dropped")
                if "memory" not in c.get("resources", {}).get("limits", {}):
                    problems.append(f"{name}/{c['name']}: no memory limit")
                for env in c.get("env", []):
                    if env["name"] in ("DATABASE_URL", "CONVO_JWT_SECRET") and "value" in env:
                        problems.append(f"{name}: {env['name']} as a plain value, not a Secret")
        if doc["kind"] == "Deployment":
            c = doc["spec"]["template"]["spec"]["containers"][0]
            for probe, path in (("livenessProbe", "/health"), ("readinessProbe", "/ready")):
                if c.get(probe, {}).get("httpGet", {}).get("path") != path:
                    problems.append(f"{name}: {probe} is not GET {path}")
            if c.get("args") != ["serve"]:
                problems.append(f"{name}: does not run `convo serve`")
            if doc["spec"].get("strategy", {}).get("type") != "RollingUpdate":
                problems.append(f"{name}: not a rolling update")
        if doc["kind"] == "Job":
            hooks = set(doc["metadata"].get("annotations", {}).get("helm.sh/hook", "").split(","))
            if hooks != HOOK:
                problems.append(f"{name}: hook is {hooks}, not {HOOK}")
            if doc["spec"]["template"]["spec"]["containers"][0]["args"][0] != "migrate":
                problems.append(f"{name}: does not run `convo migrate`")
        if doc["kind"] in ("Secret", "ServiceAccount") and doc["metadata"]["name"].endswith("-migrate"):
            weight = int(doc["metadata"].get("annotations", {}).get("helm.sh/hook-weight", "0"))
            if weight >= 0:
                problems.append(f"{name}: the migration Job's {doc['kind']} must come before it")
        if doc["kind"] == "ConfigMap":
            leaked = {"DATABASE_URL", "CONVO_JWT_SECRET", "ANTHROPIC_API_KEY"} & set(doc.get("data", {}))
            if leaked:
                problems.append(f"{name}: secrets in a ConfigMap: {leaked}")
    # Only the server's pods may match the Service's selector (and so the PDB's).
    selectors = [d["spec"]["selector"] for d in docs if d["kind"] == "Service"]
    for doc in docs:
        if doc["kind"] == "Job":
            labels = doc["spec"]["template"]["metadata"].get("labels", {})
            for selector in selectors:
                if all(labels.get(k) == v for k, v in selector.items()):
                    problems.append(f"Job/{doc['metadata']['name']}: its pod matches the Service selector")
    for required in ("Deployment", "Service", "ConfigMap", "PodDisruptionBudget", "Job"):
        if required not in kinds:
            problems.append(f"no {required} rendered")
    return kinds, problems


failed = False
for path in sys.argv[1:]:
    kinds, problems = check(path)
    for p in problems:
        print(f"check: {path}: {p}", file=sys.stderr)
    failed |= bool(problems)
    print(f"check: {path}: {len(kinds)} manifests ({', '.join(sorted(set(kinds)))}), invariants {'FAILED' if problems else 'hold'}")
sys.exit(1 if failed else 0)
