#!/usr/bin/env bash
# The router against the Prometheus it fronts and against a plain reverse proxy, side by side, on
# loopback:
#   1. three instant/range queries with wrk (32 connections), directly, through nginx (Debian's
#      nginx-light: proxy_pass to an upstream keepalive pool, access_log off; the cost of any proxy)
#      and through the standalone router, interleaved, in two layouts of the machine's CPUs:
#        shared: wrk, Prometheus and the router all on every CPU (the router competes with the
#                server it fronts and with the load generator);
#        pinned: Prometheus and wrk on CPU 0, the router (or nginx) alone on CPU 1 (as when the
#                proxy runs on its own host or container: its CPU is not taken from Prometheus);
#      with the CPU each process spent per request (/proc/<pid>/stat over the run);
#   2. a ~50 MB range answer through a router started with -Xmx128m (the label is put back on
#      every series while it streams).
# Needs: the router's jar (built if missing), prometheus, promtool, wrk, curl, taskset, nginx.
# Settings: BENCH_DURATION (default 10s), BENCH_WARMUP (10s, before each measured run),
#           BENCH_CONNECTIONS (32), BENCH_INSTANCES (130: 12 series each),
#           BENCH_LAYOUTS ("shared pinned"; pinned needs 2 CPUs), BENCH_JIT_WARMUP (10s per query, once),
#           BENCH_JAR (the router jar; default examples/target/promroute-standalone.jar, e.g. an older build to compare).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${BENCH_JAR:-$root/examples/target/promroute-standalone.jar}"
work="${BENCH_DIR:-$(mktemp -d /tmp/promroute-bench.XXXXXX)}"
duration="${BENCH_DURATION:-10s}"
warmup="${BENCH_WARMUP:-10s}"
connections="${BENCH_CONNECTIONS:-32}"
instances="${BENCH_INSTANCES:-130}"
layouts="${BENCH_LAYOUTS:-shared pinned}"
prom_port=9291
router_port=9297
nginx_port=9298
prom="http://127.0.0.1:$prom_port"
router="http://127.0.0.1:$router_port"
nginx_url="http://127.0.0.1:$nginx_port"
PATH="$PATH:/usr/sbin"

for tool in prometheus promtool wrk curl java taskset nginx; do
  command -v "$tool" >/dev/null 2>&1 || { echo "proxy-bench: $tool is missing (Debian: apt-get install prometheus wrk curl util-linux nginx-light)" >&2; exit 1; }
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
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

echo "# data: 1 shard, $instances instances ($((instances * 12)) series), 15 s samples over 9 h, in $work"
java -cp "$jar" io.promroute.examples.DemoData --out "$work" --shards a --first-port "$prom_port" \
  --router-port "$router_port" --instances "$instances" >/dev/null
promtool tsdb create-blocks-from openmetrics "$work/a.om" "$work/data-a" >/dev/null
rm -f "$work/a.om"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data-a" \
  --storage.tsdb.retention.time=100y --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
prom_pid=$!
pids+=("$prom_pid")
wait_ready "$prom"

now=$(date +%s)
six_hours="start=$((now - 6 * 3600))&end=$now&step=15"
# name, endpoint, direct query, routed query (cluster="a" added; the router strips it and puts it back)
queries=(
  "small|query|up{instance=\"node-1:9100\"}|up{cluster=\"a\",instance=\"node-1:9100\"}|time=$now"
  "panel|query|sum by (mode) (rate(node_cpu_seconds_total{instance=\"node-1:9100\"}[5m]))|sum by (mode) (rate(node_cpu_seconds_total{cluster=\"a\",instance=\"node-1:9100\"}[5m]))|time=$now"
  "range|query_range|node_memory_MemAvailable_bytes{instance=~\"node-[1-9]:9100\"}|node_memory_MemAvailable_bytes{cluster=\"a\",instance=~\"node-[1-9]:9100\"}|$six_hours"
)
# The large answer: every series, 6 hours at 15 s.
large_direct="query=$(urlencode '{__name__=~".+"}')&$six_hours"
large_routed="query=$(urlencode '{cluster="a",__name__=~".+"}')&$six_hours"

# nginx as a plain reverse proxy: what any proxy costs. Workers as CPUs, like the router's threads.
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  upstream prometheus { server 127.0.0.1:$prom_port; keepalive 64; }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      proxy_pass http://prometheus;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering on;
    }
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
pids+=("$nginx_pid")
for _ in $(seq 1 40); do curl -sf -o /dev/null "$nginx_url/-/ready" && break; sleep 0.25; done
nginx_pids() { echo "$nginx_pid" $(pgrep -P "$nginx_pid" || true); }

start_router -Xmx512m
size() { curl -s -o /dev/null -w '%{size_download}' "$1"; }

