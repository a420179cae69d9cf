package dev.loopkit.benchmarks;

import dev.loopkit.benchmarks.e2e.ChildWatchers;
import dev.loopkit.benchmarks.e2e.BenchCertificate;
import dev.loopkit.benchmarks.e2e.ServerWorkload;
import dev.loopkit.benchmarks.e2e.SpawnThroughput;
import dev.loopkit.benchmarks.jmh.CrossThreadBenchmark;
import dev.loopkit.benchmarks.jmh.LoopCoreBenchmark;
import dev.loopkit.loop.epoll.EpollEventLoop;
import dev.loopkit.posix.Posix;
import io.netty.channel.epoll.Epoll;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The one command behind {@code benchmarks/run.sh}: runs every workload on every peer present on
 * the machine, one process per workload and peer, and prints one Markdown table with Loopkit's
 * figures, each peer's and the ratio Loopkit/peer, then the targets of issues 7, 14 and 16 and
 * whether they hold. Every ratio divides two figures of this one run.
 *
 * <p>Loopkit: the selector, proactor and epoll loops (the epoll loop where its native code works; a
 * workload it refuses is reported with its message), the five watchers. Peers: Netty's NIO and epoll
 * loops (in JMH, and as echo and idle-connection servers), CPython's asyncio (the {@code python3} on
 * the path, or {@code $LOOPKIT_BENCH_PYTHON}), uvloop (the first of {@code $LOOPKIT_BENCH_UVLOOP_PYTHON},
 * {@code /usr/bin/python3}, {@code python3} that imports it), Node ({@code node} or
 * {@code $LOOPKIT_BENCH_NODE}), {@link ProcessBuilder}, and the operating system's floors
 * ({@code native/pidfd_floor.c} for exit detection, {@code native/spawn_floor.c} for subprocess
 * throughput, {@code native/echo_floor.c} for the TCP echo, {@code native/sendfile_floor.c} for sendfile
 * over loopback, {@code native/first_touch.c} for fresh memory, built with {@code gcc}; the TLS client
 * links OpenSSL). A peer that is not installed is reported as such, never silently dropped.
 *
 * <p>Options: {@code --quick} (shorter runs, for trying the harness; not for the figures),
 * {@code --only SECTION,...} (core, timers, echo, tls, udp, sendfile, spawn, exit, memory), {@code --out DIR}
 * (default {@code benchmarks/target/bench}).
 */
public final class Bench {

    private static final List<String> SECTIONS = List.of("core", "timers", "echo", "tls", "udp", "sendfile", "spawn", "exit",
            "memory");
    private static final List<String> WATCHERS = ChildWatchers.available();
    private static final List<Integer> OTHERS = List.of(10, 100, 1000);

    private final Path root;
    private final Path out;
    private final boolean quick;
    private final Set<String> sections;
    /** Every figure measured, by workload|variant|metric; a workload run in several rounds has several. */
    private final Map<String, List<Double>> results = new LinkedHashMap<>();
    private final Map<String, String> absent = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final PrintStream log;
    private final String java;
    private final String classpath;
    private String python;
    private String uvloopPython;
    private String node;
    private Path echoClient;
    private Path echoFloor;
    private Path idleClient;
    private Path pidfdFloor;
    private Path spawnFloor;
    private Path tlsClient;
    private Path udpClient;
    private Path sendfileFloor;
    private Path firstTouch;

    private Bench(Path root, Path out, boolean quick, Set<String> sections) throws IOException {
        this.root = root;
        this.out = out;
        this.quick = quick;
        this.sections = sections;
        Files.createDirectories(out);
        this.log = new PrintStream(Files.newOutputStream(out.resolve("bench.log")), true, StandardCharsets.UTF_8);
        this.java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        this.classpath = System.getProperty("java.class.path");
    }

