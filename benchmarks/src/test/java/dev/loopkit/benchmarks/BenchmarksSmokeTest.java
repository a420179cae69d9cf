package dev.loopkit.benchmarks;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.loopkit.benchmarks.e2e.BenchCertificate;
import dev.loopkit.benchmarks.e2e.ChildWatchers;
import dev.loopkit.benchmarks.e2e.EchoServer;
import dev.loopkit.benchmarks.e2e.ExitLatency;
import dev.loopkit.benchmarks.e2e.IdleConnections;
import dev.loopkit.benchmarks.e2e.ProcStatus;
import dev.loopkit.benchmarks.e2e.Results;
import dev.loopkit.benchmarks.e2e.SendfileServer;
import dev.loopkit.benchmarks.e2e.ServerWorkload;
import dev.loopkit.benchmarks.e2e.SpawnThroughput;
import dev.loopkit.benchmarks.e2e.ThreadedMemory;
import dev.loopkit.benchmarks.e2e.TimerLateness;
import dev.loopkit.benchmarks.e2e.UdpEchoServer;
import dev.loopkit.benchmarks.jmh.CrossThreadBenchmark;
import dev.loopkit.benchmarks.jmh.LoopCoreBenchmark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocket;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
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
        return Bench.coreLoops();
    }

    private static String results() {
        return RESULTS.toString(StandardCharsets.UTF_8);
    }

    @Test
    public void jmhBenchmarksRunOnEveryLoopInEveryPass() throws Exception {
        Bench bench = Bench.forReport(Files.createTempDirectory("bench-jmh"));
        Path log = Files.createTempFile("jmh-smoke", ".log");
        for (Bench.JmhPass pass : Bench.JmhPass.values()) {
            Collection<RunResult> runs = new Runner(Bench.jmhOptions(pass, loops(), true)
                    .forks(0)
                    .measurementTime(TimeValue.milliseconds(10))
                    .warmupIterations(0)
                    .param("chainLength", "1000")
                    .param("upFront", "10000")
                    .param("timers", "2000")
                    .param("maxDelayMillis", "5")
                    .param("total", "10000")
                    .output(log.toString())
                    .shouldFailOnError(true)
                    .build()).run();
            // LoopCoreBenchmark: 4 benchmarks (timers only with the harness's flags); CrossThreadBenchmark: 1 x 2 producer counts
            int perLoop = switch (pass) {
                case TUNED -> 4 + 2;
                case DEFAULT_FLAGS -> 3 + 2;
                case COLD -> 1;
            };
            assertEquals(pass.name(), loops().size() * perLoop, runs.size());
            assertEquals(pass.name(), new LinkedHashSet<>(loops()), bench.record(pass, runs));
        }
        Files.deleteIfExists(log);
        for (String loop : loops()) {
            assertTrue(loop, bench.get("chain", loop, "per_s") > 0);
            assertTrue(loop, bench.get("timers-jmh", loop, "batch_ms") > 0);
            assertTrue(loop, bench.get("threadsafe4", loop + Bench.DEFAULT_FLAGS_SUFFIX, "per_s") > 0);
            assertTrue(loop, Double.isNaN(bench.get("timers-jmh", loop + Bench.DEFAULT_FLAGS_SUFFIX, "batch_ms")));
            assertTrue(loop, bench.get("chain-cold", loop, "first_ms") > 0);
        }
    }

    @Test
    public void defaultFlagsPassesNoFlagToItsForks() {
        for (Bench.JmhPass pass : List.of(Bench.JmhPass.DEFAULT_FLAGS, Bench.JmhPass.COLD)) {
            Options options = Bench.jmhOptions(pass, loops(), false).build();
            // JMH would give the forks the driver's own JVM arguments and the annotations' -Xms1g -Xmx1g otherwise
            assertEquals(pass.name(), List.of(), List.copyOf(options.getJvmArgs().get()));
            assertEquals(pass.name(), List.of(), List.copyOf(options.getJvmArgsAppend().get()));
        }
        Options cold = Bench.jmhOptions(Bench.JmhPass.COLD, loops(), false).build();
        assertEquals(Mode.SingleShotTime, cold.getBenchModes().iterator().next());
        assertEquals(0, (int) cold.getWarmupIterations().get());
        assertTrue(cold.getForkCount().get() > 1);
        assertFalse(Bench.jmhOptions(Bench.JmhPass.TUNED, loops(), false).build().getJvmArgsAppend().hasValue());
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
        for (String[] server : servers()) {
            EchoServer echo = startUnlessRefused(server[0], server[1]);
            if (echo == null) {
                continue;
            }
            try (echo) {
                pingPong(echo.port(), Arrays.toString(server));
                assertEquals(Arrays.toString(server), 3, echo.accepted());
            }
        }
    }

    /** Every loop of the core benchmarks as an echo server: Loopkit's through both APIs, Netty's through its handler. */
    private static List<String[]> servers() {
        List<String[]> servers = new ArrayList<>();
        for (String loop : loops()) {
            if (Loops.isNetty(loop)) {
                servers.add(new String[] {loop, "handler"});
            } else {
                servers.add(new String[] {loop, "protocol"});
                servers.add(new String[] {loop, "streams"});
            }
        }
        return servers;
    }

    /**
     * A started server, or {@code null} where the epoll loop refuses sockets (the harness then reports its
     * message under "Not measured"); any other loop, or any other failure, fails the test.
     */
    private static EchoServer startUnlessRefused(String loop, String api) throws Exception {
        return startUnlessRefused(loop, api, null);
    }

    private static EchoServer startUnlessRefused(String loop, String api, Path keyStore) throws Exception {
        try {
            return EchoServer.start(loop, api, keyStore);
        } catch (UnsupportedOperationException refused) {
            assertEquals(refused.getMessage(), Loops.EPOLL, loop);
            assertFalse("the report quotes the loop's message: it must say why", String.valueOf(refused.getMessage()).isBlank());
            return null;
        }
    }

    @Test
    public void idleConnectionsAreCountedAndMeasured() throws Exception {
        for (String[] server : servers()) {
            if (server[1].equals("streams")) {
                continue;
            }
            EchoServer idle = startUnlessRefused(server[0], server[1]);
            if (idle == null) {
                continue;
            }
            try (idle) {
                ProcStatus listening = ProcStatus.now();
                List<Socket> sockets = new ArrayList<>();
                try {
                    for (int i = 0; i < 20; i++) {
                        sockets.add(new Socket("127.0.0.1", idle.port()));
                    }
                    IdleConnections.measure(idle, server[0] + "/20", 20, listening, 0);
                } finally {
                    for (Socket socket : sockets) {
                        socket.close();
                    }
                }
            }
            assertTrue(results(), results().contains("idle\t" + server[0] + "/20\trss_mib\t"));
            assertTrue(results(), results().contains("idle\t" + server[0] + "/20\tthreads_delta\t"));
            assertTrue(results(), results().contains("idle\t" + server[0] + "/20\tjava_threads_delta\t"));
        }
    }

    private static void pingPong(int port, String what) throws IOException {
        pingPong(port, what, SocketFactory.getDefault());
    }

    /** Three connections from {@code sockets} (plain, or TLS 1.3 trusting the run's certificate), 20 rounds of 1 KiB each. */
    private static void pingPong(int port, String what, SocketFactory factory) throws IOException {
        byte[] message = new byte[1024];
        new Random(7).nextBytes(message);
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Socket socket = factory.createSocket("127.0.0.1", port);
                if (socket instanceof SSLSocket tls) {
                    assertEquals(what, BenchCertificate.PROTOCOL, tls.getSession().getProtocol());
                }
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

    // ---- issue 16: TLS echo, UDP echo, sendfile -----------------------------------------------------------------

    private static Path keyStore;

    /** The run's certificate, made once for the class as the harness makes it once per run. */
    private static synchronized Path keyStore() throws Exception {
        if (keyStore == null) {
            keyStore = BenchCertificate.make(Files.createTempDirectory("bench-tls"));
        }
        return keyStore;
    }

    private static SocketFactory tlsSockets() throws Exception {
        return BenchCertificate.clientContext(keyStore()).getSocketFactory();
    }

    @AfterClass
    public static void deleteCertificate() throws IOException {
        if (keyStore != null) {
            deleteDirectory(keyStore.getParent());
        }
    }

    @Test
    public void tlsEchoServersEchoOverTls13() throws Exception {
        for (String[] server : servers()) {
            EchoServer echo = startUnlessRefused(server[0], server[1], keyStore());
            if (echo == null) {
                continue;
            }
            try (echo) {
                pingPong(echo.port(), "TLS " + Arrays.toString(server), tlsSockets());
                assertEquals(Arrays.toString(server), 3, echo.accepted());
            }
        }
    }

    @Test
    public void udpEchoServersEchoEveryDatagram() throws Exception {
        for (String loop : loops()) {
            try (UdpEchoServer server = UdpEchoServer.start(loop)) {
                datagramsEcho(server.port(), loop);
            }
        }
    }

    /** 20 datagrams of 1 KiB, one in flight at a time, each echoed whole (loopback: none is lost). */
    private static void datagramsEcho(int port, String what) throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(10_000);
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            Random random = new Random(16);
            for (int i = 0; i < 20; i++) {
                byte[] message = new byte[1024];
                random.nextBytes(message);
                socket.send(new DatagramPacket(message, message.length));
                DatagramPacket echo = new DatagramPacket(new byte[2048], 2048);
                socket.receive(echo);
                assertArrayEquals(what, message, Arrays.copyOf(echo.getData(), echo.getLength()));
            }
        }
    }

    @Test
    public void sendfileServersSendTheWholeFile() throws Exception {
        Path file = sendfileFile();
        try {
            for (String loop : loops()) {
                try (SendfileServer server = SendfileServer.start(loop, file)) {
                    for (int connection = 0; connection < 2; connection++) {
                        assertFileReceived(server.port(), file, loop);
                    }
                }
            }
        } finally {
            Files.delete(file);
        }
    }

    /** 3 MiB and a bit of random bytes: more than one socket buffer, not a whole number of blocks. */
    private static Path sendfileFile() throws IOException {
        byte[] content = new byte[3 * 1024 * 1024 + 123];
        new Random(16).nextBytes(content);
        Path file = Files.createTempFile("bench-sendfile", ".bin");
        Files.write(file, content);
        return file;
    }

    private static void assertFileReceived(int port, Path file, String what) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            assertArrayEquals(what, Files.readAllBytes(file), socket.getInputStream().readAllBytes());
        }
    }

    @Test
    public void spawningUnderEveryWatcherAndProcessBuilder() throws Exception {
        SpawnThroughput.run("processbuilder", 10, 5, 0);
        List<String> variants = new ArrayList<>(ChildWatchers.available());
        if (variants.contains("pidfd")) {
            variants.add("pidfd/pipes");
            if (Loops.available(Loops.EPOLL)) {
                variants.addAll(List.of("pidfd@epoll", "pidfd@epoll/pipes"));
            }
            variants.addAll(List.of(SpawnThroughput.POSIX_FLOOR, SpawnThroughput.POSIX_FLOOR + SpawnThroughput.WARM));
        } else {
            variants.add("fast/pipes");
        }
        for (String variant : variants) {
            SpawnThroughput.run(variant, 10, 5, 2);
            assertTrue(results(), results().contains("spawn\t" + variant + "\tper_s\t"));
        }
        assertNoChildren();
    }

    @Test
    public void exitLatencyUnderEveryWatcher() throws Exception {
        for (String watcher : ChildWatchers.available()) {
            ExitLatency.run(watcher, 2, 3, 1);
            assertTrue(results(), results().contains("exit\t" + watcher + "/N=2\tp50_us\t"));
        }
        if (ChildWatchers.available().contains("pidfd")) {
            ExitLatency.run(SpawnThroughput.POSIX_FLOOR, 2, 3, 1);
            assertTrue(results(), results().contains("exit\t" + SpawnThroughput.POSIX_FLOOR + "/N=2\tp50_us\t"));
            ExitLatency.run("pidfd" + SpawnThroughput.WARM, 2, 3, 1, Loops.EPOLL);
            assertTrue(results(), results().contains("exit\tpidfd@epoll/warm/N=2\tp50_us\t"));
        }
        String constant = ChildWatchers.available().contains("pidfd") ? "pidfd" : "fast"; // an O(1) one
        for (String loop : List.of(Loops.PROACTOR, Loops.EPOLL)) {
            if (Loops.available(loop)) {
                ExitLatency.run(constant, 2, 3, 1, loop);
                assertTrue(results(), results().contains("exit\t" + constant + "@" + loop + "/N=2\tp50_us\t"));
            }
        }
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
            for (String program : List.of("echo_client", "idle_client", "pidfd_floor", "spawn_floor", "udp_echo_client",
                    "sendfile_floor", "tls_echo_client", "first_touch", "handoff_probe", "echo_floor")) {
                List<String> libraries = switch (program) {
                    case "tls_echo_client" -> Bench.TLS_CLIENT_LIBRARIES;
                    case "handoff_probe" -> List.of("-pthread");
                    default -> List.of();
                };
                assertEquals(program, 0, run(Bench.compileCommand("gcc", ROOT.resolve("native/" + program + ".c"), bin.resolve(program),
                        libraries)).exit);
            }
            String floor = run(List.of(bin.resolve("pidfd_floor").toString(), "2", "3", "1")).out;
            assertTrue(floor, floor.contains("RESULT\texit\tos-floor/N=2\tp50_us\t"));
            String touch = run(List.of(bin.resolve("first_touch").toString(), "8", "3")).out;
            // found, not matched whole: the kernel's refusal of huge pages comes on standard error, merged here
            assertTrue(touch, Pattern.compile("(?m)^RESULT\tfirst-touch\tos-floor\tmb_per_s\t[1-9][0-9.]*$").matcher(touch).find());
            assertTrue(touch, touch.contains("RESULT\tfirst-touch\tos-floor/second\tmb_per_s\t"));
            String handoff = run(List.of(bin.resolve("handoff_probe").toString(), "2", "1", "0")).out;
            assertTrue(handoff, handoff.matches("RESULT\thandoff-probe\tproducers=2\tper_s\t[1-9][0-9]*\n"));
            String spawn = run(List.of(bin.resolve("spawn_floor").toString(), "10", "4", "2")).out;
            assertTrue(spawn, spawn.contains("RESULT\tspawn\tos-floor\tper_s\t"));
            spawn = run(List.of(bin.resolve("spawn_floor").toString(), "10", "4", "2", "--pipes")).out;
            assertTrue(spawn, spawn.contains("RESULT\tspawn\tos-floor/pipes\tper_s\t"));
            idleClientHoldsItsConnections(bin.resolve("idle_client"));
            try (EchoServer echo = EchoServer.start(Loops.SELECTOR, "protocol")) {
                String load = run(List.of(bin.resolve("echo_client").toString(), Integer.toString(echo.port()), "4", "1024",
                        "0.05", "0.2", "smoke", Long.toString(ProcessHandle.current().pid()))).out;
                assertTrue(load, load.contains("RESULT\techo\tsmoke\trps\t"));
                assertTrue(load, figure(load, "client_cpu_us_per_rt") > 0);
                assertTrue(load, figure(load, "server_cpu_us_per_rt") > 0); // this JVM's: it served them
            }
            try (EchoServer tls = EchoServer.start(Loops.SELECTOR, "protocol", keyStore())) {
                String load = run(List.of(bin.resolve("tls_echo_client").toString(), Integer.toString(tls.port()), "4", "1024",
                        "0.05", "0.2", "smoke")).out;
                assertTrue(load, load.contains("RESULT\ttls\tsmoke\trps\t"));
            }
            try (UdpEchoServer udp = UdpEchoServer.start(Loops.SELECTOR)) {
                String load = run(List.of(bin.resolve("udp_echo_client").toString(), Integer.toString(udp.port()), "4", "1024",
                        "0.05", "0.2", "smoke")).out;
                assertTrue(load, load.contains("RESULT\tudp\tsmoke\trps\t"));
                assertTrue(load, load.contains("RESULT\tudp\tsmoke\tlost\t"));
            }
            sendfileFloorServesAndReads(bin.resolve("sendfile_floor"));
            echoFloorEchoes(bin.resolve("echo_floor"), bin.resolve("echo_client"));
        } finally {
            deleteDirectory(bin);
        }
    }

    private static void deleteDirectory(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(dir);
    }

    /** The floor serves the file with sendfile(2) until its stdin ends; the reader reads it whole, from it and from a loop. */
    private static void sendfileFloorServesAndReads(Path program) throws Exception {
        Path file = sendfileFile();
        long size = Files.size(file);
        try {
            withServer(List.of(program.toString(), "serve", file.toString()), "sendfile_floor serve", (port, pid) -> {
                String read = run(List.of(program.toString(), "read", Integer.toString(port), "2", "1", "smoke")).out;
                assertTrue(read, read.contains("RESULT\tsendfile\tsmoke\tmb_s\t"));
                assertTrue(read, read.contains("RESULT\tsendfile\tsmoke\tbytes\t" + size));
            });
            try (SendfileServer server = SendfileServer.start(Loops.SELECTOR, file)) {
                String read = run(List.of(program.toString(), "read", Integer.toString(server.port()), "1", "0", "smoke")).out;
                assertTrue(read, read.contains("RESULT\tsendfile\tsmoke\tbytes\t" + size));
            }
        } finally {
            Files.delete(file);
        }
    }

    // Both ways: plain, and with its calls batched through io_uring (UNSUPPORTED where the kernel refuses it).
    private static void echoFloorEchoes(Path program, Path client) throws Exception {
        for (List<String> server : List.of(List.of(program.toString()), List.of(program.toString(), "--uring"))) {
            String refused = withServer(server, String.join(" ", server), (port, pid) -> {
                String load = run(List.of(client.toString(), Integer.toString(port), "4", "1024", "0.05", "0.2", "smoke",
                        Long.toString(pid))).out;
                assertTrue(load, Pattern.compile("(?m)^RESULT\techo\tsmoke\trps\t[1-9][0-9.e+]*$").matcher(load).find());
                assertTrue(load, figure(load, "server_cpu_us_per_rt") > 0);
            });
            assertTrue(server + ": " + refused, refused == null || server.size() == 2 && refused.contains("io_uring_setup"));
        }
    }

    /** The value of the smoke variant's {@code metric} in a client's output; NaN if it printed none. */
    private static double figure(String out, String metric) {
        var line = Pattern.compile("(?m)^RESULT\t\\w+\tsmoke\t" + metric + "\t(\\S+)$").matcher(out);
        return line.find() ? Double.parseDouble(line.group(1)) : Double.NaN;
    }

    /** What is done with a server: its port, and its process (whose CPU time a client may count). */
    private interface PortUser {
        void use(int port, long pid) throws Exception;
    }

    /**
     * Starts a server process, waits for its {@code READY <port>}, hands the port to {@code user}, then closes
     * the server's stdin and waits for it to stop (as the harness does); returns its {@code UNSUPPORTED} line
     * instead if it printed one, else {@code null}.
     */
    private static String withServer(List<String> command, String what, PortUser user) throws Exception {
        Process server = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String ready = new String(readLine(server.getInputStream()), StandardCharsets.UTF_8);
            if (ready.startsWith(ServerWorkload.UNSUPPORTED)) {
                return ready;
            }
            assertTrue(what + ": " + ready, ready.startsWith("READY "));
            user.use(Integer.parseInt(ready.substring(6).trim()), server.pid());
            return null;
        } finally {
            server.getOutputStream().close();
            assertTrue(what + " did not stop when its stdin closed", server.waitFor(10, TimeUnit.SECONDS));
        }
    }

    /** The idle client opens its connections, says so, and holds them until its standard input ends. */
    private static void idleClientHoldsItsConnections(Path idleClient) throws Exception {
        try (EchoServer server = EchoServer.start(Loops.SELECTOR, "protocol")) {
            Process client = new ProcessBuilder(idleClient.toString(), Integer.toString(server.port()), "5")
                    .redirectErrorStream(true).start();
            try {
                String connected = new String(readLine(client.getInputStream()), StandardCharsets.UTF_8);
                assertEquals("CONNECTED 5", connected);
                ProcStatus listening = ProcStatus.now();
                IdleConnections.measure(server, "idle-client/5", 5, listening, 0);
                assertTrue("the client left before its stdin ended", client.isAlive());
            } finally {
                client.getOutputStream().close();
                assertTrue("idle_client did not end with its stdin", client.waitFor(10, TimeUnit.SECONDS));
            }
            assertEquals(0, client.exitValue());
        }
    }

    @Test
    public void asyncioPeerRuns() throws Exception {
        if (works("python3", "-c", "import asyncio")) {
            List<String> asyncio = List.of("python3", ROOT.resolve("peers/asyncio_peer.py").toString());
            peer(asyncio, "asyncio");
            pythonServers(asyncio, "asyncio");
            if (works("python3", "-c", "import asyncio; asyncio.PidfdChildWatcher")) {
                String out = run(plus(asyncio, "--watcher", "pidfd", "spawn", "4", "2", "0", "pipes")).out;
                assertTrue(out, out.contains("RESULT\tspawn\tasyncio-pidfd/pipes\tper_s\t"));
            }
        }
    }

    @Test
    public void uvloopPeerRuns() throws Exception {
        if (works("/usr/bin/python3", "-c", "import uvloop")) {
            List<String> uvloop = List.of("/usr/bin/python3", ROOT.resolve("peers/asyncio_peer.py").toString(), "--uvloop");
            peer(uvloop, "uvloop");
            pythonServers(uvloop, "uvloop");
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
        withServer(plus(command, "echo-server", "protocol"), variant + " echo server", (port, pid) -> pingPong(port, variant));
    }

    /** The Python peers' servers of issue 16: TLS echo (PEM files of the run's certificate), UDP echo, sendfile. */
    private static void pythonServers(List<String> command, String variant) throws Exception {
        Path dir = keyStore().getParent();
        withServer(plus(command, "tls-echo-server", "streams", dir.resolve(BenchCertificate.CERT_PEM).toString(),
                dir.resolve(BenchCertificate.KEY_PEM).toString()), variant + " TLS echo server",
                (port, pid) -> pingPong(port, variant + " TLS", tlsSockets()));
        withServer(plus(command, "udp-echo-server"), variant + " UDP echo server", (port, pid) -> datagramsEcho(port, variant));
        Path file = sendfileFile();
        try {
            String unsupported = withServer(plus(command, "sendfile-server", file.toString()), variant + " sendfile server",
                    (port, pid) -> assertFileReceived(port, file, variant));
            assertTrue(unsupported, unsupported == null || variant.equals("uvloop")); // uvloop has no loop.sendfile()
        } finally {
            Files.delete(file);
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
        return run(command, Duration.ofSeconds(60));
    }

    private static Ran run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        // Read beside the wait, not before it: read to the end first, a hung program held the test for ever.
        StringBuilder out = new StringBuilder();
        Thread reader = Bench.Proc.pump(process.getInputStream(), line -> {
            synchronized (out) {
                out.append(line).append('\n');
            }
        });
        boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            Bench.Proc.kill(process);
        }
        reader.join(10_000);
        String text;
        synchronized (out) {
            text = out.toString();
        }
        assertTrue(command + " did not finish in " + timeout + ":\n" + text, finished);
        assertEquals(command + ":\n" + text, 0, process.exitValue());
        return new Ran(process.exitValue(), text);
    }

    @Test
    public void aProgramThatHangsFailsWithinItsTimeout() throws Exception {
        long start = System.nanoTime();
        AssertionError failed = null;
        try {
            run(List.of("sleep", "20"), Duration.ofMillis(500));
        } catch (AssertionError expected) {
            failed = expected;
        }
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue("a hung program passed", failed != null);
        assertTrue("a hung program held the test " + tookMillis + " ms", tookMillis < 10_000);
    }

    @Test
    public void aResultThatIsNoNumberIsNotedNotThrown() throws Exception {
        Bench bench = Bench.forReport(Files.createTempDirectory("bench-nan"));
        int found = bench.results("`first_touch 8 3`", List.of("RESULT\tfirst_touch\t4k\tMB_per_s\tnan",
                "RESULT\tfirst_touch\t4k\tus_per_page\t-inf", "RESULT\tfirst_touch\t4k\tsecond_MB_per_s\t116000"));
        assertEquals(1, found);
        assertTrue(Double.isNaN(bench.get("first_touch", "4k", "MB_per_s")));
        assertEquals(116000, bench.get("first_touch", "4k", "second_MB_per_s"), 0);
        assertEquals(bench.notes().toString(), 2, bench.notes().size());
        assertTrue(bench.notes().toString(), bench.notes().get(0).contains("`first_touch 8 3`")
                && bench.notes().get(0).contains("MB_per_s") && bench.notes().get(0).contains("nan"));
    }

    private static boolean works(String... command) {
        try {
            run(List.of(command), Duration.ofSeconds(30));
            return true;
        } catch (IOException | AssertionError e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    public void reportWithoutTheFirstTouchSaysNothingOfIt() throws Exception {
        Bench bench = Bench.forReport(Files.createTempDirectory("bench-report"));
        bench.put("chain", "selector", "per_s", 2e6);
        String report = Report.render(bench, Instant.now(), Instant.now().plus(Duration.ofMinutes(1)), "0.1", "0.2");
        assertFalse(report, report.contains("Fresh memory"));
        assertTrue(report, report.contains("after 0.2.\n\nEach peer cell"));
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
        bench.put("spawn", "pidfd@epoll", "per_s", 1800);
        bench.put("spawn", "os-floor", "per_s", 2000);
        bench.put("spawn", "pidfd@epoll/warm", "per_s", 1700);
        bench.put("chain", "epoll/default-flags", "per_s", 3e6);
        bench.put("chain", "netty-nio/default-flags", "per_s", 2e6);
        bench.put("chain-cold", "epoll", "first_ms", 12);
        bench.put("chain-cold", "netty-nio", "first_ms", 24);
        bench.put("exit", "pidfd@epoll/N=10", "p50_us", 100);
        bench.put("exit", "pidfd@epoll/N=1000", "p50_us", 120);
        bench.put("idle", "epoll/10000", "rss_mib", 80);
        bench.put("idle", "epoll/10000", "threads", 19);
        bench.put("idle", "epoll/10000", "threads_delta", 2);
        bench.put("idle", "epoll/10000", "java_threads_delta", 0);
        bench.put("idle", "netty-epoll/10000", "rss_mib", 90);
        bench.put("tls", "selector/protocol", "rps", 30_000);
        bench.put("tls", "netty-nio", "rps", 20_000);
        bench.put("udp", "epoll", "rps", 90_000);
        bench.put("udp", "epoll", "lost", 0);
        bench.put("udp", "netty-nio", "rps", 100_000);
        bench.put("udp", "netty-nio", "lost", 2);
        bench.put("sendfile", "selector", "mb_s", 3000);
        bench.put("sendfile", "os-floor", "mb_s", 3200);
        bench.put("first-touch", "os-floor", "mb_per_s", 380);
        bench.put("first-touch", "os-floor", "us_per_page", 10.8);
        bench.put("first-touch", "os-floor/second", "mb_per_s", 140_000);
        bench.put("first-touch", "os-floor/huge-pages", "mb_per_s", 3500);
        bench.put("echo", "epoll/protocol", "rps", 90_000);
        bench.put("echo", "os-floor", "rps", 120_000);
        bench.put("echo", "epoll/protocol/steady", "rps", 100_000);
        bench.put("echo", "os-floor/steady", "rps", 125_000);
        bench.put("echo", Bench.ECHO_FLOOR_URING, "rps", 126_000);
        bench.put("echo", "epoll/protocol/steady", "server_cpu_us_per_rt", 10.5);
        bench.put("echo", "os-floor/steady", "server_cpu_us_per_rt", 7.5);
        bench.put("echo", "uvloop/protocol/steady", "server_cpu_us_per_rt", 8.4);
        String report = Report.render(bench, Instant.now(), Instant.now().plus(Duration.ofMinutes(1)), "0.1", "0.2");
        assertTrue(report, report.contains("| callSoon chain (each schedules the next), callbacks/s ↑ | selector | 2.00 M/s | 1.00 M/s (2.00×) |"));
        assertTrue(report, report.contains("| TCP echo, 50 conns × 1 KiB ping-pong (protocol), round trips/s ↑ | epoll/protocol | 90.0 k/s |"
                + " — | — | — | — | — | — | — | 120.0 k/s (0.75×) |"));
        assertTrue(report, report.contains("| TCP echo, 50 conns × 1 KiB ping-pong (protocol), round trips/s, from the 11th second of load ↑"
                + " | epoll/protocol/steady | 100.0 k/s | — | — | — | — | — | — | — | 125.0 k/s (0.80×) |"));
        assertTrue(report, report.contains("| TCP echo: the server's CPU time per round trip (protocol; every thread), from the 11th second of"
                + " load ↓ | epoll/protocol/steady | 10.5 µs | — | — | — | — | 8.4 µs (1.25×) | — | — | 7.5 µs (1.40×) |"));
        assertTrue(report, report.contains("| callSoon chain ≥ Netty NIO (selector) | 2.00 M/s vs 1.00 M/s: 2.00× | holds |"));
        assertTrue(report, report.contains("exit detection flat in N (pidfd): p50 at N=1000 ≤ 1.2 × N=10 | N=10 100 µs, N=1000 110 µs: 1.10× | holds |"));
        assertTrue(report, report.contains("(pidfd, N=10, p50) | 100 µs vs 80.0 µs: 1.25× | holds |"));
        assertTrue(report, report.contains("thread stacks ≤ 64 MiB committed (steady state) | 30.0 MiB committed"));
        assertTrue(report, report.contains("thread stacks ≤ 64 MiB committed (first 1,000 of the JVM) | 70.0 MiB committed"));
        assertTrue(report, report.contains("| #14 subprocesses ≥ 0.9× the C floor (pidfd@epoll vs spawn_floor.c) | 1800 /s vs 2000 /s: 0.90× | holds |"));
        assertTrue(report, report.contains("| #14 subprocesses ≥ 0.9× the C floor, warm JVM (pidfd@epoll/warm vs spawn_floor.c) | 1700 /s vs 2000 /s: 0.85× | **MISSED** |"));
        assertTrue(report, report.contains("| #14 chain ≥ Netty NIO (epoll, JMH, default JVM flags) | 3.00 M/s vs 2.00 M/s: 1.50× | holds |"));
        assertTrue(report, report.contains("| callSoon chain (each schedules the next), callbacks/s (default JVM flags) ↑ | epoll/default-flags | 3.00 M/s | 2.00 M/s (1.50×) |"));
        assertTrue(report, report.contains("| callSoon chain: the first 100,000-callback batch of a fresh JVM (default JVM flags) ↓ | epoll | 12.0 ms | 24.0 ms (0.50×) |"));
        assertTrue(report, report.contains("#14 exit detection flat in N (pidfd@epoll): p50 at N=1000 ≤ 1.1 × N=10 | N=10 100 µs, N=1000 120 µs: 1.20× | **MISSED** |"));
        assertTrue(report, report.contains("| #14 10,000 idle TCP connections to the epoll loop: ≤ 100 MB resident (95.4 MiB) | 80.0 MiB resident (Netty epoll: 90.0 MiB) | holds |"));
        assertTrue(report, report.contains("| #14 10,000 idle TCP connections to the epoll loop: one thread (no Java thread started for them) | 0 Java threads started (JVM threads: 19, 2 added) | holds |"));
        assertTrue(report, report.contains("| #14 TCP echo ≥ 1.1× Netty epoll (epoll/protocol) | not measured | — |"));
        assertTrue(report, report.contains("| TLS 1.3 echo, 50 conns × 1 KiB ping-pong (protocol), round trips/s ↑ | selector/protocol | 30.0 k/s | 20.0 k/s (1.50×) |"));
        assertTrue(report, report.contains("| #16 TLS echo ≥ Netty NIO, JDK provider both (selector/protocol) | 30.0 k/s vs 20.0 k/s: 1.50× | holds |"));
        assertTrue(report, report.contains("| #16 UDP echo ≥ Netty NIO (epoll) | 90.0 k/s vs 100.0 k/s: 0.90×; lost 0 vs 2 | **MISSED** |"));
        assertTrue(report, report.contains("| UDP echo: datagrams lost (no echo within 200 ms) ↓ | epoll | 0 | 2 (0.00×) |"));
        assertTrue(report, report.contains("| #16 sendfile at the loopback's limit: ≥ 0.9× sendfile_floor.c (selector) | 3000 MB/s vs 3200 MB/s: 0.94× | holds |"));
        assertTrue(report, report.contains("| **MISSED** |"));
        assertTrue(report, report.contains("Fresh memory (native/first_touch.c): the first touch runs at 380 MB/s (10.80 µs a 4 KiB page;"
                + " 3500 MB/s with transparent huge pages), the second at 140000 MB/s: what a JVM pays per byte of heap it has not used before.\n"
                + "TCP echo's floor (native/echo_floor.c, one thread, a read() and a write() a round trip): 120.0 k round trips/s; with each"
                + " iteration's reads and writes batched through io_uring (two io_uring_enter an iteration) 126.0 k (1.05×).\n\nEach peer cell"));
        assertFalse(report, report.contains("NaN"));
    }
}
