package dev.loopkit.benchmarks.e2e;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Runs one end-to-end workload in this JVM and prints its {@code RESULT} lines; the driver
 * ({@code dev.loopkit.benchmarks.Bench}) starts one JVM per workload and variant.
 *
 * <pre>
 * timers       LOOP COUNT MAX_DELAY_MS WARMUP ROUNDS
 * echo-server  LOOP API [KEYSTORE]            (prints READY port, serves until stdin ends; or UNSUPPORTED why;
 *                                              KEYSTORE: TLS 1.3 with that {@link BenchCertificate} key store)
 * udp-echo-server LOOP                        (prints READY port, serves until stdin ends)
 * sendfile-server LOOP FILE                   (prints READY port; sends FILE to each connection, then closes it)
 * idle         LOOP API COUNT                 (prints READY port; reports once COUNT connections arrived, exits)
 * spawn        WATCHER[@LOOP][/pipes]|processbuilder COUNT CONCURRENCY WARMUP
 * exit         WATCHER OTHERS ROUNDS WARMUP [LOOP]   (LOOP: selector, the default, proactor or epoll)
 * memory       COUNT                          (threaded watcher; run with -XX:NativeMemoryTracking=summary)
 * </pre>
 */
public final class Workloads {

    /** Held so that the level sticks: every workload installs a policy, and each change is logged at INFO. */
    private static final java.util.logging.Logger LOOPKIT_LOG = java.util.logging.Logger.getLogger("dev.loopkit");

    private Workloads() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: timers|echo-server|udp-echo-server|sendfile-server|idle|spawn|exit|memory ARGS...");
        }
        LOOPKIT_LOG.setLevel(java.util.logging.Level.WARNING);
        String[] a = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "timers" -> TimerLateness.run(a[0], i(a[1]), i(a[2]), i(a[3]), i(a[4]));
            case "echo-server" -> EchoServer.serve(a[0], a[1], a.length > 2 ? Path.of(a[2]) : null);
            case "udp-echo-server" -> UdpEchoServer.serve(a[0]);
            case "sendfile-server" -> SendfileServer.serve(a[0], Path.of(a[1]));
            case "idle" -> IdleConnections.run(a[0], a[1], i(a[2]));
            case "spawn" -> SpawnThroughput.run(a[0], i(a[1]), i(a[2]), i(a[3]));
            case "exit" -> ExitLatency.run(a[0], i(a[1]), i(a[2]), i(a[3]), a.length > 4 ? a[4] : "selector");
            case "memory" -> ThreadedMemory.run(i(a[0]));
            default -> throw new IllegalArgumentException("unknown workload " + args[0]);
        }
        System.exit(0); // loops and watchers have released everything; daemon helpers must not keep us
    }

    private static int i(String value) {
        return Integer.parseInt(value);
    }
}
