#!/usr/bin/env bash
# The node agent's load table (docs/benchmarks.md, "The node agent"): publishes the plugin (Native AOT) and the
# agent, then runs bench/Whereabouts.AgentLoad against the in-process Kubernetes API test server.
# Usage: bench/agent-load.sh [REPEAT=5]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dotnet publish src/Whereabouts.Plugin -c Release -o artifacts/cni -nologo -clp:ErrorsOnly
dotnet publish src/Whereabouts.Node -c Release -o artifacts/node -nologo -clp:ErrorsOnly
dotnet run --project bench/Whereabouts.AgentLoad -c Release -- "$PWD/artifacts/cni/whereabouts" "$PWD/artifacts/node/whereabouts-node" "${1:-5}"
