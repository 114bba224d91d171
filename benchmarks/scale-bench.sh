#!/usr/bin/env bash
# Cross-shard queries at scale: the standalone router over N shards against one global Prometheus
# holding every shard's series (with cluster="<shard>"), all real Prometheus servers on loopback:
#   1. generates Kubernetes-like data (benchmarks/scale/ScaleData.java: container CPU counters,
#      an HTTP latency histogram, node gauges; deterministic; SCALE_MINUTES of samples every
#      SCALE_INTERVAL seconds up to now), and backfills it with promtool for each shard (no shard
#      label) and for the global Prometheus (every shard's series with the label), one file at a time;
#   2. starts the shards, the global Prometheus and the router, and sends each cross-shard query
#      (sum, sum by, avg, topk, histogram_quantile, count) as an instant query and as a 1 h range
#      query to both, interleaved, reporting median latencies;
#   3. checks every router answer against the global one (same series, timestamps, values within
#      1e-9 relative; benchmarks/scale/AnswerCompare.java) and stops at the first difference, and
#      checks once that the comparison refuses changed copies of a real answer;
#   4. reports the router's heap: the peak of one request of each kind, measured from a collected
#      heap (jcmd GC.run, then the GC log's pre-collection sizes and jstat's at the end), and the
#      whole run's peak from the GC log.
# Needs: prometheus, promtool, curl, java/javac/jcmd/jstat (a JDK 17), the router's jar (built with
# mvn package if missing).
# Settings (environment):
#   SCALE_SHARDS       shard counts to run, one after another (default "3"; e.g. "2 4 8 16")
#   SCALE_SERIES       series per shard (default 2000)
#   SCALE_TOTAL_SERIES total series instead: each shard gets SCALE_TOTAL_SERIES / shards (a fixed data
#                      set spread over more shards); overrides SCALE_SERIES
#   SCALE_INTERVAL     seconds between samples (default 30)    SCALE_MINUTES  minutes of data (default 70)
#   SCALE_STEP         range query step in seconds (default 30)
#   SCALE_REPEAT       measured runs per query and server (default 5; the median is reported)
#   SCALE_WARMUP       untimed runs per query and server before them (default 2)
#   SCALE_TOLERANCE    the largest relative difference accepted between answers (default 1e-9; 0: bit-exact)
#   SCALE_ROUTER_HEAP  the router's -Xmx (default 1g)
#   SCALE_ROUTER_YAML  lines appended to the router's configuration (top-level keys other than
#                      replace_label_name, prome_servers, http and upstream), e.g. a cross-shard mode
#   SCALE_QUERY_FILE   a file of "name|query" lines instead of the built-in queries
#   SCALE_JAR          the router jar (default examples/target/promroute-standalone.jar)
#   SCALE_DIR          the work directory (default a new /tmp/promroute-scale.XXXXXX); SCALE_KEEP=1 keeps its data
# Ports: 9390 (router), 9391 (global Prometheus), 9401... (one per shard), all on 127.0.0.1.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${SCALE_JAR:-$root/examples/target/promroute-standalone.jar}"
work="${SCALE_DIR:-$(mktemp -d /tmp/promroute-scale.XXXXXX)}"
mkdir -p "$work"
shard_counts="${SCALE_SHARDS:-3}"
series_per_shard="${SCALE_SERIES:-2000}"
total_series="${SCALE_TOTAL_SERIES:-}"
interval="${SCALE_INTERVAL:-30}"
minutes="${SCALE_MINUTES:-70}"
step="${SCALE_STEP:-30}"
repeat="${SCALE_REPEAT:-5}"
warmup="${SCALE_WARMUP:-2}"
tolerance="${SCALE_TOLERANCE:-1e-9}"
router_heap="${SCALE_ROUTER_HEAP:-1g}"
router_port=9390
global_port=9391
first_shard_port=9401
router="http://127.0.0.1:$router_port"
global="http://127.0.0.1:$global_port"

for tool in prometheus promtool curl java javac jcmd jstat; do
  command -v "$tool" >/dev/null 2>&1 || { echo "scale-bench: $tool is missing (Debian: apt-get install prometheus curl openjdk-17-jdk-headless)" >&2; exit 1; }
