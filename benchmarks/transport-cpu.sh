#!/usr/bin/env bash
# The standalone router's two transports of one engine compared by CPU per request, in one JVM:
# the servlet filter (what the router ran before) and ApiHandler (Jetty's core handler API, what it
# runs now). Shards answer from memory, so only the transport and the engine cost CPU; wrk loads
# one port, then the other, in rounds after a warm-up of each; the CPU the process spent per
# request is read from /proc/<pid>/stat. CPU per request, not req/s, is the figure to compare on a
# shared machine.
# Needs: wrk, curl, java; the examples module's test classes and the router jar (built if missing).
# Settings: BENCH_WARMUP (20s per transport), BENCH_DURATION (6s per round), BENCH_ROUNDS (8),
#           BENCH_CONNECTIONS (32).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/examples/target/promroute-standalone.jar"
classes="$root/examples/target/test-classes"
warmup="${BENCH_WARMUP:-20s}"
duration="${BENCH_DURATION:-6s}"
rounds="${BENCH_ROUNDS:-8}"
connections="${BENCH_CONNECTIONS:-32}"

for tool in wrk curl java python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "transport-cpu: $tool is missing" >&2; exit 1; }
done
if [ ! -f "$jar" ] || [ ! -f "$classes/io/promroute/standalone/TransportCpuBench.class" ]; then
  (cd "$root" && mvn -B -q -DskipTests package && mvn -B -q -pl examples test-compile)
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
servlet_port=$(free_port)
handler_port=$(free_port)
log=$(mktemp /tmp/transport-cpu.XXXXXX)
java -Xmx256m -cp "$classes:$jar" io.promroute.standalone.TransportCpuBench "$servlet_port" "$handler_port" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 120); do grep -q '^ready' "$log" && break; sleep 0.5; done
grep -q '^ready' "$log" || { echo "transport-cpu: the server did not start:" >&2; cat "$log" >&2; exit 1; }

query='/api/v1/query?query=up%7Bcluster%3D%22a%22%7D'
for port in "$servlet_port" "$handler_port"; do
  curl -sf "http://127.0.0.1:$port$query" >/dev/null
  wrk -t2 -c"$connections" -d"$warmup" "http://127.0.0.1:$port$query" >/dev/null
done

ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
measure() { # name port
  local before after out requests
  before=$(ticks)
  out=$(wrk -t2 -c"$connections" -d"$duration" "http://127.0.0.1:$2$query")
  after=$(ticks)
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  if echo "$out" | grep -q 'Non-2xx'; then echo "transport-cpu: $1 answered errors" >&2; exit 1; fi
  python3 -c "print('$1 req/s %s  CPU per request %.1f us' % ('$(echo "$out" | awk '/Requests\/sec/ {print $2}')', ($after - $before) * 1e6 / $(getconf CLK_TCK) / $requests))"
}
echo "$(date -u +%FT%TZ) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), wrk -t2 -c$connections, $rounds rounds of $duration"
for round in $(seq 1 "$rounds"); do
  measure servlet "$servlet_port"
  measure handler "$handler_port"
done
