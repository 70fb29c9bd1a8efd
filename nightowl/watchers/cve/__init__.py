"""The CVE posture watcher: what runs (images and the cluster version from Kubernetes, package
lock files, manifests and Terraform), matched against OSV-schema vulnerability records and
scanner reports (trivy, grype, osv-scanner), rated by CVSS, each fixable one with the version
bump that fixes it. Pure reading and matching: writes (pull requests) go through the actions
drivers behind the policy, never from here.
"""