done
if [ "$minutes" -lt 66 ]; then
  echo "scale-bench: SCALE_MINUTES must be at least 66 (a 1 h range of 5m rates)" >&2
  exit 1
fi
if [ ! -f "$jar" ]; then
  (cd "$root" && mvn -B -q -DskipTests package)
fi

queries=(
  "sum|sum(rate(container_cpu_usage_seconds_total[5m]))"
  "sum by|sum by (namespace) (rate(container_cpu_usage_seconds_total[5m]))"
  "avg|avg(rate(container_cpu_usage_seconds_total[5m]))"
  "topk|topk(10, rate(container_cpu_usage_seconds_total[5m]))"
  "histogram_quantile|histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))"
  "count|count(container_cpu_usage_seconds_total)"
)
if [ -n "${SCALE_QUERY_FILE:-}" ]; then
  mapfile -t queries < <(grep -v '^\s*\(#\|$\)' "$SCALE_QUERY_FILE")
fi

pids=()
cleanup() {
  if [ "${#pids[@]}" -gt 0 ]; then kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; fi
  pids=()
}
trap cleanup EXIT

fail() {
  echo "scale-bench: $*" >&2
  exit 1
}
port_free() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then fail "port $1 is in use (another scale-bench?)"; fi
}
wait_ready() { # url pid log
  for _ in $(seq 1 600); do
    curl -sf -o /dev/null "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || fail "the server for $1 exited: $(tail -n 5 "$3")"
    sleep 0.5
  done
  fail "$1 not ready after 300 s"
}
thousands() { printf '%s' "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
seconds_since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN {printf "%.0f", e - s}'; }
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
duration() { # seconds -> "12.3 ms" or "1.23 s"
  awk -v s="$1" 'BEGIN { if (s < 1) printf "%.1f ms", s * 1000; else printf "%.2f s", s }'
}
start_prometheus() { # name port data-dir
  prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$3" --storage.tsdb.retention.time=100y \
    --web.listen-address="127.0.0.1:$2" --query.timeout=10m >"$work/$1.log" 2>&1 &
  pids+=("$!")
}
# One request: writes the answer to $3 and prints "<HTTP status> <seconds>". Gzip accepted, as Grafana does.
ask() { # base-url kind(instant|range) answer-file query
  local extra
  if [ "$2" = instant ]; then extra=(--data-urlencode "time=$end"); else extra=(--data-urlencode "start=$((end - 3600))" --data-urlencode "end=$end" --data-urlencode "step=$step"); fi
  local path=query
  [ "$2" = range ] && path=query_range
  curl -s --compressed -G -o "$3" -w '%{http_code} %{time_total}\n' --max-time 900 \
    --data-urlencode "query=$4" "${extra[@]}" "$1/api/v1/$path"
}
ask_ok() { # like ask; fails unless 200; prints the seconds
  local status seconds
  read -r status seconds < <(ask "$@")
  [ "$status" = 200 ] || fail "$1 answered $status to the $2 query $4: $(head -c 500 "$3")"
  echo "$seconds"
}
# The router's heap in MB as jstat sees it now (survivors, eden and old generation used).
heap_used() { jstat -gc "$router_pid" | awk 'NR == 2 {printf "%.0f", ($3 + $4 + $6 + $8) / 1024}'; }
gc_lines() { wc -l <"$work/router-gc.log"; }
# The largest pre-collection heap size (MB) in the GC log after line $1, or 0.
gc_peak_since() { tail -n +"$(($1 + 1))" "$work/router-gc.log" | grep -oE '[0-9]+M->[0-9]+M' | awk -F'M->' '{if ($1 > m) m = $1} END {print m + 0}'; }

cat >"$work/prometheus.yml" <<'YAML'
# scale-bench: the servers scrape nothing; their data is backfilled.
global:
  scrape_interval: 1m
YAML
rm -rf "$work/classes"
javac -d "$work/classes" "$root/benchmarks/scale/ScaleData.java" "$root/benchmarks/scale/AnswerCompare.java"
results="$work/results.md"
: >"$results"
echo "# work directory: $work; results also in $results"
echo "# router: $jar, -Xmx$router_heap; ${SCALE_ROUTER_YAML:+configuration extra: $SCALE_ROUTER_YAML; }$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"

run_config() { # shards series-per-shard
  local shards="$1" per="$2" data="$work/data-$1x$2" i key started began
  began=$(date +%s.%N)
  local total=$(($1 * $2))
  for port in "$router_port" "$global_port" $(seq "$first_shard_port" $((first_shard_port + shards - 1))); do port_free "$port"; done
  rm -rf "$data"
  mkdir -p "$data"
  end=$(($(date +%s) / interval * interval))

  # One file at a time, loaded and deleted before the next is written: the disk holds at most the
  # global file (about 120 bytes a sample) and the blocks.
  started=$(date +%s.%N)
  for i in $(seq 1 "$shards") global; do
    if [ "$i" = global ]; then key=global; else key=$(printf 's%02d' "$i"); fi
    java -cp "$work/classes" ScaleData "$data/$key.om" "$shards" "$per" "$interval" "$minutes" "$end" "$i" | sed 's/^/# data: /'
    promtool tsdb create-blocks-from openmetrics "$data/$key.om" "$data/$key" >"$work/promtool.log" 2>&1 || { cat "$work/promtool.log" >&2; fail "promtool failed for $key"; }
    rm -f "$data/$key.om"
  done
  local loaded_in
  loaded_in=$(seconds_since "$started")

  started=$(date +%s.%N)
  {
    echo "# scale-bench: $shards shards"
    echo "replace_label_name: cluster"
    echo "prome_servers:"
    for i in $(seq 1 "$shards"); do printf '  s%02d: 127.0.0.1:%d\n' "$i" $((first_shard_port + i - 1)); done
    echo "http:"
    echo "  listen_addr: 127.0.0.1:$router_port"
    echo "upstream:"
    echo "  timeout: 10m"
    [ -z "${SCALE_ROUTER_YAML:-}" ] || printf '%s\n' "$SCALE_ROUTER_YAML"
  } >"$work/promroute.yml"
  for i in $(seq 1 "$shards"); do
    key=$(printf 's%02d' "$i")
    start_prometheus "$key" $((first_shard_port + i - 1)) "$data/$key"
  done
  start_prometheus global "$global_port" "$data/global"
  local global_pid="$!"
  rm -f "$work/router-gc.log"
  java "-Xmx$router_heap" "-Xlog:gc:file=$work/router-gc.log" -jar "$jar" --config "$work/promroute.yml" >"$work/promroute.log" 2>&1 &
  router_pid=$!
  pids+=("$router_pid")
  wait_ready "$global/-/ready" "$global_pid" "$work/global.log"
  wait_ready "$router/-/ready?shards=all" "$router_pid" "$work/promroute.log"
  local ready
  ready=$(seconds_since "$started")

  # Every series must be in the global Prometheus, exactly once.
  ask_ok "$global" instant "$work/count.json" 'count({__name__=~".+"})' >/dev/null
  local loaded
  loaded=$(grep -oE '"[0-9]+"\]' "$work/count.json" | tr -dc 0-9)
  [ "$loaded" = "$total" ] || fail "the global Prometheus holds ${loaded:-no} series, expected $total"

  # The router's JIT and both servers' caches: every query once, untimed.
  local entry name query kind
  for entry in "${queries[@]}"; do
    query="${entry#*|}"
    for kind in instant range; do
      ask_ok "$global" "$kind" "$work/warm.json" "$query" >/dev/null
      ask_ok "$router" "$kind" "$work/warm.json" "$query" >/dev/null
    done
  done
  jcmd "$router_pid" GC.run >/dev/null
  local idle_heap
  idle_heap=$(heap_used)

  local rows=() self_tested=""
  for entry in "${queries[@]}"; do
    name="${entry%%|*}"
    query="${entry#*|}"
    local row="| \`$query\` |" equal_note=""
    local heaps=()
    for kind in instant range; do
      # Equality first: the router's answer against the global one.
      ask_ok "$global" "$kind" "$work/global.json" "$query" >/dev/null
      jcmd "$router_pid" GC.run >/dev/null
      local before
      before=$(gc_lines)
      ask_ok "$router" "$kind" "$work/router.json" "$query" >/dev/null
      local peak
      peak=$(heap_used)
      peak=$(awk -v a="$peak" -v b="$(gc_peak_since "$before")" 'BEGIN {print (a > b) ? a : b}')
      heaps+=("$peak")
      local verdict
      if ! verdict=$(java -cp "$work/classes" AnswerCompare "$work/global.json" "$work/router.json" "$tolerance"); then
        cp "$work/global.json" "$work/different-global.json"
        cp "$work/router.json" "$work/different-router.json"
        fail "$shards shards, $kind $name ($query): the router's answer differs from the global one: $verdict (answers kept in $work/different-*.json)"
      fi
      echo "# $shards shards, $kind $name: $verdict"
      if [ -z "$self_tested" ] && [ "$kind" = range ]; then
        # The check must be able to fail: changed copies of a real answer are refused.
        java -cp "$work/classes" AnswerCompare --self-test "$work/global.json" | sed 's/^/# equality check self-test: /' \
          || fail "the equality check accepted a changed answer"
        self_tested=yes
      fi
      local times_global=() times_router=() r
      for ((r = 0; r < warmup; r++)); do
        ask_ok "$global" "$kind" "$work/warm.json" "$query" >/dev/null
        ask_ok "$router" "$kind" "$work/warm.json" "$query" >/dev/null
      done
      # Interleaved, alternating which goes first.
      for ((r = 0; r < repeat; r++)); do
        if ((r % 2 == 0)); then
          times_global+=("$(ask_ok "$global" "$kind" "$work/timed.json" "$query")")
          times_router+=("$(ask_ok "$router" "$kind" "$work/timed.json" "$query")")
        else
          times_router+=("$(ask_ok "$router" "$kind" "$work/timed.json" "$query")")
          times_global+=("$(ask_ok "$global" "$kind" "$work/timed.json" "$query")")
        fi
      done
      local g t
      g=$(printf '%s\n' "${times_global[@]}" | median)
      t=$(printf '%s\n' "${times_router[@]}" | median)
      row+=" $(duration "$g") | $(duration "$t") | $(awk -v a="$t" -v b="$g" 'BEGIN {printf "%.2f", a / b}') |"
    done
    rows+=("$row ${heaps[0]} / ${heaps[1]} |")
  done

  local gc_peak gc_live gc_count
  gc_peak=$(gc_peak_since 0)
  gc_live=$(grep -oE '[0-9]+M->[0-9]+M' "$work/router-gc.log" | awk -F'M->' '{sub(/M/, "", $2); if ($2 > m) m = $2} END {print m + 0}')
  gc_count=$(grep -c 'Pause' "$work/router-gc.log" || true)
  {
    echo
    echo "$shards shards × $(thousands "$per") series ($(thousands "$total") in the global Prometheus), $minutes min of samples every $interval s; medians of $repeat interleaved runs after $warmup warm-up runs; range: 1 h, step $step s; router -Xmx$router_heap:"
    echo
    echo "| query | instant: global | router | router / global | 1 h range: global | router | router / global | router heap peak, MB (instant / range) |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${rows[@]}"
    echo
    echo "Every answer equal to the global Prometheus's within $tolerance relative. Router heap: $idle_heap MB after a collection when idle; largest heap before a collection over the whole run $gc_peak MB, largest after one $gc_live MB ($gc_count pauses). Data generated and backfilled in $loaded_in s, servers ready in $ready s; $(seconds_since "$began") s in all."
  } | tee -a "$results"

  cleanup
  if [ -z "${SCALE_KEEP:-}" ]; then rm -rf "$data"; fi
}

for shards in $shard_counts; do
  if [ -n "$total_series" ]; then per=$((total_series / shards)); else per="$series_per_shard"; fi
  run_config "$shards" "$per"
done
