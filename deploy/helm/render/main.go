// Command render renders a Helm chart the way `helm template` does, for CI machines where
// Helm itself cannot be installed. It uses the same engine pieces as Helm 3: Go's
// text/template with the Sprig function library (minus env/expandenv), Helm's own template
// functions (include, tpl, required, toYaml, fromYaml, toJson, fromJson, lookup), values
// coalesced from values.yaml and -f files with sigs.k8s.io/yaml, missingkey=zero with
// "<no value>" removed, and the chart's kubeVersion checked against the target version.
//
// Not implemented (the chart does not use them): subcharts and dependencies, .Files,
// .Capabilities.APIVersions, --set, toToml, strict mode, library charts, schema
// validation (CI validates the merged values with Python's jsonschema instead), and the
// kind-based ordering of the output (documents come in template file name order).
//
// Usage:
//
//	render -chart DIR [-f values.yaml]... [-name RELEASE] [-namespace NS]
//	       [-kube-version 1.31.0] [-upgrade] [-values-out merged.json] [-notes-out NOTES]
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"

	// GOPATH mode (Debian's packaged sources): the /v3 suffix is dropped from these paths.
	"github.com/Masterminds/semver"
	"github.com/Masterminds/sprig"
	"sigs.k8s.io/yaml"
)

// Metadata is the part of Helm's chart.Metadata the chart can see as .Chart.
type Metadata struct {
	Name        string `json:"name"`
	Version     string `json:"version"`
	AppVersion  string `json:"appVersion"`
	Description string `json:"description"`
	APIVersion  string `json:"apiVersion"`
	KubeVersion string `json:"kubeVersion"`
	Type        string `json:"type"`
	Home        string `json:"home"`
	Keywords    []string
}

// KubeVersion mirrors Helm's chartutil.KubeVersion.
type KubeVersion struct {
	Version    string
	Major      string
	Minor      string
	GitVersion string
}

func (k KubeVersion) String() string { return k.Version }

type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(s string) error { *f = append(*f, s); return nil }

const recursionMax = 1000

var errMarker = regexp.MustCompile(`HELM_ERR_START(.*)HELM_ERR_END`)

