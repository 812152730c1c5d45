{{/* Chart name, overridable. */}}
{{- define "convo.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name, at most 63 characters (DNS label). A release name that already
contains the chart name is used as is.
*/}}
{{- define "convo.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "convo.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "convo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "convo.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "convo.labels" -}}
helm.sh/chart: {{ include "convo.chart" . }}
{{ include "convo.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: convo
{{- end }}

{{- define "convo.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "convo.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image reference: a digest wins over the tag; the tag defaults to appVersion. */}}
{{- define "convo.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The Secret the server reads: the existing one, or the chart's. */}}
{{- define "convo.secretName" -}}
{{- default (include "convo.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/*
The Secret the migration Job reads. A pre-install hook runs before the release's own
resources exist, so with a chart-managed Secret the Job gets a hook-created copy holding
only DATABASE_URL (see migration-job.yaml).
*/}}
{{- define "convo.migrationSecretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else }}
{{- printf "%s-migrate" (include "convo.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "convo.migrationServiceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- printf "%s-migrate" (include "convo.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- include "convo.serviceAccountName" . }}
{{- end }}
{{- end }}

{{/* The chart-managed Secret's data: only the values that are set. */}}
{{- define "convo.secretData" -}}
{{- $s := .Values.secrets }}
{{- if and $s.operatorJwtSecret $s.operatorJwtPublicKey }}
{{- fail "secrets.operatorJwtSecret and secrets.operatorJwtPublicKey are exclusive: set one" }}
{{- end }}
{{ $s.keys.databaseUrl }}: {{ required "secrets.databaseUrl is required unless secrets.existingSecret names a Secret" $s.databaseUrl | b64enc | quote }}
{{- range $field := list "jwtSecret" "operatorJwtSecret" "operatorJwtPublicKey" "anthropicApiKey" }}
{{- with index $s $field }}
{{ index $s.keys $field }}: {{ . | b64enc | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Secret environment variables. DATABASE_URL must exist; the others are optional, so a key
missing from the Secret leaves the variable unset (the server's default), never empty.
*/}}
{{- define "convo.secretEnv" -}}
{{- $secret := .secret }}
{{- $keys := .root.Values.secrets.keys }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.databaseUrl }}
{{- if not .databaseOnly }}
{{- range $var, $field := dict "CONVO_JWT_SECRET" "jwtSecret" "CONVO_OPERATOR_JWT_SECRET" "operatorJwtSecret" "CONVO_OPERATOR_JWT_PUBLIC_KEY" "operatorJwtPublicKey" "ANTHROPIC_API_KEY" "anthropicApiKey" }}
- name: {{ $var }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ index $keys $field }}
      optional: true
{{- end }}
{{- end }}
{{- end }}

{{/* Seconds between SIGTERM and the server's forced stop must fit the grace period. */}}
{{- define "convo.checkShutdownBudget" -}}
{{- $grace := int (default "20" .Values.config.CONVO_SHUTDOWN_GRACE_SECS) }}
{{- $sleep := int .Values.lifecycle.preStopSleepSeconds }}
{{- $period := int .Values.terminationGracePeriodSeconds }}
{{- if ge (add $grace $sleep) $period }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must exceed lifecycle.preStopSleepSeconds (%d) + config.CONVO_SHUTDOWN_GRACE_SECS (%d)" $period $sleep $grace) }}
{{- end }}
{{- end }}
