#!/usr/bin/env bash
# Cross-shard queries at scale (issue 14): the router over N Prometheus shards against one global
# Prometheus holding every shard's series with cluster="<shard>", interleaved, on loopback.
#   1. generates Kubernetes-like OpenMetrics (container_cpu_usage_seconds_total per namespace, pod
#      and container; http_request_duration_seconds_bucket per namespace, service and le) at
#      SCALE_SERIES series per shard, over the last 70 minutes, and backfills it with
#      `promtool tsdb create-blocks-from openmetrics` into each shard and into the global server;
#   2. starts the shards, the global Prometheus and the standalone router (-Xmx SCALE_HEAP), once
#      per aggregation mode (SCALE_MODES: partials, the default, and exact);
#   3. runs each query (cross-shard sum, sum by, avg, topk, histogram_quantile, count; instant and
#      1 h range at a 30 s step) SCALE_RUNS times against the global server and the router, one
#      after the other, and prints the medians, whether the answers are equal (relative 1e-9) and
#      the router's peak resident memory (VmHWM).
# SCALE_SHARDS is a list ("3", "2 4 8 16"): the whole run is repeated for each shard count, with
# SCALE_SERIES series on each shard.
# Needs: the router's jar (built if missing), prometheus, promtool, curl, python3, java.
# Settings: SCALE_SERIES (50000), SCALE_SHARDS (3), SCALE_RUNS (5), SCALE_HEAP (1g),
#           SCALE_MODES ("partials exact"), SCALE_INTERVAL (30: seconds between samples),
#           SCALE_PORT (19300: the global server; shards SCALE_PORT+1..., the router SCALE_PORT+99),
#           SCALE_DIR (a fresh directory under /tmp), BENCH_JAR (the router's jar).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${BENCH_JAR:-$root/examples/target/promroute-standalone.jar}"
work="${SCALE_DIR:-$(mktemp -d /tmp/promroute-scale.XXXXXX)}"
series="${SCALE_SERIES:-50000}"
shard_counts="${SCALE_SHARDS:-3}"
runs="${SCALE_RUNS:-5}"
heap="${SCALE_HEAP:-1g}"
modes="${SCALE_MODES:-partials exact}"
interval="${SCALE_INTERVAL:-30}"
port="${SCALE_PORT:-19300}"
router_port=$((port + 99))

for tool in prometheus promtool curl python3 java; do
  command -v "$tool" >/dev/null 2>&1 || { echo "scale-bench: $tool is missing (Debian: apt-get install prometheus curl python3)" >&2; exit 1; }
done
if [ ! -f "$jar" ]; then
  (cd "$root" && mvn -B -q -DskipTests package)
fi

pids=()
cleanup() {
  if [ "${#pids[@]}" -gt 0 ]; then kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; fi
  pids=()
}
trap cleanup EXIT

wait_ready() {
  for _ in $(seq 1 240); do
    curl -sf "$1/-/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "scale-bench: $1 not ready" >&2
  exit 1
}

