package dev.loopkit.benchmarks;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.loopkit.benchmarks.e2e.ChildWatchers;
import dev.loopkit.benchmarks.e2e.EchoServer;
import dev.loopkit.benchmarks.e2e.ExitLatency;
import dev.loopkit.benchmarks.e2e.Results;
import dev.loopkit.benchmarks.e2e.SpawnThroughput;
import dev.loopkit.benchmarks.e2e.ThreadedMemory;
import dev.loopkit.benchmarks.e2e.TimerLateness;
import dev.loopkit.benchmarks.jmh.CrossThreadBenchmark;
import dev.loopkit.benchmarks.jmh.LoopCoreBenchmark;
import io.netty.channel.epoll.Epoll;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Benchmarks are not tests: this only keeps every workload compiling and working, each run once on
 * a tiny size (a few seconds in all). The full run is {@code benchmarks/run.sh}.
 */
public class BenchmarksSmokeTest {

    private static final Path ROOT = Path.of(System.getProperty("loopkit.bench.root", "."));
    private static final ByteArrayOutputStream RESULTS = new ByteArrayOutputStream();
    /** Held so that the level sticks: the policy changes every workload makes are logged at INFO. */
    private static final java.util.logging.Logger LOOPKIT_LOG = java.util.logging.Logger.getLogger("dev.loopkit");

    @BeforeClass
    public static void collectResults() {
        LOOPKIT_LOG.setLevel(java.util.logging.Level.WARNING);
        Results.redirect(new PrintStream(RESULTS, true, StandardCharsets.UTF_8));
    }

    @AfterClass
    public static void restoreResults() {
        Results.redirect(System.out);
    }

    private static List<String> loops() {
        List<String> loops = new ArrayList<>(List.of(Loops.SELECTOR, Loops.PROACTOR, Loops.NETTY_NIO));
        if (Epoll.isAvailable()) {
            loops.add(Loops.NETTY_EPOLL);
        }
        return loops;
    }

    private static String results() {
        return RESULTS.toString(StandardCharsets.UTF_8);
    }

