package dev.loopkit.benchmarks;

import dev.loopkit.benchmarks.e2e.ChildWatchers;
import dev.loopkit.benchmarks.jmh.CrossThreadBenchmark;
import dev.loopkit.benchmarks.jmh.LoopCoreBenchmark;
import dev.loopkit.posix.Posix;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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
 * figures, each peer's and the ratio Loopkit/peer, then the targets and whether they hold.
 *
 * <p>Peers: Netty's NIO and epoll loops (in JMH, and as echo servers), CPython's asyncio (the
 * {@code python3} on the path, or {@code $LOOPKIT_BENCH_PYTHON}), uvloop (the first of
 * {@code $LOOPKIT_BENCH_UVLOOP_PYTHON}, {@code /usr/bin/python3}, {@code python3} that imports it),
 * Node ({@code node} or {@code $LOOPKIT_BENCH_NODE}), {@link ProcessBuilder}, and the operating
 * system's floor for exit detection ({@code native/pidfd_floor.c}, built with {@code gcc}). A peer
 * that is not installed is reported as such, never silently dropped.
 *
 * <p>Options: {@code --quick} (shorter runs, for trying the harness; not for the figures),
 * {@code --only SECTION,...} (core, timers, echo, spawn, exit, memory), {@code --out DIR}
 * (default {@code benchmarks/target/bench}).
 */
public final class Bench {

