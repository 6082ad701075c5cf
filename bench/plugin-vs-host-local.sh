#!/usr/bin/env bash
# ADD+DEL wall time of the whereabouts binary (file datastore) against Debian's host-local, interleaved in
# one run on the same machine; peak RSS of one ADD; and N concurrent ADDs on one range. Prints tables.
# Usage: bench/plugin-vs-host-local.sh [iterations=200] [concurrent=100]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ITER=${1:-200}
CONC=${2:-100}
WB=${WHEREABOUTS_BINARY:-$PWD/artifacts/cni/whereabouts}
HL=/usr/lib/cni/host-local
[[ -x $WB ]] || { echo "missing $WB: dotnet publish src/Whereabouts.Plugin -c Release -o artifacts/cni" >&2; exit 2; }
[[ -x $HL ]] || { echo "missing $HL: apt-get install containernetworking-plugins" >&2; exit 2; }
[[ -x /usr/bin/time ]] || DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The node admin's flat file allows the benchmark's own datastore directory (docs/security.md).
printf '{"allowed_file_store_dirs":["%s"]}\n' "$work" > "$work/whereabouts.conf"
export WHEREABOUTS_FLAT_FILE="$work/whereabouts.conf"
wb_conf='{"cniVersion":"0.3.1","name":"bench","type":"macvlan","ipam":{"type":"whereabouts","range":"10.77.0.0/16","datastore":"file","file":{"dir":"'$work'/wb"}}}'
hl_conf='{"cniVersion":"0.3.1","name":"bench","type":"macvlan","ipam":{"type":"host-local","ranges":[[{"subnet":"10.77.0.0/16"}]],"dataDir":"'$work'/hl"}}'

export CNI_NETNS=/var/run/netns/bench CNI_IFNAME=net1 CNI_PATH=/usr/lib/cni CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=bench;K8S_POD_NAME=pod"

# Microseconds from bash's own clock: forking `date` around each pair would add the same ~2 ms to both
# plugins and pull their ratio towards 1.
now_us() { local t=${EPOCHREALTIME/[.,]/}; echo $((10#$t)); }

# One ADD+DEL pair of a plugin; prints microseconds.
pair() {
    local bin=$1 conf=$2 id=$3 t0 t1 e
    t0=${EPOCHREALTIME/[.,]/}
    CNI_COMMAND=ADD CNI_CONTAINERID=$id "$bin" <<<"$conf" >/dev/null
    CNI_COMMAND=DEL CNI_CONTAINERID=$id "$bin" <<<"$conf" >/dev/null
    t1=${EPOCHREALTIME/[.,]/}
    echo $((10#$t1 - 10#$t0))
}

stats() {
    sort -n | awk '{a[NR]=$1; s+=$1}
        END {p50=int((NR+1)/2); p99=int(NR*0.99); if (p99<1) p99=1;
             printf "%8.2f %8.2f %8.2f %8.2f", s/NR/1000, a[p50]/1000, a[p99]/1000, a[NR]/1000}'
}

for i in $(seq 1 10); do pair "$WB" "$wb_conf" "warm$i" >/dev/null; pair "$HL" "$hl_conf" "warm$i" >/dev/null; done
: >"$work/wb.txt"; : >"$work/hl.txt"
for i in $(seq 1 "$ITER"); do
    pair "$WB" "$wb_conf" "c$i" >>"$work/wb.txt"
    pair "$HL" "$hl_conf" "c$i" >>"$work/hl.txt"
done
wb_mean=$(stats <"$work/wb.txt" | awk '{print $1}')
hl_mean=$(stats <"$work/hl.txt" | awk '{print $1}')

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/{print $2}') GB, $(uname -r)"
echo
echo "ADD+DEL wall time, $ITER pairs each, interleaved (ms)"
printf '%-34s %8s %8s %8s %8s\n' plugin mean p50 p99 max
printf '%-34s %s\n' "whereabouts (file store, AOT)" "$(stats <"$work/wb.txt")"
printf '%-34s %s\n' "host-local (Debian)" "$(stats <"$work/hl.txt")"
awk -v a="$wb_mean" -v b="$hl_mean" 'BEGIN {printf "ratio whereabouts / host-local: %.2f\n", a/b}'

echo
echo "one ADD: wall time and peak RSS"
rss() {
    local bin=$1 conf=$2
    CNI_COMMAND=ADD CNI_CONTAINERID=rss$RANDOM /usr/bin/time -f '%e %M' "$bin" <<<"$conf" 2>&1 >/dev/null | tail -1
}
printf '%-34s %10s %12s\n' plugin "wall (s)" "peak RSS (MB)"
read -r w m < <(rss "$WB" "$wb_conf"); printf '%-34s %10s %12.1f\n' whereabouts "$w" "$(echo "$m/1024" | bc -l)"
read -r w m < <(rss "$HL" "$hl_conf"); printf '%-34s %10s %12.1f\n' host-local "$w" "$(echo "$m/1024" | bc -l)"

echo
echo "$CONC concurrent ADDs on one range (whereabouts, file store)"
conf2='{"cniVersion":"0.3.1","name":"bench","type":"macvlan","ipam":{"type":"whereabouts","range":"10.78.0.0/16","datastore":"file","file":{"dir":"'$work'/wbc"}}}'
t0=$(now_us)
for i in $(seq 1 "$CONC"); do
    CNI_COMMAND=ADD CNI_CONTAINERID=conc$i CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=bench;K8S_POD_NAME=pod$i" "$WB" <<<"$conf2" >"$work/out$i" &
done
wait
t1=$(now_us)
distinct=$(cat "$work"/out* | grep -o '"address": "[^"]*"' | sort -u | wc -l)
awk -v us=$((t1 - t0)) -v n="$CONC" -v d="$distinct" 'BEGIN {printf "wall %.2f s, %.0f allocations/s, %d distinct addresses\n", us/1e6, n/(us/1e6), d}'
