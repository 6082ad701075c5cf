# shellcheck shell=bash
# scripts/cni-lib.sh — small helpers for driving CNI plugins by hand.
#
# Sourced by demo.sh and by the test scripts (scripts/e2e-netns.sh, ...):
#
#   source "$(dirname "$0")/scripts/cni-lib.sh"
#
# Every function is safe under `set -euo pipefail`: failures are reported
# through return codes, never by exiting the caller's shell.  Log output goes
# to stderr so that stdout stays usable for data (CNI results, summaries).
#
# Functions:
#   ensure_packages                install containernetworking-plugins, iproute2,
#                                  iputils-ping, jq, and what the plugin's publish needs
#                                  (libssl-dev, cmake, gcc, make) if missing (apt-get, non-interactive)
#   make_cni_path <dir> [wb-bin]   dir with symlinks to /usr/lib/cni/* + our whereabouts
#   cni_exec <verb> <plugin> <netns> <containerid> <ifname> <podns/podname> <conf-json>
#                                  run a CNI plugin; prints its stdout; returns its exit code
#   cni_result_cidr                read a CNI result on stdin, print its first address (CIDR)
#   make_master <name>             veth pair <name> + <name>-peer, both up (macvlan master)
#   make_netns <name>              create a netns (replacing a stale one), lo up
#   wait_addr_settled <netns>      wait (<=5s) until no address in <netns> is tentative (IPv6 DAD)
#   del_netns <name>...            delete network namespaces, ignoring missing ones
#   del_link <name>...             delete root-namespace links, ignoring missing ones
#   cleanup_paths <path>...        rm -rf the given paths (refuses empty and "/")
#
# Variables honoured:
#   CNI_PATH          used by cni_exec (first entry is where the plugin binary is looked up)
#   CNI_EXEC_TIMEOUT  seconds before cni_exec kills a hung plugin (default 60; 0 = never)
#   CNI_LIB_QUIET=1   silence the [cni-lib] log lines
#   WB_REPO           repo root (default: parent dir of this file), for the default
#                     whereabouts binary path $WB_REPO/artifacts/cni/whereabouts

# Not `set -e` here: this file is sourced; the caller decides its own options.

CNI_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${WB_REPO:=$(cd "$CNI_LIB_DIR/.." && pwd)}"
CNI_SYSTEM_PLUGIN_DIR="${CNI_SYSTEM_PLUGIN_DIR:-/usr/lib/cni}"

cni_log() {
    [[ "${CNI_LIB_QUIET:-0}" == 1 ]] && return 0
    printf '[cni-lib] %s\n' "$*" >&2
}

cni_err() {
    printf '[cni-lib] ERROR: %s\n' "$*" >&2
}

# ensure_packages: make sure the CNI reference plugins, ip, ping and jq exist.
# Runs `apt-get update` only when the install fails without it (or no lists exist).
ensure_packages() {
    local -a missing=()
    [[ -x "$CNI_SYSTEM_PLUGIN_DIR/macvlan" && -x "$CNI_SYSTEM_PLUGIN_DIR/bridge" \
        && -x "$CNI_SYSTEM_PLUGIN_DIR/host-local" ]] || missing+=(containernetworking-plugins)
    command -v ip   >/dev/null 2>&1 || missing+=(iproute2)
    command -v ping >/dev/null 2>&1 || missing+=(iputils-ping)
    command -v jq   >/dev/null 2>&1 || missing+=(jq)
    # The plugin links OpenSSL statically (StaticOpenSslLinking): its publish needs the static libraries
    # and builds .NET's small crypto shim with cmake and a C compiler.
    dpkg -s libssl-dev >/dev/null 2>&1 || missing+=(libssl-dev)
    command -v cmake >/dev/null 2>&1 || missing+=(cmake)
    command -v cc    >/dev/null 2>&1 || missing+=(gcc)
    command -v make  >/dev/null 2>&1 || missing+=(make)
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    if [[ $EUID -ne 0 ]]; then
        cni_err "missing packages (${missing[*]}) and not root: cannot install"
        return 1
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        cni_err "missing packages (${missing[*]}) and no apt-get on this machine"
        return 1
    fi
    cni_log "installing: ${missing[*]}"
    local -a apt_opts=(-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    local have_lists=0
    if compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
        have_lists=1
    fi
    if ((have_lists)) \
        && DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" --no-install-recommends \
            "${missing[@]}" >&2; then
        return 0
    fi
    cni_log "running apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 || {
        cni_err "apt-get update failed"
        return 1
    }
    DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" --no-install-recommends \
        "${missing[@]}" >&2 || {
        cni_err "apt-get install ${missing[*]} failed"
        return 1
    }
}