    /** A run that measured nothing yet: for rendering figures put by hand (the smoke test). */
    static Bench forReport(Path out) throws IOException {
        return new Bench(Path.of("."), out, true, new LinkedHashSet<>(SECTIONS));
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        Set<String> sections = new LinkedHashSet<>(SECTIONS);
        Path root = Path.of(System.getProperty("loopkit.bench.root", Files.isDirectory(Path.of("peers")) ? "." : "benchmarks"));
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--only" -> sections = new LinkedHashSet<>(List.of(args[++i].split(",")));
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; options: --quick, --only " + String.join(",", SECTIONS) + ", --out DIR");
            }
        }
        if (!SECTIONS.containsAll(sections)) {
            throw new IllegalArgumentException("sections are " + SECTIONS + ", not " + sections);
        }
        Bench bench = new Bench(root.toAbsolutePath().normalize(),
                out != null ? out : root.resolve("target").resolve("bench").toAbsolutePath().normalize(), quick, sections);
        bench.run();
    }

    // ---- the run -----------------------------------------------------------------------------------------

    private void run() throws Exception {
        Instant started = Instant.now();
        String loadBefore = loadAverage();
        findPeers();
        status("machine: " + machine().replace('\n', ' '));
        if (sections.contains("core")) {
            measureFirstTouch();
            jmh();
            forPeers("callbacks", this::peerCallbacks);
        }
        if (sections.contains("timers")) {
            timers();
        }
        if (sections.contains("echo")) {
            echo();
        }
        if (sections.contains("tls")) {
            tlsEcho();
        }
        if (sections.contains("udp")) {
            udpEcho();
        }
        if (sections.contains("sendfile")) {
            sendfile();
        }
        if (sections.contains("spawn")) {
            spawn();
        }
        if (sections.contains("exit")) {
            exit();
        }
        if (sections.contains("memory")) {
            memory();
        }
        String loadAfter = loadAverage();
        String report = Report.render(this, started, Instant.now(), loadBefore, loadAfter);
        Files.writeString(out.resolve("results.md"), report);
        StringBuilder tsv = new StringBuilder();
        results.forEach((key, values) -> tsv.append(key.replace('|', '\t')).append('\t').append(get(key))
                .append('\t').append(values).append('\n'));
        Files.writeString(out.resolve("results.tsv"), tsv);
        System.out.println();
        System.out.println(report);
        System.out.println("(also in " + out.resolve("results.md") + "; raw figures in results.tsv, logs in bench.log)");
    }

    private void status(String message) {
        System.out.println("[bench] " + message);
        log.println("[bench] " + message);
    }

    // ---- finding the peers -----------------------------------------------------------------------------

    private void findPeers() throws IOException, InterruptedException {
        if (!WATCHERS.contains("pidfd")) {
            absent.put("pidfd watcher", Posix.get().pidfdUnsupportedReason());
        }
        if (!Loops.available(Loops.EPOLL)) {
            absent.put(Loops.EPOLL, "the epoll loop cannot work here: " + EpollEventLoop.unavailableReason());
        }
        if (!Loops.available(Loops.NETTY_EPOLL)) {
            absent.put(Loops.NETTY_EPOLL, "Netty's epoll transport does not load here: " + Epoll.unavailabilityCause());
        }
        python = firstWorking(List.of(env("LOOPKIT_BENCH_PYTHON", "python3")), "import asyncio");
        if (python == null) {
            absent.put("asyncio", "no python3 on the path");
        }
        uvloopPython = firstWorking(List.of(env("LOOPKIT_BENCH_UVLOOP_PYTHON", "/usr/bin/python3"), "/usr/bin/python3", "python3"),
                "import uvloop");
        if (uvloopPython == null) {
            absent.put("uvloop", "not installed (Debian: apt-get install python3-uvloop; run.sh does it when run as root)");
        }
        node = firstWorking(List.of(env("LOOPKIT_BENCH_NODE", "node")), null);
        if (node == null) {
            absent.put("node", "no node on the path");
        }
        String gcc = firstWorking(List.of("gcc", "cc"), null);
        if (gcc == null) {
            absent.put("native", "no C compiler (gcc): no echo, TLS, UDP, sendfile and idle clients, no OS floors");
            return;
        }
        Path bin = out.resolve("native");
        Files.createDirectories(bin);
        echoClient = compile(gcc, root.resolve("native/echo_client.c"), bin.resolve("echo_client"));
        echoFloor = compile(gcc, root.resolve("native/echo_floor.c"), bin.resolve("echo_floor"));
        idleClient = compile(gcc, root.resolve("native/idle_client.c"), bin.resolve("idle_client"));
        pidfdFloor = compile(gcc, root.resolve("native/pidfd_floor.c"), bin.resolve("pidfd_floor"));
        spawnFloor = compile(gcc, root.resolve("native/spawn_floor.c"), bin.resolve("spawn_floor"));
        tlsClient = compile(gcc, root.resolve("native/tls_echo_client.c"), bin.resolve("tls_echo_client"), TLS_CLIENT_LIBRARIES);
        udpClient = compile(gcc, root.resolve("native/udp_echo_client.c"), bin.resolve("udp_echo_client"));
        sendfileFloor = compile(gcc, root.resolve("native/sendfile_floor.c"), bin.resolve("sendfile_floor"));
        firstTouch = compile(gcc, root.resolve("native/first_touch.c"), bin.resolve("first_touch"));
    }

    /** What {@code native/tls_echo_client.c} links with: OpenSSL (Debian: libssl-dev to build it). */
    static final List<String> TLS_CLIENT_LIBRARIES = List.of("-lssl", "-lcrypto");

    /** {@code gcc -O2 -o binary source libraries...}: the one way every native program of the harness is built. */
    static List<String> compileCommand(String gcc, Path source, Path binary, List<String> libraries) {
        List<String> command = new ArrayList<>(List.of(gcc, "-O2", "-o", binary.toString(), source.toString()));
        command.addAll(libraries);
        return command;
    }

    private Path compile(String gcc, Path source, Path binary) throws IOException, InterruptedException {
        return compile(gcc, source, binary, List.of());
    }

    private Path compile(String gcc, Path source, Path binary, List<String> libraries) throws IOException, InterruptedException {
        Proc proc = Proc.run(compileCommand(gcc, source, binary, libraries), Duration.ofMinutes(1), log);
        if (proc.exit != 0) {
            absent.put(binary.getFileName().toString(), "did not compile: see bench.log");
            return null;
        }
        return binary;
    }

    private String firstWorking(List<String> candidates, String pythonCheck) throws InterruptedException {
        for (String candidate : candidates) {
            List<String> command = pythonCheck != null ? List.of(candidate, "-c", pythonCheck) : List.of(candidate, "--version");
            try {
                if (Proc.run(command, Duration.ofSeconds(30), log).exit == 0) {
                    return candidate;
                }
            } catch (IOException notThere) {
                log.println(candidate + ": " + notThere.getMessage());
            }
        }
        return null;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    String machine() {
        StringBuilder s = new StringBuilder();
        s.append(cpuModel()).append(", ").append(Runtime.getRuntime().availableProcessors()).append(" cores; ");
        s.append("Linux ").append(System.getProperty("os.version")).append("; ");
        s.append("JDK ").append(System.getProperty("java.vm.version")).append(" (").append(System.getProperty("java.vm.name")).append("); ");
        s.append("Netty ").append(io.netty.util.Version.identify().getOrDefault("netty-transport",
                io.netty.util.Version.identify().values().iterator().next()).artifactVersion()).append("; ");
        s.append("JMH 1.37");
        s.append("\n");
        s.append("asyncio: ").append(python == null ? "absent" : version(python, "import sys; print('CPython', sys.version.split()[0])"));
        s.append("; uvloop: ").append(uvloopPython == null ? "absent"
                : version(uvloopPython, "import sys, uvloop; print('uvloop', uvloop.__version__, 'on CPython', sys.version.split()[0])"));
        s.append("; Node: ").append(node == null ? "absent" : version(node, null));
        return s.toString();
    }

    private String version(String program, String pythonCode) {
        try {
            List<String> command = pythonCode == null ? List.of(program, "--version") : List.of(program, "-c", pythonCode);
            Proc proc = Proc.run(command, Duration.ofSeconds(30), log);
            return proc.lines.isEmpty() ? "?" : proc.lines.get(0).trim();
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    // ---- loop core: JMH, and the same workloads on asyncio, uvloop and Node -------------------------------

    /**
     * The JMH passes of the loop core, each over every loop that works here, Loopkit's and Netty's in the
     * same run: figures from different passes are never divided by each other.
     */
    enum JmhPass {
        /** The annotations' flags ({@code -Xms1g -Xmx1g}): every benchmark. */
        TUNED("", "jmh"),
        /**
         * The JVM's default flags (no heap size, nothing from the driver's own command line): what a user
         * gets with a plain {@code java}; the callback workloads only (timers are not among issue 14's targets).
         */
        DEFAULT_FLAGS(DEFAULT_FLAGS_SUFFIX, "jmh-default-flags"),
        /**
         * The first 100,000-callback chain of a fresh JVM with the default flags: JMH single shot, no
         * warm-up, one batch per fork, several forks (the score is their mean).
         */
        COLD("", "jmh-cold");

        final String variantSuffix;
        final String file;

        JmhPass(String variantSuffix, String file) {
            this.variantSuffix = variantSuffix;
            this.file = file;
        }
    }

    /** What a figure of the {@link JmhPass#DEFAULT_FLAGS} pass is filed under: {@code LOOP/default-flags}. */
    static final String DEFAULT_FLAGS_SUFFIX = "/default-flags";

    /**
     * The machine's cost of fresh memory ({@code native/first_touch.c}), which every default-flags row
     * pays per byte its heap has not used before: one second of it is a few hundred megabytes here.
     */
    private void measureFirstTouch() throws InterruptedException {
        if (firstTouch != null) {
            status("first touch of fresh memory (C)");
            collect(List.of(firstTouch.toString(), quick ? "64" : "256", quick ? "1" : "3"), Duration.ofMinutes(2));
        }
    }

    /** The loops of the core benchmarks that can run here (the epoll loops need their native code). */
    static List<String> coreLoops() {
        return Loops.ALL.stream().filter(Loops::available).toList();
    }

    /**
     * The JMH options of one pass (the smoke test runs them in-process, the driver forked): which
     * benchmarks, on which loops, with which JVM flags, and in {@code quick} mode shorter runs.
     */
    static ChainedOptionsBuilder jmhOptions(JmhPass pass, List<String> loops, boolean quick) {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .param("loop", loops.toArray(String[]::new))
                .shouldFailOnError(false);
        if (pass != JmhPass.TUNED) {
            // JMH gives a fork the driver's own JVM arguments unless jvmArgs is set, and appends the
            // annotations' -Xms1g -Xmx1g unless jvmArgsAppend is: both set empty, the fork runs on defaults.
            options.jvmArgs().jvmArgsAppend();
        }
        switch (pass) {
            case TUNED -> options.include(LoopCoreBenchmark.class.getName()).include(CrossThreadBenchmark.class.getName());
            case DEFAULT_FLAGS -> options.include(LoopCoreBenchmark.class.getName()).include(CrossThreadBenchmark.class.getName())
                    .exclude(LoopCoreBenchmark.class.getName() + ".timers");
            case COLD -> options.include(LoopCoreBenchmark.class.getName() + ".callSoonChain")
                    .mode(Mode.SingleShotTime).timeUnit(TimeUnit.MILLISECONDS)
                    .warmupIterations(0).measurementIterations(1).measurementBatchSize(1)
                    .forks(quick ? 2 : 5);
        }
        if (quick && pass != JmhPass.COLD) {
            options.forks(1).warmupIterations(1).warmupTime(TimeValue.milliseconds(500))
                    .measurementIterations(2).measurementTime(TimeValue.milliseconds(500));
        }
        return options;
    }

    private void jmh() throws RunnerException {
        List<String> loops = coreLoops();
        for (JmhPass pass : JmhPass.values()) {
            status("JMH, " + pass.file + ": loop core on " + String.join(", ", loops) + (quick ? " (quick)" : ""));
            ChainedOptionsBuilder options = jmhOptions(pass, loops, quick)
                    .output(out.resolve(pass.file + ".log").toString())
                    .resultFormat(ResultFormatType.JSON)
                    .result(out.resolve(pass.file + ".json").toString());
            Set<String> seen = record(pass, new Runner(options.build()).run());
            for (String loop : loops) {
                if (!seen.contains(loop)) {
                    notes.add("JMH " + pass.file + ": no figure for " + loop + " (see " + pass.file + ".log)");
                }
            }
        }
    }

    /** Files the figures of one JMH pass; returns the loops that gave any. */
    Set<String> record(JmhPass pass, Collection<RunResult> runs) {
        Set<String> seen = new LinkedHashSet<>();
        for (RunResult run : runs) {
            String method = run.getParams().getBenchmark();
            method = method.substring(method.lastIndexOf('.') + 1);
            String loop = run.getParams().getParam("loop");
            seen.add(loop);
            if (pass == JmhPass.COLD) {
                double millis = run.getPrimaryResult().getScore();
                put("chain-cold", loop, "first_ms", run.getParams().getTimeUnit() == TimeUnit.MILLISECONDS ? millis : Double.NaN);
                continue;
            }
            String variant = loop + pass.variantSuffix;
            double microsPerOp = run.getPrimaryResult().getScore();
            double errorMicros = run.getPrimaryResult().getScoreError();
            int batch;
            String workload;
            switch (method) {
                case "callSoonChain" -> {
                    workload = "chain";
                    batch = Integer.parseInt(run.getParams().getParam("chainLength"));
                }
                case "callSoonUpFront" -> {
                    workload = "upfront";
                    batch = Integer.parseInt(run.getParams().getParam("upFront"));
                }
                case "futureChain" -> {
                    workload = "futures";
                    batch = Integer.parseInt(run.getParams().getParam("chainLength"));
                }
                case "timers" -> {
                    workload = "timers-jmh";
                    batch = Integer.parseInt(run.getParams().getParam("timers"));
                    put(workload, variant, "batch_ms", microsPerOp / 1e3);
                    put(workload, variant, "batch_ms_error", errorMicros / 1e3);
                }
                case "callSoonThreadsafe" -> {
                    workload = "threadsafe" + run.getParams().getParam("producers");
                    batch = Integer.parseInt(run.getParams().getParam("total"));
                }
                default -> {
                    continue;
                }
            }
            put(workload, variant, "per_s", batch / (microsPerOp / 1e6));
            put(workload, variant, "error_pct", microsPerOp > 0 ? 100 * errorMicros / microsPerOp : Double.NaN);
        }
        return seen;
    }

    private interface PeerRun {
        void run(String peer, List<String> command) throws Exception;
    }

    /** Runs {@code what} on asyncio, uvloop and Node, each with its command prefix. */
    private void forPeers(String what, PeerRun run) throws Exception {
        if (python != null) {
            run.run("asyncio", List.of(python, root.resolve("peers/asyncio_peer.py").toString()));
        }
        if (uvloopPython != null) {
            run.run("uvloop", List.of(uvloopPython, root.resolve("peers/asyncio_peer.py").toString(), "--uvloop"));
        }
        if (node != null) {
            run.run("node", List.of(node, root.resolve("peers/node_peer.js").toString()));
        }
    }

    private void peerCallbacks(String peer, List<String> command) throws Exception {
        status("loop core on " + peer);
        // asyncio's call_soon_threadsafe writes to its self-pipe on every call: a smaller batch keeps it bounded
        collect(plus(command, "callbacks", "100000", quick ? "200000" : "1000000", "200000", quick ? "2" : "5"),
                Duration.ofMinutes(10));
    }

    // ---- timers: lateness, wall and CPU time, on every loop --------------------------------------------------

    private void timers() throws Exception {
        String warmup = quick ? "1" : "3";
        String rounds = quick ? "2" : "5";
        for (String loop : coreLoops()) {
            status("timers on " + loop);
            collect(javaWorkload(List.of(), "timers", loop, "200000", "100", warmup, rounds), Duration.ofMinutes(5));
        }
        forPeers("timers", (peer, command) -> {
            status("timers on " + peer);
            collect(plus(command, "timers", "200000", "100", warmup, rounds), Duration.ofMinutes(10));
        });
    }

    // ---- TCP echo ------------------------------------------------------------------------------------------------

    /**
     * Every server in turn, {@link #rounds()} times round-robin (the median is kept), so that a burst of
     * load from elsewhere on the machine does not land on one peer only; each measured twice, in its first
     * seconds and from its 11th ({@link #steadyPingPongLoad}).
     */
    private void echo() throws Exception {
        if (echoClient == null) {
            return;
        }
        Map<String, List<String>> servers = new LinkedHashMap<>();
        for (String loop : coreLoops()) {
            if (Loops.isNetty(loop)) {
                servers.put(loop, javaWorkload(List.of(), "echo-server", loop, "handler"));
                continue;
            }
            for (String api : List.of("protocol", "streams")) {
                servers.put(loop + "/" + api, javaWorkload(List.of(), "echo-server", loop, api));
            }
        }
        pythonPeers((peer, command) -> {
            for (String api : List.of("protocol", "streams")) {
                servers.put(peer + "/" + api, plus(command, "echo-server", api));
            }
        });
        if (node != null) {
            servers.put("node", List.of(node, root.resolve("peers/node_peer.js").toString(), "echo-server"));
        }
        if (echoFloor != null) { // the machine's floor, and what batching an iteration's calls through io_uring gives
            servers.put("os-floor", List.of(echoFloor.toString()));
            servers.put(ECHO_FLOOR_URING, List.of(echoFloor.toString(), "--uring"));
        }
        roundRobinLoads("TCP echo", servers, (server, variant) -> List.of(pingPongLoad(echoClient, server, "50", variant),
                steadyPingPongLoad(echoClient, server, "50", variant)));
    }

    /** {@code native/echo_floor.c --uring}'s figures: the floor's reads and writes of an iteration batched through io_uring. */
    static final String ECHO_FLOOR_URING = "os-floor/uring";

    /** What a TCP echo figure measured once the server ran {@link #steadyPingPongLoad}'s warm-up is filed under. */
    static final String STEADY_SUFFIX = "/steady";

    /**
     * The same load as {@link #pingPongLoad} again on the same server, measured after a further
     * {@code STEADY_WARMUP} s: from the 11th second of load to the 15th. A JVM server's first seconds run
     * on young-generation pages it touches for the first time (each faults in the first copy into it);
     * its figure settles once the young generation has been through a cycle. Measured on this machine,
     * epoll loop, streams, rates of successive 1 s windows from the first connection (k round trips/s):
     * 51 101 80 76 78 76 96 119 118 103 123 124, and 34 82 63 64 82 82 57 78 95 121 105 112 in a second
     * run. The first window ({@link #pingPongLoad}) is kept beside it: what a fresh server gives.
     */
    private List<String> steadyPingPongLoad(Path client, Served server, String connections, String variant) {
        return pingPongLoad(client, server, connections, quick ? "0.5" : STEADY_WARMUP, variant + STEADY_SUFFIX);
    }

    private static final String STEADY_WARMUP = "6";

    /** Rounds of the short workloads (TCP, TLS and UDP echo, sendfile, spawn), interleaved across peers; the median is reported. */
    private int rounds() {
        return quick ? 1 : 3;
    }

    /**
     * {@code client PORT CONNS 1024 WARMUP DURATION VARIANT SERVER_PID}: the echo clients' (TCP, TLS, UDP) command
     * line; with the server's process the client also reports the server's CPU time per round trip.
     */
    private List<String> pingPongLoad(Path client, Served server, String connections, String variant) {
        return pingPongLoad(client, server, connections, quick ? "0.5" : "1", variant);
    }

    private List<String> pingPongLoad(Path client, Served server, String connections, String warmupSeconds, String variant) {
        return List.of(client.toString(), server.port(), connections, "1024", warmupSeconds, quick ? "2" : "4", variant, server.pid());
    }

    /** A server that said {@code READY <port>}: its port and its process, as a client's command line takes them. */
    record Served(String port, String pid) {
    }

    /** Starts a server workload, and once it said {@code READY <port>} runs the clients {@code loads} makes for it. */
    private void againstServer(String what, List<String> serverCommand, Function<Served, List<List<String>>> loads)
            throws Exception {
        log.println("$ " + shortCommand(serverCommand));
        try (ServerProcess server = new ServerProcess(serverCommand, out.resolve("bench.log"))) {
            String port = portOf(server, what);
            if (port != null) {
                for (List<String> load : loads.apply(new Served(port, Long.toString(server.process.pid())))) {
                    collect(load, Duration.ofMinutes(2));
                }
            }
        }
    }

    /** Runs every server of {@code servers} (variant: command), {@link #rounds()} times round-robin. */
    private void roundRobin(String what, Map<String, List<String>> servers, BiFunction<Served, String, List<String>> load)
            throws Exception {
        roundRobinLoads(what, servers, (server, variant) -> List.of(load.apply(server, variant)));
    }

    /** {@link #roundRobin} with several clients run one after the other against each server. */
    private void roundRobinLoads(String what, Map<String, List<String>> servers,
            BiFunction<Served, String, List<List<String>>> loads) throws Exception {
        for (int round = 1; round <= rounds(); round++) {
            for (Map.Entry<String, List<String>> server : servers.entrySet()) {
                status(what + " on " + server.getKey() + ", round " + round + " of " + rounds());
                againstServer(what + " " + server.getKey(), server.getValue(), served -> loads.apply(served, server.getKey()));
            }
        }
    }

    // ---- TLS echo, UDP echo, sendfile (issue 16) ---------------------------------------------------------------

    /**
     * TLS 1.3 echo, 50 connections × 1 KiB ping-pong, every server with the one self-signed key made for
     * this run ({@link BenchCertificate}), the JDK's provider on every Java server (Loopkit's
     * {@code SSLEngine}; Netty's {@code SslHandler} with {@code SslProvider.JDK}), CPython's {@code ssl}
     * (OpenSSL) for asyncio and uvloop; the client is {@code native/tls_echo_client.c} (OpenSSL, TLS 1.3,
     * TLS_AES_128_GCM_SHA256 only). Rounds round-robin as the TCP echo's.
     */
    private void tlsEcho() throws Exception {
        if (tlsClient == null) {
            return;
        }
        Path tls = out.resolve("tls");
        String keyStore = BenchCertificate.make(tls).toString();
        String cert = tls.resolve(BenchCertificate.CERT_PEM).toString();
        String key = tls.resolve(BenchCertificate.KEY_PEM).toString();
        Map<String, List<String>> servers = new LinkedHashMap<>();
        for (String loop : coreLoops()) {
            if (Loops.isNetty(loop)) {
                servers.put(loop, javaWorkload(List.of(), "echo-server", loop, "handler", keyStore));
                continue;
            }
            for (String api : List.of("protocol", "streams")) {
                servers.put(loop + "/" + api, javaWorkload(List.of(), "echo-server", loop, api, keyStore));
            }
        }
        pythonPeers((peer, command) -> {
            for (String api : List.of("protocol", "streams")) {
                servers.put(peer + "/" + api, plus(command, "tls-echo-server", api, cert, key));
            }
        });
        roundRobin("TLS echo", servers, (server, variant) -> pingPongLoad(tlsClient, server, "50", variant));
    }

    /** Clients of the UDP echo, each with one 1 KiB datagram in flight. */
    static final String UDP_CLIENTS = "16";

    /**
     * UDP echo: {@value #UDP_CLIENTS} clients of {@code native/udp_echo_client.c}, each with one 1 KiB
     * datagram in flight (request/response; a datagram not echoed within 200 ms is counted lost and
     * replaced), against Loopkit's {@code createDatagramEndpoint} on every loop, Netty's NIO and epoll
     * datagram channels, asyncio's and uvloop's {@code create_datagram_endpoint}. Rounds round-robin.
     */
    private void udpEcho() throws Exception {
        if (udpClient == null) {
            return;
        }
        Map<String, List<String>> servers = new LinkedHashMap<>();
        for (String loop : coreLoops()) {
            servers.put(loop, javaWorkload(List.of(), "udp-echo-server", loop));
        }
        pythonPeers((peer, command) -> servers.put(peer, plus(command, "udp-echo-server")));
        roundRobin("UDP echo", servers, (server, variant) -> pingPongLoad(udpClient, server, UDP_CLIENTS, variant));
    }

    /** The file each sendfile connection gets: in {@code --quick} mode smaller. */
    private long sendfileBytes() {
        return (quick ? 256L : 1024L) << 20;
    }

    /**
     * sendfile throughput over loopback: a server sends one file ({@link #sendfileBytes()}, made in the
     * output directory and read once so that it is in the page cache) to each connection and closes it;
     * {@code native/sendfile_floor.c read} connects, reads to end of file and discards, one connection
     * after the other (one warm-up, then {@link #sendfileRounds()}; the median is kept). Servers:
     * Loopkit's {@code loop.sendfile} on every loop, Netty's {@code DefaultFileRegion} (NIO and epoll),
     * asyncio's and uvloop's {@code loop.sendfile}, and the loopback's limit: {@code sendfile_floor.c serve},
     * a blocking {@code sendfile(2)} loop in C.
     */
    private void sendfile() throws Exception {
        if (sendfileFloor == null) {
            return;
        }
        Path file = out.resolve("sendfile.bin");
        makeSendfileFile(file, sendfileBytes());
        Map<String, List<String>> servers = new LinkedHashMap<>();
        servers.put("os-floor", List.of(sendfileFloor.toString(), "serve", file.toString()));
        for (String loop : coreLoops()) {
            servers.put(loop, javaWorkload(List.of(), "sendfile-server", loop, file.toString()));
        }
        pythonPeers((peer, command) -> servers.put(peer, plus(command, "sendfile-server", file.toString())));
        String rounds = Integer.toString(sendfileRounds());
        roundRobin("sendfile", servers, (server, variant) -> List.of(sendfileFloor.toString(), "read", server.port(), rounds, "1",
                variant));
        Files.deleteIfExists(file);
    }

    private int sendfileRounds() {
        return quick ? 2 : 5;
    }

    /** A file of {@code bytes} pseudo-random bytes, written and read back once: then it is in the page cache. */
    private static void makeSendfileFile(Path file, long bytes) throws IOException {
        byte[] block = new byte[1 << 20];
        new Random(16).nextBytes(block);
        try (var output = Files.newOutputStream(file)) {
            for (long written = 0; written < bytes; written += block.length) {
                output.write(block, 0, (int) Math.min(block.length, bytes - written));
            }
        }
        try (var input = Files.newInputStream(file)) {
            while (input.read(block) >= 0) {
                // read once: in the page cache for every server
            }
        }
    }

    /** Gives {@code add} the command prefix of asyncio and of uvloop, where present. */
    private void pythonPeers(BiConsumer<String, List<String>> add) {
        if (python != null) {
            add.accept("asyncio", List.of(python, root.resolve("peers/asyncio_peer.py").toString()));
        }
        if (uvloopPython != null) {
            add.accept("uvloop", List.of(uvloopPython, root.resolve("peers/asyncio_peer.py").toString(), "--uvloop"));
        }
    }

    /**
     * The port a server workload listens on, or {@code null} with the reason under "Not measured": it
     * said {@code UNSUPPORTED} (a loop that refuses sockets: its own message) or nothing within 60 s.
     */
    private String portOf(ServerProcess server, String what) throws InterruptedException {
        String first = server.firstLine(Duration.ofSeconds(60));
        if (first == null) {
            absent.put(what, "the server did not say READY within 60 s (see bench.log)");
            return null;
        }
        if (first.startsWith(ServerWorkload.UNSUPPORTED)) {
            absent.put(what, first.substring(ServerWorkload.UNSUPPORTED.length()));
            return null;
        }
        return first.substring("READY ".length()).trim();
    }

    // ---- child processes ----------------------------------------------------------------------------------------

    /**
     * Every variant in turn, {@link #rounds()} times round-robin (the median is kept): the watchers on
     * the selector loop, the pidfd watcher on the epoll loop, both again with three pipes per child
     * (asyncio's default, read to EOF with {@code communicate()}), and the peers and C floors the same.
     */
    private void spawn() throws Exception {
        String count = quick ? "200" : "500";
        String warmup = quick ? "50" : "100";
        String concurrency = "50";
        boolean pidfd = WATCHERS.contains("pidfd");
        boolean epoll = Loops.available(Loops.EPOLL);
        Map<String, List<String>> runs = new LinkedHashMap<>();
        for (String watcher : WATCHERS) {
            runs.put("watcher " + watcher, javaWorkload(List.of(), "spawn", watcher, count, concurrency, warmup));
        }
        for (String pipes : List.of("", "/pipes")) {
            if (pidfd && epoll) {
                runs.put("watcher pidfd on the epoll loop" + pipes, javaWorkload(List.of(), "spawn", "pidfd@epoll" + pipes, count,
                        concurrency, warmup));
            }
            if (pidfd && !pipes.isEmpty()) {
                runs.put("watcher pidfd" + pipes, javaWorkload(List.of(), "spawn", "pidfd" + pipes, count, concurrency, warmup));
            }
        }
        runs.put("ProcessBuilder + onExit", javaWorkload(List.of(), "spawn", "processbuilder", count, concurrency, warmup));
        runs.put("the C floor's calls from the JVM, no loop", javaWorkload(List.of(), "spawn", SpawnThroughput.POSIX_FLOOR, count,
                concurrency, warmup));
        // a JVM that has spawned for a while (the JIT done), beside the one after the common 100 warm-up runs
        String longWarmup = quick ? "500" : "5000";
        if (pidfd && epoll) {
            runs.put("watcher pidfd on the epoll loop, warm JVM", javaWorkload(List.of(), "spawn", "pidfd@epoll" + SpawnThroughput.WARM,
                    count, concurrency, longWarmup));
        }
        runs.put("the C floor's calls from the JVM, no loop, warm JVM", javaWorkload(List.of(), "spawn",
                SpawnThroughput.POSIX_FLOOR + SpawnThroughput.WARM, count, concurrency, longWarmup));
        if (python != null) {
            String script = root.resolve("peers/asyncio_peer.py").toString();
            runs.put("asyncio", List.of(python, script, "spawn", count, concurrency, warmup));
            runs.put("asyncio (pidfd watcher)", List.of(python, script, "--watcher", "pidfd", "spawn", count, concurrency, warmup));
            runs.put("asyncio (pidfd watcher), three pipes", List.of(python, script, "--watcher", "pidfd", "spawn", count, concurrency,
                    warmup, "pipes"));
        }
        if (uvloopPython != null) {
            runs.put("uvloop", List.of(uvloopPython, root.resolve("peers/asyncio_peer.py").toString(), "--uvloop", "spawn", count,
                    concurrency, warmup));
        }
        if (node != null) {
            runs.put("node", List.of(node, root.resolve("peers/node_peer.js").toString(), "spawn", count, concurrency, warmup));
        }
        if (spawnFloor != null) {
            runs.put("OS floor (C)", List.of(spawnFloor.toString(), count, concurrency, warmup));
            runs.put("OS floor (C), three pipes", List.of(spawnFloor.toString(), count, concurrency, warmup, "--pipes"));
        }
        for (int round = 1; round <= rounds(); round++) {
            for (Map.Entry<String, List<String>> run : runs.entrySet()) {
                status("spawn " + count + " x /bin/true, " + concurrency + " at a time: " + run.getKey() + ", round " + round + " of "
                        + rounds());
                collect(run.getValue(), Duration.ofMinutes(5));
            }
        }
    }

    /**
     * Each variant runs N = 10, 100, 1000 back to back (flatness is judged between runs minutes apart
     * otherwise, and the load on a shared machine drifts), in {@link #rounds()} rounds round-robin
     * across the variants; the median of the rounds is kept.
     */
    private void exit() throws Exception {
        String rounds = quick ? "50" : "200";
        String warmup = quick ? "10" : "500"; // the path's first tiers of the JIT (the "/warm" variants: compiled)
        String longWarmup = quick ? "100" : "10000";
        Map<String, java.util.function.IntFunction<List<String>>> variants = new LinkedHashMap<>();
        if (pidfdFloor != null) {
            variants.put("OS floor (pidfd + epoll)", n -> List.of(pidfdFloor.toString(), Integer.toString(n), rounds, warmup));
        }
        variants.put("the floor's calls from the JVM, no loop",
                n -> javaWorkload(List.of(), "exit", SpawnThroughput.POSIX_FLOOR, Integer.toString(n), rounds, warmup));
        for (String watcher : WATCHERS) {
            variants.put("watcher " + watcher, n -> javaWorkload(List.of(), "exit", watcher, Integer.toString(n), rounds, warmup));
        }
        for (String watcher : List.of("pidfd", "fast")) { // the O(1) watchers, also on the proactor loop (no selector wake-up)
            if (!WATCHERS.contains(watcher)) {
                continue;
            }
            variants.put("watcher " + watcher + " on the proactor loop",
                    n -> javaWorkload(List.of(), "exit", watcher, Integer.toString(n), rounds, warmup, Loops.PROACTOR));
        }
        if (WATCHERS.contains("pidfd") && Loops.available(Loops.EPOLL)) { // pidfds in the loop's own epoll set: no helper hop
            variants.put("watcher pidfd on the epoll loop",
                    n -> javaWorkload(List.of(), "exit", "pidfd", Integer.toString(n), rounds, warmup, Loops.EPOLL));
            // After 500 exits the exit path still runs in the JIT's first tier; after 10,000 it is compiled
            // (measured on the epoll loop at N=10: 236 to 391 µs after 500, 161 µs after 10,000)
            variants.put("watcher pidfd on the epoll loop, warm JVM", n -> javaWorkload(List.of(), "exit",
                    "pidfd" + SpawnThroughput.WARM, Integer.toString(n), rounds, longWarmup, Loops.EPOLL));
        }
        variants.put("the floor's calls from the JVM, no loop, warm JVM", n -> javaWorkload(List.of(), "exit",
                SpawnThroughput.POSIX_FLOOR + SpawnThroughput.WARM, Integer.toString(n), rounds, longWarmup));
        if (python != null) {
            String script = root.resolve("peers/asyncio_peer.py").toString();
            variants.put("asyncio", n -> List.of(python, script, "exit", Integer.toString(n), rounds, warmup));
            variants.put("asyncio (pidfd watcher)", n -> List.of(python, script, "--watcher", "pidfd", "exit", Integer.toString(n),
                    rounds, warmup));
        }
        if (uvloopPython != null) {
            variants.put("uvloop", n -> List.of(uvloopPython, root.resolve("peers/asyncio_peer.py").toString(), "--uvloop", "exit",
                    Integer.toString(n), rounds, warmup));
        }
        if (node != null) {
            variants.put("node", n -> List.of(node, root.resolve("peers/node_peer.js").toString(), "exit", Integer.toString(n), rounds,
                    warmup));
        }
        int exitRounds = quick ? 1 : 2;
        for (int round = 1; round <= exitRounds; round++) {
            for (Map.Entry<String, java.util.function.IntFunction<List<String>>> variant : variants.entrySet()) {
                for (int others : OTHERS) {
                    status("exit detection, " + variant.getKey() + ", N=" + others + ", round " + round + " of " + exitRounds);
                    collect(variant.getValue().apply(others), Duration.ofMinutes(5));
                }
            }
        }
    }

    private void memory() throws Exception {
        status("memory: 1000 live children under the threaded watcher (NMT)");
        collect(javaWorkload(List.of("-XX:NativeMemoryTracking=summary"), "memory", "1000"), Duration.ofMinutes(5));
        forPeers("memory", (peer, command) -> {
            status("memory: 1000 live children on " + peer);
            collect(plus(command, "memory", "1000"), Duration.ofMinutes(5));
        });
        idleConnections();
    }

    /**
     * {@value #IDLE_CONNECTIONS} idle TCP connections to a server on each loop that works here, the
     * server in a JVM with the default flags (a heap sized by the JVM, as a user's would be): its
     * resident set and thread count once all are open. The client is {@code native/idle_client.c}.
     */
    private void idleConnections() throws Exception {
        if (idleClient == null) {
            return;
        }
        for (String loop : List.of(Loops.EPOLL, Loops.SELECTOR, Loops.NETTY_EPOLL, Loops.NETTY_NIO)) {
            if (!Loops.available(loop)) {
                continue;
            }
            String variant = loop + "/" + IDLE_CONNECTIONS;
            status("memory: " + IDLE_CONNECTIONS + " idle TCP connections to a server on " + loop);
            List<String> command = defaultFlagsWorkload("idle", loop, Loops.isNetty(loop) ? "handler" : "protocol",
                    Integer.toString(IDLE_CONNECTIONS));
            log.println("$ " + shortCommand(command));
            try (ServerProcess server = new ServerProcess(command, out.resolve("bench.log"))) {
                String port = portOf(server, "idle connections " + variant);
                if (port == null) {
                    continue;
                }
                Process client = new ProcessBuilder(idleClient.toString(), port, Integer.toString(IDLE_CONNECTIONS))
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(out.resolve("bench.log").toFile()))
                        .redirectErrorStream(true).start();
                try {
                    boolean exited = server.process.waitFor(4, TimeUnit.MINUTES); // it exits once it measured itself
                    int found = results("`" + shortCommand(command) + "`", server.lines());
                    if (!exited || server.process.exitValue() != 0 || found == 0) {
                        notes.add("`" + shortCommand(command) + "` " + (exited ? "exited " + server.process.exitValue() : "timed out")
                                + " with " + found + " results (see bench.log)");
                    }
                } finally {
                    client.getOutputStream().close(); // the client holds its connections until then
                    if (!client.waitFor(20, TimeUnit.SECONDS)) {
                        Proc.kill(client);
                    }
                }
            }
        }
    }

    static final int IDLE_CONNECTIONS = 10_000;

    // ---- processes ----------------------------------------------------------------------------------------------

    /** A workload JVM with the harness's flags ({@code -Xms1g -Xmx1g}, then {@code jvmOptions}). */
    private List<String> javaWorkload(List<String> jvmOptions, String... args) {
        List<String> options = new ArrayList<>(List.of("-Xms1g", "-Xmx1g"));
        options.addAll(jvmOptions);
        return javaCommand(options, args);
    }

    /** A workload JVM with the JVM's default flags. */
    private List<String> defaultFlagsWorkload(String... args) {
        return javaCommand(List.of(), args);
    }

    private List<String> javaCommand(List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add("dev.loopkit.benchmarks.e2e.Workloads");
        command.addAll(List.of(args));
        return command;
    }

    private static List<String> plus(List<String> prefix, String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(args));
        return command;
    }

    /** Runs {@code command}, keeps its RESULT lines; a failure is logged and noted in the report, not fatal. */
    private void collect(List<String> command, Duration timeout) throws InterruptedException {
        log.println("$ " + String.join(" ", command));
        try {
            Proc proc = Proc.run(command, timeout, log);
            int found = results("`" + shortCommand(command) + "`", proc.lines);
            if (proc.exit != 0 || found == 0) {
                notes.add("`" + shortCommand(command) + "` " + (proc.timedOut ? "timed out" : "exited " + proc.exit)
                        + " with " + found + " results (see bench.log)");
            }
        } catch (IOException e) {
            notes.add("`" + shortCommand(command) + "` could not start: " + e.getMessage());
        }
    }

    /** Logs {@code source}'s standard output and files its {@code RESULT} lines; returns how many there were. */
    int results(String source, List<String> lines) {
        int found = 0;
        for (String line : lines) {
            log.println(line);
            String[] f = line.split("\t");
            if (f.length == 5 && f[0].equals("RESULT")) {
                double value = figure(f[4]);
                if (Double.isFinite(value)) {
                    put(f[1], f[2], f[3], value);
                    found++;
                } else { // C's printf says nan and inf, which Java does not parse: one such line threw the whole run away
                    notes.add(source + " gave " + f[1] + " " + f[2] + " " + f[3] + " as " + f[4] + ", not a number: left out");
                }
            }
        }
        return found;
    }

    /** A RESULT line's value, or NaN when it is no number Java reads. */
    private static double figure(String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException notJavas) {
            return Double.NaN;
        }
    }

    private String shortCommand(List<String> command) {
        List<String> shown = new ArrayList<>();
        for (String part : command) {
            if (part.equals(classpath)) {
                shown.add("CP");
            } else {
                shown.add(part.startsWith(root.toString()) ? root.relativize(Path.of(part)).toString() : part);
            }
        }
        return String.join(" ", shown);
    }

    void put(String workload, String variant, String metric, double value) {
        results.computeIfAbsent(workload + "|" + variant + "|" + metric, k -> new ArrayList<>()).add(value);
    }

    /** A figure (the median of its rounds), or {@code NaN} when it was not measured. */
    double get(String workload, String variant, String metric) {
        return get(workload + "|" + variant + "|" + metric);
    }

    private double get(String key) {
        List<Double> values = results.get(key);
        if (values == null || values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    Map<String, String> absent() {
        return absent;
    }

    List<String> notes() {
        return notes;
    }

    boolean quick() {
        return quick;
    }

    boolean ran(String section) {
        return sections.contains(section);
    }

    /**
     * A server workload running: its standard output read as it comes (its standard error appended to
     * the log); the first line that matters is {@code READY <port>} or {@code UNSUPPORTED <why>}.
     * Closing it closes the server's standard input, which stops it, and kills it if it does not stop.
     */
    static final class ServerProcess implements AutoCloseable {
        final Process process;
        private final List<String> lines = new ArrayList<>();
        private final CompletableFuture<String> first = new CompletableFuture<>();
        private final Thread pump;

        ServerProcess(List<String> command, Path log) throws IOException {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            pump = Proc.pump(process.getInputStream(), line -> {
                synchronized (lines) {
                    lines.add(line);
                }
                if (line.startsWith("READY ") || line.startsWith(ServerWorkload.UNSUPPORTED)) {
                    first.complete(line);
                }
            });
            process.onExit().thenRun(() -> { // exited without a word: no need to wait the whole timeout
                try {
                    pump.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                first.complete(null);
            });
        }

        /** {@code READY <port>} or {@code UNSUPPORTED <why>}, or {@code null} if neither came within {@code timeout}. */
        String firstLine(Duration timeout) throws InterruptedException {
            try {
                return first.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                return null;
            }
        }

        /** Every line it printed; after it exited, all of them. */
        List<String> lines() throws InterruptedException {
            if (!process.isAlive()) {
                pump.join(10_000);
            }
            synchronized (lines) {
                return new ArrayList<>(lines);
            }
        }

        @Override
        public void close() throws IOException, InterruptedException {
            process.getOutputStream().close();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                Proc.kill(process);
            }
        }
    }

    /** A finished process: its standard output lines (its standard error went to the log). */
    static final class Proc {
        final int exit;
        final boolean timedOut;
        final List<String> lines;

        private Proc(int exit, boolean timedOut, List<String> lines) {
            this.exit = exit;
            this.timedOut = timedOut;
            this.lines = lines;
        }

        static Proc run(List<String> command, Duration timeout, PrintStream log) throws IOException, InterruptedException {
            Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE).start();
            process.getOutputStream().close();
            List<String> lines = new ArrayList<>();
            Thread stdout = pump(process.getInputStream(), line -> {
                synchronized (lines) {
                    lines.add(line);
                }
            });
            Thread stderr = pump(process.getErrorStream(), line -> log.println("  " + line));
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                kill(process);
            }
            stdout.join(10_000);
            stderr.join(10_000);
            synchronized (lines) {
                return new Proc(finished ? process.exitValue() : -1, !finished, new ArrayList<>(lines));
            }
        }

        /** Kills the process and everything it started, and waits for it. */
        static void kill(Process process) throws InterruptedException {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }

        static Thread pump(java.io.InputStream in, Consumer<String> sink) {
            Thread thread = new Thread(() -> {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                        sink.accept(line);
                    }
                } catch (IOException ignored) {
                    // the process is gone
                }
            }, "bench-pump");
            thread.setDaemon(true);
            thread.start();
            return thread;
        }
    }

    static String fmt(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