# Kubernetes-like data: one file per shard (no cluster label) and the global file (with it).
generate() { # shard count
  python3 - "$work" "$1" "$series" "$interval" <<'PY'
import random, sys, time
work, shard_count, series, interval = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
end = int(time.time()) // 60 * 60
start = end - 70 * 60
times = list(range(start, end + 1, interval))
buckets = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"]
cpu_series = series * 4 // 5
services = max(1, (series - cpu_series) // len(buckets))
glob = open(f"{work}/global.om", "w")
files = [open(f"{work}/shard-{k}.om", "w") for k in range(shard_count)]
def family(name, kind, write):
    for out in files + [glob]:
        out.write(f"# TYPE {name} {kind}\n")
    for k in range(shard_count):
        write(k)
def cpu(k):
    rng = random.Random(k)
    for i in range(cpu_series):
        labels = f'container="c-{i % 4}",namespace="ns-{(i // 4) % 50}",pod="pod-{i // 4}"'
        rate = rng.uniform(0.001, 2.0)
        for j, t in enumerate(times):
            line = f" {j * interval * rate:.6f} {t}\n"
            files[k].write(f"container_cpu_usage_seconds_total{{{labels}}}{line}")
            glob.write(f'container_cpu_usage_seconds_total{{cluster="c{k}",{labels}}}{line}')
def latency(k):
    rng = random.Random(1000 + k)
    for s in range(services):
        base = rng.uniform(0.5, 50.0)
        for b, le in enumerate(buckets):
            labels = f'le="{le}",namespace="ns-{s % 50}",service="svc-{s}"'
            share = (b + 1) / len(buckets)
            for j, t in enumerate(times):
                line = f" {int(j * interval * base * share)} {t}\n"
                files[k].write(f"http_request_duration_seconds_bucket{{{labels}}}{line}")
                glob.write(f'http_request_duration_seconds_bucket{{cluster="c{k}",{labels}}}{line}')
family("container_cpu_usage_seconds", "counter", cpu)
family("http_request_duration_seconds_bucket", "unknown", latency)
for out in files + [glob]:
    out.write("# EOF\n")
    out.close()
print(end)
PY
}

start_prometheus() { # name port
  prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data-$1" \
    --storage.tsdb.retention.time=100y --web.listen-address="127.0.0.1:$2" \
    >"$work/prometheus-$1.log" 2>&1 &
  pids+=($!)
}

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
seconds() { # url path query [extra curl args] -> seconds; answer in $work/answer
  curl -s -o "$work/answer" -w '%{time_total}\n' -G "$1$2" --data-urlencode "query=$3" "${@:4}"
}
same() { # expected actual -> equal / differs: ...
  python3 - "$1" "$2" <<'PY'
import json, sys
def load(path):
    data = json.load(open(path))
    if data.get("status") != "success":
        return None, data.get("error")
    out = {}
    for s in data["data"]["result"]:
        points = s.get("values") or [s.get("value")]
        out[json.dumps(s["metric"], sort_keys=True)] = [(p[0], float(p[1])) for p in points]
    return out, None
want, werr = load(sys.argv[1])
got, gerr = load(sys.argv[2])
if want is None or got is None:
    print("error: global " + str(werr) + ", router " + str(gerr)); sys.exit()
if want.keys() != got.keys():
    print(f"differs: {len(want)} series vs {len(got)}"); sys.exit()
worst = 0.0
for k in want:
    if len(want[k]) != len(got[k]):
        print("differs: points of " + k); sys.exit()
    for (t1, a), (t2, b) in zip(want[k], got[k]):
        if t1 != t2:
            print("differs: timestamps of " + k); sys.exit()
        if a != b:
            worst = max(worst, abs(a - b) / max(abs(a), abs(b)))
print("equal" if worst == 0 else ("within 1e-9 (%.1e)" % worst if worst <= 1e-9 else "differs (%.1e)" % worst))
PY
}

queries=(
  'sum(rate(container_cpu_usage_seconds_total[5m]))'
  'sum by (namespace) (rate(container_cpu_usage_seconds_total[5m]))'
  'avg(rate(container_cpu_usage_seconds_total[5m]))'
  'topk(10, rate(container_cpu_usage_seconds_total[5m]))'
  'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))'
  'count(container_cpu_usage_seconds_total)'
)

printf 'global: { scrape_interval: 30s }\n' >"$work/prometheus.yml"
for shard_count in $shard_counts; do
  cleanup
  rm -rf "$work"/data-* "$work"/*.om
  echo "== $shard_count shards x $series series ($((shard_count * series)) in the global server), data in $work" >&2
  end=$(generate "$shard_count")
  for ((k = 0; k < shard_count; k++)); do
    promtool tsdb create-blocks-from openmetrics "$work/shard-$k.om" "$work/data-c$k" >"$work/promtool-c$k.log" 2>&1
    rm -f "$work/shard-$k.om"
  done
  promtool tsdb create-blocks-from openmetrics "$work/global.om" "$work/data-global" >"$work/promtool-global.log" 2>&1
  rm -f "$work/global.om"
  start_prometheus global "$port"
  {
    echo "replace_label_name: cluster"
    echo "prome_servers:"
    for ((k = 0; k < shard_count; k++)); do
      start_prometheus "c$k" $((port + 1 + k))
      echo "  c$k: 127.0.0.1:$((port + 1 + k))"
    done
    echo "http: {listen_addr: '127.0.0.1:$router_port'}"
    echo "upstream: {timeout: 5m}"
  } >"$work/promroute-base.yml"
  wait_ready "http://127.0.0.1:$port"
  for ((k = 0; k < shard_count; k++)); do wait_ready "http://127.0.0.1:$((port + 1 + k))"; done

  for mode in $modes; do
    { cat "$work/promroute-base.yml"; echo "cross_shard: {aggregation: $mode}"; } >"$work/promroute.yml"
    java "-Xmx$heap" -jar "$jar" --config "$work/promroute.yml" >"$work/promroute-$mode.log" 2>&1 &
    router_pid=$!
    pids+=("$router_pid")
    wait_ready "http://127.0.0.1:$router_port"
    echo
    echo "$shard_count shards x $series series, router -Xmx$heap, cross_shard.aggregation: $mode, median of $runs"
    echo
    echo "| query | kind | global | router | answers |"
    echo "| --- | --- | --- | --- | --- |"
    for query in "${queries[@]}"; do
      for kind in instant range; do
        if [ "$kind" = instant ]; then
          path=/api/v1/query; args=(--data-urlencode "time=$end")
        else
          path=/api/v1/query_range; args=(--data-urlencode "start=$((end - 3600))" --data-urlencode "end=$end" --data-urlencode step=30)
        fi
        global_times=(); router_times=()
        for ((r = 0; r < runs; r++)); do
          global_times+=("$(seconds "http://127.0.0.1:$port" "$path" "$query" "${args[@]}")")
          cp "$work/answer" "$work/answer-global"
          router_times+=("$(seconds "http://127.0.0.1:$router_port" "$path" "$query" "${args[@]}")")
        done
        verdict=$(same "$work/answer-global" "$work/answer")
        printf '| `%s` | %s | %.2f s | %.2f s | %s |\n' "$query" "$kind" \
          "$(printf '%s\n' "${global_times[@]}" | median)" "$(printf '%s\n' "${router_times[@]}" | median)" "$verdict"
      done
    done
    echo
    echo "router peak resident memory: $(awk '/VmHWM/ {printf "%d MB", $2 / 1024}' "/proc/$router_pid/status")"
    kill "$router_pid"
    wait "$router_pid" 2>/dev/null || true
  done
done
