package dev.loopkit.loop.testing;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Connection;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.TimerHandle;
import dev.loopkit.posix.Posix;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.junit.Assume;
import org.junit.Test;

/**
 * A loop embedded in a long-lived Java host, with bad luck: the host's thread interrupted (a callback
 * that restores the status after catching {@code InterruptedException}, a plugin stopped by an
 * interrupted thread), errors of the JVM's own thrown by user code. asyncio's nearest equivalent is
 * {@code KeyboardInterrupt}: it leaves {@code run_forever}, and the loop keeps its state and runs
 * again. Each case failed on at least one loop before its fix (an outside review). Run by a subclass
 * per loop.
 */
public abstract class HostBadLuckContract extends TransportBadLuckSupport {

    /** Runs the loop until the interrupt stops it; whether the status was left set (and clears it). */
    private boolean runStoppedByInterrupt() {
        TimerHandle deadline = loop.callLater(10, loop::stop);
        try {
            loop.runForever();
        } finally {
            deadline.cancel();
        }
        return Thread.interrupted();
    }

    // ---- the interrupt ----------------------------------------------------------------------------------

    /**
     * sendfile started by a callback that runs after another restored the interrupt status. The file
     * is the caller's: asyncio never closes it. The loop's run stops; the next run must send the whole
     * file and leave the file open.
     */
    @Test
    public void sendfileInAnInterruptedIterationSendsTheFileAndLeavesItOpen() throws Exception {
        Path file = Files.createTempFile("loopkit-interrupt", ".bin");
        byte[] content = NetworkContract.randomBytes(4 * 1024 * 1024, 5);
        Files.write(file, content);
        try (FileChannel channel = FileChannel.open(file);
                ServerSocket peer = new ServerSocket(0, 1, InetAddress.getByName(LOCALHOST))) {
            Connection<CollectingProtocol> connection = runFor(loop.createConnection(
                    () -> new CollectingProtocol(1, false), LOCALHOST, peer.getLocalPort()));
            Socket accepted = peer.accept();
            CompletableFuture<byte[]> received = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (InputStream in = accepted.getInputStream()) {
                    received.complete(in.readNBytes(content.length));
                } catch (Exception e) {
                    received.completeExceptionally(e);
                }
            });
            reader.start();
            AtomicReference<LoopFuture<Long>> sending = new AtomicReference<>();
            loop.callSoon(() -> Thread.currentThread().interrupt());
            loop.callSoon(() -> sending.set(loop.sendfile(connection.transport(), channel, 0, null)));
            assertTrue(runStoppedByInterrupt());
            Object sent = outcome(sending.get(), 10);
            boolean open = channel.isOpen();
            // The loop runs on meanwhile: a sendfile through the transport's buffer (the fallback) completes
            // before the buffer's last bytes are on the socket.
            Object got = outcome(received, 10);
            connection.transport().abort();
            accepted.close();
            assertTrue("the caller's file was closed; sendfile ended with " + sent, open);
            assertEquals(Long.valueOf(content.length), sent);
            assertTrue("received: " + got, got instanceof byte[]);
            assertArrayEquals(content, (byte[]) got);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * A host thread closes the loop with its interrupt status set (a plugin being stopped by an
     * interrupted thread). close() must release everything as always, the raw-descriptor helper
     * thread and its epoll set included, and leave the status set.
     */
    @Test
    public void closeWithTheInterruptSetReleasesThreadsAndDescriptors() throws Exception {
        Assume.assumeTrue("raw descriptors need the posix module (JNR, Linux)", Posix.isAvailable());
        int[] pipe = Posix.get().pipe();
        loop.addReader(pipe[0], () -> { });
        assertEquals("ran", runFor(loop.runInExecutor(null, () -> "ran")));
        String poller = "loopkit-fdpoller-" + loop.id();
        String executor = "loopkit-executor-" + loop.id() + "-";
        Thread.currentThread().interrupt();
        try {
            loop.close();
        } finally {
            assertTrue("the interrupt status is left set", Thread.interrupted());
        }
        List<String> pollerLeft = Leaks.threads(poller);
        boolean goneLater = Leaks.await(() -> Leaks.threads(poller).isEmpty(), 5);
        Posix.get().close(pipe[0]);
        Posix.get().close(pipe[1]);
        assertEquals("the helper thread is gone once close() returns (gone 5 s later: " + goneLater + ")", List.of(), pollerLeft);
        assertTrue(Leaks.threads(executor).toString(), Leaks.await(() -> Leaks.threads(executor).isEmpty(), 10));
        assertEquals("file descriptors left open", Map.of(), Leaks.newFds(fdsBefore));
    }

