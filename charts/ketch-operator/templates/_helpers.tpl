{{- define "ketch-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "ketch-operator.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "ketch-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "ketch-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{- define "ketch-operator.serviceAccountName" -}}
{{- default (include "ketch-operator.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{/* The rules the operator needs; the same as manifests/install/10-rbac.yaml (ShippingTest keeps them equal). */}}
{{- define "ketch-operator.rules" -}}
# clusters are read; only their status is written
- apiGroups: ["ketch.io"]
  resources: ["etcdclusters"]
  verbs: ["get", "list", "watch"]
# scheduled backups are created and pruned
- apiGroups: ["ketch.io"]
  resources: ["etcdbackups"]
  verbs: ["get", "list", "watch", "create", "delete"]
- apiGroups: ["ketch.io"]
  resources: ["etcdclusters/status", "etcdbackups/status"]
  verbs: ["get", "update", "patch"]
# owner references with blockOwnerDeletion need it
- apiGroups: ["ketch.io"]
  resources: ["etcdclusters/finalizers", "etcdbackups/finalizers"]
  verbs: ["update"]
- apiGroups: ["apps"]
  resources: ["statefulsets"]
  verbs: ["get", "list", "watch", "create", "patch"]
- apiGroups: [""]
  resources: ["services", "configmaps"]
  verbs: ["get", "create", "patch"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch", "delete"]
# expanded, and deleted per the retention policy
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["get", "list", "patch", "delete"]
# backups to a volume claim
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["get", "create", "delete"]
# S3 credentials
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end -}}
