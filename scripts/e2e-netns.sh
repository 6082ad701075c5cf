#!/usr/bin/env bash
# scripts/e2e-netns.sh — two-pod end-to-end check of an IPAM config through a real
# CNI main plugin, inside throw-away network namespaces.  Needs root.
#
# Usage:
#   scripts/e2e-netns.sh <macvlan|bridge> <whereabouts-binary|-> '<ipam-json>'
#
# Example:
#   scripts/e2e-netns.sh macvlan artifacts/cni/whereabouts \
#     '{"type":"whereabouts","range":"192.168.2.225/28","datastore":"file","file":{"dir":"/tmp/wb"}}'
#
# Pass "-" as the binary when the ipam object doesn't use whereabouts (e.g. host-local,
# to test the plumbing itself).
#
# stdout (machine-readable, exactly these four lines, in this order):
#   pod1 <cidr>|none
#   pod2 <cidr>|none
#   ping ok|fail        (pod1 pings pod2's address; "fail" too if an ADD failed)
#   del ok|fail         (both DELs exited 0)
# Human-readable progress, plugin stderr and diagnostics go to stderr.
#
# Exit status: 0 only if both ADDs returned an address, ping ok and del ok;
#              1 on a failed check; 2 on bad usage / environment.
#
# Every name carries this run's PID, so concurrent runs don't clash:
#   netns wbe2e-<pid>-p1 / -p2, master veth wbm<pid> (+ wbm<pid>-peer),
#   bridge wbbr<pid>, temp dir from mktemp.  All are removed on exit.
#
# Environment:
#   CNI_VERSION      cniVersion of the network config (default 0.3.0)
#   E2E_NET_NAME     network name (default wbe2e)
#   E2E_KEEP=1       don't clean up (debugging)
set -euo pipefail

usage() {
    sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

(($# == 3)) || usage
PLUGIN="$1" WB_BIN="$2" IPAM_JSON="$3"
case "$PLUGIN" in macvlan | bridge) ;; *) echo "e2e-netns: plugin must be macvlan or bridge" >&2; exit 2 ;; esac

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/cni-lib.sh
source "$SCRIPT_DIR/cni-lib.sh"

log() { printf '[e2e-netns %s] %s\n' "$$" "$*" >&2; }

if [[ $EUID -ne 0 ]]; then
    log "must run as root (creates network namespaces and links)"
    exit 2
fi
for tool in ip jq ping; do
    command -v "$tool" >/dev/null 2>&1 || { log "missing tool: $tool (see ensure_packages in scripts/cni-lib.sh)"; exit 2; }
done
[[ -x "$CNI_SYSTEM_PLUGIN_DIR/$PLUGIN" ]] || { log "missing $CNI_SYSTEM_PLUGIN_DIR/$PLUGIN (containernetworking-plugins)"; exit 2; }
if ! jq -e 'type == "object" and has("type")' >/dev/null 2>&1 <<<"$IPAM_JSON"; then
    log "ipam-json must be a JSON object with a \"type\""
    exit 2
fi

ID="$$"
NS1="wbe2e-$ID-p1"
NS2="wbe2e-$ID-p2"
MASTER="wbm$ID"
BRIDGE="wbbr$ID"
CID1="wbe2e-$ID-pod1"
CID2="wbe2e-$ID-pod2"
TMP="$(mktemp -d "/tmp/wbe2e-$ID.XXXXXX")"
ADD1_OK=0 ADD2_OK=0 DELS_DONE=0 CONF=""

# shellcheck disable=SC2317  # invoked via trap
cleanup() {
    local rc=$?
    if [[ "${E2E_KEEP:-0}" == 1 ]]; then
        log "E2E_KEEP=1: leaving $NS1 $NS2 $MASTER $BRIDGE $TMP"
        return "$rc"
    fi
    # Interrupted before the DEL step: release what may be allocated (DEL is
    # idempotent, so this is safe even if an ADD never happened), then tear down.
    if ((!DELS_DONE)) && [[ -n "$CONF" ]]; then
        cni_exec DEL "$PLUGIN" "$NS1" "$CID1" eth0 default/pod1 "$CONF" >/dev/null 2>&1 || true
        cni_exec DEL "$PLUGIN" "$NS2" "$CID2" eth0 default/pod2 "$CONF" >/dev/null 2>&1 || true
    fi
    del_netns "$NS1" "$NS2"
    del_link "$MASTER" "$BRIDGE"
    cleanup_paths "$TMP"
    return "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export CNI_PATH="$TMP/cni-bin"
CNI_LIB_QUIET=1 make_cni_path "$CNI_PATH" "$WB_BIN" || exit 2

make_netns "$NS1"
make_netns "$NS2"
case "$PLUGIN" in
    macvlan)
        make_master "$MASTER"
        CONF="$(jq -cn --arg v "${CNI_VERSION:-0.3.0}" --arg n "${E2E_NET_NAME:-wbe2e}" \
            --arg m "$MASTER" --argjson ipam "$IPAM_JSON" \
            '{cniVersion:$v, name:$n, type:"macvlan", master:$m, mode:"bridge", ipam:$ipam}')"
        ;;
    bridge)
        CONF="$(jq -cn --arg v "${CNI_VERSION:-0.3.0}" --arg n "${E2E_NET_NAME:-wbe2e}" \
            --arg b "$BRIDGE" --argjson ipam "$IPAM_JSON" \
            '{cniVersion:$v, name:$n, type:"bridge", bridge:$b, isGateway:false, ipMasq:false, ipam:$ipam}')"
        ;;