nginx_ticks() { local sum=0 pid; for pid in $(nginx_pids); do sum=$((sum + $(cpu_ticks "$pid"))); done; echo "$sum"; }
run_wrk() { # file url
  taskset -c "$wrk_cpus" wrk -t2 -c"$connections" -d"$warmup" --timeout 30s "$2" >/dev/null
  local p0 r0 n0 p1 r1 n1
  p0=$(cpu_ticks "$prom_pid"); r0=$(cpu_ticks "$router_pid"); n0=$(nginx_ticks)
  taskset -c "$wrk_cpus" wrk -t2 -c"$connections" -d"$duration" --timeout 30s --latency "$2" >"$1"
  p1=$(cpu_ticks "$prom_pid"); r1=$(cpu_ticks "$router_pid"); n1=$(nginx_ticks)
  local requests ticks
  requests=$(awk '/requests in/ {print $1}' "$1")
  ticks=$(getconf CLK_TCK)
  # CPU microseconds per request of Prometheus, of the router and of nginx over the measured run.
  per() { awk -v d="$1" -v n="$requests" -v t="$ticks" 'BEGIN {printf "%.0f", d * 1e6 / t / n}'; }
  echo "$(per $((p1 - p0))) $(per $((r1 - r0))) $(per $((n1 - n0)))"
}
field() { awk -v k="$2" '$1 == k {print $2}' "$1"; }
ms() { # wrk latency (850.00us, 1.23ms, 1.02s) in ms
  awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v } else { sub(/s$/, "", v); printf "%.2f", v * 1000 } }'
}

# The router's JIT first: a fresh JVM spends its first half minute compiling.
for entry in "${queries[@]}"; do
  IFS='|' read -r name endpoint _ routed_query extra <<<"$entry"
  wrk -t2 -c"$connections" -d"${BENCH_JIT_WARMUP:-10s}" "$router/api/v1/$endpoint?query=$(urlencode "$routed_query")&$extra" >/dev/null
done
echo "# wrk -t2 -c$connections -d$duration after $warmup of warm-up, direct / nginx / router interleaved per query;"
echo "# CPU per request from /proc/<pid>/stat; ratios are of requests per second measured in this run"
printf '%-7s %-6s %10s %10s %10s %9s %9s %9s %9s %9s %10s %10s %10s\n' layout query "direct r/s" "nginx r/s" "router r/s" \
  "rtr/nginx" "rtr/direct" "direct p50" "nginx p50" "router p50" "prom µs/req" "nginx µs/req" "router µs/req"
for layout in $layouts; do
  if [ "$layout" = pinned ]; then
    if [ "$(nproc)" -lt 2 ]; then echo "proxy-bench: the pinned layout needs 2 CPUs" >&2; continue; fi
    taskset -a -p -c 0 "$prom_pid" >/dev/null; taskset -a -p -c 1 "$router_pid" >/dev/null; wrk_cpus=0
    for pid in $(nginx_pids); do taskset -p -c 1 "$pid" >/dev/null; done
  else
    all="0-$(($(nproc) - 1))"
    taskset -a -p -c "$all" "$prom_pid" >/dev/null; taskset -a -p -c "$all" "$router_pid" >/dev/null; wrk_cpus="$all"
    for pid in $(nginx_pids); do taskset -p -c "$all" "$pid" >/dev/null; done
  fi
  for entry in "${queries[@]}"; do
    IFS='|' read -r name endpoint direct_query routed_query extra <<<"$entry"
    direct_url="$prom/api/v1/$endpoint?query=$(urlencode "$direct_query")&$extra"
    nginx_query_url="$nginx_url/api/v1/$endpoint?query=$(urlencode "$direct_query")&$extra"
    routed_url="$router/api/v1/$endpoint?query=$(urlencode "$routed_query")&$extra"
    curl -sf -o /dev/null "$routed_url" || { echo "proxy-bench: $routed_url failed" >&2; exit 1; }
    curl -sf -o /dev/null "$nginx_query_url" || { echo "proxy-bench: $nginx_query_url failed" >&2; exit 1; }
    read -r direct_prom_cpu _ _ < <(run_wrk "$work/wrk-$layout-$name-direct.txt" "$direct_url")
    read -r _ _ nginx_cpu < <(run_wrk "$work/wrk-$layout-$name-nginx.txt" "$nginx_query_url")
    read -r _ router_cpu _ < <(run_wrk "$work/wrk-$layout-$name-router.txt" "$routed_url")
    d="$work/wrk-$layout-$name-direct.txt"; n="$work/wrk-$layout-$name-nginx.txt"; r="$work/wrk-$layout-$name-router.txt"
    if grep -qE 'Non-2xx|Socket errors' "$d" "$n" "$r"; then echo "proxy-bench: errors in $d, $n or $r" >&2; grep -E 'Non-2xx|Socket errors' "$d" "$n" "$r" >&2; fi
    dr=$(awk '/Requests\/sec/ {print $2}' "$d"); nr=$(awk '/Requests\/sec/ {print $2}' "$n"); rr=$(awk '/Requests\/sec/ {print $2}' "$r")
    printf '%-7s %-6s %10.0f %10.0f %10.0f %8.0f%% %8.0f%% %6s ms %6s ms %6s ms %11s %12s %13s\n' "$layout" "$name" "$dr" "$nr" "$rr" \
      "$(awk -v a="$rr" -v b="$nr" 'BEGIN {print 100 * a / b}')" "$(awk -v a="$rr" -v b="$dr" 'BEGIN {print 100 * a / b}')" \
      "$(ms "$(field "$d" 50%)")" "$(ms "$(field "$n" 50%)")" "$(ms "$(field "$r" 50%)")" \
      "$direct_prom_cpu" "$nginx_cpu" "$router_cpu"
  done
done
echo "# answer sizes: small $(size "$router/api/v1/query?query=$(urlencode 'up{cluster="a",instance="node-1:9100"}')&time=$now") B, range $(size "$router/api/v1/query_range?query=$(urlencode 'node_memory_MemAvailable_bytes{cluster="a",instance=~"node-[1-9]:9100"}')&$six_hours") B, large $(size "$router/api/v1/query_range?$large_routed") B"
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
