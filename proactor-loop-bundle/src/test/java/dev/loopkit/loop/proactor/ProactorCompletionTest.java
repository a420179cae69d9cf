package dev.loopkit.loop.proactor;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Server;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.CollectingProtocol;
import dev.loopkit.loop.testing.EchoProtocol;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.loop.testing.LoopTestSupport;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ReadPendingException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * What is particular to a completion-based loop: the group's threads come and go with the loop,
 * completions that arrive after {@code close()} run nothing and throw nothing, and cancelling a
 * pending {@code sock*} operation closes its channel.
 */
public class ProactorCompletionTest extends LoopTestSupport {

    private static final String LOCALHOST = "127.0.0.1";

    /** Exceptions that escaped on any thread: a completion handler must never let one out. */
    private final List<Throwable> escaped = Collections.synchronizedList(new ArrayList<>());
    private final List<Map<String, Object>> reported = Collections.synchronizedList(new ArrayList<>());
    private Thread.UncaughtExceptionHandler previousHandler;

    @Override
    protected BaseEventLoop newLoop() {
        return new ProactorEventLoop();
    }

    private ProactorEventLoop proactor() {
        return (ProactorEventLoop) loop;
    }

    private String threadPrefix() {
        return "loopkit-proactor-" + loop.id() + "-";
    }

