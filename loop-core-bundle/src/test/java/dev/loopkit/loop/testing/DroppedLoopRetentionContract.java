package dev.loopkit.loop.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assume.assumeTrue;

import dev.loopkit.api.Connection;
import dev.loopkit.api.DatagramEndpoint;
import dev.loopkit.api.Server;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.posix.Posix;
import java.io.IOException;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.net.InetSocketAddress;
import java.nio.channels.Pipe;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.Test;

/**
 * A loop a thread used and dropped without {@code close()} becomes garbage, and what it held of the
 * system (descriptors, helper threads, its executor's threads) is then closed, whatever the loop did
 * before, as long as everything it opened was closed again: asyncio's {@code BaseEventLoop.__del__}
 * closes such a loop. {@link EventLoopContract#whatALoopDroppedUnclosedHeldIsClosedOnceItIsGarbage}
 * covers a loop that ran nothing. An outside review (retention in a long-lived host) found a dropped
 * loop kept alive for good by its raw-descriptor helper (a child's pipe watched once), the proactor's
 * datagram helper, and a signal handler left set; and the proactor's channel group and the default
 * executor's threads left running after a dropped loop was collected.
 */
public abstract class DroppedLoopRetentionContract extends LoopTestSupport {

    private static final String LOCALHOST = "127.0.0.1";
    private static final int SIGUSR1 = 10;