esac
log "conf: $CONF"

add_pod() { # <ns> <cid> <pod> -> prints cidr (empty on failure)
    local out rc=0
    out="$(cni_exec ADD "$PLUGIN" "$1" "$2" eth0 "default/$3" "$CONF")" || rc=$?
    log "ADD $3 rc=$rc result: $(jq -c . <<<"$out" 2>/dev/null || printf '%s' "$out")"
    ((rc == 0)) || return 0
    cni_result_cidr <<<"$out"
}

CIDR1="$(add_pod "$NS1" "$CID1" pod1)"
[[ -n "$CIDR1" ]] && ADD1_OK=1
CIDR2="$(add_pod "$NS2" "$CID2" pod2)"
[[ -n "$CIDR2" ]] && ADD2_OK=1

PING=fail
if ((ADD1_OK && ADD2_OK)); then
    for ns in "$NS1" "$NS2"; do
        log "$ns: $(ip -n "$ns" -br addr show dev eth0 2>&1 | tr -s ' ')"
        wait_addr_settled "$ns" || log "$ns: addresses still tentative after 5s"
    done
    if ip netns exec "$NS1" ping -c 2 -W 2 "${CIDR2%%/*}" >&2; then
        PING=ok
    elif [[ "$PLUGIN" == bridge && "$(sysctl -n net.bridge.bridge-nf-call-iptables 2>/dev/null || echo 0)" == 1 ]]; then
        log "hint: net.bridge.bridge-nf-call-iptables=1 — a host firewall FORWARD policy may drop bridged traffic"
    fi
fi

DEL=ok
cni_exec DEL "$PLUGIN" "$NS1" "$CID1" eth0 default/pod1 "$CONF" >&2 || { DEL=fail; log "DEL pod1 failed"; }
cni_exec DEL "$PLUGIN" "$NS2" "$CID2" eth0 default/pod2 "$CONF" >&2 || { DEL=fail; log "DEL pod2 failed"; }
DELS_DONE=1

printf 'pod1 %s\npod2 %s\nping %s\ndel %s\n' "${CIDR1:-none}" "${CIDR2:-none}" "$PING" "$DEL"

[[ -n "$CIDR1" && -n "$CIDR2" && "$PING" == ok && "$DEL" == ok ]] || exit 1
exit 0
