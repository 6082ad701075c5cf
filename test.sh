#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need (Debian packages, NuGet packages
# through restore), publishes the Native AOT plugin and installer, the node agent, the controller and kubectl-whereabouts once, builds
# the image from them (build/image.sh --no-publish), runs every test project, and ends with one line
# "N passed, M failed" over all of them. Run as root (the namespace end-to-end tests create netns and links).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source scripts/cni-lib.sh

step() { printf '\n== %s\n' "$*"; }

step "packages: CNI plugins, iproute2, ping, jq, etcd"
ensure_packages
if ! command -v etcd >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends etcd-server >/dev/null 2>&1 \
        || { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends etcd-server >/dev/null; }
fi

step "packages: containerd and runc (the install tests' runtime), kubectl (renders deploy/ with kustomize)"
install_if_missing() { # command package
    command -v "$1" >/dev/null 2>&1 && return 0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$2" >/dev/null 2>&1 \
        || { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$2" >/dev/null; }
}
install_if_missing containerd containerd
install_if_missing runc runc
install_if_missing kubectl kubernetes-client

step "publish the plugin (Native AOT): dotnet publish src/Whereabouts.Plugin -c Release -o artifacts/cni"
dotnet publish src/Whereabouts.Plugin -c Release -o artifacts/cni -nologo -clp:ErrorsOnly
export WHEREABOUTS_BINARY="$PWD/artifacts/cni/whereabouts"

step "publish the node agent: dotnet publish src/Whereabouts.Node -c Release -o artifacts/node"
dotnet publish src/Whereabouts.Node -c Release -o artifacts/node -nologo -clp:ErrorsOnly
export WHEREABOUTS_NODE_BINARY="$PWD/artifacts/node/whereabouts-node"

step "publish the controller: dotnet publish src/Whereabouts.Controller -c Release -o artifacts/controller"
dotnet publish src/Whereabouts.Controller -c Release -o artifacts/controller -nologo -clp:ErrorsOnly
export WHEREABOUTS_CONTROLLER_BINARY="$PWD/artifacts/controller/whereabouts-controller"

step "publish kubectl-whereabouts: dotnet publish src/Whereabouts.Kubectl -c Release -o artifacts/kubectl"
dotnet publish src/Whereabouts.Kubectl -c Release -o artifacts/kubectl -nologo -clp:ErrorsOnly
export WHEREABOUTS_KUBECTL_BINARY="$PWD/artifacts/kubectl/kubectl-whereabouts"

step "publish the installer (Native AOT): dotnet publish src/Whereabouts.Installer -c Release -r linux-x64 -o artifacts/installer"
dotnet publish src/Whereabouts.Installer -c Release -r linux-x64 -o artifacts/installer -nologo -clp:ErrorsOnly

step "build the image from those publishes: build/image.sh --no-publish"
./build/image.sh --no-publish
export WHEREABOUTS_IMAGE_ARCHIVE="$PWD/artifacts/image/whereabouts.tar"

step "build the solution"
dotnet build Whereabouts.sln -c Release -nologo -clp:ErrorsOnly

step "run every test project"
export SNAPSHOOTER_STRICT_MODE=on
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test Whereabouts.sln -c Release --no-build -nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# Each project prints "Passed!  - Failed: F, Passed: P, Skipped: S, Total: T" (or "Failed!  - ...").
read -r passed failed projects < <(awk '
    /(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+/ {
        for (i = 1; i <= NF; i++) {
            if ($i == "Failed:") { f += $(i + 1) + 0 }
            if ($i == "Passed:") { p += $(i + 1) + 0 }
        }
        n++
    }
    END { print p + 0, f + 0, n + 0 }' "$log")
echo
echo "test projects run: $projects"
echo "$passed passed, $failed failed"
if ((status != 0 || failed != 0 || projects == 0)); then exit 1; fi