    @Test
    public void jmhBenchmarksRunOnEveryLoop() throws Exception {
        Path log = Files.createTempFile("jmh-smoke", ".log");
        Collection<RunResult> runs = new Runner(new OptionsBuilder()
                .include(LoopCoreBenchmark.class.getName())
                .include(CrossThreadBenchmark.class.getName())
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(10))
                .param("loop", loops().toArray(String[]::new))
                .param("chainLength", "1000")
                .param("upFront", "10000")
                .param("timers", "2000")
                .param("maxDelayMillis", "5")
                .param("total", "10000")
                .output(log.toString())
                .shouldFailOnError(true)
                .build()).run();
        Files.deleteIfExists(log);
        // LoopCoreBenchmark: 4 benchmarks; CrossThreadBenchmark: 1 benchmark x 2 producer counts
        assertEquals(loops().size() * (4 + 2), runs.size());
        for (RunResult run : runs) {
            assertTrue(run.getParams().getBenchmark() + " " + run.getParams().getParam("loop"),
                    run.getPrimaryResult().getScore() > 0);
        }
    }

    @Test
    public void timerLatenessOnEveryLoop() throws Exception {
        for (String loop : loops()) {
            TimerLateness.run(loop, 2000, 5, 0, 1);
            assertTrue(results(), results().contains("timers\t" + loop + "\tlate_p99_us\t"));
        }
    }

    @Test
    public void echoServersEcho() throws Exception {
        List<String[]> servers = new ArrayList<>();
        for (String loop : List.of(Loops.SELECTOR, Loops.PROACTOR)) {
            servers.add(new String[] {loop, "protocol"});
            servers.add(new String[] {loop, "streams"});
        }
        for (String loop : loops().subList(2, loops().size())) {
            servers.add(new String[] {loop, "handler"});
        }
        for (String[] server : servers) {
            try (EchoServer echo = EchoServer.start(server[0], server[1])) {
                pingPong(echo.port(), Arrays.toString(server));
            }
        }
    }

    private static void pingPong(int port, String what) throws IOException {
        byte[] message = new byte[1024];
        new Random(7).nextBytes(message);
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Socket socket = new Socket("127.0.0.1", port);
                socket.setSoTimeout(10_000);
                socket.setTcpNoDelay(true);
                sockets.add(socket);
            }
            for (int round = 0; round < 20; round++) {
                for (Socket socket : sockets) {
                    socket.getOutputStream().write(message);
                }
                for (Socket socket : sockets) {
                    assertArrayEquals(what, message, socket.getInputStream().readNBytes(message.length));
                }
            }
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    @Test
    public void spawningUnderEveryWatcherAndProcessBuilder() throws Exception {
        SpawnThroughput.run("processbuilder", 10, 5, 0);
        for (String watcher : ChildWatchers.available()) {
            SpawnThroughput.run(watcher, 10, 5, 2);
            assertTrue(results(), results().contains("spawn\t" + watcher + "\tper_s\t"));
        }
        assertNoChildren();
    }

    @Test
    public void exitLatencyUnderEveryWatcher() throws Exception {
        for (String watcher : ChildWatchers.available()) {
            ExitLatency.run(watcher, 2, 3, 1);
            assertTrue(results(), results().contains("exit\t" + watcher + "/N=2\tp50_us\t"));
        }
        String constant = ChildWatchers.available().contains("pidfd") ? "pidfd" : "fast"; // an O(1) one
        ExitLatency.run(constant, 2, 3, 1, "proactor");
        assertTrue(results(), results().contains("exit\t" + constant + "@proactor/N=2\tp50_us\t"));
        assertNoChildren();
    }

    @Test
    public void threadedWatcherMemory() throws Exception {
        ThreadedMemory.run(10);
        assertTrue(results(), results().contains("memory\tthreaded-cold/10\twaiting_threads\t10"));
        assertTrue(results(), results().contains("memory\tthreaded/10\twaiting_threads\t10"));
        assertNoChildren();
    }

    // Polled: a child's onExit() completes when it becomes a zombie, and what counts is that it was reaped.
    private static void assertNoChildren() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ProcessHandle.current().children().findAny().isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals("children left behind", List.of(), ProcessHandle.current().children().map(ProcessHandle::pid).toList());
    }

    // ---- the peers in other languages and the C programs: present on this machine or skipped --------------

    @Test
    public void nativeProgramsBuildAndRun() throws Exception {
        if (!works("gcc", "--version")) {
            return;
        }
        Path bin = Files.createTempDirectory("bench-native");
        try {
            for (String program : List.of("echo_client", "pidfd_floor")) {
                assertEquals(program, 0, run(List.of("gcc", "-O2", "-o", bin.resolve(program).toString(),
                        ROOT.resolve("native/" + program + ".c").toString())).exit);
            }
            String floor = run(List.of(bin.resolve("pidfd_floor").toString(), "2", "3", "1")).out;
            assertTrue(floor, floor.contains("RESULT\texit\tos-floor/N=2\tp50_us\t"));
            try (EchoServer echo = EchoServer.start(Loops.SELECTOR, "protocol")) {
                String load = run(List.of(bin.resolve("echo_client").toString(), Integer.toString(echo.port()), "4", "1024",
                        "0.05", "0.2", "smoke")).out;
                assertTrue(load, load.contains("RESULT\techo\tsmoke\trps\t"));
            }
        } finally {
            try (var files = Files.list(bin)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(bin);
        }
    }

    @Test
    public void asyncioPeerRuns() throws Exception {
        if (works("python3", "-c", "import asyncio")) {
            peer(List.of("python3", ROOT.resolve("peers/asyncio_peer.py").toString()), "asyncio");
        }
    }

    @Test
    public void uvloopPeerRuns() throws Exception {
        if (works("/usr/bin/python3", "-c", "import uvloop")) {
            peer(List.of("/usr/bin/python3", ROOT.resolve("peers/asyncio_peer.py").toString(), "--uvloop"), "uvloop");
        }
    }

    @Test
    public void nodePeerRuns() throws Exception {
        if (works("node", "--version")) {
            peer(List.of("node", ROOT.resolve("peers/node_peer.js").toString()), "node");
        }
    }

    private static void peer(List<String> command, String variant) throws Exception {
        String out = run(plus(command, "callbacks", "100", "1000", "100", "1")).out;
        for (String workload : List.of("chain", "upfront", "futures", "threadsafe1", "threadsafe4")) {
            assertTrue(out, out.contains("RESULT\t" + workload + "\t" + variant + "\tper_s\t"));
        }
        out = run(plus(command, "timers", "200", "5", "0", "1")).out;
        assertTrue(out, out.contains("RESULT\ttimers\t" + variant + "\tlate_p99_us\t"));
        out = run(plus(command, "spawn", "4", "2", "0")).out;
        assertTrue(out, out.contains("RESULT\tspawn\t" + variant + "\tper_s\t"));
        out = run(plus(command, "exit", "2", "2", "0")).out;
        assertTrue(out, out.contains("RESULT\texit\t" + variant + "/N=2\tp50_us\t"));
        out = run(plus(command, "memory", "3")).out;
        assertTrue(out, out.contains("RESULT\tmemory\t" + variant + "/3\trss_delta_mib\t"));
        Process server = new ProcessBuilder(plus(command, "echo-server", "protocol")).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String ready = new String(readLine(server.getInputStream()), StandardCharsets.UTF_8);
            assertTrue(ready, ready.startsWith("READY "));
            pingPong(Integer.parseInt(ready.substring(6).trim()), variant);
        } finally {
            server.getOutputStream().close();
            assertTrue(variant + " echo server did not stop when its stdin closed", server.waitFor(10, TimeUnit.SECONDS));
        }
    }

    private static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            line.write(b);
        }
        return line.toByteArray();
    }

    private static List<String> plus(List<String> prefix, String... args) {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(List.of(args));
        return all;
    }

    private record Ran(int exit, String out) {
    }

    private static Ran run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        assertTrue(command + " did not finish", process.waitFor(60, TimeUnit.SECONDS));
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(command + ":\n" + text, 0, process.exitValue());
        return new Ran(process.exitValue(), text);
    }

    private static boolean works(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    public void reportRendersEveryRowAndTarget() throws Exception {
        Bench bench = Bench.forReport(Files.createTempDirectory("bench-report"));
        bench.put("chain", "selector", "per_s", 2e6);
        bench.put("chain", "netty-nio", "per_s", 1e6);
        bench.put("exit", "pidfd/N=10", "p50_us", 100);
        bench.put("exit", "pidfd/N=1000", "p50_us", 110);
        bench.put("exit", "os-floor/N=10", "p50_us", 80);
        bench.put("memory", "threaded/1000", "stack_committed_mib", 30);
        bench.put("memory", "threaded-cold/1000", "stack_committed_mib", 70);
        String report = Report.render(bench, Instant.now(), Instant.now().plus(Duration.ofMinutes(1)), "0.1", "0.2");
        assertTrue(report, report.contains("| callSoon chain (each schedules the next), callbacks/s ↑ | selector | 2.00 M/s | 1.00 M/s (2.00×) |"));
        assertTrue(report, report.contains("| callSoon chain ≥ Netty NIO (selector) | 2.00 M/s vs 1.00 M/s: 2.00× | holds |"));
        assertTrue(report, report.contains("exit detection flat in N (pidfd): p50 at N=1000 ≤ 1.2 × N=10 | N=10 100 µs, N=1000 110 µs: 1.10× | holds |"));
        assertTrue(report, report.contains("(pidfd, N=10, p50) | 100 µs vs 80.0 µs: 1.25× | holds |"));
        assertTrue(report, report.contains("thread stacks ≤ 64 MiB committed (steady state) | 30.0 MiB committed"));
        assertTrue(report, report.contains("thread stacks ≤ 64 MiB committed (first 1,000 of the JVM) | 70.0 MiB committed"));
        assertTrue(report, report.contains("| **MISSED** |"));
        assertFalse(report, report.contains("NaN"));
    }
}