# make_cni_path <dir> [whereabouts-binary]
# Creates <dir> holding symlinks to every plugin in /usr/lib/cni plus `whereabouts`
# pointing at our binary (default $WB_REPO/artifacts/cni/whereabouts).  Pass "-" as the
# binary to skip it; a missing default binary is skipped with a note, a missing
# explicitly given binary is an error.  Use the dir as CNI_PATH.
make_cni_path() {
    local dir="${1:?make_cni_path: dir required}"
    local wb="${2:-}" explicit=1
    if [[ -z "$wb" ]]; then
        wb="$WB_REPO/artifacts/cni/whereabouts"
        explicit=0
    fi
    mkdir -p "$dir" || return 1
    local p
    for p in "$CNI_SYSTEM_PLUGIN_DIR"/*; do
        [[ -e "$p" ]] || continue
        ln -sfn "$p" "$dir/$(basename "$p")" || return 1
    done
    if [[ "$wb" == "-" ]]; then
        return 0
    fi
    if [[ -f "$wb" && -x "$wb" ]]; then
        # Absolute target: the .NET apphost resolves its own symlink to find whereabouts.dll.
        ln -sfn "$(cd "$(dirname "$wb")" && pwd)/$(basename "$wb")" "$dir/whereabouts" || return 1
    elif ((explicit)); then
        cni_err "whereabouts binary not found or not executable: $wb"
        return 1
    else
        cni_log "note: $wb not built; CNI_PATH $dir has no whereabouts"
    fi
}

# cni_exec <verb> <plugin> <netns> <containerid> <ifname> <podns/podname> <conf-json>
# <plugin> is a name looked up in the first entry of $CNI_PATH, or a path.
# Prints the plugin's stdout, lets its stderr through, returns its exit code.
cni_exec() {
    if (($# != 7)); then
        cni_err "usage: cni_exec <verb> <plugin> <netns> <containerid> <ifname> <podns/podname> <conf-json>"
        return 2
    fi
    local verb="$1" plugin="$2" netns="$3" cid="$4" ifname="$5" pod="$6" conf="$7"
    local cni_path="${CNI_PATH:-}"
    if [[ -z "$cni_path" ]]; then
        cni_err "cni_exec: CNI_PATH is not set (see make_cni_path)"
        return 2
    fi
    local bin
    if [[ "$plugin" == */* ]]; then
        bin="$plugin"
    else
        bin="${cni_path%%:*}/$plugin"
    fi
    if [[ ! -x "$bin" ]]; then
        cni_err "cni_exec: plugin not executable: $bin"
        return 2
    fi
    local podns="${pod%%/*}" podname="${pod#*/}"
    local netns_path="$netns"
    [[ "$netns" == /* ]] || netns_path="/var/run/netns/$netns"
    local -a runner=()
    if [[ "${CNI_EXEC_TIMEOUT:-60}" != 0 ]] && command -v timeout >/dev/null 2>&1; then
        runner=(timeout --kill-after=5 "${CNI_EXEC_TIMEOUT:-60}")
    fi
    local rc=0
    printf '%s' "$conf" | "${runner[@]}" env \
        CNI_COMMAND="$verb" \
        CNI_CONTAINERID="$cid" \
        CNI_NETNS="$netns_path" \
        CNI_IFNAME="$ifname" \
        CNI_PATH="$cni_path" \
        CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=$podns;K8S_POD_NAME=$podname;K8S_POD_INFRA_CONTAINER_ID=$cid" \
        "$bin" || rc=$?
    if ((rc == 124)) && ((${#runner[@]})); then
        cni_err "cni_exec: $verb $plugin ($cid) timed out after ${CNI_EXEC_TIMEOUT:-60}s"
    fi
    return "$rc"
}

# cni_result_cidr: CNI result JSON on stdin -> first IP in CIDR form (0.3.0+ or 0.2.0 shape).
cni_result_cidr() {
    jq -r '(.ips[0].address // .ip4.ip // .ip6.ip // empty)' 2>/dev/null
}

# make_master <name>: veth pair <name> <-> <name>-peer in the root netns, both up.
# (No `dummy` link type on this kernel; a veth end with its peer up has carrier.)
make_master() {
    local name="${1:?make_master: name required}"
    if ((${#name} > 10)); then
        cni_err "make_master: '$name' too long (max 10 chars, '<name>-peer' must fit IFNAMSIZ 15)"
        return 1
    fi
    ip link del "$name" >/dev/null 2>&1 || true
    ip link add "$name" type veth peer name "$name-peer" || return 1
    ip link set "$name-peer" up || return 1
    ip link set "$name" up || return 1
}

# make_netns <name>: fresh network namespace with loopback up.
make_netns() {
    local name="${1:?make_netns: name required}"
    ip netns del "$name" >/dev/null 2>&1 || true
    ip netns add "$name" || return 1
    ip -n "$name" link set lo up || return 1
}

# wait_addr_settled <netns> [timeout-seconds]: IPv6 addresses start "tentative" (DAD);
# wait until none are, so a ping right after ADD doesn't fail spuriously.
wait_addr_settled() {
    local ns="${1:?}" timeout="${2:-5}" i
    for ((i = 0; i < timeout * 10; i++)); do
        if ! ip -n "$ns" addr show 2>/dev/null | grep -q tentative; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

del_netns() {
    local n
    for n in "$@"; do
        [[ -n "$n" ]] || continue
        ip netns del "$n" >/dev/null 2>&1 || true
    done
    return 0
}

del_link() {
    local l
    for l in "$@"; do
        [[ -n "$l" ]] || continue
        ip link del "$l" >/dev/null 2>&1 || true
    done
    return 0
}

cleanup_paths() {
    local p
    for p in "$@"; do
        [[ -n "$p" && "$p" != "/" ]] || continue
        rm -rf -- "$p" || true
    done
    return 0
}