    @Before
    public void watchForEscapingExceptions() {
        previousHandler = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> escaped.add(e));
        loop.setExceptionHandler((l, context) -> reported.add(context));
    }

    @After
    public void restoreTheDefaultHandler() {
        Thread.setDefaultUncaughtExceptionHandler(previousHandler);
    }

    /** A connected pair in the loop's group: {@code [client, accepted]}. */
    private AsynchronousSocketChannel[] connectedPair() throws Exception {
        AsynchronousServerSocketChannel listener = proactor().openServerSocketChannel();
        listener.bind(new InetSocketAddress(LOCALHOST, 0));
        AsynchronousSocketChannel client = proactor().openSocketChannel();
        CompletableFuture<NetworkChannel> accepted = loop.sockAccept(listener).toCompletableFuture();
        runFor(loop.sockConnect(client, listener.getLocalAddress()));
        AsynchronousSocketChannel server = (AsynchronousSocketChannel) runFor(accepted);
        listener.close();
        return new AsynchronousSocketChannel[] {client, server};
    }

    // ---- the group's threads -------------------------------------------------------------------------

    @Test
    public void completionThreadsStartWithTheFirstSocketAndEndWithTheLoop() throws Exception {
        runFor(loop.runInExecutor(null, () -> 1));
        assertEquals("no sockets, no completion threads", List.of(), Leaks.threads(threadPrefix()));
        Server server = runFor(loop.createServer(EchoProtocol::new, LOCALHOST, 0));
        CollectingProtocol client = new CollectingProtocol(4, false);
        int port = ((InetSocketAddress) server.sockets().get(0).localAddress()).getPort();
        runFor(loop.createConnection(() -> client, LOCALHOST, port)).transport().write(new byte[] {1, 2, 3, 4});
        runFor(client.all);
        assertEquals(List.of(threadPrefix() + "0", threadPrefix() + "1"), Leaks.threads(threadPrefix()));
        loop.close();
        assertEquals("close() waits for the threads", List.of(), Leaks.threads(threadPrefix()));
        assertEquals("file descriptors left open", Map.of(), Leaks.newFds(fdsBefore));
        assertThrows(IllegalStateException.class, proactor()::openSocketChannel);
    }

    @Test
    public void closeWaitsForTheThreadsEvenWhenTheCallerIsInterrupted() throws Exception {
        proactor().openSocketChannel();
        Thread.currentThread().interrupt();
        loop.close();
        assertTrue("the interrupt status is kept", Thread.interrupted());
        assertEquals(List.of(), Leaks.threads(threadPrefix()));
        assertEquals("file descriptors left open", Map.of(), Leaks.newFds(fdsBefore));
    }

    // ---- completions after close -------------------------------------------------------------------------

    @Test
    public void operationsPendingWhenTheLoopClosesRunNothingLeakNothingAndThrowNothing() throws Exception {
        Server server = runFor(loop.createServer(EchoProtocol::new, LOCALHOST, 0)); // an accept pending
        int port = ((InetSocketAddress) server.sockets().get(0).localAddress()).getPort();
        CollectingProtocol client = new CollectingProtocol(1, false);
        runFor(loop.createConnection(() -> client, LOCALHOST, port)); // reads pending on both sides
        AsynchronousSocketChannel[] pair = connectedPair();
        LoopFuture<Integer> recv = loop.sockRecv(pair[1], ByteBuffer.allocate(16));
        AsynchronousServerSocketChannel listener = proactor().openServerSocketChannel();
        listener.bind(new InetSocketAddress(LOCALHOST, 0));
        LoopFuture<NetworkChannel> accept = loop.sockAccept(listener);

        loop.close(); // closing the group's channels fails each pending operation on the group's threads

        assertFalse("nothing ran: futures stay pending", recv.isDone() || accept.isDone());
        assertFalse("a closed loop calls no protocol", client.lost.isDone());
        assertEquals(List.of(), reported);
        assertEquals(List.of(), escaped);
        assertEquals(List.of(), Leaks.threads(threadPrefix()));
        assertEquals("file descriptors left open", Map.of(), Leaks.newFds(fdsBefore));
    }

    @Test
    public void aCompletionLongAfterCloseRunsNothingAndThrowsNothing() throws Exception {
        // A channel of another group: its completion arrives on that group's thread, whenever the peer writes.
        List<Throwable> escapedThere = Collections.synchronizedList(new ArrayList<>());
        AsynchronousChannelGroup other = AsynchronousChannelGroup.withFixedThreadPool(1, task -> {
            Thread thread = new Thread(task, "test-other-group");
            thread.setDaemon(true);
            thread.setUncaughtExceptionHandler((t, e) -> escapedThere.add(e));
            return thread;
        });
        try (AsynchronousServerSocketChannel listener = AsynchronousServerSocketChannel.open(other)) {
            listener.bind(new InetSocketAddress(LOCALHOST, 0));
            AsynchronousSocketChannel peer = AsynchronousSocketChannel.open(other);
            peer.connect(listener.getLocalAddress()).get(10, TimeUnit.SECONDS);
            AsynchronousSocketChannel reader = listener.accept().get(10, TimeUnit.SECONDS);
            ByteBuffer into = ByteBuffer.allocate(16);
            LoopFuture<Integer> recv = loop.sockRecv(reader, into);
            loop.close();

            peer.write(ByteBuffer.wrap(new byte[] {1, 2, 3})).get(10, TimeUnit.SECONDS);
            // the read completed; once the group has ended, its handler has certainly returned
            assertTrue(Leaks.await(() -> into.position() == 3, 10));
            other.shutdownNow();
            assertTrue(other.awaitTermination(10, TimeUnit.SECONDS));

            assertFalse("nothing ran on the closed loop", recv.isDone());
            assertEquals(List.of(), escapedThere);
            assertEquals(List.of(), escaped);
            assertEquals(List.of(), reported);
        } finally {
            other.shutdownNow();
        }
    }

    // ---- cancellation -------------------------------------------------------------------------------------

    @Test
    public void cancellingAPendingSockRecvClosesItsChannelQuietly() throws Exception {
        AsynchronousSocketChannel[] pair = connectedPair();
        ByteBuffer into = ByteBuffer.allocate(16);
        LoopFuture<Integer> recv = loop.sockRecv(pair[1], into);
        assertTrue(recv.cancel(true));
        assertTrue(recv.isCancelled());
        assertFalse("NIO.2 cannot withdraw a started read: cancelling closes the channel", pair[1].isOpen());
        assertEquals("the peer sees the end of the stream",
                Integer.valueOf(-1), runFor(loop.sockRecv(pair[0], ByteBuffer.allocate(1))));
        CompletionException closed = assertThrows(CompletionException.class,
                () -> runFor(loop.sockRecv(pair[1], ByteBuffer.allocate(1))));
        assertTrue(closed.getCause().toString(), closed.getCause() instanceof ClosedChannelException);
        assertEquals("the cancelled read took nothing", 0, into.position());
        pair[0].close();
        assertEquals(List.of(), reported);
        assertEquals(List.of(), escaped);
    }

    /**
     * A {@code sockRecv} given up without a cancel ({@code orTimeout}, where asyncio's {@code wait_for}
     * cancels) is withdrawn as a cancel withdraws it: its channel is closed. Left pending, the read took
     * the peer's next bytes into a buffer nobody waited for, and every later {@code sockRecv} was refused
     * as a second one pending: bytes lost without a word.
     */
    @Test
    public void aSockRecvGivenUpByATimeoutClosesItsChannelInsteadOfTakingTheNextBytes() throws Exception {
        AsynchronousSocketChannel[] pair = connectedPair();
        ByteBuffer into = ByteBuffer.allocate(16);
        CompletableFuture<Integer> recv = loop.sockRecv(pair[1], into).toCompletableFuture().orTimeout(20, TimeUnit.MILLISECONDS);
        CompletionException timedOut = assertThrows(CompletionException.class, () -> runFor(recv));
        assertTrue(timedOut.getCause().toString(), timedOut.getCause() instanceof java.util.concurrent.TimeoutException);
        assertFalse("the read given up is withdrawn: its channel is closed", pair[1].isOpen());
        assertEquals("the peer sees the end of the stream",
                Integer.valueOf(-1), runFor(loop.sockRecv(pair[0], ByteBuffer.allocate(1))));
        assertEquals("the read given up took nothing", 0, into.position());
        pair[0].close();
        assertEquals(List.of(), reported);
        assertEquals(List.of(), escaped);
    }

    @Test
    public void aSecondSockRecvOnTheSameSocketFailsClearlyAndTheFirstGoesOn() throws Exception {
        AsynchronousSocketChannel[] pair = connectedPair();
        ByteBuffer into = ByteBuffer.allocate(16);
        LoopFuture<Integer> first = loop.sockRecv(pair[1], into);
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> runFor(loop.sockRecv(pair[1], ByteBuffer.allocate(16))));
        assertEquals("sockRecv() called while another sockRecv() is pending on the same socket: "
                + "the proactor runs one at a time per socket", refused.getMessage());
        assertTrue(refused.getCause() instanceof ReadPendingException);
        runFor(loop.sockSendall(pair[0], ByteBuffer.wrap(new byte[] {7})));
        assertEquals(Integer.valueOf(1), runFor(first));
        assertEquals(7, into.get(0));
        pair[0].close();
        pair[1].close();
        assertEquals(List.of(), escaped);
    }

    @Test
    public void cancellingAPendingSockAcceptClosesTheListener() throws Exception {
        AsynchronousServerSocketChannel listener = proactor().openServerSocketChannel();
        listener.bind(new InetSocketAddress(LOCALHOST, 0));
        SocketAddress address = listener.getLocalAddress();
        LoopFuture<NetworkChannel> accept = loop.sockAccept(listener);
        assertTrue(accept.cancel(true));
        assertFalse(listener.isOpen());
        AsynchronousSocketChannel client = proactor().openSocketChannel();
        CompletionException refused = assertThrows(CompletionException.class, () -> runFor(loop.sockConnect(client, address)));
        assertTrue(refused.getCause().getMessage(), refused.getCause().getMessage().startsWith("Connect call failed"));
        client.close();
        assertEquals(List.of(), reported);
        assertEquals(List.of(), escaped);
    }
}
