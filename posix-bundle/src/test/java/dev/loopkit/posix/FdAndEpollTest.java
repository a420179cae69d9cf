package dev.loopkit.posix;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.Test;

/** Pipes, non-blocking reads and writes, eventfd, and their readiness through epoll. */
public class FdAndEpollTest extends PosixTestSupport {

    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;

    @Test
    public void pipeEndsAreCloseOnExec() throws PosixException, IOException {
        int[] pipe = posix.pipe();
        try {
            assertTrue((openFlags(pipe[0]) & O_CLOEXEC) != 0);
            assertTrue((openFlags(pipe[1]) & O_CLOEXEC) != 0);
        } finally {
            posix.close(pipe[0]);
            posix.close(pipe[1]);
        }
    }

    /**
     * read(2) writes the bytes it returns and nothing else of the buffer, as the JDK's channels and
     * Python's recv_into do. jnr-ffi passes a heap buffer through a native copy of its whole
     * [position, limit) and copies all of it back: the bytes after those read were overwritten with what
     * that copy held (an outside review, through a BufferedProtocol's buffer on the epoll loop).
     */
    @Test
    public void aReadIntoAHeapBufferWritesOnlyTheBytesRead() throws PosixException {
        int[] pipe = posix.pipe();
        try {
            byte[] array = new byte[5000];
            java.util.Arrays.fill(array, (byte) '#');
            ByteBuffer heap = ByteBuffer.wrap(array).position(17).slice().position(31).limit(1000);
            assertEquals(5, posix.write(pipe[1], ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII))));
            assertEquals(5, posix.read(pipe[0], heap));
            assertEquals(36, heap.position());
            assertEquals("hello", new String(array, 17 + 31, 5, StandardCharsets.US_ASCII));
            for (int i = 0; i < array.length; i++) {
                if (i < 48 || i >= 53) {
                    assertEquals("byte " + i + " of the array, not read into", '#', array[i]);
                }
            }
        } finally {
            posix.close(pipe[0]);
            posix.close(pipe[1]);
        }
    }

    @Test
    public void readAndWriteAdvanceDirectAndHeapBuffers() throws PosixException {
        int[] pipe = posix.pipe();
        try {
            ByteBuffer heap = ByteBuffer.wrap("xxhello".getBytes(StandardCharsets.US_ASCII));
            heap.position(2);
            assertEquals(5, posix.write(pipe[1], heap));
            assertEquals(7, heap.position());
            ByteBuffer readOnly = ByteBuffer.wrap(" world".getBytes(StandardCharsets.US_ASCII)).asReadOnlyBuffer();
            assertEquals(6, posix.write(pipe[1], readOnly));
            assertFalse(readOnly.hasRemaining());

            ByteBuffer direct = ByteBuffer.allocateDirect(16);
            direct.position(1).limit(6);
            assertEquals(5, posix.read(pipe[0], direct));
            assertEquals(6, direct.position());
            ByteBuffer heapIn = ByteBuffer.allocate(32);
            heapIn.position(3);
            assertEquals(6, posix.read(pipe[0], heapIn));
            assertEquals(9, heapIn.position());

            direct.flip().position(1);
            assertEquals("hello", StandardCharsets.US_ASCII.decode(direct).toString());
            heapIn.flip().position(3);
            assertEquals(" world", StandardCharsets.US_ASCII.decode(heapIn).toString());
        } finally {
            posix.close(pipe[0]);
            posix.close(pipe[1]);
        }
    }

    /**
     * jnr-ffi passes a heap buffer through a native copy of its whole [position, limit) at every call,
     * whatever the descriptor takes: a 64 MiB write drained through a pipe 64 KiB at a time copied its rest
     * again at each of ~1,000 calls (10 to 13 s through a loop's write pipe; asyncio 0.08 s). A heap
     * buffer is offered {@link Posix#HEAP_WRITE_AT_MOST} bytes a call, which a regular file takes whole.
     */
    @Test
    public void aHeapBufferIsOfferedAtMostAQuarterMebibyteACall() throws Exception {
        Path file = Files.createTempFile("heap-write", ".bin");
        int fd = posix.openNonBlocking(file.toString(), true);
        try {
            byte[] content = new byte[4 << 20];
            new java.util.Random(4).nextBytes(content);
            ByteBuffer heap = ByteBuffer.wrap(content);
            int calls = 0;
            while (heap.hasRemaining()) {
                int written = posix.write(fd, heap);
                assertTrue("one call wrote " + written, written > 0 && written <= Posix.HEAP_WRITE_AT_MOST);
                calls++;
            }
            assertEquals(content.length / Posix.HEAP_WRITE_AT_MOST, calls);
            assertTrue(java.util.Arrays.equals(content, Files.readAllBytes(file)));
        } finally {
            posix.close(fd);
            Files.delete(file);
        }
    }

    @Test
    public void nonBlockingReadsAndWritesSayWouldBlockWithMinusOne() throws PosixException, IOException {
        int[] pipe = posix.pipe();
        try {
            posix.setNonBlocking(pipe[0], true);
            posix.setNonBlocking(pipe[1], true);
            assertTrue((openFlags(pipe[0]) & O_NONBLOCK) != 0);
            assertEquals(-1, posix.read(pipe[0], ByteBuffer.allocate(8)));

            ByteBuffer chunk = ByteBuffer.allocateDirect(65536);
            long written = 0;
            int count;
            while ((count = posix.write(pipe[1], chunk.clear())) > 0) {
                written += count;
            }
            assertEquals(-1, count);
            assertTrue(written >= 4096);

            posix.setNonBlocking(pipe[0], false);
            assertEquals(0, openFlags(pipe[0]) & O_NONBLOCK);
        } finally {
            posix.close(pipe[0]);
            posix.close(pipe[1]);
        }
    }

    @Test
    public void readAtEndOfFileIsZero() throws PosixException {
        int[] pipe = posix.pipe();
        posix.close(pipe[1]);
        try {
            assertEquals(0, posix.read(pipe[0], ByteBuffer.allocate(8)));
        } finally {
            posix.close(pipe[0]);
        }
    }

    @Test
    public void closeOfAClosedFdIsEbadf() throws PosixException {
        int[] pipe = posix.pipe();
        posix.close(pipe[1]);
        assertTrue(posix.isOpen(pipe[0]));
        posix.close(pipe[0]);
        assertFalse(posix.isOpen(pipe[0]));
        try {
            posix.close(pipe[0]);
            fail("closed twice");
        } catch (PosixException e) {
            assertErrno("EBADF", e);
            assertEquals("Bad file descriptor (close " + pipe[0] + ")", e.getMessage());
        }
    }

    @Test
    public void eventfdCountsUntilRead() throws PosixException, IOException {
        int fd = posix.eventfd();
        try {
            assertTrue((openFlags(fd) & O_CLOEXEC) != 0);
            assertEquals(0, posix.eventfdRead(fd));
            posix.eventfdWrite(fd, 3);
            posix.eventfdWrite(fd, 4);
            assertEquals(7, posix.eventfdRead(fd));
            assertEquals(0, posix.eventfdRead(fd));
        } finally {
            posix.close(fd);
        }
    }

    @Test
    public void epollReportsEventfdAndPipeReadiness() throws PosixException {
        int eventfd = posix.eventfd();
        int[] pipe = posix.pipe();
        try (Epoll epoll = posix.epoll(8)) {
            epoll.add(eventfd, Epoll.IN);
            epoll.add(pipe[0], Epoll.IN);
            assertEquals(0, epoll.await(0));

            posix.eventfdWrite(eventfd, 1);
            assertEquals(1, epoll.await(1000));
            assertEquals(Map.of(eventfd, Epoll.IN), ready(epoll, 1));

            writeFully(pipe[1], "x");
            assertEquals(2, epoll.await(1000));
            assertEquals(Map.of(eventfd, Epoll.IN, pipe[0], Epoll.IN), ready(epoll, 2));

            posix.eventfdRead(eventfd);
            epoll.delete(pipe[0]);
            assertEquals(0, epoll.await(0));

            epoll.add(pipe[1], Epoll.OUT);
            assertEquals(1, epoll.await(0));
            assertEquals(Map.of(pipe[1], Epoll.OUT), ready(epoll, 1));
            epoll.modify(pipe[1], Epoll.IN);
            assertEquals(0, epoll.await(0));

            posix.close(pipe[0]); // the write end's reader is gone
            pipe[0] = -1;
            epoll.modify(pipe[1], Epoll.OUT);
            assertEquals(1, epoll.await(0));
            assertEquals(Epoll.OUT | Epoll.ERR, epoll.readyEvents(0));
        } finally {
            posix.close(eventfd);
            if (pipe[0] >= 0) {
                posix.close(pipe[0]);
            }
            posix.close(pipe[1]);
        }
    }

    @Test
    public void epollSeesRegistrationsMadeWhileAnotherThreadWaits() throws Exception {
        int eventfd = posix.eventfd();
        try (Epoll epoll = posix.epoll(1)) {
            AtomicReference<Object> awaited = new AtomicReference<>();
            Thread waiter = new Thread(() -> {
                try {
                    awaited.set(epoll.await(10_000));
                } catch (PosixException | RuntimeException e) {
                    awaited.set(e);
                }
            });
            posix.eventfdWrite(eventfd, 1);
            waiter.start();
            // the waiter may be inside epoll_wait or not yet: either way the registration wakes it
            epoll.add(eventfd, Epoll.IN);
            waiter.join(10_000);
            assertFalse("waiter still waiting", waiter.isAlive());
            assertEquals(1, awaited.get());
            assertEquals(eventfd, epoll.readyFd(0));
        } finally {
            posix.close(eventfd);
        }
    }

    @Test
    public void epollErrorsCarryErrno() throws PosixException {
        try (Epoll epoll = posix.epoll(1)) {
            try {
                epoll.delete(12345);
                fail("deleted an fd that is not there");
            } catch (PosixException e) {
                assertErrno("EBADF", e);
            }
            try {
                epoll.readyFd(0);
                fail("read an entry that is not there");
            } catch (IndexOutOfBoundsException expected) {
                // nothing is ready before an await
            }
        }
    }

    @Test
    public void epollCloseIsIdempotentAndClosesItsFd() throws PosixException {
        Epoll epoll = posix.epoll(4);
        int fd = epoll.fd();
        assertTrue(posix.isOpen(fd));
        epoll.close();
        assertFalse(posix.isOpen(fd));
        assertTrue(epoll.isClosed());
        epoll.close();
        try {
            epoll.await(0);
            fail("awaited on a closed epoll");
        } catch (IllegalStateException e) {
            assertEquals("I/O operation on closed epoll object", e.getMessage());
        }
    }

    @Test
    public void theEventLayoutIsTheKernels() {
        // x86 packs struct epoll_event; others align the 64-bit data
        EpollEventLayout x86 = EpollEventLayout.forCpu(jnr.ffi.Platform.CPU.X86_64);
        assertEquals(12, x86.size);
        assertEquals(4, x86.dataOffset);
        EpollEventLayout arm = EpollEventLayout.forCpu(jnr.ffi.Platform.CPU.AARCH64);
        assertEquals(16, arm.size);
        assertEquals(8, arm.dataOffset);
        assertEquals(3, x86.event(Epoll.IN, 9, 5).length);
        assertEquals(9, x86.event(Epoll.IN, 9, 5)[1]);
        assertEquals(5, x86.event(Epoll.IN, 9, 5)[2]);
        assertEquals(9, arm.event(Epoll.IN, 9, 5)[2]);
        assertEquals(5, arm.event(Epoll.IN, 9, 5)[3]);
    }

    /** A tag given with a descriptor comes back with its events: which registration of the number they are for. */
    @Test
    public void anEventCarriesTheTagItsDescriptorWasAddedWith() throws Exception {
        int eventfd = posix.eventfd();
        try (Epoll epoll = posix.epoll(4)) {
            epoll.add(eventfd, Epoll.IN, 41);
            posix.eventfdWrite(eventfd, 1);
            assertEquals(1, epoll.await(1000));
            assertEquals(eventfd, epoll.readyFd(0));
            assertEquals(41, epoll.readyTag(0));
            epoll.modify(eventfd, Epoll.IN, 42);
            assertEquals(1, epoll.await(1000));
            assertEquals(42, epoll.readyTag(0));
        } finally {
            posix.close(eventfd);
        }
    }

    private static Map<Integer, Integer> ready(Epoll epoll, int count) {
        Map<Integer, Integer> ready = new HashMap<>();
        for (int i = 0; i < count; i++) {
            ready.put(epoll.readyFd(i), epoll.readyEvents(i));
        }
        return ready;
    }

    /** The open file flags of {@code fd}, from /proc/self/fdinfo (octal). */
    private static int openFlags(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring("flags:".length()).trim(), 8);
            }
        }
        throw new AssertionError("no flags for fd " + fd);
    }

    @Test
    public void awaitReadableReturnsTheReadyDescriptorOrTimesOut() throws Exception {
        int[] pipe = posix.pipe();
        int eventfd = posix.eventfd();
        try {
            assertEquals(-1, posix.awaitReadable(new int[] {pipe[0], eventfd}, 10));
            posix.eventfdWrite(eventfd, 1);
            assertEquals(1, posix.awaitReadable(new int[] {pipe[0], eventfd}, -1));
            posix.close(pipe[1]);
            pipe[1] = -1;
            assertEquals("a hung-up pipe counts as readable", 0, posix.awaitReadable(new int[] {pipe[0]}, -1));
        } finally {
            posix.close(pipe[0]);
            if (pipe[1] >= 0) {
                posix.close(pipe[1]);
            }
            posix.close(eventfd);
        }
    }
}