    /**
     * The helper threads for JDK channels (the epoll loop's loopkit-channels, the proactor's
     * loopkit-channelpoller for datagrams) end when the loop is closed by a thread with its interrupt
     * status set.
     */
    @Test
    public void closeWithTheInterruptSetEndsTheChannelHelperThreads() throws Exception {
        Pipe pipe = Pipe.open();
        pipe.source().configureBlocking(false);
        try {
            loop.addReader(pipe.source(), () -> { });
        } catch (UnsupportedOperationException completionBased) {
            // the proactor: its datagram endpoint makes its helper thread
        }
        runFor(loop.createDatagramEndpoint(() -> new CollectingDatagrams(1), new InetSocketAddress(LOCALHOST, 0), null));
        sleepOnLoop(0.05);
        String suffix = "-" + loop.id();
        Supplier<List<String>> helpers = () -> Leaks.threads("loopkit-").stream()
                .filter(n -> n.endsWith(suffix) && !n.startsWith("loopkit-proactor")).toList();
        List<String> before = helpers.get();
        Thread.currentThread().interrupt();
        try {
            loop.close();
        } finally {
            assertTrue("the interrupt status is left set", Thread.interrupted());
        }
        List<String> left = helpers.get();
        boolean goneLater = Leaks.await(() -> helpers.get().isEmpty(), 5);
        pipe.source().close();
        pipe.sink().close();
        assertEquals("helpers " + before + "; gone 5 s later: " + goneLater, List.of(), left);
    }

    // ---- errors of the JVM's own ------------------------------------------------------------------------

    /**
     * The blocked-loop checker (blockedLoopWarning) must still warn about a blocking callback after an
     * OutOfMemoryError left a run from inside a callback.
     */
    @Test
    public void theBlockedLoopCheckerStillWarnsAfterAnOutOfMemoryErrorLeftARun() {
        loop.setBlockedLoopWarning(0.2);
        loop.callSoon(() -> {
            throw new OutOfMemoryError("thrown by the test");
        });
        assertThrows(OutOfMemoryError.class, loop::runForever);
        try (LogCapture log = LogCapture.of("dev.loopkit.loop")) {
            CompletableFuture<Void> blocked = new CompletableFuture<>();
            loop.callSoon(() -> {
                LockSupport.parkNanos(1_500_000_000L);
                blocked.complete(null);
            });
            runFor(blocked);
            sleepOnLoop(0.3);
            List<String> warnings = log.messages().stream().filter(m -> m.contains("is blocked")).toList();
            assertEquals("one warning about the blocking callback: " + log.messages(), 1, warnings.size());
        }
    }

