package dev.loopkit.loop.testing;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import dev.loopkit.api.Connection;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.Server;
import dev.loopkit.api.TimerHandle;
import dev.loopkit.api.Transport;
import dev.loopkit.api.WriteBufferLimits;
import dev.loopkit.loop.core.SendfileFallbacks;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * asyncio's {@code loop.sendfile} and {@code loop.sock_sendfile} ({@code test_sendfile}): a 100 MB file
 * arrives byte-exact, zero-copy where the loop can (no byte through the JVM's memory, counted by the
 * loop's {@code sendfileBytesCopied()}), else through asyncio's fallback (every byte once); the write
 * buffer drains first, the transport gets its protocol and reading back, and the arguments are
 * checked in asyncio's words. Every loop runs it by extending this class.
 */
public abstract class SendfileContract extends LoopTestSupport {

    protected static final String LOCALHOST = "127.0.0.1";
    private static final long BIG = 100L * 1024 * 1024;

    /**
     * Whether this loop's TCP transports send files without copying them through the JVM. (For
     * {@code sockSendfile} the socket decides: zero-copy into a non-blocking {@code SocketChannel}.)
     */
    protected abstract boolean sendsFilesZeroCopy();

    /** A TCP socket of the kind this loop's {@code sock*} operations take, not connected yet. */
    protected abstract NetworkChannel openStreamSocket() throws IOException;

    private Path directory;

    @Override
    protected boolean unexpectedErrorsFail() {
        return true;
    }

    @Before
    public void makeDirectory() throws IOException {
        directory = Files.createDirectories(Path.of("target", "sendfile"));
    }

    @After
    public void deleteFiles() throws IOException {
        try (var files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.delete(file);
            }
        }
    }

    /** A sparse file of {@code size} bytes with a random 64 KiB block every MiB, so it is not all zeros. */
    protected final Path sparseFile(String name, long size, long seed) throws IOException {
        Path file = directory.resolve(name);
        Random random = new Random(seed);
        byte[] block = new byte[64 * 1024];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            for (long at = 0; at < size; at += 1024 * 1024) {
                random.nextBytes(block);
                channel.write(ByteBuffer.wrap(block, 0, (int) Math.min(block.length, size - at)), at);
            }
            if (channel.size() < size) {
                channel.write(ByteBuffer.wrap(new byte[] {42}), size - 1);
            }
        }
        return file;
    }

    private static long checksum(Path file, long offset, long count) throws IOException {
        CRC32 crc = new CRC32();
        ByteBuffer buffer = ByteBuffer.allocateDirect(1024 * 1024);
        try (FileChannel channel = FileChannel.open(file)) {
            long position = offset;
            long end = offset + count;
            while (position < end) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), end - position));
                int read = channel.read(buffer, position);
                if (read < 0) {
                    break;
                }
                position += read;
                crc.update(buffer.flip());
            }
        }
        return crc.getValue();
    }

    /** The receiving end: counts and checksums what arrives, keeps the first bytes. */
    private static final class Receiver implements Protocol {
        final CRC32 crc = new CRC32();
        final CompletableFuture<Long> all = new CompletableFuture<>();
        /** The server side's connection made: its accepted socket is open from then on. */
        final CompletableFuture<Void> made = new CompletableFuture<>();
        final byte[] head;
        final long expect;
        long received;

        Receiver(long expect, int keep) {
            this.expect = expect;
            this.head = new byte[keep];
        }

        @Override
        public void connectionMade(Transport transport) {
            made.complete(null);
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            for (int i = data.position(); i < data.limit() && received + i - data.position() < head.length; i++) {
                head[(int) (received + i - data.position())] = data.get(i);
            }
            received += data.remaining();
            crc.update(data);
            if (received >= expect) {
                all.complete(received);
            }
        }

        @Override
        public boolean eofReceived() {
            all.complete(received);
            return false;
        }
    }

    private Server serverFor(Receiver receiver) {
        return runFor(loop.createServer(() -> receiver, LOCALHOST, 0));
    }

    private static int port(Server server) throws IOException {
        return ((InetSocketAddress) server.sockets().get(0).localAddress()).getPort();
    }

    private Connection<Protocol> connect(Server server) throws IOException {
        return runFor(loop.createConnection(() -> new Protocol() { }, LOCALHOST, port(server)));
    }

    // ---- loop.sendfile ---------------------------------------------------------------------------------

    @Test
    public void aHundredMegabyteFileArrivesByteExact() throws IOException {
        Path file = sparseFile("big.bin", BIG, 1);
        long expected = checksum(file, 0, BIG);
        Receiver receiver = new Receiver(BIG, 0);
        Server server = serverFor(receiver);
        Connection<Protocol> client = connect(server);
        long copiedBefore = loop.sendfileBytesCopied();
        int[] mostBuffered = {0};
        TimerHandle[] sampling = new TimerHandle[1];
        Runnable sample = new Runnable() {
            @Override
            public void run() {
                mostBuffered[0] = Math.max(mostBuffered[0], client.transport().getWriteBufferSize());
                sampling[0] = loop.callLater(0.001, this);
            }
        };
        sample.run();
        try (FileChannel channel = FileChannel.open(file)) {
            assertEquals(Long.valueOf(BIG), runFor(loop.sendfile(client.transport(), channel)));
            assertEquals("the file's position is after the last byte sent", BIG, channel.position());
        }
        sampling[0].cancel();
        // The fallback waits while the transport is over its high-water mark: it never holds more than
        // that and one block (16 KiB, or the mark when larger); zero-copy buffers nothing at all.
        WriteBufferLimits limits = client.transport().getWriteBufferLimits();
        assertTrue("write buffer grew to " + mostBuffered[0],
                mostBuffered[0] <= limits.high() + Math.max(16 * 1024, limits.high()));
        assertEquals(Long.valueOf(BIG), runFor(receiver.all));
        assertEquals("checksum of what arrived", expected, receiver.crc.getValue());
        assertEquals("bytes copied through the JVM", sendsFilesZeroCopy() ? 0 : BIG, loop.sendfileBytesCopied() - copiedBefore);
        client.transport().close();
        server.close();
        runFor(server.waitClosed());
    }

    @Test
    public void theWriteBufferDrainsFirstAndTheTransportGetsItsProtocolAndReadingBack() throws IOException {
        Path file = sparseFile("small.bin", 3_000_000, 2);
        byte[] prefix = new byte[4 * 1024 * 1024]; // more than a socket takes at once: some of it is buffered
        new Random(3).nextBytes(prefix);
        Receiver receiver = new Receiver(prefix.length + 3_000_000L, prefix.length);
        Server server = serverFor(receiver);
        Connection<Protocol> client = connect(server);
        Transport transport = client.transport();
        Protocol original = client.protocol();
        transport.write(prefix);
        assertTrue("some of the prefix waits in the write buffer", transport.getWriteBufferSize() > 0);
        LoopFuture<Long> sending;
        try (FileChannel channel = FileChannel.open(file)) {
            sending = loop.sendfile(transport, channel, 0, null);
            if (sendsFilesZeroCopy()) {
                // asyncio: the socket is the sendfile's until it is done
                IllegalStateException refused = assertThrows(IllegalStateException.class, () -> transport.write(new byte[1]));
                assertEquals("unable to write; sendfile is in progress", refused.getMessage());
            }
            assertEquals(Long.valueOf(3_000_000), runFor(sending));
        }
        runFor(receiver.all);
        assertArrayEquals("the buffered bytes went first", prefix, receiver.head);
        CRC32 crc = new CRC32();
        crc.update(prefix);
        crc.update(Files.readAllBytes(file));
        assertEquals(crc.getValue(), receiver.crc.getValue());
        assertSame(original, transport.getProtocol());
        assertTrue("reading resumed", transport.isReading());
        transport.write(new byte[] {7}); // writes are accepted again
        transport.close();
        server.close();
        runFor(server.waitClosed());
    }

    @Test
    public void argumentsAreCheckedInAsynciosWords() throws IOException {
        Path file = sparseFile("args.bin", 10, 4);
        Receiver receiver = new Receiver(1, 0);
        Server server = serverFor(receiver);
        Connection<Protocol> client = connect(server);
        Transport transport = client.transport();
        try (FileChannel channel = FileChannel.open(file)) {
            assertEquals("offset must be a non-negative integer (got -1)",
                    assertThrows(IllegalArgumentException.class, () -> loop.sendfile(transport, channel, -1, null)).getMessage());
            assertEquals("count must be a positive integer (got 0)",
                    assertThrows(IllegalArgumentException.class, () -> loop.sendfile(transport, channel, 0, 0L)).getMessage());
            assertEquals("count must be a positive integer (got -5)",
                    assertThrows(IllegalArgumentException.class, () -> loop.sockSendfile(openStreamSocket(), channel, 0, -5L)).getMessage());
            try (DatagramChannel udp = DatagramChannel.open()) {
                udp.configureBlocking(false);
                assertEquals("only SOCK_STREAM type sockets are supported",
                        assertThrows(IllegalArgumentException.class, () -> loop.sockSendfile(udp, channel, 0, null)).getMessage());
            }
            // an offset past the end sends nothing, as os.sendfile does
            assertEquals(Long.valueOf(0), runFor(loop.sendfile(transport, channel, 100, null)));
            transport.close();
            assertEquals("Transport is closing",
                    assertThrows(IllegalStateException.class, () -> loop.sendfile(transport, channel)).getMessage());
        }
        server.close();
        runFor(server.waitClosed());
    }

    @Test
    public void sendfileFromInsideAProtocolCallback() throws IOException {
        Path file = sparseFile("inside.bin", 2_000_000, 5);
        long expected = checksum(file, 0, 2_000_000);
        Receiver receiver = new Receiver(2_000_000, 0);
        Server server = serverFor(receiver);
        CompletableFuture<Long> sent = new CompletableFuture<>();
        try (FileChannel channel = FileChannel.open(file)) {
            runFor(loop.createConnection(() -> new Protocol() {
                @Override
                public void connectionMade(Transport transport) {
                    loop.sendfile(transport, channel).whenComplete((n, error) -> {
                        if (error != null) {
                            sent.completeExceptionally(error);
                        } else {
                            sent.complete(n);
                            transport.close();
                        }
                    });
                }
            }, LOCALHOST, port(server)));
            assertEquals(Long.valueOf(2_000_000), runFor(sent));
        }
        runFor(receiver.all);
        assertEquals(expected, receiver.crc.getValue());
        server.close();
        runFor(server.waitClosed());
    }

    @Test
    public void aPeerThatGoesAwayFailsTheSendfileAndTheProtocolHearsOfIt() throws IOException {
        Path file = sparseFile("abandoned.bin", 50_000_000, 7);
        OneMegabytePeer goingAway = new OneMegabytePeer(Transport::abort); // in the middle of the file
        Server server = runFor(loop.createServer(() -> goingAway, LOCALHOST, 0));
        CollectingProtocol client = new CollectingProtocol(1, false);
        Connection<CollectingProtocol> connection = runFor(loop.createConnection(() -> client, LOCALHOST, port(server)));
        try (FileChannel channel = FileChannel.open(file)) {
            CompletionException failed = assertThrows(CompletionException.class,
                    () -> runFor(loop.sendfile(connection.transport(), channel)));
            assertTrue(failed.getCause().toString(), failed.getCause() instanceof IOException);
        }
        runFor(client.lost); // the transport's own protocol, restored or stood in for, hears of the loss
        assertSame(client, connection.transport().getProtocol());
        server.close();
        runFor(server.waitClosed());
    }

    @Test
    public void offsetAndCountAreHonouredAndTheFilePositionIsLeftAfterTheLastByteSent() throws IOException {
        long size = 8_000_000;
        Path file = sparseFile("window.bin", size, 8);
        long offset = 1000;
        long count = 5_000_000;
        long tailOffset = size - 300_000; // a count past the end sends up to the end, as os.sendfile
        Receiver receiver = new Receiver(count + size - tailOffset, 0);
        Server server = serverFor(receiver);
        Connection<Protocol> client = connect(server);
        long copiedBefore = loop.sendfileBytesCopied();
        try (FileChannel channel = FileChannel.open(file)) {
            channel.position(17); // asyncio sends from offset, whatever the file's position was
            assertEquals(Long.valueOf(count), runFor(loop.sendfile(client.transport(), channel, offset, count)));
            assertEquals("asyncio: file.seek(offset + total_sent)", offset + count, channel.position());
            assertEquals(Long.valueOf(size - tailOffset), runFor(loop.sendfile(client.transport(), channel, tailOffset, 5_000_000L)));
            assertEquals(size, channel.position());
        }
        assertEquals(Long.valueOf(count + size - tailOffset), runFor(receiver.all));
        CRC32 expected = new CRC32();
        try (FileChannel channel = FileChannel.open(file)) {
            ByteBuffer window = ByteBuffer.allocate((int) count);
            channel.read(window, offset);
            expected.update(window.flip());
            ByteBuffer tail = ByteBuffer.allocate((int) (size - tailOffset));
            channel.read(tail, tailOffset);
            expected.update(tail.flip());
        }
        assertEquals("checksum of the two windows", expected.getValue(), receiver.crc.getValue());
        assertEquals("bytes copied through the JVM", sendsFilesZeroCopy() ? 0 : count + size - tailOffset,
                loop.sendfileBytesCopied() - copiedBefore);
        client.transport().close();
        server.close();
        runFor(server.waitClosed());
    }

    @Test
    public void closingTheTransportMidSendfileFailsItAndLeaksNoDescriptor() throws IOException {
        endedByTheUserMidFile("closed.bin", "close", Transport::close);
    }

    @Test
    public void abortingTheTransportMidSendfileFailsItAndLeaksNoDescriptor() throws IOException {
        endedByTheUserMidFile("aborted.bin", "abort", Transport::abort);
    }

    /** The user closes or aborts the transport mid-file: the sendfile fails, the protocol hears of it and is its own again. */
    private void endedByTheUserMidFile(String fileName, String what, Consumer<Transport> end) throws IOException {
        interruptMidFile(fileName, (connection, sending) -> end.accept(connection.transport()), (connection, outcome) -> {
            assertTrue(outcome.toString(), outcome instanceof CompletionException && outcome.getCause() instanceof IOException);
            assertEquals("the protocol hears of the " + what, null, runFor(connection.protocol().lost));
            assertSame(connection.protocol(), connection.transport().getProtocol());
        });
    }

    @Test
    public void cancellingASendfileMidFileGivesTheTransportBackAndLeaksNoDescriptor() throws IOException {
        interruptMidFile("cancelled.bin", (connection, sending) -> sending.cancel(false), (connection, outcome) -> {
            assertTrue(outcome.toString(), outcome instanceof CancellationException);
            Transport transport = connection.transport();
            assertSame(connection.protocol(), transport.getProtocol());
            assertTrue("reading resumed", transport.isReading());
            transport.write(new byte[] {7}); // accepted again (and buffered: the peer reads no more)
            transport.abort();
            runFor(connection.protocol().lost);
        });
    }

    /**
     * A cancel while the fallback reads a block in the executor: that block is not written once read
     * (asyncio's {@code _sendfile_fallback} is cancelled in its {@code await run_in_executor}), so the
     * peer gets only what the caller wrote after the cancel.
     */
    @Test
    public void cancellingWhileTheFallbackReadsABlockSendsNothingMore() throws IOException {
        Path file = sparseFile("cancel-read.bin", 1_000_000, 10);
        Receiver receiver = new Receiver(Long.MAX_VALUE, 1);
        Server server = serverFor(receiver);
        Connection<Protocol> client = connect(server);
        try (GatedFile gated = new GatedFile(FileChannel.open(file))) {
            LoopFuture<Long> sending = loop.sendfile(client.transport(), gated);
            runFor(gated.entered);
            sending.cancel(false);
            gated.release();
            runFor(gated.returned);
            CompletableFuture<Void> settled = new CompletableFuture<>();
            loop.callLater(0.2, () -> settled.complete(null)); // the read's completion reaches the loop meanwhile
            runFor(settled);
            assertTrue(sending.isCancelled());
            assertEquals("the file's position: nothing sent", 0, gated.position());
        }
        client.transport().write(new byte[] {7});
        client.transport().close();
        assertEquals("bytes the peer got", Long.valueOf(1), runFor(receiver.all));
        assertEquals(7, receiver.head[0]);
        server.close();
        runFor(server.waitClosed());
    }

    /**
     * A write the caller makes once its sendfile is cancelled (from a done callback: the transport is
     * its own again) reaches the peer, after exactly the bytes the sendfile sent. The zero-copy try's
     * cancel removed the socket's writer after that write had registered the transport's own flush,
     * so the write stayed in the buffer for good.
     */
    @Test
    public void aWriteFromTheDoneCallbackOfACancelledSendfileIsFlushed() throws IOException {
        Path file = sparseFile("cancel-then-write.bin", 50_000_000, 14);
        OneMegabytePeer peer = new OneMegabytePeer();
        Server server = runFor(loop.createServer(() -> peer, LOCALHOST, 0));
        Connection<Protocol> client = connect(server);
        Transport transport = client.transport();
        byte[] trailer = new byte[8 * 1024 * 1024]; // more than the full socket takes: most of it waits in the buffer
        Arrays.fill(trailer, (byte) 7);
        int[] buffered = {0};
        try (FileChannel channel = FileChannel.open(file)) {
            LoopFuture<Long> sending = loop.sendfile(transport, channel);
            sending.addDoneCallback(f -> {
                transport.write(trailer);
                buffered[0] = transport.getWriteBufferSize();
            });
            runFor(peer.paused);
            loop.callLater(0.05, () -> sending.cancel(false)); // mid-file
            assertThrows(CancellationException.class, () -> runFor(sending));
            assertTrue("the trailer waits in the write buffer: " + buffered[0], buffered[0] > 0);
            long sent = channel.position();
            peer.readUntil(sent + trailer.length);
            assertEquals("the bytes the sendfile sent, then the trailer", Long.valueOf(sent + trailer.length), runFor(peer.all));
        }
        transport.close();
        server.close();
        runFor(server.waitClosed());
    }

    /**
     * Cancelling a fallback sendfile while it waits for room in the transport (over its high-water
     * mark) ends that wait: asyncio's cancellation reaches the future {@code drain()} awaits. The wait
     * stayed pending for good (the stand-in cancelled its write-ready future at restore, and the
     * relay of a cancellation as an exception threw). Everything written to the transport before the
     * cancel still reaches the peer. Room may come before the cancel reaches the wait (a write
     * completing on the proactor under load): the wait then ends as it would have.
     */
    @Test
    public void cancellingAFallbackSendfileWaitingForRoomEndsTheWait() throws IOException {
        List<CompletableFuture<Void>> waitForRoom = new ArrayList<>();
        boolean[] waitingAtTheCancel = {false};
        fallbackWaitingForRoom("cancel-fallback.bin", 15, (connection, sending) -> {
            waitForRoom.add(SendfileFallbacks.waitForRoom(connection.transport())); // as the next block's
            waitingAtTheCancel[0] = !waitForRoom.get(0).isDone();
            sending.cancel(false);
        }, (connection, sending) -> {
            assertTrue("the fallback waits for room", waitingAtTheCancel[0]);
            assertThrows(CancellationException.class, () -> runFor(sending));
            try {
                runFor(waitForRoom.get(0)); // room came between the cancel and the wait's end: ended all the same
            } catch (RuntimeException ended) {
                assertTrue(ended.toString(), ended instanceof CancellationException);
            }
            assertSame(connection.protocol(), connection.transport().getProtocol());
        }, connection -> { });
    }

    /**
     * A cancel in the iteration after the fallback wrote a block, which paused the transport, leaves the
     * file's position after that block: asyncio's fallback writes a block and counts it in one step
     * ({@code transp.write(...); total_sent += read}). The count came an iteration after the write, so a
     * cancel in between left the position one block short of what the peer got, and a caller resuming
     * from it sent that block twice (ProactorSendfileTest's cancel case failed so under CI's load; this
     * looks for the pause in every iteration, where that case looks every 10 ms).
     */
    @Test
    public void cancellingAFallbackSendfileRightAfterItWroteABlockCountsThatBlock() throws IOException {
        fallbackWaitingForRoom("cancel-after-write.bin", 17, true, (connection, sending) -> sending.cancel(false),
                (connection, sending) -> assertThrows(CancellationException.class, () -> runFor(sending)),
                connection -> { });
    }

    /**
     * Closing the transport while a fallback sendfile waits for room in it (over its high-water mark,
     * the peer not reading) fails the sendfile at once, as closing does on the zero-copy way, in the
     * words of asyncio's {@code drain()} on a closing transport; what was buffered still reaches the
     * peer, and the protocol hears the close once it did. The wait ended only with
     * {@code connectionLost}, once the buffer had drained: never while the peer waited for the
     * sendfile (the closing test of ProactorSendfileTest timed out whenever the close came while its
     * fallback waited).
     */
    @Test
    public void closingTheTransportWhileAFallbackSendfileWaitsForRoomFailsIt() throws IOException {
        fallbackWaitingForRoom("close-fallback.bin", 16, (connection, sending) -> connection.transport().close(), (connection, sending) -> {
            Throwable failed = assertThrows(CompletionException.class, () -> runFor(sending)).getCause();
            assertTrue(failed.toString(), failed instanceof IOException);
            assertEquals("Connection closed by peer", failed.getMessage());
        }, connection -> {
            assertEquals("the protocol hears of the close", null, runFor(connection.protocol().lost));
            assertSame(connection.protocol(), connection.transport().getProtocol());
        });
    }

    /**
     * Sends a 50 MB file only the fallback can send (a {@link GatedFile}, read at once) to a peer that
     * stops reading after 1 MB, until the fallback waits for room in the transport; runs
     * {@code interrupt} then, on the loop thread in the callback that saw the wait (a moment later
     * the wait may have ended), and {@code checks} from the test. The peer then reads on and gets
     * exactly what was written to the transport (the file's position: the sendfile's own), and
     * {@code afterwards} checks the connection.
     */
    private void fallbackWaitingForRoom(String name, long seed,
            BiConsumer<Connection<CollectingProtocol>, LoopFuture<Long>> interrupt,
            BiConsumer<Connection<CollectingProtocol>, LoopFuture<Long>> checks,
            Consumer<Connection<CollectingProtocol>> afterwards) throws IOException {
        fallbackWaitingForRoom(name, seed, false, interrupt, checks, afterwards);
    }

    /** {@code atTheFirstPause}: acts in the iteration that first sees the transport paused (looked for in each). */
    private void fallbackWaitingForRoom(String name, long seed, boolean atTheFirstPause,
            BiConsumer<Connection<CollectingProtocol>, LoopFuture<Long>> interrupt,
            BiConsumer<Connection<CollectingProtocol>, LoopFuture<Long>> checks,
            Consumer<Connection<CollectingProtocol>> afterwards) throws IOException {
        Path file = sparseFile(name, 50_000_000, seed);
        OneMegabytePeer peer = new OneMegabytePeer();
        Server server = runFor(loop.createServer(() -> peer, LOCALHOST, 0));
        Connection<CollectingProtocol> connection = runFor(
                loop.createConnection(() -> new CollectingProtocol(1, false), LOCALHOST, port(server)));
        try (GatedFile gated = new GatedFile(FileChannel.open(file))) {
            gated.release();
            LoopFuture<Long> sending = loop.sendfile(connection.transport(), gated);
            runFor(peer.paused);
            Runnable act = () -> interrupt.accept(connection, sending);
            runFor(atTheFirstPause ? SendfileFallbacks.whenFirstPaused(loop, connection.transport(), sending, act)
                    : SendfileFallbacks.whenWaitingForRoom(loop, connection.transport(), sending, act));
            checks.accept(connection, sending);
            long sent = gated.position();
            peer.readUntil(sent);
            assertEquals("the bytes written to the transport", Long.valueOf(sent), runFor(peer.all));
            CompletableFuture<Void> readOn = new CompletableFuture<>();
            loop.callLater(0.1, () -> readOn.complete(null)); // a block written after all would be here by now
            runFor(readOn);
            assertEquals("the bytes the peer got: no block the file's position does not count", sent, peer.received);
        }
        afterwards.accept(connection);
        connection.transport().close();
        server.close();
        runFor(server.waitClosed());
    }

    /**
     * Sends a 50 MB file to a peer that stops reading after 1 MB, so that the sendfile waits for room
     * mid-file; {@code interrupt} runs then, and {@code check} gets how the sendfile ended. The file's
     * position is after the bytes sent, and no descriptor stays open once all is closed.
     */
    private void interruptMidFile(String name, BiConsumer<Connection<CollectingProtocol>, LoopFuture<Long>> interrupt,
            BiConsumer<Connection<CollectingProtocol>, Throwable> check) throws IOException {
        Path file = sparseFile(name, 50_000_000, 9);
        OneMegabytePeer peer = new OneMegabytePeer();
        Server server = runFor(loop.createServer(() -> peer, LOCALHOST, 0));
        Map<Integer, String> fdsAtStart = Leaks.openFds(); // the loop's own for networking are there now (the proactor's group)
        Connection<CollectingProtocol> connection = runFor(
                loop.createConnection(() -> new CollectingProtocol(1, false), LOCALHOST, port(server)));
        try (FileChannel channel = FileChannel.open(file)) {
            LoopFuture<Long> sending = loop.sendfile(connection.transport(), channel);
            runFor(peer.paused);
            loop.callLater(0.05, () -> interrupt.accept(connection, sending)); // mid-file: 50 MB cannot fit in the socket buffers
            Throwable outcome = assertThrows(RuntimeException.class, () -> runFor(sending));
            long sent = channel.position();
            assertTrue("some bytes went first: " + sent, sent > 1_000_000);
            assertTrue("not the whole file: " + sent, sent < 50_000_000);
            // The peer reads on: a closed transport sends what it buffered (the fallback's last blocks)
            // before the protocol hears connectionLost, as asyncio's close() flushes first.
            peer.transport.resumeReading();
            check.accept(connection, outcome);
        }
        peer.transport.close();
        server.close();
        runFor(server.waitClosed());
        // The JDK closes a descriptor registered with a selector at that selector's next select: the
        // loop's own selector blocks once more here (a timer, no timing asserted).
        CompletableFuture<Void> selectedAgain = new CompletableFuture<>();
        loop.callLater(0.05, () -> selectedAgain.complete(null));
        runFor(selectedAgain);
        assertEquals("descriptors left open (the file's own descriptor of sendfile(2) among them)", Map.of(),
                Leaks.newFds(fdsAtStart));
    }

    // ---- loop.sock_sendfile ------------------------------------------------------------------------------

    /**
     * Cancelling {@code sockSendfile} while its fallback waits to send a block cancels that
     * {@code sockSendall} too (asyncio's cancellation reaches the awaited {@code sock_sendall}): the
     * rest of the block is not sent after the cancel. Small socket buffers hold far less than the
     * 256 KiB block, and the peer reads on after the cancel.
     */
    @Test
    public void cancellingSockSendfileStopsTheBlockItWasSending() throws IOException {
        Path file = sparseFile("sock-cancel.bin", 1_000_000, 12);
        try (ServerSocketChannel listener = ServerSocketChannel.open();
                GatedFile gated = new GatedFile(FileChannel.open(file))) {
            NetworkChannel socket = connectWithSmallBuffers(listener);
            try (SocketChannel peer = listener.accept()) {
                peer.configureBlocking(false);
                LoopFuture<Long> sending = loop.sockSendfile(socket, gated, 0, null);
                gated.release();
                runFor(gated.returned);
                CompletableFuture<Void> stalled = new CompletableFuture<>();
                loop.callLater(0.2, () -> stalled.complete(null)); // the block waits for room meanwhile
                runFor(stalled);
                assertTrue(sending.cancel(false));
                long[] received = {0};
                int[] turns = {0};
                runFor(readEvery10Ms(peer, received, () -> ++turns[0] == 50)); // half a second of room for what would still be sent
                assertTrue("bytes sent, cancel or not: " + received[0], received[0] < 256 * 1024);
                assertEquals("the file's position: no whole block was sent", 0, gated.position());
            } finally {
                socket.close();
            }
        }
    }

    /**
     * Reads what {@code peer} has every 10 ms on the loop, counting it in {@code received}, until
     * {@code enough} says so after a read; the future completes then.
     */
    protected final CompletableFuture<Void> readEvery10Ms(SocketChannel peer, long[] received, BooleanSupplier enough) {
        ByteBuffer into = ByteBuffer.allocate(64 * 1024);
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable read = new Runnable() {
            @Override
            public void run() {
                try {
                    for (int n; (n = peer.read(into.clear())) > 0; ) {
                        received[0] += n;
                    }
                } catch (IOException e) {
                    done.completeExceptionally(e);
                    return;
                }
                if (enough.getAsBoolean()) {
                    done.complete(null);
                } else {
                    loop.callLater(0.01, this);
                }
            }
        };
        read.run();
        return done;
    }

    /**
     * A socket of this loop's kind connected to {@code listener} (bound here), both ends with 4 KiB
     * buffers, so that a few KiB fill them.
     */
    private NetworkChannel connectWithSmallBuffers(ServerSocketChannel listener) throws IOException {
        listener.setOption(StandardSocketOptions.SO_RCVBUF, 4096); // the accepted socket's, before the handshake
        listener.bind(new InetSocketAddress(LOCALHOST, 0));
        NetworkChannel socket = openStreamSocket();
        socket.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
        runFor(loop.sockConnect(socket, listener.getLocalAddress()));
        return socket;
    }

    /**
     * Starts {@code sockSendfile} of {@code file} to {@code socket}, whose peer does not read, and
     * cancels it once the socket is full and the sendfile waits for room.
     */
    protected final void cancelSockSendfileOnceTheSocketIsFull(NetworkChannel socket, FileChannel file) {
        LoopFuture<Long> sending = loop.sockSendfile(socket, file, 0, null);
        CompletableFuture<Void> stalled = new CompletableFuture<>();
        loop.callLater(0.2, () -> stalled.complete(null)); // the socket fills and the sendfile waits for room
        runFor(stalled);
        assertTrue(sending.cancel(false));
    }

    /**
     * A {@code sockSendall} the caller starts on the socket right after cancelling its
     * {@code sockSendfile}, while the socket is full, completes once the peer reads: the cancelled
     * zero-copy try leaves alone the writer that is no longer its own (it removed the socket's writer
     * whoever had registered it, and the {@code sockSendall} waited forever). The proactor's
     * {@code sockSendfile} into its asynchronous socket takes the fallback, whose cancel closes the
     * socket (NIO.2 cannot withdraw the pending write).
     */
    @Test
    public void aSockSendallStartedRightAfterCancellingSockSendfileCompletes() throws IOException {
        assumeTrue("this loop's sockSendfile takes the fallback, whose cancel closes the socket (NIO.2 cannot withdraw"
                + " a pending write): no socket is left to start a sockSendall on", sendsFilesZeroCopy());
        Path file = sparseFile("sock-cancel-then-send.bin", 50_000_000, 13);
        byte[] trailer = new byte[100_000];
        Arrays.fill(trailer, (byte) 7);
        try (ServerSocketChannel listener = ServerSocketChannel.open(); FileChannel channel = FileChannel.open(file)) {
            NetworkChannel socket = connectWithSmallBuffers(listener);
            try (SocketChannel peer = listener.accept()) {
                peer.configureBlocking(false);
                cancelSockSendfileOnceTheSocketIsFull(socket, channel);
                LoopFuture<Void> sendingTrailer = loop.sockSendall(socket, ByteBuffer.wrap(trailer)); // waits for room too
                long[] received = {0};
                runFor(readEvery10Ms(peer, received, sendingTrailer::isDone));
                runFor(sendingTrailer);
                long expected = channel.position() + trailer.length; // the file's bytes sent, then the trailer
                runFor(readEvery10Ms(peer, received, () -> received[0] >= expected));
                assertEquals(expected, received[0]);
            } finally {
                socket.close();
            }
        }
    }

    @Test
    public void sockSendfileSendsASliceOfTheFile() throws IOException {
        long offset = 1000;
        long count = 5_000_000;
        Path file = sparseFile("slice.bin", 8_000_000, 6);
        long expected = checksum(file, offset, count);
        Receiver receiver = new Receiver(count, 0);
        Server server = serverFor(receiver);
        NetworkChannel socket = openStreamSocket();
        runFor(loop.sockConnect(socket, new InetSocketAddress(LOCALHOST, port(server))));
        long copiedBefore = loop.sendfileBytesCopied();
        try (FileChannel channel = FileChannel.open(file)) {
            assertEquals(Long.valueOf(count), runFor(loop.sockSendfile(socket, channel, offset, count)));
            assertEquals(offset + count, channel.position());
        }
        assertEquals(Long.valueOf(count), runFor(receiver.all));
        assertEquals(expected, receiver.crc.getValue());
        assertEquals(socket instanceof SocketChannel ? 0 : count, loop.sendfileBytesCopied() - copiedBefore);
        socket.close();
        server.close();
        runFor(server.waitClosed());
    }

    // ---- against bad luck and bad input (an outside review) ------------------------------------------

    /** sockSendfile with an offset past the end of the file: 0 bytes, the file's position untouched. */
    @Test
    public void sockSendfileFromPastTheEndSendsNothing() throws IOException {
        Path file = sparseFile("past.bin", 1000, 21);
        Receiver receiver = new Receiver(1, 0);
        Server server = serverFor(receiver);
        NetworkChannel socket = openStreamSocket();
        runFor(loop.sockConnect(socket, new InetSocketAddress(LOCALHOST, port(server))));
        try (FileChannel channel = FileChannel.open(file)) {
            channel.position(3);
            assertEquals(Long.valueOf(0), runFor(loop.sockSendfile(socket, channel, 5000, null)));
            assertEquals(Long.valueOf(0), runFor(loop.sockSendfile(socket, channel, 5000, 10L)));
            assertEquals(3, channel.position());
        }
        socket.close();
        server.close();
        runFor(server.waitClosed());
    }

    /** A file channel that cannot be read: the sendfile fails (asyncio: io.UnsupportedOperation), the transport is given back. */
    @Test
    public void aWriteOnlyFileFailsTheSendfileAndGivesTheTransportBack() throws IOException {
        Path file = sparseFile("wronly.bin", 100_000, 22);
        Receiver receiver = new Receiver(3, 0);
        Server server = serverFor(receiver);
        CollectingProtocol client = new CollectingProtocol(1, false);
        Connection<CollectingProtocol> connection = runFor(loop.createConnection(() -> client, LOCALHOST, port(server)));
        runFor(receiver.made); // the proactor's accept may complete after the client's connect (an extra socket in a loaded run)
        Map<Integer, String> fdsAtStart = Leaks.openFds();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            Object got = runFor(outcomeOf(loop.sendfile(connection.transport(), channel), 5));
            assertTrue(String.valueOf(got), got instanceof Throwable);
            assertEquals(0, channel.position());
        }
        assertSame(client, connection.transport().getProtocol());
        assertTrue(connection.transport().isReading());
        connection.transport().write("abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(Long.valueOf(3), runFor(receiver.all));
        assertEquals(Map.of(), Leaks.newFds(fdsAtStart));
        connection.transport().close();
        server.close();
        runFor(server.waitClosed());
    }

    /**
     * A socket never connected: asyncio's {@code sock_sendfile} falls back to {@code sock_sendall},
     * which fails with {@code BrokenPipeError}; the JDK's channel threw {@code NotYetConnectedException}
     * with no message.
     */
    @Test
    public void aSocketNeverConnectedFailsTheSockSendfileWithABrokenPipe() throws IOException {
        Path file = sparseFile("unconnected.bin", 100_000, 26);
        NetworkChannel socket = openStreamSocket();
        try (FileChannel channel = FileChannel.open(file)) {
            Object got = runFor(outcomeOf(loop.sockSendfile(socket, channel, 0, null), 5));
            assertTrue(String.valueOf(got), got instanceof IOException && "Broken pipe".equals(((IOException) got).getMessage()));
            assertEquals("nothing was sent", 0, channel.position());
        } finally {
            socket.close();
        }
    }

    /** A closed file channel: the sendfile fails and does not hang. */
    @Test
    public void aClosedFileFailsTheSockSendfile() throws IOException {
        Path file = sparseFile("closedfile.bin", 100_000, 23);
        Receiver receiver = new Receiver(1, 0);
        Server server = serverFor(receiver);
        NetworkChannel socket = openStreamSocket();
        runFor(loop.sockConnect(socket, new InetSocketAddress(LOCALHOST, port(server))));
        FileChannel channel = FileChannel.open(file);
        channel.close();
        Object got = runFor(outcomeOf(loop.sockSendfile(socket, channel, 0, null), 5));
        assertTrue(String.valueOf(got), got instanceof Throwable);
        socket.close();
        server.close();
        runFor(server.waitClosed());
    }

    /** A file truncated while sockSendfile waits for room: ends with what was sent, the position after it. */
    @Test
    public void aFileTruncatedWhileSentEndsWithWhatWasSent() throws IOException {
        Path file = sparseFile("truncated.bin", 20_000_000, 24);
        try (ServerSocketChannel listener = ServerSocketChannel.open(); FileChannel channel = FileChannel.open(file);
                FileChannel writer = FileChannel.open(file, StandardOpenOption.WRITE)) {
            NetworkChannel socket = connectWithSmallBuffers(listener);
            try (SocketChannel peer = listener.accept()) {
                peer.configureBlocking(false);
                LoopFuture<Long> sending = loop.sockSendfile(socket, channel, 0, null);
                CompletableFuture<Void> stalled = new CompletableFuture<>();
                loop.callLater(0.2, () -> stalled.complete(null));
                runFor(stalled);
                assertFalse(sending.isDone());
                writer.truncate(1_000_000);
                long[] received = {0};
                runFor(readEvery10Ms(peer, received, sending::isDone));
                Object got = runFor(outcomeOf(sending, 10));
                assertTrue(String.valueOf(got), got instanceof Long);
                long sent = (Long) got;
                int[] turns = {0};
                runFor(readEvery10Ms(peer, received, () -> received[0] >= sent || ++turns[0] > 100));
                assertEquals(sent, received[0]);
                assertEquals(sent, channel.position());
                assertTrue(sent <= 1_000_000 || sent < 20_000_000);
            } finally {
                socket.close();
            }
        }
    }

    /**
     * The user closes the socket while sockSendfile waits for room: the future fails, it does not hang
     * (the zero-copy wait for writability outlived the closed socket on the selector and epoll loops).
     */
    @Test
    public void closingTheSocketWhileSockSendfileWaitsEndsIt() throws IOException {
        Path file = sparseFile("sockclosed.bin", 20_000_000, 25);
        try (ServerSocketChannel listener = ServerSocketChannel.open(); FileChannel channel = FileChannel.open(file)) {
            NetworkChannel socket = connectWithSmallBuffers(listener);
            try (SocketChannel peer = listener.accept()) {
                LoopFuture<Long> sending = loop.sockSendfile(socket, channel, 0, null);
                CompletableFuture<Void> stalled = new CompletableFuture<>();
                loop.callLater(0.2, () -> stalled.complete(null));
                runFor(stalled);
                assertFalse(sending.isDone());
                socket.close();
                Object got = runFor(outcomeOf(sending, 3));
                assertTrue(String.valueOf(got), got instanceof IOException);
            }
        }
    }

    /** /dev/zero (not a regular file) with a count: that many zeros. */
    @Test
    public void aCharacterDeviceWithACountSendsThatMany() throws IOException {
        Receiver receiver = new Receiver(300_000, 0);
        Server server = serverFor(receiver);
        NetworkChannel socket = openStreamSocket();
        runFor(loop.sockConnect(socket, new InetSocketAddress(LOCALHOST, port(server))));
        try (FileChannel channel = FileChannel.open(Path.of("/dev/zero"))) {
            Object got = runFor(outcomeOf(loop.sockSendfile(socket, channel, 0, 300_000L), 10));
            assertEquals(300_000L, got);
        }
        assertEquals(Long.valueOf(300_000), runFor(receiver.all));
        socket.close();
        server.close();
        runFor(server.waitClosed());
    }

    /** loop.sendfile over a transport from /dev/zero with a count: that many zeros (asyncio: os.sendfile, or its fallback). */
    @Test
    public void aCharacterDeviceWithACountThroughATransportSendsThatMany() throws IOException {
        Receiver receiver = new Receiver(300_000, 0);
        Server server = serverFor(receiver);
        Connection<Protocol> client = connect(server);
        try (FileChannel channel = FileChannel.open(Path.of("/dev/zero"))) {
            Object got = runFor(outcomeOf(loop.sendfile(client.transport(), channel, 0, 300_000L), 10));
            assertEquals(300_000L, got);
        }
        client.transport().close();
        server.close();
        runFor(server.waitClosed());
    }

    /**
     * The fallback's block read refused by the default executor (a bounded pool of the user's, busy; or
     * one shut down): the sendfile fails with the refusal, as asyncio's {@code run_in_executor} raises
     * out of {@code _sendfile_fallback}, whose {@code finally} gives the transport its protocol back.
     * Before, the refusal was thrown out of the call or reported as "Exception in callback", the sendfile
     * never completed, and the transport kept the fallback's stand-in, paused, refusing every later
     * sendfile with "Empty waiter is already set" (an outside review).
     */
    @Test
    public void aBlockReadTheDefaultExecutorRefusesFailsTheSendfileAndGivesTheTransportBack() throws Exception {
        ThreadPoolExecutor busy = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new SynchronousQueue<>());
        CountDownLatch release = new CountDownLatch(1);
        busy.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Receiver receiver = new Receiver(Long.MAX_VALUE, 0);
        Server server = serverFor(receiver);
        Connection<Protocol> client = connect(server);
        dev.loopkit.api.BaseProtocol protocol = client.transport().getProtocol();
        NetworkChannel socket = openStreamSocket();
        runFor(loop.sockConnect(socket, new InetSocketAddress(LOCALHOST, port(server))));
        loop.setDefaultExecutor(busy);
        try (FileChannel zeros = FileChannel.open(Path.of("/dev/zero"))) {
            // a character device with a count: the fallback on every loop
            Object throughTransport = runFor(outcomeOf(loop.sendfile(client.transport(), zeros, 0, 1_000_000L), 10));
            assertTrue("through a transport: " + throughTransport, throughTransport instanceof RejectedExecutionException);
            assertSame("the transport's own protocol is back", protocol, client.transport().getProtocol());
            assertTrue("reading again", client.transport().isReading());
            Object onASocket = runFor(outcomeOf(loop.sockSendfile(socket, zeros, 0, 1_000_000L), 10));
            assertTrue("on a socket: " + onASocket, onASocket instanceof RejectedExecutionException);
        } finally {
            release.countDown();
            busy.shutdown();
            socket.close();
        }
        client.transport().close();
        server.close();
        runFor(server.waitClosed());
    }

    /**
     * The fallback's block is as large as the transport's high-water mark, up to asyncio's 256 KiB: a
     * mark of 1 GiB made it allocate the whole count at once (64 MiB of direct memory here, 400 MB in
     * the review's case, an OutOfMemoryError out of the call under a direct-memory limit). The block is
     * allocated before its first read goes to the executor, which looks at the direct memory in use.
     */
    @Test
    public void aHighWaterMarkOfAGibibyteGivesTheFallbackNoBlockOfItsSize() throws Exception {
        long count = 64L << 20;
        Receiver receiver = new Receiver(count, 0);
        Server server = serverFor(receiver);
        Connection<Protocol> client = connect(server);
        client.transport().setWriteBufferLimits(1 << 30, -1);
        long before = DirectMemory.inUse();
        long[] mostInUse = {Long.MIN_VALUE};
        loop.setDefaultExecutor(new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>()) {
            @Override
            public void execute(Runnable read) {
                mostInUse[0] = Math.max(mostInUse[0], DirectMemory.used() - before);
                super.execute(read);
            }
        });
        try (FileChannel zeros = FileChannel.open(Path.of("/dev/zero"))) {
            assertEquals(Long.valueOf(count), runFor(outcomeOf(loop.sendfile(client.transport(), zeros, 0, count), 30)));
        }
        assertEquals(Long.valueOf(count), runFor(receiver.all));
        assertTrue("the blocks were read in the default executor", mostInUse[0] != Long.MIN_VALUE);
        assertTrue("direct memory in use as a block was read: " + mostInUse[0], mostInUse[0] <= 8 << 20);
        client.transport().close();
        server.close();
        runFor(server.waitClosed());
    }

    /** A procfs file (st_size 0, content all the same) with a count: its content (asyncio reads it, natively or in the fallback). */
    @Test
    public void aProcFileWithACountSendsItsContent() throws IOException {
        byte[] content = Files.readAllBytes(Path.of("/proc/self/cmdline"));
        Receiver receiver = new Receiver(content.length, 0);
        Server server = serverFor(receiver);
        NetworkChannel socket = openStreamSocket();
        runFor(loop.sockConnect(socket, new InetSocketAddress(LOCALHOST, port(server))));
        try (FileChannel channel = FileChannel.open(Path.of("/proc/self/cmdline"))) {
            Object got = runFor(outcomeOf(loop.sockSendfile(socket, channel, 0, 1_000_000L), 10));
            assertEquals((long) content.length, got);
        }
        socket.close();
        server.close();
        runFor(server.waitClosed());
    }

    /**
     * The file is the user's channel: what its reads, transfers or position moves throw fails the
     * sendfile, through a transport or on a socket, whichever thread asked, an Error (a failed
     * {@code assert} in a wrapper of the user's) as a RuntimeException; the transport reads again.
     * Before, on the selector loop, the Error left the attempt past its catch, and the sendfile never
     * completed (an outside review).
     */
    @Test
    public void aFileChannelThrowingAnErrorFailsTheSendfileWhicheverThreadAsked() throws IOException {
        loop.setExceptionHandler((l, context) -> { });
        Path file = sparseFile("throwing.bin", 100_000, 9);
        List<String> wrong = new ArrayList<>();
        for (Throwable bug : List.of(new IllegalStateException("the channel's bug"), new AssertionError("the channel's bug"))) {
            for (boolean onTheLoop : new boolean[] {false, true}) {
                String asked = bug.getClass().getSimpleName() + (onTheLoop ? ", asked on the loop" : ", asked from another thread");
                Receiver receiver = new Receiver(1, 0);
                Server server = serverFor(receiver);
                Connection<Protocol> client = connect(server);
                NetworkChannel socket = openStreamSocket();
                runFor(loop.sockConnect(socket, new InetSocketAddress(LOCALHOST, port(server))));
                try (FileChannel channel = new ThrowingFileChannel(FileChannel.open(file), bug)) {
                    Object throughTransport = askedFrom(onTheLoop, () -> loop.sendfile(client.transport(), channel), 3);
                    if (throughTransport != bug) {
                        wrong.add(asked + ", through a transport: the sendfile ended with " + throughTransport);
                    }
                    if (!client.transport().isReading()) {
                        wrong.add(asked + ", through a transport: the transport no longer reads");
                    }
                    Object onASocket = askedFrom(onTheLoop, () -> loop.sockSendfile(socket, channel, 0, null), 3);
                    if (onASocket != bug) {
                        wrong.add(asked + ", on a socket: the sendfile ended with " + onASocket);
                    }
                }
                socket.close();
                client.transport().close();
                server.close();
                runFor(server.waitClosed());
            }
        }
        assertEquals(List.of(), wrong);
    }
}
