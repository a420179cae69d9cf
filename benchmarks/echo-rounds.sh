#!/bin/bash
# TCP echo servers side by side, round-robin, for taking one row of run.sh's TCP echo apart: each round
# starts every server in turn (tuned flags, as run.sh), warms it up for 1 s with run.sh's client (50
# connections, 1 KiB ping-pong), then measures 4 s. Per server and round it prints the round trips per
# second, the server's CPU time per round trip, and with COUNT_SYSCALLS=1, where `perf` can count them, its
# system calls per round trip (the tracepoint slows every call: a server that makes fewer gains by it, so
# count in a pass of its own, not in the one whose rates you keep).
#
# Needs a `benchmarks/run.sh` run first (the classpath and the C client and floor it builds).
# Usage: benchmarks/echo-rounds.sh ROUNDS LOOP/API...   e.g. 3 epoll/streams epoll/protocol netty-epoll/handler os-floor
# (os-floor and os-floor/uring: native/echo_floor.c, plain and with its calls batched through io_uring;
# asyncio/API and uvloop/API: benchmarks/peers/asyncio_peer.py, as run.sh runs them)
set -eu
cd "$(dirname "$0")/.."
classpath="benchmarks/target/classes:$(cat benchmarks/target/bench.classpath)"
client=benchmarks/target/bench/native/echo_client
floor=benchmarks/target/bench/native/echo_floor
rounds=$1
shift
for round in $(seq "$rounds"); do
  for variant in "$@"; do
    case "$variant" in
      os-floor) coproc SERVER { exec "$floor"; } ;;
      os-floor/uring) coproc SERVER { exec "$floor" --uring; } ;;
      asyncio/*) coproc SERVER { exec "${LOOPKIT_BENCH_PYTHON:-python3}" benchmarks/peers/asyncio_peer.py echo-server "${variant#*/}"; } ;;
      uvloop/*) coproc SERVER { exec "${LOOPKIT_BENCH_UVLOOP_PYTHON:-/usr/bin/python3}" benchmarks/peers/asyncio_peer.py --uvloop echo-server "${variant#*/}"; } ;;
      *) coproc SERVER { exec java -Xms1g -Xmx1g -cp "$classpath" dev.loopkit.benchmarks.e2e.Workloads echo-server "${variant%/*}" "${variant#*/}"; } ;;
    esac
    port=""
    while read -r line <&"${SERVER[0]}"; do
      case "$line" in READY*) port=${line#READY }; break ;; UNSUPPORTED*) echo "$variant: $line"; break ;; esac
    done
    if [ -n "$port" ]; then
      "$client" "$port" 50 1024 1 0 warm-up > /dev/null
      counted=""
      if [ "${COUNT_SYSCALLS:-0}" = 1 ] && command -v perf > /dev/null; then
        perf stat -x, -e raw_syscalls:sys_enter -p "$SERVER_PID" -o /tmp/echo-rounds.perf -- sleep 4 2> /dev/null &
        counted=$!
      fi
      results=$("$client" "$port" 50 1024 0 4 "$variant" "$SERVER_PID")
      rps=$(echo "$results" | awk '$3 == "'"$variant"'" && $4 == "rps" { print $5 }')
      cpu=$(echo "$results" | awk '$3 == "'"$variant"'" && $4 == "server_cpu_us_per_rt" { printf "%.2f", $5 }')
      if [ -n "$counted" ] && wait "$counted"; then
        calls=$(awk -F, '/sys_enter/ { print $1 }' /tmp/echo-rounds.perf)
        echo "round $round $variant: $rps round trips/s, server CPU $cpu µs/round trip, $(awk "BEGIN { printf \"%.2f\", $calls / ($rps * 4) }") syscalls/round trip"
      else
        echo "round $round $variant: $rps round trips/s, server CPU $cpu µs/round trip"
      fi
    fi
    exec {SERVER[1]}>&-
    wait "$SERVER_PID" 2> /dev/null || true
  done
done