    private static final List<String> SECTIONS = List.of("core", "timers", "echo", "spawn", "exit", "memory");
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
    private Path pidfdFloor;

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
            jmh();
            forPeers("callbacks", this::peerCallbacks);
        }
        if (sections.contains("timers")) {
            timers();
        }
        if (sections.contains("echo")) {
            echo();
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
            absent.put("native", "no C compiler (gcc): no echo client, no OS floor");
            return;
        }
        Path bin = out.resolve("native");
        Files.createDirectories(bin);
        echoClient = compile(gcc, root.resolve("native/echo_client.c"), bin.resolve("echo_client"));
        pidfdFloor = compile(gcc, root.resolve("native/pidfd_floor.c"), bin.resolve("pidfd_floor"));
    }

    private Path compile(String gcc, Path source, Path binary) throws IOException, InterruptedException {
        Proc proc = Proc.run(List.of(gcc, "-O2", "-o", binary.toString(), source.toString()), Duration.ofMinutes(1), log);
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

    private void jmh() throws RunnerException {
        status("JMH: loop core on selector, proactor, netty-nio, netty-epoll" + (quick ? " (quick)" : ""));
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(LoopCoreBenchmark.class.getName())
                .include(CrossThreadBenchmark.class.getName())
                .output(out.resolve("jmh.log").toString())
                .resultFormat(ResultFormatType.JSON)
                .result(out.resolve("jmh.json").toString())
                .shouldFailOnError(false);
        if (quick) {
            options.forks(1).warmupIterations(1).warmupTime(TimeValue.milliseconds(500))
                    .measurementIterations(2).measurementTime(TimeValue.milliseconds(500));
        }
        Collection<RunResult> runs = new Runner(options.build()).run();
        Set<String> seen = new LinkedHashSet<>();
        for (RunResult run : runs) {
            String method = run.getParams().getBenchmark();
            method = method.substring(method.lastIndexOf('.') + 1);
            String loop = run.getParams().getParam("loop");
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
                    put(workload, loop, "batch_ms", microsPerOp / 1e3);
                    put(workload, loop, "batch_ms_error", errorMicros / 1e3);
                }
                case "callSoonThreadsafe" -> {
                    workload = "threadsafe" + run.getParams().getParam("producers");
                    batch = Integer.parseInt(run.getParams().getParam("total"));
                }
                default -> {
                    continue;
                }
            }
            seen.add(loop);
            put(workload, loop, "per_s", batch / (microsPerOp / 1e6));
            put(workload, loop, "error_pct", microsPerOp > 0 ? 100 * errorMicros / microsPerOp : Double.NaN);
        }
        if (!seen.contains(Loops.NETTY_EPOLL)) {
            absent.put(Loops.NETTY_EPOLL, "did not load (see jmh.log)");
        }
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
        for (String loop : Loops.ALL) {
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
     * load from elsewhere on the machine does not land on one peer only.
     */
    private void echo() throws Exception {
        if (echoClient == null) {
            return;
        }
        Map<String, List<String>> servers = new LinkedHashMap<>();
        for (String loop : List.of(Loops.SELECTOR, Loops.PROACTOR)) {
            for (String api : List.of("protocol", "streams")) {
                servers.put(loop + "/" + api, javaWorkload(List.of(), "echo-server", loop, api));
            }
        }
        for (String loop : List.of(Loops.NETTY_NIO, Loops.NETTY_EPOLL)) {
            servers.put(loop, javaWorkload(List.of(), "echo-server", loop, "handler"));
        }
        if (python != null) {
            for (String api : List.of("protocol", "streams")) {
                servers.put("asyncio/" + api, List.of(python, root.resolve("peers/asyncio_peer.py").toString(), "echo-server", api));
            }
        }
        if (uvloopPython != null) {
            for (String api : List.of("protocol", "streams")) {
                servers.put("uvloop/" + api, List.of(uvloopPython, root.resolve("peers/asyncio_peer.py").toString(), "--uvloop",
                        "echo-server", api));
            }
        }
        if (node != null) {
            servers.put("node", List.of(node, root.resolve("peers/node_peer.js").toString(), "echo-server"));
        }
        for (int round = 1; round <= rounds(); round++) {
            for (Map.Entry<String, List<String>> server : servers.entrySet()) {
                status("TCP echo on " + server.getKey() + ", round " + round + " of " + rounds());
                echoRun(server.getKey(), server.getValue());
            }
        }
    }

    /** Rounds of the short workloads (echo, spawn), interleaved across peers; the median is reported. */
    private int rounds() {
        return quick ? 1 : 3;
    }

    private void echoRun(String variant, List<String> server) throws Exception {
        Process process = new ProcessBuilder(server).redirectError(ProcessBuilder.Redirect.appendTo(out.resolve("bench.log").toFile()))
                .start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        if (line.startsWith("READY ")) {
                            return line.substring(6).trim();
                        }
                    }
                    return null;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            String port = ready.get(60, TimeUnit.SECONDS);
            if (port == null) {
                absent.put("echo " + variant, "the server did not start (see bench.log)");
                return;
            }
            collect(List.of(echoClient.toString(), port, "50", "1024", quick ? "0.5" : "1", quick ? "2" : "4", variant),
                    Duration.ofMinutes(2));
        } catch (java.util.concurrent.TimeoutException e) {
            absent.put("echo " + variant, "the server did not say READY within 60 s");
        } finally {
            process.getOutputStream().close();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                Proc.kill(process);
            }
        }
    }

    // ---- child processes ----------------------------------------------------------------------------------------

    private void spawn() throws Exception {
        String count = quick ? "200" : "500";
        String warmup = quick ? "50" : "100";
        Map<String, List<String>> runs = new LinkedHashMap<>();
        for (String watcher : WATCHERS) {
            runs.put("watcher " + watcher, javaWorkload(List.of(), "spawn", watcher, count, "50", warmup));
        }
        runs.put("ProcessBuilder + onExit", javaWorkload(List.of(), "spawn", "processbuilder", count, "50", warmup));
        if (python != null) {
            runs.put("asyncio", List.of(python, root.resolve("peers/asyncio_peer.py").toString(), "spawn", count, "50", warmup));
            runs.put("asyncio (pidfd watcher)", List.of(python, root.resolve("peers/asyncio_peer.py").toString(), "--watcher", "pidfd",
                    "spawn", count, "50", warmup));
        }
        if (uvloopPython != null) {
            runs.put("uvloop", List.of(uvloopPython, root.resolve("peers/asyncio_peer.py").toString(), "--uvloop", "spawn", count, "50",
                    warmup));
        }
        if (node != null) {
            runs.put("node", List.of(node, root.resolve("peers/node_peer.js").toString(), "spawn", count, "50", warmup));
        }
        for (int round = 1; round <= rounds(); round++) {
            for (Map.Entry<String, List<String>> run : runs.entrySet()) {
                status("spawn " + count + " x /bin/true, 50 at a time: " + run.getKey() + ", round " + round + " of " + rounds());
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
        String warmup = quick ? "10" : "500"; // the JIT compiles the exit path after a few hundred exits
        Map<String, java.util.function.IntFunction<List<String>>> variants = new LinkedHashMap<>();
        if (pidfdFloor != null) {
            variants.put("OS floor (pidfd + epoll)", n -> List.of(pidfdFloor.toString(), Integer.toString(n), rounds, warmup));
        }
        for (String watcher : WATCHERS) {
            variants.put("watcher " + watcher, n -> javaWorkload(List.of(), "exit", watcher, Integer.toString(n), rounds, warmup));
        }
        for (String watcher : List.of("pidfd", "fast")) { // the O(1) watchers, also on the proactor loop (no selector wake-up)
            if (!WATCHERS.contains(watcher)) {
                continue;
            }
            variants.put("watcher " + watcher + " on the proactor loop",
                    n -> javaWorkload(List.of(), "exit", watcher, Integer.toString(n), rounds, warmup, "proactor"));
        }
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
    }

    // ---- processes ----------------------------------------------------------------------------------------------

    private List<String> javaWorkload(List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.add("-Xms1g");
        command.add("-Xmx1g");
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
            int found = 0;
            for (String line : proc.lines) {
                log.println(line);
                String[] f = line.split("\t");
                if (f.length == 5 && f[0].equals("RESULT")) {
                    put(f[1], f[2], f[3], Double.parseDouble(f[4]));
                    found++;
                }
            }
            if (proc.exit != 0 || found == 0) {
                notes.add("`" + shortCommand(command) + "` " + (proc.timedOut ? "timed out" : "exited " + proc.exit)
                        + " with " + found + " results (see bench.log)");
            }
        } catch (IOException e) {
            notes.add("`" + shortCommand(command) + "` could not start: " + e.getMessage());
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

        private static Thread pump(java.io.InputStream in, Consumer<String> sink) {
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