    @Test
    public void droppedAfterARawDescriptorReaderAddedAndRemoved() throws Exception {
        assertDroppedLoopIsCollected(l -> {
            try {
                int[] pipe = Posix.get().pipe();
                l.addReader(pipe[0], () -> { });
                runFor(l, sleep(l, 0.01));
                l.removeReader(pipe[0]);
                Posix.get().close(pipe[0]);
                Posix.get().close(pipe[1]);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    /**
     * A JDK channel watched once: the epoll loop's helper thread for java.nio channels stays from the
     * first channel until the loop closes, and must not keep a dropped loop alive meanwhile. (The
     * proactor watches no channel for readiness.)
     */
    @Test
    public void droppedAfterAJdkChannelReaderAddedAndRemoved() throws Exception {
        Pipe probePipe = Pipe.open();
        try (Pipe.SourceChannel probe = probePipe.source(); Pipe.SinkChannel unused = probePipe.sink()) {
            probe.configureBlocking(false);
            BaseEventLoop l = newLoop();
            try {
                l.addReader(probe, () -> { });
            } catch (UnsupportedOperationException noReadiness) {
                assumeTrue(l.getClass().getSimpleName() + " watches no channel for readiness (completion-based, as"
                        + " asyncio's proactor): it has no helper for JDK channels to keep it alive", false);
            } finally {
                l.close();
            }
        }
        assertDroppedLoopIsCollected(l -> {
            try {
                Pipe pipe = Pipe.open();
                pipe.source().configureBlocking(false);
                l.addReader(pipe.source(), () -> { });
                runFor(l, sleep(l, 0.01));
                l.removeReader(pipe.source());
                pipe.source().close();
                pipe.sink().close();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    public void droppedAfterATcpConnectionClosed() throws Exception {
        assertDroppedLoopIsCollected(l -> {
            Server server = runFor(l, l.createServer(EchoProtocol::new, LOCALHOST, 0));
            int port = SocketTestSupport.port(server);
            CollectingProtocol client = new CollectingProtocol(2, false);
            Connection<CollectingProtocol> connection = runFor(l, l.createConnection(() -> client, LOCALHOST, port));
            connection.transport().write(new byte[] {1, 2});
            runFor(l, client.all);
            connection.transport().close();
            runFor(l, client.lost);
            server.close();
            runFor(l, server.waitClosed());
        });
    }

    @Test
    public void droppedAfterADatagramEndpointClosed() throws Exception {
        assertDroppedLoopIsCollected(l -> {
            DatagramEndpoint<CollectingDatagrams> endpoint = runFor(l, l.createDatagramEndpoint(
                    () -> new CollectingDatagrams(1), new InetSocketAddress(LOCALHOST, 0), null));
            endpoint.transport().close();
            runFor(l, endpoint.protocol().lost);
        });
    }

    /** Its idle pool thread waited out DefaultExecutor.IDLE_SECONDS (60 s) after the loop was collected. */
    @Test
    public void droppedAfterAnExecutorJob() throws Exception {
        assertDroppedLoopIsCollected(l -> runFor(l, l.runInExecutor(null, () -> 42)));
    }

    @Test
    public void droppedAfterASignalHandlerAddedAndRemoved() throws Exception {
        assertDroppedLoopIsCollected(l -> {
            l.addSignalHandler(SIGUSR1, () -> { });
            runFor(l, sleep(l, 0.01));
            l.removeSignalHandler(SIGUSR1);
        });
    }

    /** asyncio's signal module holds no reference to the loop: a loop dropped with a handler is collected (and __del__ closes it). */
    @Test
    public void droppedWithASignalHandlerStillSet() throws Exception {
        assertDroppedLoopIsCollected(l -> {
            l.addSignalHandler(SIGUSR1, () -> { });
            runFor(l, sleep(l, 0.01));
        });
    }

    private static CompletableFuture<Void> sleep(BaseEventLoop l, double seconds) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        l.callLater(seconds, () -> done.complete(null));
        return done;
    }

    private void assertDroppedLoopIsCollected(Consumer<BaseEventLoop> use) throws Exception {
        // the JDK's own first-use descriptors and threads (executor, group) are opened by a loop that is closed
        BaseEventLoop warm = newLoop();
        use.accept(warm);
        warm.close();
        Leaks.await(() -> threadsOf(warm.id()).isEmpty(), 5);
        Map<Integer, String> before = Leaks.openFds();
        ReferenceQueue<BaseEventLoop> collected = new ReferenceQueue<>();
        int[] id = new int[1];
        WeakReference<BaseEventLoop> dropped = usedAndDropped(use, collected, id);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        for (Object cleared = null; cleared == null && System.nanoTime() < deadline; ) {
            System.gc();
            cleared = collected.remove(50);
        }
        BaseEventLoop next = newLoop(); // a loop made or closed closes what the loops dropped before held
        next.close();
        // what the dropped loop's close-if-dropped stopped ends on its own thread, soon after
        Leaks.await(() -> threadsOf(id[0]).isEmpty(), 5);
        List<String> left = threadsOf(id[0]);
        Map<Integer, String> newFds = Leaks.newFds(before);
        assertNull("the dropped loop is garbage (still reachable; its threads " + left + ", new descriptors "
                + newFds + ")", dropped.get());
        assertEquals("descriptors and threads of the dropped loop", Map.of() + " " + List.of(), newFds + " " + left);
    }

    /** The threads named after loop {@code id}: its helpers', its channel group's, its executor's. */
    private static List<String> threadsOf(int id) {
        return Leaks.threads("loopkit-").stream().filter(name -> name.endsWith("-" + id) || name.contains("-" + id + "-")).toList();
    }

    private WeakReference<BaseEventLoop> usedAndDropped(Consumer<BaseEventLoop> use, ReferenceQueue<BaseEventLoop> queue,
            int[] id) throws InterruptedException {
        // on a thread of its own that then ends, as a host's worker thread would
        WeakReference<BaseEventLoop>[] ref = new WeakReference[1];
        Throwable[] failed = new Throwable[1];
        Thread worker = new Thread(() -> {
            try {
                BaseEventLoop l = newLoop();
                ref[0] = new WeakReference<>(l, queue);
                id[0] = l.id();
                use.accept(l);
            } catch (Throwable t) {
                failed[0] = t;
            }
        }, "worker-that-drops-its-loop");
        worker.start();
        worker.join(TimeUnit.SECONDS.toMillis(30));
        if (failed[0] != null) {
            throw new AssertionError("the workload failed", failed[0]);
        }
        return ref[0];
    }
}