func main() {
	chartDir := flag.String("chart", ".", "chart directory")
	name := flag.String("name", "release-name", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	kubeVersion := flag.String("kube-version", "1.31.0", "Kubernetes version for .Capabilities")
	upgrade := flag.Bool("upgrade", false, "render as an upgrade instead of an install")
	valuesOut := flag.String("values-out", "", "write the coalesced values as JSON here")
	notesOut := flag.String("notes-out", "", "write the rendered NOTES.txt here")
	var valueFiles fileList
	flag.Var(&valueFiles, "f", "values file (repeatable; later files win)")
	flag.Parse()

	if err := run(*chartDir, *name, *namespace, *kubeVersion, *upgrade, valueFiles, *valuesOut, *notesOut); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func run(chartDir, name, namespace, kubeVersion string, upgrade bool, valueFiles []string, valuesOut, notesOut string) error {
	var meta Metadata
	if err := readYAML(filepath.Join(chartDir, "Chart.yaml"), &meta); err != nil {
		return err
	}
	if meta.APIVersion != "v2" {
		return fmt.Errorf("Chart.yaml: apiVersion must be v2, got %q", meta.APIVersion)
	}
	caps, err := capabilities(kubeVersion)
	if err != nil {
		return err
	}
	if meta.KubeVersion != "" {
		if err := checkKubeVersion(meta.KubeVersion, kubeVersion); err != nil {
			return err
		}
	}

	defaults := map[string]interface{}{}
	if err := readYAML(filepath.Join(chartDir, "values.yaml"), &defaults); err != nil {
		return err
	}
	user := map[string]interface{}{}
	for _, file := range valueFiles {
		current := map[string]interface{}{}
		if err := readYAML(file, &current); err != nil {
			return err
		}
		user = mergeMaps(user, current)
	}
	values := coalesce(user, defaults)
	if valuesOut != "" {
		data, err := json.MarshalIndent(values, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(valuesOut, data, 0o644); err != nil {
			return err
		}
	}

	top := map[string]interface{}{
		"Chart": meta,
		"Release": map[string]interface{}{
			"Name":      name,
			"Namespace": namespace,
			"Service":   "Helm",
			"Revision":  map[bool]int{false: 1, true: 2}[upgrade],
			"IsInstall": !upgrade,
			"IsUpgrade": upgrade,
		},
		"Capabilities": caps,
		"Values":       values,
	}
	sources, err := readTemplates(chartDir, meta.Name)
	if err != nil {
		return err
	}
	rendered, err := render(sources, top)
	if err != nil {
		return err
	}

	names := make([]string, 0, len(rendered))
	for file := range rendered {
		names = append(names, file)
	}
	sort.Strings(names)
	var out strings.Builder
	for _, file := range names {
		content := rendered[file]
		if path.Base(file) == "NOTES.txt" {
			if notesOut != "" {
				if err := os.WriteFile(notesOut, []byte(content), 0o644); err != nil {
					return err
				}
			}
			continue
		}
		if strings.TrimSpace(content) == "" {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", file, strings.TrimRight(content, "\n"))
	}
	_, err = os.Stdout.WriteString(out.String())
	return err
}

// readYAML decodes like Helm: YAML → JSON → Go values, so numbers are float64.
func readYAML(file string, into interface{}) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(data, into); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

func capabilities(version string) (map[string]interface{}, error) {
	v, err := semver.NewVersion(version)
	if err != nil {
		return nil, fmt.Errorf("-kube-version: %w", err)
	}
	kube := KubeVersion{
		Version:    "v" + v.String(),
		Major:      fmt.Sprint(v.Major()),
		Minor:      fmt.Sprint(v.Minor()),
		GitVersion: "v" + v.String(),
	}
	return map[string]interface{}{"KubeVersion": kube}, nil
}

// checkKubeVersion is Helm's chartutil.IsCompatibleRange applied before rendering.
func checkKubeVersion(constraint, version string) error {
	c, err := semver.NewConstraint(constraint)
	if err != nil {
		return fmt.Errorf("Chart.yaml kubeVersion: %w", err)
	}
	v, err := semver.NewVersion(version)
	if err != nil {
		return err
	}
	if !c.Check(v) {
		return fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes v%s", constraint, v)
	}
	return nil
}

// mergeMaps is Helm's merge of successive -f files: maps merge deeply, later values win.
func mergeMaps(a, b map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if vm, ok := v.(map[string]interface{}); ok {
			if bv, ok := out[k]; ok {
				if bvm, ok := bv.(map[string]interface{}); ok {
					out[k] = mergeMaps(bvm, vm)
					continue
				}
			}
		}
		out[k] = v
	}
	return out
}

// coalesce is Helm's chartutil.CoalesceValues for a chart without dependencies: user values
// win, tables merge deeply, and a user null deletes the chart's default.
func coalesce(user, defaults map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(user))
	for k, v := range user {
		out[k] = v
	}
	for key, def := range defaults {
		value, present := out[key]
		switch {
		case !present:
			out[key] = def
		case value == nil:
			delete(out, key)
		default:
			userTable, userIsTable := value.(map[string]interface{})
			defTable, defIsTable := def.(map[string]interface{})
			if userIsTable && defIsTable {
				out[key] = coalesce(userTable, defTable)
			} else if userIsTable != defIsTable && def != nil {
				fmt.Fprintf(os.Stderr, "warning: %s: a table and a non-table cannot be merged; using the user value\n", key)
			}
		}
	}
	// Nulls in user tables without a default are dropped as well.
	for k, v := range out {
		if v == nil {
			delete(out, k)
		}
	}
	return out
}

// readTemplates loads every file under templates/, named as Helm names them:
// "<chart>/templates/<path>".
func readTemplates(chartDir, chartName string) (map[string]string, error) {
	root := filepath.Join(chartDir, "templates")
	sources := map[string]string{}
	err := filepath.Walk(root, func(file string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, file)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		sources[path.Join(chartName, "templates", filepath.ToSlash(rel))] = string(data)
		return nil
	})
	return sources, err
}

// render parses all templates into one set (so `define`s are shared) and executes every
// file whose name does not start with "_", as Helm's engine does.
func render(sources map[string]string, top map[string]interface{}) (map[string]string, error) {
	t := template.New("gotpl").Option("missingkey=zero")
	t.Funcs(funcMap(t))
	names := make([]string, 0, len(sources))
	for name := range sources {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, err := t.New(name).Parse(sources[name]); err != nil {
			return nil, fmt.Errorf("parse error in %s: %w", name, err)
		}
	}
	basePath := ""
	if len(names) > 0 {
		basePath = strings.SplitN(names[0], "/", 2)[0] + "/templates"
	}
	rendered := map[string]string{}
	for _, name := range names {
		if strings.HasPrefix(path.Base(name), "_") {
			continue
		}
		vals := make(map[string]interface{}, len(top)+1)
		for k, v := range top {
			vals[k] = v
		}
		vals["Template"] = map[string]interface{}{"Name": name, "BasePath": basePath}
		var buf strings.Builder
		if err := t.ExecuteTemplate(&buf, name, vals); err != nil {
			return nil, cleanExecError(err)
		}
		rendered[name] = strings.ReplaceAll(buf.String(), "<no value>", "")
	}
	return rendered, nil
}

func cleanExecError(err error) error {
	if m := errMarker.FindStringSubmatch(err.Error()); m != nil {
		prefix := strings.SplitN(err.Error(), ": ", 3)
		if len(prefix) == 3 {
			return fmt.Errorf("execution error at (%s): %s", prefix[1], m[1])
		}
		return errors.New(m[1])
	}
	return err
}

// funcMap is Helm's: Sprig without env/expandenv, plus Helm's own functions.
func funcMap(t *template.Template) template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	included := map[string]int{}
	f["include"] = func(name string, data interface{}) (string, error) {
		if included[name] > recursionMax {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		included[name]++
		defer func() { included[name]-- }()
		var buf strings.Builder
		err := t.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	f["tpl"] = func(text string, vals map[string]interface{}) (string, error) {
		clone, err := t.Clone()
		if err != nil {
			return "", err
		}
		tmpl, err := clone.New("tpl").Parse(text)
		if err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
		}
		var buf strings.Builder
		if err := tmpl.Execute(&buf, vals); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	f["required"] = func(warn string, val interface{}) (interface{}, error) {
		if val == nil {
			return val, errors.New("HELM_ERR_START" + warn + "HELM_ERR_END")
		}
		if s, ok := val.(string); ok && s == "" {
			return val, errors.New("HELM_ERR_START" + warn + "HELM_ERR_END")
		}
		return val, nil
	}
	f["toYaml"] = func(v interface{}) string {
		data, err := yaml.Marshal(v)
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(data), "\n")
	}
	f["fromYaml"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	f["toJson"] = func(v interface{}) string {
		data, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		return string(data)
	}
	f["fromJson"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	// Without a cluster (helm template), lookup finds nothing.
	f["lookup"] = func(string, string, string, string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	return f
}