    /**
     * An OutOfMemoryError thrown by a protocol's dataReceived leaves the run (as KeyboardInterrupt does
     * asyncio's: _read_ready__data_received re-raises SystemExit and KeyboardInterrupt without closing
     * the transport). Run again, the connection must still be read.
     */
    @Test
    public void anOutOfMemoryErrorInDataReceivedLeavesTheConnectionReadable() throws Exception {
        try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getByName(LOCALHOST))) {
            AtomicInteger calls = new AtomicInteger();
            StringBuilder got = new StringBuilder();
            CompletableFuture<Void> second = new CompletableFuture<>();
            CompletableFuture<Exception> lost = new CompletableFuture<>();
            Protocol client = new Protocol() {
                @Override
                public void dataReceived(ByteBuffer data) {
                    if (calls.incrementAndGet() == 1) {
                        throw new OutOfMemoryError("thrown by the test");
                    }
                    got.append(StandardCharsets.US_ASCII.decode(data));
                    if (got.toString().contains("b")) {
                        second.complete(null);
                    }
                }

                @Override
                public void connectionLost(Exception exc) {
                    lost.complete(exc);
                }
            };
            Connection<Protocol> connection = runFor(loop.createConnection(() -> client, LOCALHOST, peer.getLocalPort()));
            try (Socket accepted = peer.accept()) {
                OutputStream out = accepted.getOutputStream();
                out.write('a');
                out.flush();
                assertThrows(OutOfMemoryError.class, () -> runFor(new CompletableFuture<Void>()));
                out.write('b');
                out.flush();
                Object end = outcome(second, 3);
                boolean lostDone = lost.isDone();
                connection.transport().abort();
                assertFalse("the connection was lost", lostDone);
                assertNull("the next data arrives (got '" + got + "', " + calls.get() + " calls)", end);
            }
        }
    }


    /**
     * An OutOfMemoryError out of resumeWriting, called as the buffer of a closing connection drains:
     * asyncio's proactor has its next send under way (or the connection's end called) before
     * _maybe_resume_protocol, its selector keeps the writer; run again, the connection must end
     * (connectionLost, the peer's EOF) with every byte sent.
     */
    @Test
    public void anOutOfMemoryErrorInResumeWritingStillEndsAClosingConnection() throws Exception {
        try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getByName(LOCALHOST))) {
            AtomicInteger resumes = new AtomicInteger();
            CompletableFuture<Exception> lost = new CompletableFuture<>();
            Protocol client = new Protocol() {
                @Override
                public void resumeWriting() {
                    if (resumes.incrementAndGet() == 1) {
                        throw new OutOfMemoryError("thrown by the test");
                    }
                }

                @Override
                public void connectionLost(Exception exc) {
                    lost.complete(exc);
                }
            };
            Connection<Protocol> connection = runFor(loop.createConnection(() -> client, LOCALHOST, peer.getLocalPort()));
            byte[] content = NetworkContract.randomBytes(4 * 1024 * 1024, 7);
            try (Socket accepted = peer.accept()) {
                connection.transport().write(ByteBuffer.wrap(content));
                connection.transport().close();
                CompletableFuture<Integer> read = new CompletableFuture<>();
                Thread reader = new Thread(() -> {
                    try (InputStream in = accepted.getInputStream()) {
                        read.complete(in.readAllBytes().length); // to the EOF
                    } catch (Exception e) {
                        read.completeExceptionally(e);
                    }
                });
                reader.start();
                boolean thrown = false;
                try {
                    outcome(lost, 10);
                } catch (OutOfMemoryError expected) {
                    thrown = true;
                }
                Object end = outcome(lost, 5);
                Object got = outcome(read, 1);
                connection.transport().abort();
                assertEquals("connectionLost after the rerun (resumeWriting calls: " + resumes.get() + ", thrown: " + thrown + ")", null, end);
                assertEquals("the peer read to the EOF", content.length, got);
            }
        }
    }

    /**
     * An OutOfMemoryError out of a server's protocol factory leaves the run (asyncio: out of
     * _accept_connection2). The accepted socket must not outlive the loop: close() leaves nothing open,
     * and the peer sees its connection end.
     */
    @Test
    public void anOutOfMemoryErrorInAServersProtocolFactoryLeavesNoSocketAfterClose() throws Exception {
        AtomicInteger made = new AtomicInteger();
        dev.loopkit.api.Server server = runFor(loop.createServer(() -> {
            if (made.incrementAndGet() == 1) {
                throw new OutOfMemoryError("thrown by the test");
            }
            return new EchoProtocol();
        }, LOCALHOST, 0));
        int port = port(server);
        int first;
        try (Socket client = new Socket(LOCALHOST, port)) {
            assertThrows(OutOfMemoryError.class, () -> runFor(new CompletableFuture<Void>()));
            // the server accepts on
            try (Socket second = new Socket(LOCALHOST, port)) {
                second.getOutputStream().write('e');
                CompletableFuture<Integer> echoed = new CompletableFuture<>();
                Thread t = new Thread(() -> {
                    try {
                        second.setSoTimeout(3000);
                        echoed.complete(second.getInputStream().read());
                    } catch (Exception e) {
                        echoed.completeExceptionally(e);
                    }
                });
                t.start();
                Object echo = outcome(echoed, 4);
                assertEquals("the next connection is served", (int) 'e', echo);
            }
            loop.close();
            client.setSoTimeout(3000);
            try {
                first = client.getInputStream().read();
            } catch (java.net.SocketTimeoutException stillOpen) {
                first = -2;
            } catch (java.io.IOException reset) {
                first = -1;
            }
        }
        Leaks.await(() -> sockets(Leaks.newFds(fdsBefore)).isEmpty(), 2);
        Map<Integer, String> left = sockets(Leaks.newFds(fdsBefore));
        assertEquals("the first accepted connection ends with the loop (read " + first + ")", -1, first);
        assertEquals("sockets left open after close", Map.of(), left);
    }

}
