"""Render, lint and validate the convo chart with real Helm: the Helm v4 SDK that
helm-python-sdk bundles (libhelm_c), so no helm binary is needed.

Usage: check.py WORKDIR  (run by ./check inside its venv; writes the rendered manifests there)

For each values file of ci/ (release convo, namespace convo, Kubernetes $KUBE_VERSION):
  1. `helm lint --strict --kube-version`: any warning or error fails;
  2. the values against values.schema.json, as `helm install` checks them;
  3. `helm template --kube-version`: Helm's install action, client-only, which also checks the
     chart's kubeVersion constraint and renders NOTES.txt (the NOTES must say how to connect);
  4. every manifest against the Kubernetes schemas (kubernetes-validate --strict; the
     ServiceMonitor is a CRD they do not have: only its endpoint is checked);
  5. the invariants of check_manifests.py on the manifests and hooks Helm rendered.
Each file of ci/invalid/ must be refused, by the schema or by the chart's own fail/required.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import helm_python as helm
import yaml
from helm_python import _native
from helm_python import chart as C

CHART = "convo"
RELEASE = "convo"
NAMESPACE = "convo"
KUBE_VERSION = os.environ["KUBE_VERSION"]
BIN = Path(sys.executable).parent


def helm_template(chart, values, skip_schema=False):
    """What `helm template --kube-version` runs: the install action in client-only dry-run
    mode, with in-memory release storage and no cluster. helm_python's Config.install does not
    pass `kube_version` (the C ABI takes it), so this calls the C ABI with the same arguments.
    Returns the release: `manifest` (Helm's install order, hooks left out) and `notes`."""
    opts = {"namespace": NAMESPACE, "dry_run": "client", "kube_version": KUBE_VERSION}
    if skip_schema:
        opts["skip_schema_validation"] = True
    with helm.Config(namespace=NAMESPACE, storage_driver="memory") as cfg:
        payload = _native.call_string(
            "helm_install",
            cfg._raw(),
            _native.HANDLE(0),
            chart._raw(),
            None,
            RELEASE,
            json.dumps(values),
            json.dumps(opts),
        )
    return json.loads(payload)


def run(*cmd):
    if subprocess.run(cmd).returncode != 0:
        sys.exit(f"helm check: failed: {' '.join(map(str, cmd))}")


def documents(text):
    return [d for d in yaml.safe_load_all(text) if d]


def is_hook(doc):
    return "helm.sh/hook" in doc["metadata"].get("annotations", {})


def canonical(docs):
    return sorted(json.dumps(d, sort_keys=True) for d in docs)


def lint(values):
    report = C.lint(
        CHART, values, strict=True, namespace=NAMESPACE, kube_version=f"v{KUBE_VERSION}"
    )
    problems = report["errors"] + [
        f"{m['path']}: {m['error']}" for m in report["messages"] if m["severity"] >= 2
    ]
    if problems:
        sys.exit("helm check: helm lint:\n  " + "\n  ".join(problems))
    return len(report["messages"])


def check_values_file(chart, path, work):
    values = C.values_from_yaml(path.read_text())
    infos = lint(values)
    chart.validate_schema(values)
    release = helm_template(chart, values)
    # The release leaves hooks out (Helm keeps them apart); `helm template` prints them after
    # the manifest, and an install applies both: take them from the same engine's render.
    rendered = chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    installed = documents(release["manifest"])
    everything = [
        d
        for name, text in sorted(rendered.items())
        if not name.endswith("NOTES.txt")
        for d in documents(text)
    ]
    if canonical(d for d in everything if not is_hook(d)) != canonical(installed):
        sys.exit(f"helm check: {path}: the render and the install dry-run disagree")
    docs = installed + [d for d in everything if is_hook(d)]
    if "port-forward" not in release["notes"]:
        sys.exit(f"helm check: {path}: NOTES.txt does not say how to connect:\n{release['notes']}")

    out = work / f"{path.stem}.yaml"
    out.write_text(yaml.safe_dump_all(docs))
    # kubernetes-validate knows only built-in kinds: set the CRD-based ServiceMonitor aside.
    builtin = work / f"{path.stem}.builtin.yaml"
    builtin.write_text(yaml.safe_dump_all([d for d in docs if d["kind"] != "ServiceMonitor"]))
    for d in docs:
        if d["kind"] == "ServiceMonitor":
            assert d["apiVersion"] == "monitoring.coreos.com/v1", d["apiVersion"]
            assert d["spec"]["endpoints"][0]["path"] == "/metrics", d["spec"]["endpoints"]
    run(BIN / "kubernetes-validate", "-k", KUBE_VERSION, "--strict", "--quiet", builtin)
    print(
        f"helm check: {path}: lint clean ({infos} info), values valid, {len(docs)} manifests "
        f"rendered (hooks: {len(docs) - len(installed)}) + NOTES, valid for Kubernetes {KUBE_VERSION}"
    )
    return out


def refusal(chart, values):
    """Why Helm refuses these values, or None. Both guards are asked separately, so a
    refusal by the schema does not hide that the chart alone would have accepted them."""
    reasons = []
    try:
        chart.validate_schema(values)
    except helm.HelmValuesError as e:
        reasons.append(f"by values.schema.json: {' '.join(str(e).split())}")
    try:
        helm_template(chart, values, skip_schema=True)
    except helm.HelmError as e:
        reasons.append(f"by the chart: {' '.join(str(e).split())}")
    if reasons:
        try:  # what an operator sees: the install itself must refuse
            helm_template(chart, values)
        except helm.HelmError:
            return "; ".join(reasons)
        sys.exit("helm check: a guard refused the values but the install accepted them")
    return None


def main():
    work = Path(sys.argv[1]).resolve()
    os.chdir(Path(__file__).parent)
    print(f"helm check: Helm SDK {helm.helm_sdk_version()} (helm-python-sdk {helm.__version__})")
    chart = C.Chart.load(CHART)
    rendered = []
    for path in sorted(Path("ci").glob("*.yaml")):
        try:
            rendered.append(check_values_file(chart, path, work))
        except helm.HelmError as e:
            sys.exit(f"helm check: {path}: {type(e).__name__}: {e}")
    run(sys.executable, "check_manifests.py", *rendered)
    for path in sorted(Path("ci/invalid").glob("*.yaml")):
        why = refusal(chart, C.values_from_yaml(path.read_text()))
        if why is None:
            sys.exit(f"helm check: {path} was accepted; it must be refused")
        print(f"helm check: {path} refused {why}")
    print("helm check: all passed")


if __name__ == "__main__":
    main()
