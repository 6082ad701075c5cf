#!/usr/bin/env bash
# kubectl-whereabouts' table (docs/benchmarks.md, "kubectl whereabouts"): publishes the CLI, then runs
# bench/Whereabouts.KubectlLoad against the in-process Kubernetes API test server.
# Usage: bench/kubectl-load.sh [POOLS=100] [PER_POOL=100] [REPEAT=5]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dotnet publish src/Whereabouts.Kubectl -c Release -o artifacts/kubectl -nologo -clp:ErrorsOnly
dotnet run --project bench/Whereabouts.KubectlLoad -c Release -- "$PWD/artifacts/kubectl/kubectl-whereabouts" "${1:-100}" "${2:-100}" "${3:-5}"
