#!/usr/bin/env bash
# The router against the Prometheus it fronts, side by side, on loopback:
#   1. a small instant query and a large range query with wrk (32 connections, short runs),
#      directly and through the standalone router;
#   2. a ~50 MB range answer through a router started with -Xmx128m (the label is put back on
#      every series while it streams).
# Needs: the router's jar (built if missing), prometheus, promtool, wrk, curl.
# Settings: BENCH_DURATION (default 10s), BENCH_WARMUP (5s, before each measured run), BENCH_CONNECTIONS (32), BENCH_INSTANCES (130: 12 series each),
#           BENCH_JAR (the router jar; default examples/target/promroute-standalone.jar, e.g. an older build to compare).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${BENCH_JAR:-$root/examples/target/promroute-standalone.jar}"
work="${BENCH_DIR:-$(mktemp -d /tmp/promroute-bench.XXXXXX)}"
duration="${BENCH_DURATION:-10s}"
connections="${BENCH_CONNECTIONS:-32}"
instances="${BENCH_INSTANCES:-130}"
prom_port=9291
router_port=9297
prom="http://127.0.0.1:$prom_port"
router="http://127.0.0.1:$router_port"

for tool in prometheus promtool wrk curl java; do
  command -v "$tool" >/dev/null 2>&1 || { echo "proxy-bench: $tool is missing (Debian: apt-get install prometheus wrk curl)" >&2; exit 1; }
done
if [ ! -f "$jar" ]; then
  (cd "$root" && mvn -B -q -DskipTests package)
fi

pids=()
cleanup() {
  if [ "${#pids[@]}" -gt 0 ]; then kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; fi
}
trap cleanup EXIT

wait_ready() {
  for _ in $(seq 1 120); do
    curl -sf "$1/-/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "proxy-bench: $1 not ready" >&2
  exit 1
}
start_router() { # java options...
  java "$@" -jar "$jar" --config "$work/promroute.yml" >"$work/promroute.log" 2>&1 &
  router_pid=$!
  pids+=("$router_pid")
  wait_ready "$router"
}
stop_router() {
  kill "$router_pid"
  wait "$router_pid" 2>/dev/null || true
}
urlencode() {
  local text="$1" i c out=""
  for ((i = 0; i < ${#text}; i++)); do
    c="${text:i:1}"
    case "$c" in
      [a-zA-Z0-9._~-]) out+="$c" ;;
      *) out+=$(printf '%%%02X' "'$c") ;;
    esac
  done
  printf '%s\n' "$out"
}

echo "# data: 1 shard, $instances instances ($((instances * 12)) series), 15 s samples over 9 h, in $work"
java -cp "$jar" io.promroute.examples.DemoData --out "$work" --shards a --first-port "$prom_port" \
  --router-port "$router_port" --instances "$instances" >/dev/null
promtool tsdb create-blocks-from openmetrics "$work/a.om" "$work/data-a" >/dev/null
rm -f "$work/a.om"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data-a" \
  --storage.tsdb.retention.time=100y --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
wait_ready "$prom"

now=$(date +%s)
small_direct="query=$(urlencode 'up{instance="node-1:9100"}')&time=$now"
small_routed="query=$(urlencode 'up{cluster="a",instance="node-1:9100"}')&time=$now"
# A range answer of about 1 MB for the wrk runs.
range_direct="query=$(urlencode 'node_memory_MemAvailable_bytes{instance=~"node-[1-9]:9100"}')&start=$((now - 6 * 3600))&end=$now&step=15"
range_routed="query=$(urlencode 'node_memory_MemAvailable_bytes{cluster="a",instance=~"node-[1-9]:9100"}')&start=$((now - 6 * 3600))&end=$now&step=15"
# The large answer: every series, 6 hours at 15 s.
large_direct="query=$(urlencode '{__name__=~".+"}')&start=$((now - 6 * 3600))&end=$now&step=15"
large_routed="query=$(urlencode '{cluster="a",__name__=~".+"}')&start=$((now - 6 * 3600))&end=$now&step=15"

start_router -Xmx512m
size() { curl -s -o /dev/null -w '%{size_download}' "$1"; }
echo "# answer sizes: small $(size "$router/api/v1/query?$small_routed") B, range $(size "$router/api/v1/query_range?$range_routed") B, large $(size "$router/api/v1/query_range?$large_routed") B"

bench() { # name url
  local out
  curl -sf -o /dev/null "$2" || { echo "proxy-bench: $2 failed" >&2; exit 1; }
  # Warm-up (the router's JIT, both servers' caches), not measured.
  wrk -t2 -c"$connections" -d"${BENCH_WARMUP:-5s}" --timeout 30s "$2" >/dev/null
  wrk -t2 -c"$connections" -d"$duration" --timeout 30s --latency "$2" >"$work/wrk-$1.txt"
  out="$work/wrk-$1.txt"
  printf '%-14s %10s req/s   p50 %8s   p99 %8s   errors: %s\n' "$1" \
    "$(awk '/Requests\/sec/ {print $2}' "$out")" \
    "$(awk '$1 == "50%" {print $2}' "$out")" \
    "$(awk '$1 == "99%" {print $2}' "$out")" \
    "$(grep -E 'Non-2xx|Socket errors' "$out" | tr '\n' ' ' || true)"
}
echo "# wrk -t2 -c$connections -d$duration"
bench small-direct "$prom/api/v1/query?$small_direct"
bench small-router "$router/api/v1/query?$small_routed"
bench range-direct "$prom/api/v1/query_range?$range_direct"
bench range-router "$router/api/v1/query_range?$range_routed"
stop_router

echo "# large answer through a router with -Xmx128m"
start_router -Xmx128m
direct_bytes=$(curl -s -o "$work/large-direct.json" -w '%{size_download}' "$prom/api/v1/query_range?$large_direct")
read -r status bytes seconds < <(curl -s -o "$work/large-router.json" -w '%{http_code} %{size_download} %{time_total}\n' \
  "$router/api/v1/query_range?$large_routed")
series=$(grep -o '"metric":{' "$work/large-router.json" | wc -l)
labelled=$(grep -o '"cluster":"a"' "$work/large-router.json" | wc -l)
alive=$(curl -s -o /dev/null -w '%{http_code}' "$router/-/healthy")
echo "direct: $direct_bytes B; router: HTTP $status, $bytes B in ${seconds}s, $series series, $labelled with cluster=\"a\"; router healthy after: $alive"
grep -q OutOfMemoryError "$work/promroute.log" && echo "router log has an OutOfMemoryError" || echo "no OutOfMemoryError in the router log"
stop_router
rm -f "$work/large-direct.json" "$work/large-router.json"
