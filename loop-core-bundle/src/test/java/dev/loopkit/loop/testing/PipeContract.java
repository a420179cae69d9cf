package dev.loopkit.loop.testing;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Connection;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.Transport;
import dev.loopkit.api.WriteBufferLimits;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * asyncio's {@code connect_read_pipe} and {@code connect_write_pipe} on descriptors the user owns: a
 * FIFO made with {@code mkfifo}, a pipe made elsewhere, and what happens when the other end goes.
 */
public abstract class PipeContract extends LoopTestSupport {

    private final Posix posix = Posix.get();
    private Path dir;

    @Before
    public void makeDirectory() throws IOException {
        dir = Files.createTempDirectory("loopkit-pipes");
    }

    @After
    public void removeDirectory() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(dir);
    }

    /** What each descriptor this test opened pointed to (its /proc/self/fd link), by number. */
    private final Map<Integer, String> opened = new HashMap<>();

    private int[] pipe() throws PosixException {
        int[] pipe = posix.pipe();
        remember(pipe[0]);
        remember(pipe[1]);
        return pipe;
    }

    private int openNonBlocking(String path, boolean write) throws PosixException {
        return remember(posix.openNonBlocking(path, write));
    }

    private int remember(int fd) {
        opened.put(fd, Leaks.openFds().get(fd));
        return fd;
    }

    /**
     * Whether {@code fd} still holds what this test opened there. Not {@code posix.isOpen(fd)}: a number
     * the transport closed may be taken at once by a descriptor another thread opens (the JVM's own
     * threads read cgroup files now and then, see {@link Leaks#newFds}), and isOpen then called a closed
     * pipe open (closingOrAbortingFromResumeWritingLosesTheConnectionOnce failed so once in a module run).
     */
    private boolean stillOpen(int fd) {
        String was = opened.get(fd);
        return was != null && was.equals(Leaks.openFds().get(fd));
    }

    private Path mkfifo(String name) throws Exception {
        Path fifo = dir.resolve(name);
        Process mkfifo = new ProcessBuilder(List.of("mkfifo", fifo.toString())).redirectErrorStream(true).start();
        String output = new String(mkfifo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("mkfifo: " + output, mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0);
        return fifo;
    }

    @Test
    public void aFifoIsReadThroughConnectReadPipeAndWrittenThroughConnectWritePipe() throws Exception {
        Path fifo = mkfifo("fifo");
        int readEnd = openNonBlocking(fifo.toString(), false);
        int writeEnd = openNonBlocking(fifo.toString(), true);
        byte[] data = new byte[300_000]; // over a pipe's 64 KiB: the writer buffers and drains
        new Random(2).nextBytes(data);
        CollectingProtocol reader = new CollectingProtocol(data.length, false);
        Connection<CollectingProtocol> read = runFor(loop.connectReadPipe(() -> reader, readEnd));
        assertTrue(reader.made.isDone());
        assertEquals(readEnd, read.transport().getExtraInfo("pipe"));
        CollectingProtocol writer = new CollectingProtocol(0, false);
        Connection<CollectingProtocol> write = runFor(loop.connectWritePipe(() -> writer, writeEnd));
        write.transport().write(data);
        write.transport().close();
        assertArrayEquals(data, runFor(reader.all));
        runFor(reader.eof);
        assertNull("EOF is a clean end", runFor(reader.lost));
        assertNull(runFor(writer.lost));
        assertFalse("the read transport closed its descriptor", stillOpen(readEnd));
        assertFalse("the write transport closed its descriptor", stillOpen(writeEnd));
    }

    /**
     * asyncio's read pipe reports every read error but {@code EIO} to the exception handler ("Fatal read
     * error on pipe transport"), where a socket transport's I/O errors are said in debug mode only: a read
     * pipe on a TCP socket its peer resets is reported (CPython: {@code ConnectionResetError(104, ...)}).
     * Before, the socket's rule was applied and nothing was reported (an outside review).
     */
    @Test
    public void aReadPipeWhoseReadFailsIsReportedToTheExceptionHandler() throws Exception {
        List<Map<String, Object>> reported = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, context) -> reported.add(context));
        dev.loopkit.posix.Sockets sockets = posix.sockets();
        int listener = sockets.open(java.net.StandardProtocolFamily.INET);
        sockets.bind(listener, new java.net.InetSocketAddress("127.0.0.1", 0));
        sockets.listen(listener, 1);
        int reading = remember(sockets.open(java.net.StandardProtocolFamily.INET));
        sockets.connect(reading, sockets.localAddress(listener));
        posix.awaitReadable(new int[] {listener}, 5_000);
        dev.loopkit.posix.Sockets.Accepted peer = sockets.accept(listener);
        posix.close(listener);
        CollectingProtocol reader = new CollectingProtocol(1, false);
        runFor(loop.connectReadPipe(() -> reader, reading));
        sockets.setOption(peer.fd(), java.net.StandardSocketOptions.SO_LINGER, 0);
        posix.close(peer.fd()); // a reset
        Exception lost = runFor(reader.lost);
        assertTrue(String.valueOf(lost), lost instanceof PosixException);
        assertEquals(1, reported.size());
        assertEquals("Fatal read error on pipe transport", reported.get(0).get("message"));
        assertSame(lost, reported.get(0).get("exception"));
    }

    @Test
    public void aWritePipeWhoseReaderClosesIsLostWithBrokenPipe() throws Exception {
        int[] pipe = pipe();
        CollectingProtocol writer = new CollectingProtocol(0, false);
        Connection<CollectingProtocol> write = runFor(loop.connectWritePipe(() -> writer, pipe[1]));
        write.transport().write(new byte[1 << 20]); // more than the pipe holds: the rest is buffered
        assertTrue(write.transport().getWriteBufferSize() > 0);
        posix.close(pipe[0]);
        Exception lost = runFor(writer.lost);
        assertTrue(String.valueOf(lost), lost instanceof IOException);
        assertTrue(lost.getMessage(), lost.getMessage().contains("Broken pipe"));
    }

    /**
     * Writes to a write pipe that is closing are dropped, and from the fifth on each is warned of in
     * asyncio's pipe words (_UnixWritePipeTransport.write), not its socket words, which it said before.
     */
    @Test
    public void writesToAClosedWritePipeAreWarnedOfInAsynciosPipeWords() throws Exception {
        int[] pipe = pipe();
        CollectingProtocol writer = new CollectingProtocol(0, false);
        Connection<CollectingProtocol> write = runFor(loop.connectWritePipe(() -> writer, pipe[1]));
        write.transport().close();
        try (LogCapture log = LogCapture.of("dev.loopkit.loop")) {
            for (int i = 0; i < 6; i++) {
                write.transport().write(new byte[] {1});
            }
            String words = "WARNING pipe closed by peer or os.write(pipe, data) raised exception.";
            assertEquals(List.of(words, words), log.messages());
        }
        runFor(writer.lost);
    }

    @Test
    public void aWritePipeWhoseReaderClosesWithNothingBufferedEndsCleanly() throws Exception {
        int[] pipe = pipe();
        CollectingProtocol writer = new CollectingProtocol(0, false);
        runFor(loop.connectWritePipe(() -> writer, pipe[1]));
        posix.close(pipe[0]);
        assertNull(runFor(writer.lost));
    }

    @Test
    public void closingTheLoopClosesThePipes() throws Exception {
        int[] pipe = pipe();
        runFor(loop.connectReadPipe(() -> new CollectingProtocol(1, false), pipe[0]));
        runFor(loop.connectWritePipe(() -> new CollectingProtocol(1, false), pipe[1]));
        loop.close();
        assertFalse(stillOpen(pipe[0]));
        assertFalse(stillOpen(pipe[1]));
    }

    @Test
    public void whatIsNoPipeIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("plain"), "not a pipe");
        int fd = openNonBlocking(file.toString(), false);
        try {
            assertEquals("Pipe transport is for pipes/sockets only.", assertThrows(IllegalArgumentException.class,
                    () -> loop.connectReadPipe(() -> new CollectingProtocol(1, false), fd)).getMessage());
        } finally {
            posix.close(fd);
        }
        assertEquals("Invalid file descriptor: -1", assertThrows(IllegalArgumentException.class,
                () -> loop.connectWritePipe(() -> new CollectingProtocol(1, false), -1)).getMessage());
    }

    /**
     * asyncio takes a FIFO, a socket or a character device (S_ISFIFO, S_ISSOCK, S_ISCHR of the mode) and
     * refuses the rest, each pipe in its own words. An eventfd is an anonymous inode whose mode has no file
     * type: both were taken (only files and directories were refused), and a write pipe on a file was
     * refused in the read pipe's words (an outside review).
     */
    @Test
    public void onlyPipesSocketsAndCharacterDevicesAreTakenEachPipeRefusingInItsWords() throws Exception {
        String readWords = "Pipe transport is for pipes/sockets only.";
        String writeWords = "Pipe transport is only for pipes, sockets and character devices";
        int eventfd = remember(posix.eventfd());
        int file = openNonBlocking(Files.writeString(dir.resolve("plain"), "x").toString(), true);
        try {
            for (int fd : new int[] {eventfd, file}) {
                assertEquals(readWords, assertThrows(IllegalArgumentException.class,
                        () -> loop.connectReadPipe(PipeContract::noProtocolForARefusedDescriptor, fd)).getMessage());
                assertEquals(writeWords, assertThrows(IllegalArgumentException.class,
                        () -> loop.connectWritePipe(PipeContract::noProtocolForARefusedDescriptor, fd)).getMessage());
                assertTrue("the refused descriptor is left to its owner", stillOpen(fd));
            }
        } finally {
            posix.close(eventfd);
            posix.close(file);
        }
    }

    /**
     * The protocol factory is user code: what it throws (an Error of a failed {@code assert} too) fails
     * the returned stage, as asyncio's {@code connect_read_pipe} coroutine raises it, whichever thread
     * asked, and the descriptor is left to its owner (no transport took it). Before, it was thrown out
     * of the call.
     */
    @Test
    public void aProtocolFactoryThatThrowsFailsTheStageAndLeavesTheDescriptorToItsOwner() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (boolean write : new boolean[] {false, true}) {
            for (Throwable bug : List.of(new IllegalStateException("the factory's bug"), new AssertionError("the factory's bug"))) {
                for (boolean onTheLoop : new boolean[] {false, true}) {
                    int[] pipe = pipe();
                    int fd = write ? pipe[1] : pipe[0];
                    try {
                        Supplier<Protocol> factory = () -> {
                            throw thrown(bug);
                        };
                        Object outcome = askedFrom(onTheLoop, () -> write ? loop.connectWritePipe(factory, fd)
                                : loop.connectReadPipe(factory, fd), 2);
                        String asked = (write ? "connectWritePipe, " : "connectReadPipe, ") + bug.getClass().getSimpleName()
                                + (onTheLoop ? ", asked on the loop" : ", asked from another thread");
                        if (outcome != bug) {
                            wrong.add(asked + ": the stage ended with " + outcome);
                        }
                        if (!stillOpen(fd)) {
                            wrong.add(asked + ": the descriptor was closed");
                        }
                    } finally {
                        posix.close(pipe[0]);
                        posix.close(pipe[1]);
                    }
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    // The descriptor is checked before the factory runs (asyncio calls it first: ASYNCIO-DIFFERENCES).
    private static Protocol noProtocolForARefusedDescriptor() {
        throw new AssertionError("the protocol factory ran for a refused descriptor");
    }

    /**
     * A descriptor a pipe transport of the loop already holds is refused for a second one (asyncio's
     * words for a descriptor a transport uses): the second took the first's reader, so the first never
     * heard of data or EOF, and both would close the descriptor (the second time, maybe another's).
     */
    @Test
    public void aDescriptorAPipeTransportHoldsIsRefusedForASecondOne() throws Exception {
        int[] pipe = pipe();
        CollectingProtocol reader = new CollectingProtocol(1, false);
        Connection<CollectingProtocol> read = runFor(loop.connectReadPipe(() -> reader, pipe[0]));
        for (boolean write : new boolean[] {false, true}) {
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> {
                if (write) {
                    loop.connectWritePipe(() -> new CollectingProtocol(1, false), pipe[0]);
                } else {
                    loop.connectReadPipe(() -> new CollectingProtocol(1, false), pipe[0]);
                }
            });
            assertEquals("File descriptor " + pipe[0] + " is used by transport " + read.transport(), refused.getMessage());
        }
        posix.write(pipe[1], ByteBuffer.wrap(new byte[] {5}));
        posix.close(pipe[1]);
        assertArrayEquals(new byte[] {5}, runFor(reader.all));
        assertNull(runFor(reader.lost));
        assertFalse(stillOpen(pipe[0]));
    }

    /**
     * asyncio's {@code add_reader}, {@code remove_reader} and their writer twins start with
     * {@code _ensure_fd_no_transport}: a descriptor a pipe transport holds is refused ("File
     * descriptor … is used by transport …"). A reader of the user's would replace the transport's,
     * which would never hear of data or EOF again (a hung stream); a removal would take it away.
     */
    @Test
    public void theRawDescriptorOfAPipeTransportIsRefusedToTheUsersReadersAndWriters() throws Exception {
        int[] pipe = pipe();
        CollectingProtocol reader = new CollectingProtocol(1, false);
        Connection<CollectingProtocol> read = runFor(loop.connectReadPipe(() -> reader, pipe[0]));
        Connection<CollectingProtocol> write = runFor(loop.connectWritePipe(() -> new CollectingProtocol(1, false), pipe[1]));
        String readUsed = "File descriptor " + pipe[0] + " is used by transport " + read.transport();
        String writeUsed = "File descriptor " + pipe[1] + " is used by transport " + write.transport();
        assertEquals(readUsed, assertThrows(IllegalStateException.class, () -> loop.addReader(pipe[0], () -> { })).getMessage());
        assertEquals(readUsed, assertThrows(IllegalStateException.class, () -> loop.removeReader(pipe[0])).getMessage());
        assertEquals(readUsed, assertThrows(IllegalStateException.class, () -> loop.addWriter(pipe[0], () -> { })).getMessage());
        assertEquals(writeUsed, assertThrows(IllegalStateException.class, () -> loop.addWriter(pipe[1], () -> { })).getMessage());
        assertEquals(writeUsed, assertThrows(IllegalStateException.class, () -> loop.removeWriter(pipe[1])).getMessage());
        write.transport().write(new byte[] {7});
        write.transport().close();
        assertArrayEquals("the read transport still reads", new byte[] {7}, runFor(reader.all));
        assertNull("and hears of EOF", runFor(reader.lost));
    }

    /**
     * asyncio's write pipe counts a write made after {@code close()} and drops it, and once the buffer
     * drained calls {@code _call_connection_lost(None)} all the same. The count used to pass for the
     * loss itself: the protocol never heard {@code connectionLost} and the descriptor stayed open (a
     * child's stdin is such a pipe).
     */
    @Test
    public void aWriteAfterCloseDoesNotKeepADrainingWritePipeFromBeingLost() throws Exception {
        int[] pipe = pipe();
        int size = 1 << 20;
        CollectingProtocol reader = new CollectingProtocol(size, false);
        runFor(loop.connectReadPipe(() -> reader, pipe[0]));
        CollectingProtocol writer = new CollectingProtocol(1, false);
        Connection<CollectingProtocol> write = runFor(loop.connectWritePipe(() -> writer, pipe[1]));
        write.transport().write(new byte[size]); // more than the pipe takes at once: buffered
        write.transport().close();
        write.transport().write(new byte[] {1}); // counted and dropped
        assertEquals(size, runFor(reader.all).length);
        assertNull("connectionLost(null) once the buffer drained", runFor(writer.lost));
        assertFalse("the write end is closed", stillOpen(pipe[1]));
        assertNull("and the reader hears EOF", runFor(reader.lost));
    }

    /**
     * asyncio's read pipe calls {@code data_received} outside its {@code try}: a protocol that throws
     * is reported by the loop ("Exception in callback ...") and the pipe reads on. It used to be a
     * fatal error that closed the pipe (a child's stdout or stderr), losing what came after.
     */
    @Test
    public void aReadPipeWhoseProtocolThrowsOnceReadsOn() throws Exception {
        List<Map<String, Object>> reported = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, context) -> reported.add(context));
        int[] pipe = pipe();
        IllegalStateException bad = new IllegalStateException("a bad chunk");
        CollectingProtocol reader = new CollectingProtocol(2, false) {
            private boolean thrown;

            @Override
            public void dataReceived(ByteBuffer data) {
                super.dataReceived(data);
                if (!thrown) {
                    thrown = true;
                    throw bad;
                }
            }
        };
        runFor(loop.connectReadPipe(() -> reader, pipe[0]));
        posix.write(pipe[1], ByteBuffer.wrap(new byte[] {1}));
        awaitReported(reported, 1);
        assertSame(bad, reported.get(0).get("exception"));
        assertFalse("the pipe is still open: " + reader.lost.getNow(null), reader.lost.isDone());
        posix.write(pipe[1], ByteBuffer.wrap(new byte[] {2}));
        assertArrayEquals(new byte[] {1, 2}, runFor(reader.all));
        posix.close(pipe[1]);
        assertNull(runFor(reader.lost));
        assertEquals(1, reported.size());
    }

    // Runs the loop until the exception handler got `count` contexts.
    private void awaitReported(List<Map<String, Object>> reported, int count) {
        CompletableFuture<Void> got = new CompletableFuture<>();
        Runnable check = new Runnable() {
            @Override
            public void run() {
                if (reported.size() >= count) {
                    got.complete(null);
                } else {
                    loop.callLater(0.005, this);
                }
            }
        };
        check.run();
        runFor(got);
    }

    /**
     * asyncio's read pipe calls {@code eof_received} in a callback of its own ({@code call_soon}), then
     * {@code _call_connection_lost}: a protocol whose {@code eofReceived} throws is reported, and still
     * hears {@code connectionLost}, and the descriptor is closed.
     */
    @Test
    public void aReadPipeWhoseProtocolThrowsAtEofIsStillLostAndClosed() throws Exception {
        List<Map<String, Object>> reported = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, context) -> reported.add(context));
        int[] pipe = pipe();
        RuntimeException thrown = new IllegalStateException("the protocol's bug");
        CollectingProtocol throwsAtEof = new CollectingProtocol(1, false) {
            @Override
            public boolean eofReceived() {
                super.eofReceived();
                throw thrown;
            }
        };
        runFor(loop.connectReadPipe(() -> throwsAtEof, pipe[0]));
        posix.close(pipe[1]);
        runFor(throwsAtEof.eof);
        assertNull(runFor(throwsAtEof.lost));
        assertFalse("the read transport closed its descriptor", stillOpen(pipe[0]));
        assertEquals(1, reported.size());
        assertSame(thrown, reported.get(0).get("exception"));
    }

    /**
     * A protocol that closes (or aborts) its write pipe from {@code resumeWriting}, once the buffer
     * drained: {@code connectionLost} comes once, and the descriptor is closed.
     */
    @Test
    public void closingOrAbortingFromResumeWritingLosesTheConnectionOnce() throws Exception {
        for (boolean abort : new boolean[] {false, true}) {
            int[] pipe = pipe();
            byte[] data = new byte[1 << 20]; // more than the pipe holds: the writer pauses, then resumes
            CollectingProtocol reader = new CollectingProtocol(data.length, false);
            runFor(loop.connectReadPipe(() -> reader, pipe[0]));
            ClosesOnResume closesOnResume = new ClosesOnResume(abort);
            Transport writer = runFor(loop.connectWritePipe(() -> closesOnResume, pipe[1])).transport();
            writer.setWriteBufferLimits(1, 0); // resumed only once the buffer is empty
            writer.write(data);
            assertEquals(1, closesOnResume.pauses);
            assertArrayEquals(data, runFor(reader.all));
            closesOnResume.assertLostOnce(loop);
            assertFalse(stillOpen(pipe[1]));
            assertNull(runFor(reader.lost));
        }
    }

    @Test
    public void closingFromConnectionMadeDoesNotHang() throws Exception {
        int[] pipe = pipe();
        CollectingProtocol closes = new CollectingProtocol(1, false) {
            @Override
            public void connectionMade(Transport transport) {
                super.connectionMade(transport);
                transport.close();
            }
        };
        runFor(loop.connectReadPipe(() -> closes, pipe[0]));
        assertNull(runFor(closes.lost));
        posix.close(pipe[1]);
        assertFalse(stillOpen(pipe[0]));

        pipe = pipe();
        CollectingProtocol closesWriter = new CollectingProtocol(1, false) {
            @Override
            public void connectionMade(Transport transport) {
                super.connectionMade(transport);
                transport.write("x".getBytes(StandardCharsets.US_ASCII));
                transport.close();
            }
        };
        runFor(loop.connectWritePipe(() -> closesWriter, pipe[1]));
        assertNull(runFor(closesWriter.lost));
        assertFalse(stillOpen(pipe[1]));
        ByteBuffer written = ByteBuffer.allocate(2);
        assertEquals(1, posix.read(pipe[0], written));
        posix.close(pipe[0]);
    }

    /**
     * A write pipe on a character device (/dev/null): asyncio watches the descriptor for the reader's
     * end only for a FIFO or a socket. Before, the loop asked epoll to watch /dev/null, epoll refused
     * (EPERM), and the connect never completed.
     */
    @Test
    public void aWritePipeOnACharacterDeviceConnectsAndTakesWrites() throws Exception {
        int fd = openNonBlocking("/dev/null", true);
        CollectingProtocol writer = new CollectingProtocol(0, false);
        Connection<CollectingProtocol> write = runFor(loop.connectWritePipe(() -> writer, fd));
        write.transport().write(new byte[1024]);
        CompletableFuture<Void> later = new CompletableFuture<>();
        loop.callLater(0.1, () -> later.complete(null));
        runFor(later);
        assertFalse("connectionLost without close()", writer.lost.isDone());
        assertEquals(0, write.transport().getWriteBufferSize());
        write.transport().close();
        assertNull(runFor(writer.lost));
        assertFalse("the transport closed the descriptor", stillOpen(fd));
    }

    /**
     * A read pipe on a device epoll cannot watch (/dev/null): asyncio logs the refusal and leaves a
     * transport that never reads. Here the connect completes and the protocol hears the refusal as its
     * connection's end; before, the connect never completed.
     */
    @Test
    public void aReadPipeOnADeviceTheLoopCannotWatchEndsWithTheReason() throws Exception {
        int fd = openNonBlocking("/dev/null", false);
        CollectingProtocol reader = new CollectingProtocol(1, false);
        loop.setExceptionHandler((l, context) -> { }); // the fatal error is reported: expected here
        runFor(loop.connectReadPipe(() -> reader, fd));
        Exception lost = runFor(reader.lost);
        assertNotNull("connectionLost with the refusal", lost);
        assertTrue(lost.getMessage(), lost.getMessage().contains("Operation not permitted"));
        assertFalse("the transport closed the descriptor", stillOpen(fd));
    }

    /**
     * asyncio's {@code _set_write_buffer_limits}: with only {@code low}, {@code high = 4 * low}. With
     * {@code low} of 2^29 or more that overflowed an int, and the call was refused naming a high the
     * caller never gave.
     */
    @Test
    public void aLargeLowWaterMarkAloneIsTaken() throws Exception {
        int[] pipe = pipe();
        CollectingProtocol writer = new CollectingProtocol(0, false);
        Connection<CollectingProtocol> write = runFor(loop.connectWritePipe(() -> writer, pipe[1]));
        try {
            write.transport().setWriteBufferLimits(-1, 1 << 30);
            assertEquals(new WriteBufferLimits(1 << 30, Integer.MAX_VALUE), write.transport().getWriteBufferLimits());
        } finally {
            write.transport().close();
            runFor(writer.lost);
            posix.close(pipe[0]);
        }
    }

    /**
     * connect_read_pipe with a BufferedProtocol: fed through get_buffer/buffer_updated, as asyncio's
     * proactor read pipe feeds one. Its dataReceived is the interface's empty default, which lost the
     * bytes without a word (an outside review).
     */
    @Test
    public void aBufferedProtocolOnAReadPipeGetsTheBytes() throws Exception {
        int[] pipe = Posix.get().pipe();
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        CompletableFuture<Void> eof = new CompletableFuture<>();
        ByteBuffer into = ByteBuffer.allocate(4); // smaller than what comes: fed in pieces
        dev.loopkit.api.BufferedProtocol buffered = new dev.loopkit.api.BufferedProtocol() {
            @Override
            public ByteBuffer getBuffer(int sizeHint) {
                return into.clear();
            }

            @Override
            public void bufferUpdated(int nbytes) {
                got.write(into.array(), 0, nbytes);
            }

            @Override
            public boolean eofReceived() {
                eof.complete(null);
                return false;
            }
        };
        runFor(loop.connectReadPipe(() -> buffered, pipe[0]));
        Posix.get().write(pipe[1], ByteBuffer.wrap("hello pipe".getBytes(StandardCharsets.US_ASCII)));
        Posix.get().close(pipe[1]);
        runFor(eof);
        assertEquals("hello pipe", got.toString(StandardCharsets.US_ASCII));
    }
}
