package dev.loopkit.benchmarks;

import dev.loopkit.benchmarks.e2e.SpawnThroughput;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Turns the figures of one {@link Bench} run into Markdown: one table (a row per workload and
 * Loopkit variant, a column per peer, each peer's figure with the ratio Loopkit/peer), then the
 * targets of issues 7, 14 and 16 and whether each holds in this run. Every ratio divides two figures of
 * the same run.
 */
final class Report {

    /** Peer columns: the key the figures are filed under, and the heading. */
    private static final String[][] PEERS = {
            {"netty-nio", "Netty NIO"},
            {"netty-epoll", "Netty epoll"},
            {"asyncio", "asyncio"},
            {"asyncio-pidfd", "asyncio, pidfd watcher"},
            {"uvloop", "uvloop"},
            {"node", "Node"},
            {"processbuilder", "ProcessBuilder + onExit"},
            {"os-floor", "OS floor (C: posix_spawn, pidfd, epoll; an epoll echo server; sendfile(2))"},
    };

    private enum Unit {
        RATE, MICROS, MILLIS, MIB, COUNT, MEGABYTES_PER_SECOND
    }

    /** One row: Loopkit's figure under {@code variant}, each peer's under {@code peerVariant.apply(peer)} (null: none). */
    private record Row(String label, String workload, String variant, String metric, Unit unit, boolean higherIsBetter,
            Function<String, String> peerVariant) {
    }

    private final Bench bench;
    private final List<Row> rows = new ArrayList<>();

    private Report(Bench bench) {
        this.bench = bench;
    }

    static String render(Bench bench, Instant started, Instant finished, String loadBefore, String loadAfter) {
        return new Report(bench).render(started, finished, loadBefore, loadAfter);
    }

    private String render(Instant started, Instant finished, String loadBefore, String loadAfter) {
        defineRows();
        StringBuilder s = new StringBuilder();
        s.append("Machine: ").append(bench.machine().replace("\n", ". ")).append(".\n");
        s.append("Run: ").append(started).append(Bench.fmt(", %.1f min", Duration.between(started, finished).toSeconds() / 60.0))
                .append(bench.quick() ? ", QUICK mode (short runs: not for the record)" : "")
                .append("; load average before ").append(loadBefore).append(", after ").append(loadAfter).append(".\n");
        s.append(freshMemory()).append(echoFloorBatched()).append('\n');
        s.append("Each peer cell: the peer's figure and, in brackets, Loopkit/peer (for ↑ rows above 1 means Loopkit is ahead; for ↓ rows"
                + " below 1 does). TCP, TLS and UDP echo, sendfile and spawn figures are medians of rounds run round-robin across the peers.\n\n");
        s.append("| workload | Loopkit | Loopkit figure |");
        for (String[] peer : PEERS) {
            s.append(' ').append(peer[1]).append(" |");
        }
        s.append("\n|---|---|---|");
        for (int i = 0; i < PEERS.length; i++) {
            s.append("---|");
        }
        s.append('\n');
        for (Row row : rows) {
            double ours = bench.get(row.workload, row.variant, row.metric);
            if (Double.isNaN(ours) && !anyPeer(row)) {
                continue;
            }
            s.append("| ").append(row.label).append(row.higherIsBetter ? " ↑" : " ↓").append(" | ")
                    .append(row.variant).append(" | ").append(format(ours, row.unit)).append(" |");
            for (String[] peer : PEERS) {
                String key = row.peerVariant.apply(peer[0]);
                double theirs = key == null ? Double.NaN : bench.get(row.workload, key, row.metric);
                s.append(' ');
                if (!Double.isNaN(theirs)) {
                    s.append(format(theirs, row.unit));
                    if (!Double.isNaN(ours) && theirs != 0) {
                        s.append(" (").append(Bench.fmt("%.2f×", ours / theirs)).append(')');
                    }
                } else if (key != null && bench.absent().containsKey(peer[0])) {
                    s.append("absent");
                } else {
                    s.append('—');
                }
                s.append(" |");
            }
            s.append('\n');
        }
        s.append('\n');
        targets(s);
        if (!bench.absent().isEmpty()) {
            s.append("\nNot measured:\n");
            bench.absent().forEach((what, why) -> s.append("- ").append(what).append(": ").append(why).append('\n'));
        }
        if (!bench.notes().isEmpty()) {
            s.append("\nProblems during the run:\n");
            bench.notes().forEach(note -> s.append("- ").append(note).append('\n'));
        }
        return s.toString();
    }

    /**
     * The machine's first touch of fresh memory, under every default-flags row: a JVM that has not yet
     * cycled its young generation (or has just grown its heap) pays it for every byte it allocates.
     */
    private String freshMemory() {
        double rate = bench.get("first-touch", "os-floor", "mb_per_s");
        if (Double.isNaN(rate)) {
            return "";
        }
        double huge = bench.get("first-touch", "os-floor/huge-pages", "mb_per_s");
        return Bench.fmt("Fresh memory (native/first_touch.c): the first touch runs at %.0f MB/s", rate)
                + Bench.fmt(" (%.2f µs a 4 KiB page", bench.get("first-touch", "os-floor", "us_per_page"))
                + (Double.isNaN(huge) ? "" : Bench.fmt("; %.0f MB/s with transparent huge pages", huge))
                + Bench.fmt("), the second at %.0f MB/s: what a JVM pays per byte of heap it has not used before.\n",
                        bench.get("first-touch", "os-floor/second", "mb_per_s"));
    }

    /** The echo floor's figure with its calls batched through io_uring, against its own plain one. */
    private String echoFloorBatched() {
        double plain = bench.get("echo", "os-floor", "rps");
        double batched = bench.get("echo", Bench.ECHO_FLOOR_URING, "rps");
        if (Double.isNaN(plain) || Double.isNaN(batched)) {
            return "";
        }
        return Bench.fmt("TCP echo's floor (native/echo_floor.c, one thread, a read() and a write() a round trip): %.1f k round trips/s;"
                + " with each iteration's reads and writes batched through io_uring (two io_uring_enter an iteration) %.1f k (%.2f×).\n",
                plain / 1e3, batched / 1e3, batched / plain);
    }

    private boolean anyPeer(Row row) {
        for (String[] peer : PEERS) {
            String key = row.peerVariant.apply(peer[0]);
            if (key != null && !Double.isNaN(bench.get(row.workload, key, row.metric))) {
                return true;
            }
        }
        return false;
    }

    // ---- the rows ----------------------------------------------------------------------------------------------

    private static final List<String> CORE_PEERS = List.of("netty-nio", "netty-epoll", "asyncio", "uvloop", "node");

    private void defineRows() {
        Function<String, String> corePeers = peer -> CORE_PEERS.contains(peer) ? peer : null;
        Function<String, String> nettyOnly = peer -> peer.startsWith("netty-") ? peer : null;
        for (String loop : Loops.LOOPKIT) {
            for (String[] core : CORE) {
                rows.add(new Row(core[1], core[0], loop, "per_s", Unit.RATE, true, corePeers));
            }
            rows.add(new Row("200k timers in [0,100] ms, JMH: time to fire all", "timers-jmh", loop, "batch_ms", Unit.MILLIS, false, nettyOnly));
            rows.add(new Row("200k timers: time to fire all", "timers", loop, "wall_ms", Unit.MILLIS, false, corePeers));
            rows.add(new Row("200k timers: loop thread CPU", "timers", loop, "cpu_ms", Unit.MILLIS, false, corePeers));
            rows.add(new Row("200k timers: lateness p50", "timers", loop, "late_p50_us", Unit.MICROS, false, corePeers));
            rows.add(new Row("200k timers: lateness p99", "timers", loop, "late_p99_us", Unit.MICROS, false, corePeers));
        }
        Function<String, String> nettyDefaultFlags = peer -> peer.startsWith("netty-") ? peer + Bench.DEFAULT_FLAGS_SUFFIX : null;
        for (String loop : Loops.LOOPKIT) {
            for (String[] core : CORE) {
                rows.add(new Row(core[1] + " (default JVM flags)", core[0], loop + Bench.DEFAULT_FLAGS_SUFFIX, "per_s", Unit.RATE, true,
                        nettyDefaultFlags));
            }
        }
        for (String loop : Loops.LOOPKIT) {
            rows.add(new Row("callSoon chain: the first 100,000-callback batch of a fresh JVM (default JVM flags)", "chain-cold", loop,
                    "first_ms", Unit.MILLIS, false, nettyOnly));
        }
        for (String steady : List.of("", Bench.STEADY_SUFFIX)) {
            for (String loop : Loops.LOOPKIT) {
                for (String api : List.of("protocol", "streams")) {
                    rows.add(new Row("TCP echo, 50 conns × 1 KiB ping-pong (" + api + "), round trips/s"
                            + (steady.isEmpty() ? "" : ", from the 11th second of load"), "echo", loop + "/" + api + steady, "rps",
                            Unit.RATE, true, echoPeers(api, steady)));
                }
            }
        }
        // What each server spends of the two cores a round trip, apart from how fast the client pushed it.
        for (String loop : Loops.LOOPKIT) {
            for (String api : List.of("protocol", "streams")) {
                rows.add(new Row("TCP echo: the server's CPU time per round trip (" + api + "; every thread), from the 11th second of load",
                        "echo", loop + "/" + api + Bench.STEADY_SUFFIX, "server_cpu_us_per_rt", Unit.MICROS, false,
                        echoPeers(api, Bench.STEADY_SUFFIX)));
            }
        }
        issue16Rows();
        List<String> spawnPeers = List.of("asyncio", "asyncio-pidfd", "uvloop", "node", "processbuilder", "os-floor");
        for (String watcher : List.of("threaded", "multiloop", "safe", "fast", "pidfd", "pidfd@epoll", SpawnThroughput.POSIX_FLOOR,
                "pidfd@epoll" + SpawnThroughput.WARM, SpawnThroughput.POSIX_FLOOR + SpawnThroughput.WARM)) {
            rows.add(new Row("500 × /bin/true, 50 at a time, processes/s", "spawn", watcher, "per_s", Unit.RATE, true,
                    peer -> spawnPeers.contains(peer) ? peer : null));
        }
        for (String watcher : List.of("pidfd/pipes", "pidfd@epoll/pipes")) {
            rows.add(new Row("500 × /bin/true, 50 at a time, three pipes read to EOF, processes/s", "spawn", watcher, "per_s", Unit.RATE,
                    true, peer -> List.of("asyncio-pidfd", "os-floor").contains(peer) ? peer + "/pipes" : null));
        }
        for (int others : List.of(10, 100, 1000)) {
            for (String watcher : List.of("threaded", "multiloop", "safe", "fast", "pidfd", "fast@proactor", "pidfd@proactor", "pidfd@epoll",
                    SpawnThroughput.POSIX_FLOOR, "pidfd@epoll" + SpawnThroughput.WARM, SpawnThroughput.POSIX_FLOOR + SpawnThroughput.WARM)) {
                rows.add(new Row("exit detection p50, N=" + others + " other live children", "exit", watcher + "/N=" + others, "p50_us",
                        Unit.MICROS, false,
                        peer -> List.of("asyncio", "asyncio-pidfd", "uvloop", "node", "os-floor").contains(peer) ? peer + "/N=" + others : null));
            }
        }
        Function<String, String> none = peer -> null;
        rows.add(new Row("1,000 live children, threaded watcher, first of the JVM: thread stacks committed (NMT)", "memory",
                "threaded-cold/1000", "stack_committed_mib", Unit.MIB, false, none));
        rows.add(new Row("1,000 live children, threaded watcher, steady state: thread stacks committed (NMT)", "memory",
                "threaded/1000", "stack_committed_mib", Unit.MIB, false, none));
        rows.add(new Row("1,000 live children, threaded watcher: thread stacks reserved (NMT)", "memory", "threaded/1000",
                "stack_reserved_mib", Unit.MIB, false, none));
        Function<String, String> runtimes = peer -> List.of("asyncio", "uvloop", "node").contains(peer) ? peer + "/1000" : null;
        rows.add(new Row("1,000 live children, threaded watcher: resident set growth", "memory", "threaded/1000",
                "rss_delta_mib", Unit.MIB, false, runtimes));
        rows.add(new Row("1,000 live children, threaded watcher: threads added", "memory", "threaded/1000",
                "threads_delta", Unit.COUNT, false, runtimes));
        String idle = "/" + Bench.IDLE_CONNECTIONS;
        Function<String, String> nettyIdle = peer -> peer.startsWith("netty-") ? peer + idle : null;
        for (String loop : List.of(Loops.EPOLL, Loops.SELECTOR)) {
            rows.add(new Row("10,000 idle TCP connections: server resident set (VmRSS)", "idle", loop + idle, "rss_mib", Unit.MIB, false,
                    nettyIdle));
            rows.add(new Row("10,000 idle TCP connections: server resident set growth", "idle", loop + idle, "rss_delta_mib", Unit.MIB,
                    false, nettyIdle));
            rows.add(new Row("10,000 idle TCP connections: server threads (whole JVM)", "idle", loop + idle, "threads", Unit.COUNT, false,
                    nettyIdle));
            rows.add(new Row("10,000 idle TCP connections: server threads added (whole JVM)", "idle", loop + idle, "threads_delta",
                    Unit.COUNT, false, nettyIdle));
            rows.add(new Row("10,000 idle TCP connections: Java threads started for them", "idle", loop + idle, "java_threads_delta",
                    Unit.COUNT, false, nettyIdle));
        }
    }

    /** Issue 16's workloads: TLS echo, UDP echo, sendfile, on every Loopkit loop. */
    private void issue16Rows() {
        for (String loop : Loops.LOOPKIT) {
            for (String api : List.of("protocol", "streams")) {
                rows.add(new Row("TLS 1.3 echo, 50 conns × 1 KiB ping-pong (" + api + "), round trips/s", "tls", loop + "/" + api, "rps",
                        Unit.RATE, true, peer -> switch (peer) {
                            case "netty-nio", "netty-epoll" -> peer;
                            case "asyncio", "uvloop" -> peer + "/" + api;
                            default -> null;
                        }));
            }
        }
        Function<String, String> datagramPeers = peer -> List.of("netty-nio", "netty-epoll", "asyncio", "uvloop").contains(peer) ? peer : null;
        for (String loop : Loops.LOOPKIT) {
            rows.add(new Row("UDP echo, " + Bench.UDP_CLIENTS + " clients × 1 KiB request/response, echoes/s", "udp", loop, "rps", Unit.RATE,
                    true, datagramPeers));
            rows.add(new Row("UDP echo: datagrams lost (no echo within 200 ms)", "udp", loop, "lost", Unit.COUNT, false, datagramPeers));
        }
        for (String loop : Loops.LOOPKIT) {
            rows.add(new Row("sendfile over loopback, a file per connection (1 GiB; 256 MiB with --quick), MB/s", "sendfile", loop, "mb_s",
                    Unit.MEGABYTES_PER_SECOND, true,
                    peer -> List.of("netty-nio", "netty-epoll", "asyncio", "uvloop", "os-floor").contains(peer) ? peer : null));
        }
    }

    /** The TCP echo's peers of a Loopkit server of {@code api}, in the window {@code steady} names ("" or the steady suffix). */
    private static Function<String, String> echoPeers(String api, String steady) {
        return peer -> switch (peer) {
            case "netty-nio", "netty-epoll", "node", "os-floor" -> peer + steady;
            case "asyncio", "uvloop" -> peer + "/" + api + steady;
            default -> null;
        };
    }

    /** The loop-core workloads of the JMH passes: figure key and label. */
    private static final String[][] CORE = {
            {"chain", "callSoon chain (each schedules the next), callbacks/s"},
            {"upfront", "1,000,000 callSoon up front, callbacks/s"},
            {"threadsafe1", "callSoonThreadsafe, 1 producer thread, callbacks/s"},
            {"threadsafe4", "callSoonThreadsafe, 4 producer threads, callbacks/s"},
            {"futures", "future chain (done callback completes the next), futures/s"},
    };

    // ---- the targets ----------------------------------------------------------------------------------------------

    private void targets(StringBuilder s) {
        s.append("| target | measured in this run | verdict |\n|---|---|---|\n");
        for (String loop : List.of(Loops.SELECTOR, Loops.PROACTOR)) {
            atLeast(s, "callSoon chain ≥ Netty NIO (" + loop + ")", "chain", loop, "netty-nio", "per_s", true, 1);
            atLeast(s, "200k timers ≥ Netty NIO's rate (" + loop + "; JMH time to fire all)", "timers-jmh", loop, "netty-nio",
                    "batch_ms", false, 1);
        }
        for (String loop : List.of(Loops.SELECTOR, Loops.PROACTOR)) {
            for (String api : List.of("protocol", "streams")) {
                String variant = loop + "/" + api;
                atLeast(s, "TCP echo ≥ uvloop (" + variant + " vs uvloop " + api + ")", "echo", variant, "uvloop/" + api, "rps", true, 1);
                atLeast(s, "TCP echo ≥ Netty NIO (" + variant + ")", "echo", variant, "netty-nio", "rps", true, 1);
            }
        }
        for (String watcher : List.of("threaded", "multiloop", "safe", "fast", "pidfd")) {
            atLeast(s, "subprocesses ≥ 2× ProcessBuilder + onExit (" + watcher + ")", "spawn", watcher, "processbuilder", "per_s", true, 2);
            atLeast(s, "subprocesses ahead of asyncio (" + watcher + ")", "spawn", watcher, "asyncio", "per_s", true, 1);
            atLeast(s, "subprocesses ahead of Node (" + watcher + ")", "spawn", watcher, "node", "per_s", true, 1);
        }
        for (String watcher : List.of("pidfd", "fast", "pidfd@proactor", "fast@proactor")) {
            exitTargets(s, "", watcher, 1.2, 2);
        }
        for (String variant : List.of("threaded/1000", "threaded-cold/1000")) {
            double stacks = bench.get("memory", variant, "stack_committed_mib");
            verdict(s, "1,000 live children under the threaded watcher: thread stacks ≤ 64 MiB committed ("
                            + (variant.startsWith("threaded-cold") ? "first 1,000 of the JVM" : "steady state") + ")",
                    Bench.fmt("%s committed (%s reserved) for %s threads", format(stacks, Unit.MIB),
                            format(bench.get("memory", variant, "stack_reserved_mib"), Unit.MIB),
                            format(bench.get("memory", variant, "threads_delta"), Unit.COUNT)),
                    stacks <= 64, stacks, 64);
        }
        issue14(s);
        issue16(s);
    }

    /** Issue 16's targets: TLS echo ≥ Netty with the same (JDK) provider, UDP echo ≥ Netty NIO, sendfile at the loopback's limit. */
    private void issue16(StringBuilder s) {
        for (String loop : Loops.LOOPKIT) {
            String netty = Loops.EPOLL.equals(loop) ? Loops.NETTY_EPOLL : Loops.NETTY_NIO;
            for (String api : List.of("protocol", "streams")) {
                String variant = loop + "/" + api;
                atLeast(s, "#16 TLS echo ≥ " + (netty.equals(Loops.NETTY_EPOLL) ? "Netty epoll" : "Netty NIO") + ", JDK provider both ("
                        + variant + ")", "tls", variant, netty, "rps", true, 1);
            }
        }
        for (String loop : Loops.LOOPKIT) {
            double ours = bench.get("udp", loop, "rps");
            double theirs = bench.get("udp", Loops.NETTY_NIO, "rps");
            double lost = bench.get("udp", loop, "lost");
            verdict(s, "#16 UDP echo ≥ Netty NIO (" + loop + ")",
                    Bench.fmt("%s vs %s: %.2f×; lost %s vs %s", format(ours, Unit.RATE), format(theirs, Unit.RATE), ours / theirs,
                            format(lost, Unit.COUNT), format(bench.get("udp", Loops.NETTY_NIO, "lost"), Unit.COUNT)),
                    ours >= theirs, ours, theirs);
        }
        for (String loop : Loops.LOOPKIT) {
            atLeast(s, "#16 sendfile at the loopback's limit: ≥ 0.9× sendfile_floor.c (" + loop + ")", "sendfile", loop, "os-floor",
                    "mb_s", true, 0.9);
        }
    }

    /** Issue 14's targets, each a ratio of two figures of this run. */
    private void issue14(StringBuilder s) {
        atLeast(s, "#14 subprocesses ≥ 0.9× the C floor (pidfd@epoll vs spawn_floor.c)", "spawn", "pidfd@epoll", "os-floor", "per_s",
                true, 0.9);
        atLeast(s, "#14 subprocesses ≥ asyncio's pidfd watcher (pidfd@epoll)", "spawn", "pidfd@epoll", "asyncio-pidfd", "per_s", true, 1);
        atLeast(s, "#14 subprocesses ≥ 0.9× the C floor, warm JVM (pidfd@epoll/warm vs spawn_floor.c)", "spawn",
                "pidfd@epoll" + SpawnThroughput.WARM, "os-floor", "per_s", true, 0.9);
        atLeast(s, "#14 subprocesses ≥ asyncio's pidfd watcher, warm JVM (pidfd@epoll/warm)", "spawn", "pidfd@epoll" + SpawnThroughput.WARM,
                "asyncio-pidfd", "per_s", true, 1);
        atLeast(s, "#14 subprocesses, three pipes each ≥ asyncio's pidfd watcher with pipes (pidfd@epoll)", "spawn", "pidfd@epoll/pipes",
                "asyncio-pidfd/pipes", "per_s", true, 1);
        exitTargets(s, "#14 ", "pidfd@epoll", 1.1, 1.3);
        exitTargets(s, "#14 warm JVM: ", "pidfd@epoll" + SpawnThroughput.WARM, 1.1, 1.3);
        for (String steady : List.of("", Bench.STEADY_SUFFIX)) {
            String prefix = steady.isEmpty() ? "#14 " : "#14 steady server: ";
            for (String api : List.of("protocol", "streams")) {
                String variant = Loops.EPOLL + "/" + api + steady;
                atLeast(s, prefix + "TCP echo ≥ 1.1× Netty epoll (" + variant + ")", "echo", variant, Loops.NETTY_EPOLL + steady, "rps",
                        true, 1.1);
                atLeast(s, prefix + "TCP echo ≥ 1.3× uvloop (" + variant + " vs uvloop " + api + ")", "echo", variant,
                        "uvloop/" + api + steady, "rps", true, 1.3);
            }
        }
        for (String loop : Loops.LOOPKIT) {
            for (String flags : List.of("", Bench.DEFAULT_FLAGS_SUFFIX)) {
                for (String[] core : CORE) {
                    atLeast(s, "#14 " + core[0] + " ≥ Netty NIO (" + loop + ", " + (flags.isEmpty() ? "JMH, -Xms1g -Xmx1g" : "JMH, default JVM flags")
                            + ")", core[0], loop + flags, Loops.NETTY_NIO + flags, "per_s", true, 1);
                }
            }
        }
        String idle = Loops.EPOLL + "/" + Bench.IDLE_CONNECTIONS;
        double rss = bench.get("idle", idle, "rss_mib");
        verdict(s, "#14 10,000 idle TCP connections to the epoll loop: ≤ 100 MB resident (95.4 MiB)",
                Bench.fmt("%s resident (Netty epoll: %s)", format(rss, Unit.MIB),
                        format(bench.get("idle", Loops.NETTY_EPOLL + "/" + Bench.IDLE_CONNECTIONS, "rss_mib"), Unit.MIB)),
                rss <= 100e6 / (1 << 20), rss);
        double added = bench.get("idle", idle, "java_threads_delta");
        verdict(s, "#14 10,000 idle TCP connections to the epoll loop: one thread (no Java thread started for them)",
                Bench.fmt("%s Java threads started (JVM threads: %s, %s added)", format(added, Unit.COUNT),
                        format(bench.get("idle", idle, "threads"), Unit.COUNT), format(bench.get("idle", idle, "threads_delta"), Unit.COUNT)),
                added <= 0, added);
    }

    /** Exit detection of {@code watcher}: p50 flat in N (N=1000 ≤ {@code flat} × N=10) and within {@code floor} × the OS floor. */
    private void exitTargets(StringBuilder s, String prefix, String watcher, double flat, double floor) {
        double n10 = bench.get("exit", watcher + "/N=10", "p50_us");
        double n1000 = bench.get("exit", watcher + "/N=1000", "p50_us");
        verdict(s, prefix + "exit detection flat in N (" + watcher + "): p50 at N=1000 ≤ " + flat + " × N=10",
                Bench.fmt("N=10 %s, N=1000 %s: %.2f×", format(n10, Unit.MICROS), format(n1000, Unit.MICROS), n1000 / n10),
                n1000 / n10 <= flat, n10, n1000);
        for (int others : List.of(10, 100, 1000)) {
            double ours = bench.get("exit", watcher + "/N=" + others, "p50_us");
            double os = bench.get("exit", "os-floor/N=" + others, "p50_us");
            verdict(s, prefix + "exit detection within " + (floor == (int) floor ? Integer.toString((int) floor) : Double.toString(floor))
                            + "× of the OS floor (" + watcher + ", N=" + others + ", p50)",
                    Bench.fmt("%s vs %s: %.2f×", format(ours, Unit.MICROS), format(os, Unit.MICROS), ours / os),
                    ours / os <= floor, ours, os);
            // The floor with the status read too (waitid before its clock stops), as every loop's figure has it.
            double reaped = bench.get("exit", "os-floor/N=" + others, "p50_reaped_us");
            verdict(s, prefix + "exit detection against the floor that reaps too (" + watcher + ", N=" + others + ", p50)",
                    Bench.fmt("%s vs %s: %.2f×", format(ours, Unit.MICROS), format(reaped, Unit.MICROS), ours / reaped),
                    ours / reaped <= floor, ours, reaped);
        }
    }

    private void atLeast(StringBuilder s, String target, String workload, String ours, String peer, String metric,
            boolean higherIsBetter, double factor) {
        double a = bench.get(workload, ours, metric);
        double b = bench.get(workload, peer, metric);
        double ratio = higherIsBetter ? a / b : b / a;
        Unit unit = metric.endsWith("_ms") ? Unit.MILLIS : metric.equals("mb_s") ? Unit.MEGABYTES_PER_SECOND : Unit.RATE;
        verdict(s, target, Bench.fmt("%s vs %s: %.2f×", format(a, unit), format(b, unit), ratio), ratio >= factor, a, b);
    }

    private static void verdict(StringBuilder s, String target, String measured, boolean holds, double... inputs) {
        boolean missing = false;
        for (double input : inputs) {
            missing |= Double.isNaN(input);
        }
        s.append("| ").append(target).append(" | ").append(missing ? "not measured" : measured).append(" | ")
                .append(missing ? "—" : holds ? "holds" : "**MISSED**").append(" |\n");
    }

    // ---- numbers ---------------------------------------------------------------------------------------------

    static String format(double value, Unit unit) {
        if (Double.isNaN(value)) {
            return "—";
        }
        return switch (unit) {
            case RATE -> value >= 1e6 ? fmt("%.2f M/s", value / 1e6) : value >= 1e4 ? fmt("%.1f k/s", value / 1e3)
                    : fmt("%.0f /s", value);
            case MICROS -> value >= 10_000 ? fmt("%.1f ms", value / 1e3) : value >= 100 ? fmt("%.0f µs", value)
                    : fmt("%.1f µs", value);
            case MILLIS -> value >= 100 ? fmt("%.0f ms", value) : fmt("%.1f ms", value);
            case MIB -> fmt("%.1f MiB", value);
            case COUNT -> fmt("%.0f", value);
            case MEGABYTES_PER_SECOND -> fmt("%.0f MB/s", value);
        };
    }

    private static String fmt(String pattern, double value) {
        return String.format(Locale.ROOT, pattern, value);
    }
}
