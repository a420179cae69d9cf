package dev.loopkit.benchmarks.e2e;

import java.util.concurrent.TimeUnit;

/**
 * What {@code count} idle TCP connections cost a server: an {@link EchoServer} (one loop thread; the
 * connections never send, so nothing is echoed) prints {@code READY <port>}, the driver starts
 * {@code native/idle_client.c}, which opens {@code count} connections and holds them; once the server
 * has accepted them all and settled a second, it reports its resident set ({@code VmRSS}), its thread
 * count, and how both grew from the moment it was listening with no connection, and how many Java
 * threads were started meanwhile (none, when the loop's one thread serves every connection; the JVM
 * may add JIT compiler threads, counted in the process's threads but not here), then exits. A loop
 * that refuses sockets prints {@code UNSUPPORTED <message>} instead of {@code READY}.
 */
public final class IdleConnections {

    private static final long ACCEPT_TIMEOUT_SECONDS = 180;
    /** After the last connection arrived: the loop registers the last ones; nothing else happens meanwhile. */
    private static final long SETTLE_MILLIS = 1000;

    private IdleConnections() {
    }

    /** Serves {@code count} connections on {@code loopName} through {@code api} ({@code protocol}, or {@code handler} for Netty). */
    public static void run(String loopName, String api, int count) throws Exception {
        EchoServer server = EchoServer.startOrSayUnsupported(loopName, api);
        if (server == null) {
            return;
        }
        try (server) {
            ProcStatus listening = ProcStatus.now();
            System.out.println("READY " + server.port());
            System.out.flush();
            measure(server, loopName + "/" + count, count, listening, SETTLE_MILLIS);
        }
    }

    /**
     * Waits until {@code server} accepted {@code count} connections and {@code settleMillis} more, then
     * emits its figures under {@code variant}, the growth counted from {@code listening}.
     */
    public static void measure(EchoServer server, String variant, int count, ProcStatus listening, long settleMillis)
            throws Exception {
        // Nothing to wait on but the count itself: polled, with a bound so that a lost client fails the run.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ACCEPT_TIMEOUT_SECONDS);
        while (server.accepted() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + server.accepted() + " of " + count + " connections arrived in "
                        + ACCEPT_TIMEOUT_SECONDS + " s");
            }
            Thread.sleep(10);
        }
        Thread.sleep(settleMillis);
        ProcStatus serving = ProcStatus.now();
        Results.emit("idle", variant, "rss_mib", serving.rssKb() / 1024.0);
        Results.emit("idle", variant, "rss_delta_mib", (serving.rssKb() - listening.rssKb()) / 1024.0);
        Results.emit("idle", variant, "threads", serving.threads());
        Results.emit("idle", variant, "threads_delta", serving.threads() - listening.threads());
        Results.emit("idle", variant, "java_threads_delta", serving.javaThreads() - listening.javaThreads());
    }
}
