#!/usr/bin/env bash
# CPU per request of router builds compared in one run, on one Prometheus (DemoData, 1 shard,
# 130 instances): each jar given is started as a standalone router, warmed up, then loaded with
# wrk in turn, round after round, and the CPU the process spent per request is read from
# /proc/<pid>/stat. On a machine shared with other work only this comparison means something:
# the rounds of the jars interleave, so they see the same load; the load average is printed with
# every round. A JVM under load needs a minute or more of traffic before its JIT has settled:
# hence the long warm-up.
# Usage: benchmarks/router-cpu.sh [name=]jar... (default: the jar this checkout builds)
# Settings: BENCH_QUERY (small: up{cluster="a",instance="node-1:9100"}, 168 B; range: 9 series
#           over 6 h at 15 s, 351 KB), BENCH_WARMUP (60s per jar), BENCH_DURATION (6s per round),
#           BENCH_ROUNDS (5), BENCH_CONNECTIONS (32).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
query_name="${BENCH_QUERY:-small}"
warmup="${BENCH_WARMUP:-60s}"
duration="${BENCH_DURATION:-6s}"
rounds="${BENCH_ROUNDS:-5}"
connections="${BENCH_CONNECTIONS:-32}"
jars=("$@")
if [ "${#jars[@]}" -eq 0 ]; then
  jars=("this=$root/examples/target/promroute-standalone.jar")
  [ -f "${jars[0]#*=}" ] || (cd "$root" && mvn -B -q -DskipTests package)
fi
for tool in prometheus promtool wrk curl java python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "router-cpu: $tool is missing" >&2; exit 1; }
done

work="$(mktemp -d /tmp/promroute-router-cpu.XXXXXX)"
pids=()
cleanup() {
  if [ "${#pids[@]}" -gt 0 ]; then kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_ready() {
  for _ in $(seq 1 120); do curl -sf "$1/-/ready" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "router-cpu: $1 not ready" >&2; exit 1
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

prom_port=$(free_port)
first_jar="${jars[0]#*=}"
java -cp "$first_jar" io.promroute.examples.DemoData --out "$work" --shards a --first-port "$prom_port" \
  --router-port "$(free_port)" --instances 130 >/dev/null
promtool tsdb create-blocks-from openmetrics "$work/a.om" "$work/data" >/dev/null
rm -f "$work/a.om"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" --storage.tsdb.retention.time=100y \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
wait_ready "http://127.0.0.1:$prom_port"

names=(); ports=(); router_pids=()
for entry in "${jars[@]}"; do
  name="${entry%%=*}"; jar="${entry#*=}"
  [ "$name" = "$entry" ] && name="$(basename "$jar" .jar)"
  port=$(free_port)
  sed "s/listen_addr: .*/listen_addr: 127.0.0.1:$port/" "$work/promroute.yml" >"$work/promroute-$name.yml"
  java -Xmx512m -jar "$jar" --config "$work/promroute-$name.yml" >"$work/router-$name.log" 2>&1 &
  pids+=($!); names+=("$name"); ports+=("$port"); router_pids+=($!)
  wait_ready "http://127.0.0.1:$port"
done

now=$(date +%s)
case "$query_name" in
  small) path='/api/v1/query?query=up%7Bcluster%3D%22a%22%2Cinstance%3D%22node-1%3A9100%22%7D' ;;
  range) path="/api/v1/query_range?query=node_memory_MemAvailable_bytes%7Bcluster%3D%22a%22%2Cinstance%3D~%22node-%5B1-9%5D%3A9100%22%7D&start=$((now - 6 * 3600))&end=$now&step=15" ;;
  *) echo "router-cpu: BENCH_QUERY is small or range" >&2; exit 1 ;;
esac
for i in "${!names[@]}"; do
  curl -sf -o /dev/null "http://127.0.0.1:${ports[$i]}$path"
  wrk -t2 -c"$connections" -d"$warmup" --timeout 30s "http://127.0.0.1:${ports[$i]}$path" >/dev/null
done
echo "# $(date -u +%FT%TZ) $(nproc) CPUs, query $query_name, wrk -t2 -c$connections, $rounds rounds of $duration after $warmup of warm-up per jar"
results="$work/results"
for round in $(seq 1 "$rounds"); do
  for i in "${!names[@]}"; do
    before=$(ticks "${router_pids[$i]}")
    out=$(wrk -t2 -c"$connections" -d"$duration" --timeout 30s "http://127.0.0.1:${ports[$i]}$path")
    after=$(ticks "${router_pids[$i]}")
    if echo "$out" | grep -qE 'Non-2xx|Socket errors'; then echo "router-cpu: ${names[$i]} answered errors:" >&2; echo "$out" >&2; exit 1; fi
    requests=$(echo "$out" | awk '/requests in/ {print $1}')
    us=$(awk -v d=$((after - before)) -v n="$requests" -v t="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", d * 1e6 / t / n}')
    echo "${names[$i]} $us" >>"$results"
    printf '%-12s round %d: %8s req/s, CPU per request %7s µs, load %s\n' "${names[$i]}" "$round" \
      "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" "$us" "$(cut -d' ' -f1-3 /proc/loadavg)"
  done
done
for name in "${names[@]}"; do
  awk -v n="$name" '$1 == n {print $2}' "$results" | sort -n | awk -v n="$name" \
    '{v[NR] = $1} END {printf "%-12s median CPU per request %s µs\n", n, (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'
done
