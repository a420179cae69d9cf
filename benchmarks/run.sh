#!/bin/sh
# The full benchmark run: every workload on Loopkit's loops and watchers and on every peer present
# (Netty NIO/epoll, CPython asyncio, uvloop, Node, ProcessBuilder, the OS floor), one table at the end
# (also in benchmarks/target/bench/results.md). Takes about 45 minutes on 2 cores; take the figures for the record
# on a quiet machine. Options: --quick (short runs, to try the harness), --only core,timers,echo,tls,udp,sendfile,spawn,exit,memory,
# --out DIR, --no-install (do not apt-get install python3-uvloop when it is missing and we are root).
set -eu
cd "$(dirname "$0")/.."
install=yes
for arg do
  shift
  if [ "$arg" = "--no-install" ]; then install=no; continue; fi
  set -- "$@" "$arg"
done
if [ "$install" = yes ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
   && [ -x /usr/bin/python3 ] && ! /usr/bin/python3 -c 'import uvloop' 2>/dev/null; then
  echo "[bench] installing Debian's python3-uvloop for /usr/bin/python3 (--no-install to skip)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-uvloop) >/dev/null 2>&1 \
    || echo "[bench] could not install python3-uvloop: uvloop will be reported as not installed"
fi
classpath_file="$PWD/benchmarks/target/bench.classpath"
echo "[bench] building benchmarks and what they need (./mvnw package -pl benchmarks -am, no tests)"
./mvnw -B -q package -DskipTests dependency:build-classpath -pl benchmarks -am -Dmdep.outputFile="$classpath_file"
exec java -cp "benchmarks/target/classes:$(cat "$classpath_file")" -Dloopkit.bench.root=benchmarks \
  dev.loopkit.benchmarks.Bench "$@"
