#!/usr/bin/env bash
# Two builds of the plugin binary against the Kubernetes API test server (bench/Whereabouts.KubeTestServer.Host
# on loopback): binary size; ADD wall time p50/p90 (each ADD timed, its DEL not, so the pool stays small); and
# peak RSS of an ADD (/usr/bin/time -v). Runs are interleaved, the order of A and B alternating, for three
# kubeconfigs: a token user, a client-certificate user, and the token one with 100 more clusters (~190 KB, an
# admin's multi-cluster file) so that parsing cost shows. Prints tables.
# Usage: bench/plugin-ab-kubernetes.sh A_BINARY B_BINARY [iterations=200] [rss_runs=50]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ $# -ge 2 ]] || { echo "usage: $0 A_BINARY B_BINARY [iterations=200] [rss_runs=50]" >&2; exit 2; }
A=$(realpath "$1") B=$(realpath "$2") ITER=${3:-200} RSS_RUNS=${4:-50}
[[ -x $A && -x $B ]] || { echo "missing $A or $B: dotnet publish src/Whereabouts.Plugin -c Release -o DIR" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { apt-get update -q >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >/dev/null; }

work=$(mktemp -d)
server_pid=
cleanup() { [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

flock /tmp/wb-build.lock dotnet build bench/Whereabouts.KubeTestServer.Host -c Release -o "$work/host" -v q -nologo >"$work/build.log" \
    || { cat "$work/build.log" >&2; exit 1; }
mkdir "$work/kube"
# The server stops by itself when this script exits (its stdin closes) or after 30 minutes.
coproc SERVER { exec dotnet "$work/host/Whereabouts.KubeTestServer.Host.dll" "$work/kube" 1800; }
server_pid=$SERVER_PID
read -r ready url <&"${SERVER[0]}"
[[ $ready == ready ]] || { echo "the test server did not start" >&2; exit 1; }

# The token kubeconfig with 100 more clusters before the real one: each with its own CA (the real CA's data).
ca_data=$(sed -n 's/^ *certificate-authority-data: "\(.*\)"$/\1/p' "$work/kube/token.kubeconfig")
awk -v ca="$ca_data" '{print} /^clusters:$/ {for (i = 1; i <= 100; i++) printf "- name: other-%d\n  cluster:\n    server: \"https://other-%d.example:6443\"\n    certificate-authority-data: \"%s\"\n", i, i, ca}' \
    "$work/kube/token.kubeconfig" >"$work/kube/large.kubeconfig"
kinds=(token client-certificate large)

# The node admin's flat file allows the benchmark's kubeconfig directory (docs/security.md).
printf '{"allowed_kubeconfig_dirs":["%s"]}\n' "$work/kube" >"$work/whereabouts.conf"
export WHEREABOUTS_FLAT_FILE="$work/whereabouts.conf"
export CNI_NETNS=/var/run/netns/bench CNI_IFNAME=net1 CNI_PATH=/usr/lib/cni CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=bench;K8S_POD_NAME=pod"

# One range per binary and kubeconfig, so neither build's pool grows the other's.
conf() {
    local bin=$1 kind=$2 n
    n=$(( (bin == 0 ? 0 : 3) + (kind == 0 ? 0 : kind == 1 ? 1 : 2) ))
    printf '{"cniVersion":"1.0.0","name":"bench","type":"macvlan","ipam":{"type":"whereabouts","range":"10.%d.0.0/16","kubernetes":{"kubeconfig":"%s"}}}' \
        $((80 + n)) "$work/kube/${kinds[kind]}.kubeconfig"
}
bins=("$A" "$B")

# Microseconds of one ADD (bash's own clock: forking `date` would add the same ~2 ms to both); DEL untimed.
add_del() {
    local bin=$1 kind=$2 id=$3 c t0 t1 out
    c=$(conf "$bin" "$kind")
    t0=${EPOCHREALTIME/[.,]/}
    out=$(CNI_COMMAND=ADD CNI_CONTAINERID=$id "${bins[bin]}" <<<"$c") || { echo "ADD failed: $out" >&2; exit 1; }
    t1=${EPOCHREALTIME/[.,]/}
    CNI_COMMAND=DEL CNI_CONTAINERID=$id "${bins[bin]}" <<<"$c" >/dev/null || { echo "DEL failed" >&2; exit 1; }
    echo $((10#$t1 - 10#$t0))
}

# Peak RSS (KB) of one ADD; DEL untimed.
add_rss() {
    local bin=$1 kind=$2 id=$3 c
    c=$(conf "$bin" "$kind")
    CNI_COMMAND=ADD CNI_CONTAINERID=$id /usr/bin/time -v "${bins[bin]}" <<<"$c" 2>&1 >/dev/null | sed -n 's/^.*Maximum resident set size (kbytes): //p'
    CNI_COMMAND=DEL CNI_CONTAINERID=$id "${bins[bin]}" <<<"$c" >/dev/null
}

# The order of A and B alternates with each iteration.
order() { if (( $1 % 2 )); then echo 0 1; else echo 1 0; fi; }

load_start=$(uptime | sed 's/.*load average: //')
for i in $(seq 1 10); do for k in 0 1 2; do for b in 0 1; do add_del $b $k "warm$i" >/dev/null; done; done; done
for i in $(seq 1 "$ITER"); do
    for k in 0 1 2; do for b in $(order "$i"); do add_del $b $k "c$i" >>"$work/t.$b.$k"; done; done
done
for i in $(seq 1 "$RSS_RUNS"); do
    for k in 0 1 2; do for b in $(order "$i"); do add_rss $b $k "r$i" >>"$work/m.$b.$k"; done; done
done

pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p+0.999999); if (i<1) i=1; print a[i]}'; }
mean() { awk '{s+=$1} END {printf "%.0f", s/NR}'; }

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load average $load_start at the start and $(uptime | sed 's/.*load average: //') at the end, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "A: $A"
echo "B: $B"
echo
sa=$(stat -c %s "$A") sb=$(stat -c %s "$B")
printf 'binary size (bytes): A %d, B %d, B - A %+d\n' "$sa" "$sb" $((sb - sa))
echo
echo "ADD wall time (ms), $ITER ADDs of each binary per kubeconfig, interleaved"
printf '%-20s %9s %9s %9s %9s %9s %9s %10s %10s\n' kubeconfig "A mean" "A p50" "A p90" "B mean" "B p50" "B p90" "B-A p50" "B-A p90"
for k in 0 1 2; do
    read -r am ap5 ap9 < <(echo "$(mean <"$work/t.0.$k") $(pct 0.5 <"$work/t.0.$k") $(pct 0.9 <"$work/t.0.$k")")
    read -r bm bp5 bp9 < <(echo "$(mean <"$work/t.1.$k") $(pct 0.5 <"$work/t.1.$k") $(pct 0.9 <"$work/t.1.$k")")
    awk -v n="${kinds[k]}" -v am="$am" -v a5="$ap5" -v a9="$ap9" -v bm="$bm" -v b5="$bp5" -v b9="$bp9" 'BEGIN {
        printf "%-20s %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %+10.2f %+10.2f\n", n, am/1000, a5/1000, a9/1000, bm/1000, b5/1000, b9/1000, (b5-a5)/1000, (b9-a9)/1000}'
done
echo
echo "peak RSS of one ADD (KB), $RSS_RUNS runs of each binary per kubeconfig, interleaved"
printf '%-20s %9s %9s %9s %9s %10s %10s\n' kubeconfig "A p50" "A max" "B p50" "B max" "B-A p50" "B-A max"
for k in 0 1 2; do
    a5=$(pct 0.5 <"$work/m.0.$k") ax=$(pct 1 <"$work/m.0.$k") b5=$(pct 0.5 <"$work/m.1.$k") bx=$(pct 1 <"$work/m.1.$k")
    printf '%-20s %9d %9d %9d %9d %+10d %+10d\n' "${kinds[k]}" "$a5" "$ax" "$b5" "$bx" $((b5 - a5)) $((bx - ax))
done
