#!/usr/bin/env bash
# demo.sh — why cluster-wide IPAM: host-local vs. whereabouts, live, in network namespaces.
#
#   sudo ./demo.sh          (or ./demo.sh as root)
#
# Installs what it needs (containernetworking-plugins, iproute2, iputils-ping, jq) and
# builds artifacts/cni/whereabouts with `dotnet publish` if it's missing.  Everything it
# creates — two network namespaces, a veth pair, temp dirs — is removed on exit, even on
# failure.  Exit status is non-zero if any step fails, and the failing step is named.
#
# Environment:
#   NO_COLOR=1               plain output even on a terminal
#   WB_DEMO_BIN=<path>       use this whereabouts binary instead of artifacts/cni/whereabouts
#                            (never built automatically)
#   WB_DEMO_IPAM=host-local  (testing the demo's plumbing only) run Act 2 with host-local
#                            on one shared dataDir instead of whereabouts; no build needed
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$REPO"

if [[ $EUID -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        echo "demo.sh needs root (network namespaces, links); re-running with sudo..." >&2
        exec sudo -- "$REPO/demo.sh" "$@"
    fi
    echo "demo.sh must run as root (network namespaces, links): try 'sudo ./demo.sh'" >&2
    exit 1
fi

# shellcheck source=scripts/cni-lib.sh
source "$REPO/scripts/cni-lib.sh"

# ---------------------------------------------------------------- presentation ---
if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then
    B=$'\e[1m' DIM=$'\e[2m' RED=$'\e[31m' GRN=$'\e[32m' YEL=$'\e[33m' CYN=$'\e[36m' RST=$'\e[0m'
else
    B="" DIM="" RED="" GRN="" YEL="" CYN="" RST=""
fi
STEP="starting"
act()   { printf '\n%s%s══ %s ══%s\n' "$B" "$CYN" "$*" "$RST"; }
step()  { STEP="$*"; printf '\n%s▶ %s%s\n' "$B" "$*" "$RST"; }
say()   { printf '  %s\n' "$*"; }
run()   { printf '  %s$ %s%s\n' "$DIM" "$*" "$RST"; "$@" 2>&1 | sed 's/^/    /'; }
ok()    { printf '  %s✔ %s%s\n' "$GRN" "$*" "$RST"; }
warn()  { printf '  %s! %s%s\n' "$YEL" "$*" "$RST"; }
bad()   { printf '  %s✘ %s%s\n' "$RED" "$*" "$RST"; }
die()   { bad "$*"; exit 1; }

# --------------------------------------------------------------------- names ---
NS1="wb-demo-node1-pod"
NS2="wb-demo-node2-pod"
MASTER="wbdemo0"                 # veth pair wbdemo0 <-> wbdemo0-peer, root netns
NET="wb-demo"
SUBNET="192.168.2.224/28"
WB_RANGE="192.168.2.225/28"
IPAM_MODE="${WB_DEMO_IPAM:-whereabouts}"
WB_BIN="${WB_DEMO_BIN:-$REPO/artifacts/cni/whereabouts}"
TMP=""

on_exit() {
    local rc=$?
    set +e
    del_netns "$NS1" "$NS2"
    del_link "$MASTER"
    [[ -n "$TMP" ]] && cleanup_paths "$TMP"
    if ((rc != 0)); then
        printf '\n%s%sDEMO FAILED%s during step: %s (exit %s)\n' "$B" "$RED" "$RST" "$STEP" "$rc" >&2
        printf 'Everything the demo created (namespaces, links, temp dirs) has been removed.\n' >&2
    else
        printf '\n%sCleaned up:%s namespaces %s %s, link %s, temp dir.\n' "$DIM" "$RST" "$NS1" "$NS2" "$MASTER"
    fi
    exit "$rc"
}
# The demo uses fixed names; refuse to run two at once (the second would tear down the first's stage).
if command -v flock >/dev/null 2>&1; then
    { exec 9>"/run/lock/wb-demo.lock"; } 2>/dev/null || exec 9>"/tmp/wb-demo.lock"
    flock -n 9 || { echo "another ./demo.sh is already running (lock held); wait for it to finish" >&2; exit 1; }
fi

trap on_exit EXIT
trap 'exit 130' INT TERM

# cni <verb> <ns> <cid> <pod> <conf>: run the macvlan plugin (which execs the IPAM plugin).
cni() { cni_exec "$1" macvlan "$2" "$3" eth0 "$4" "$5"; }

macvlan_conf() { # <ipam-json>
    jq -cn --arg n "$NET" --arg m "$MASTER" --argjson ipam "$1" \
        '{cniVersion:"0.3.0", name:$n, type:"macvlan", master:$m, mode:"bridge", ipam:$ipam}'
}

add_pod() { # <ns> <cid> <pod> <conf>  -> sets ADDED_CIDR
    local out rc=0
    out="$(cni ADD "$1" "$2" "$3" "$4")" || rc=$?
    ((rc == 0)) || die "CNI ADD for $3 (netns $1) failed with exit $rc: $(jq -c . <<<"$out" 2>/dev/null || printf '%s' "$out")"
    ADDED_CIDR="$(cni_result_cidr <<<"$out")"
    [[ -n "$ADDED_CIDR" ]] || die "CNI ADD for $3 returned no address: $out"
    say "ADD $3 → ${B}${ADDED_CIDR}${RST}"
}

del_pod() { # <ns> <cid> <pod> <conf>
    local out rc=0
    out="$(cni DEL "$1" "$2" "$3" "$4")" || rc=$?
    ((rc == 0)) || die "CNI DEL for $3 (netns $1) failed with exit $rc: $(jq -c . <<<"$out" 2>/dev/null || printf '%s' "$out")"
    say "DEL $3 → ok"
}

show_store() { # <dir>: print the datastore: JSON files pretty, anything else raw
    local dir="$1" f found=0
    while IFS= read -r -d '' f; do
        found=1
        printf '  %s--- %s%s\n' "$DIM" "${f#"$dir"/}" "$RST"
        if [[ "$f" == *.json ]] && jq . "$f" >/dev/null 2>&1; then
            jq . "$f" | sed 's/^/    /'
        else
            head -c 2000 "$f" | tr '\r' ' ' | sed 's/^/    /'
            echo
        fi
    done < <(find "$dir" -type f ! -name '*.lock' ! -name lock -print0 | sort -z)
    ((found)) || say "(no files in the store)"
}

# ===================================================================== setup ===
act "Whereabouts demo — cluster-wide IP address management for CNI"
say "Kubernetes secondary networks (Multus + macvlan/bridge) need an IPAM plugin to"
say "pick each pod's address. This demo runs the real CNI plugins by hand, with two"
say "network namespaces standing in for pods on two different nodes."

step "Checking prerequisites"
ensure_packages || die "could not install containernetworking-plugins / iproute2 / iputils-ping / jq"
ok "CNI reference plugins in $CNI_SYSTEM_PLUGIN_DIR, ip, ping, jq present"

if [[ "$IPAM_MODE" == whereabouts ]]; then
    if [[ -n "${WB_DEMO_BIN:-}" && ! -x "$WB_BIN" ]]; then
        die "WB_DEMO_BIN=$WB_DEMO_BIN is not an executable file"
    fi
    if [[ ! -x "$WB_BIN" ]]; then
        step "Building the whereabouts plugin (artifacts/cni/whereabouts is missing)"
        DOTNET="$(command -v dotnet || true)"
        for cand in /usr/share/dotnet/dotnet /usr/lib/dotnet/dotnet "${HOME:-/root}/.dotnet/dotnet"; do
            [[ -n "$DOTNET" ]] && break
            [[ -x "$cand" ]] && DOTNET="$cand"
        done
        [[ -n "$DOTNET" ]] || die "artifacts/cni/whereabouts is missing and the .NET SDK ('dotnet') is not installed, so it can't be built. Install the SDK pinned in global.json, then rerun."
        [[ -d "$REPO/src/Whereabouts.Plugin" ]] || die "artifacts/cni/whereabouts is missing and src/Whereabouts.Plugin does not exist, so it can't be built."
        PUBLISH=("$DOTNET" publish src/Whereabouts.Plugin -c Release -o artifacts/cni)
        # Under sudo, build as the invoking user when they own the repo: no root-owned obj/ or bin/.
        if [[ -n "${SUDO_USER:-}" && "$SUDO_USER" != root && "$(stat -c %U "$REPO")" == "$SUDO_USER" ]]; then
            PUBLISH=(sudo -u "$SUDO_USER" -H env "PATH=$PATH" "${PUBLISH[@]}")
        fi
        say "$ ${PUBLISH[*]}"
        rc=0
        "${PUBLISH[@]}" 2>&1 | sed 's/^/    /' || rc=$?
        ((rc == 0)) || die "building the plugin failed: 'dotnet publish src/Whereabouts.Plugin -c Release -o artifacts/cni' exited $rc (output above)."
        [[ -x "$WB_BIN" ]] || die "dotnet publish succeeded but $WB_BIN was not produced."
    fi
    ok "plugin binary: $WB_BIN"
else
    warn "WB_DEMO_IPAM=$IPAM_MODE: PLUMBING TEST MODE — Act 2 uses $IPAM_MODE on a shared dir, not whereabouts"
fi

step "Creating the stage: two pod namespaces and a macvlan master"
TMP="$(mktemp -d /tmp/wb-demo.XXXXXX)"
export CNI_PATH="$TMP/cni-bin"
if [[ "$IPAM_MODE" == whereabouts ]]; then
    make_cni_path "$CNI_PATH" "$WB_BIN" || die "could not set up CNI_PATH dir $CNI_PATH"
else
    make_cni_path "$CNI_PATH" - || die "could not set up CNI_PATH dir $CNI_PATH"
fi
make_netns "$NS1" || die "could not create netns $NS1"
make_netns "$NS2" || die "could not create netns $NS2"
make_master "$MASTER" || die "could not create veth pair $MASTER"
say "netns $NS1   — a pod on node 1"
say "netns $NS2   — a pod on node 2"
say "veth  $MASTER (peer $MASTER-peer) — the shared L2 segment both pods' macvlans hang off"
say "CNI_PATH=$CNI_PATH (symlinks to $CNI_SYSTEM_PLUGIN_DIR/*$([[ "$IPAM_MODE" == whereabouts ]] && echo ' + whereabouts'))"

# ===================================================================== act 1 ===
act "Act 1 — the problem: host-local IPAM only knows about its own node"
say "host-local keeps its allocations in a directory on the node (dataDir). Two nodes"
say "means two directories that know nothing of each other — each starts at the first"
say "address of $SUBNET."
say "${DIM}(gateway parked on .238 so host-local hands out .225 first, like whereabouts)${RST}"

HL1="$TMP/node1-host-local" HL2="$TMP/node2-host-local"
CONF1="$(macvlan_conf "$(jq -cn --arg s "$SUBNET" --arg d "$HL1" \
    '{type:"host-local", ranges:[[{subnet:$s, gateway:"192.168.2.238"}]], dataDir:$d}')")"
CONF2="$(macvlan_conf "$(jq -cn --arg s "$SUBNET" --arg d "$HL2" \
    '{type:"host-local", ranges:[[{subnet:$s, gateway:"192.168.2.238"}]], dataDir:$d}')")"
say "network config (node 1):"
jq . <<<"$CONF1" | sed 's/^/    /'

step "Act 1: ADD a pod on each node (macvlan + host-local, separate dataDirs)"
A1_CID1="wb-demo-a1-pod1-$$" A1_CID2="wb-demo-a1-pod2-$$"
add_pod "$NS1" "$A1_CID1" default/pod1 "$CONF1"; A1_IP1="$ADDED_CIDR"
add_pod "$NS2" "$A1_CID2" default/pod2 "$CONF2"; A1_IP2="$ADDED_CIDR"
run ip -n "$NS1" -br -4 addr show dev eth0
run ip -n "$NS2" -br -4 addr show dev eth0

step "Act 1: the collision"
if [[ "$A1_IP1" == "$A1_IP2" ]]; then
    bad "COLLISION: both pods were given ${A1_IP1} on the same L2 segment."
    say "From pod2's point of view, pod1's address is its own — pod1 is unreachable:"
    run ip -n "$NS2" route get "${A1_IP1%%/*}"
else
    die "expected host-local on two separate dataDirs to hand out the same address, got $A1_IP1 and $A1_IP2"
fi

step "Act 1: DEL both pods"
del_pod "$NS1" "$A1_CID1" default/pod1 "$CONF1"
del_pod "$NS2" "$A1_CID2" default/pod2 "$CONF2"

# ===================================================================== act 2 ===
act "Act 2 — the fix: whereabouts, one datastore for the whole cluster"
STATE="$TMP/whereabouts-state"
mkdir -p "$STATE"
# Playing the node's admin: the flat file allows the demo's own datastore directory, as a NetworkAttachment-
# Definition may name only directories the admin allows (docs/security.md).
printf '{"allowed_file_store_dirs":["%s"]}\n' "$STATE" > "$TMP/whereabouts.conf"
export WHEREABOUTS_FLAT_FILE="$TMP/whereabouts.conf"
if [[ "$IPAM_MODE" == whereabouts ]]; then
    IPAM2="$(jq -cn --arg r "$WB_RANGE" --arg d "$STATE" \
        '{type:"whereabouts", range:$r, datastore:"file", file:{dir:$d}}')"
    say "whereabouts allocates from a datastore every node shares (in a cluster: the"
    say "Kubernetes API or etcd). Here both 'nodes' point at one directory: $STATE"
else
    IPAM2="$(jq -cn --arg s "$SUBNET" --arg d "$STATE" \
        '{type:"host-local", ranges:[[{subnet:$s, gateway:"192.168.2.238"}]], dataDir:$d}')"
    warn "plumbing test mode: host-local with ONE shared dataDir stands in for whereabouts"
fi
CONFW="$(macvlan_conf "$IPAM2")"
say "network config (identical on both nodes):"
jq . <<<"$CONFW" | sed 's/^/    /'

step "Act 2: ADD the same two pods, now through the shared datastore"
A2_CID1="wb-demo-a2-pod1-$$" A2_CID2="wb-demo-a2-pod2-$$"
add_pod "$NS1" "$A2_CID1" default/pod1 "$CONFW"; A2_IP1="$ADDED_CIDR"
add_pod "$NS2" "$A2_CID2" default/pod2 "$CONFW"; A2_IP2="$ADDED_CIDR"
[[ "$A2_IP1" != "$A2_IP2" ]] || die "both pods got $A2_IP1 even with a shared datastore"
ok "distinct addresses: pod1 $A2_IP1, pod2 $A2_IP2"
if [[ "$A2_IP1" != 192.168.2.225/28 || "$A2_IP2" != 192.168.2.226/28 ]]; then
    warn "(expected 192.168.2.225/28 and 192.168.2.226/28 for a fresh pool)"
fi
run ip -n "$NS1" -br addr
run ip -n "$NS2" -br addr

step "Act 2: what the datastore recorded"
run ls -la "$STATE"
show_store "$STATE"
IDS_IN_STORE=0
if grep -rqF -- "$A2_CID1" "$STATE" && grep -rqF -- "$A2_CID2" "$STATE"; then
    IDS_IN_STORE=1
    ok "both pods' container IDs are recorded in the store"
else
    warn "container IDs not found verbatim in the store; removal on DEL will be shown, not checked"
fi

step "Act 2: pod1 pings pod2"
say "macvlan 'bridge' mode switches traffic between sibling macvlans on one master"
say "inside the kernel, so the two pods reach each other directly."
wait_addr_settled "$NS1" || true
wait_addr_settled "$NS2" || true
A2_TARGET="${A2_IP2%%/*}"
printf '  %s$ ip netns exec %s ping -c 2 -W 2 %s%s\n' "$DIM" "$NS1" "$A2_TARGET" "$RST"
rc=0
ip netns exec "$NS1" ping -c 2 -W 2 "$A2_TARGET" 2>&1 | sed 's/^/    /' || rc=$?
((rc == 0)) || die "pod1 ($A2_IP1) could not ping pod2 ($A2_TARGET)"
ok "pod1 → pod2 reachable"

step "Act 2: DEL both pods — addresses go back to the pool"
del_pod "$NS1" "$A2_CID1" default/pod1 "$CONFW"
del_pod "$NS2" "$A2_CID2" default/pod2 "$CONFW"
run ls -la "$STATE"
show_store "$STATE"
if ((IDS_IN_STORE)); then
    if grep -rqF -e "$A2_CID1" -e "$A2_CID2" "$STATE"; then
        die "after DEL the store still references the deleted pods' container IDs"
    fi
    ok "no allocations left for either pod"
fi

act "Done"
say "host-local: two nodes, one address, two pods → collision."
say "whereabouts: one shared datastore → ${A2_IP1} and ${A2_IP2}, reachable, released on DEL."
STEP="cleanup"
