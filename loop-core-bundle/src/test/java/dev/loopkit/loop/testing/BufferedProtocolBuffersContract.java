package dev.loopkit.loop.testing;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.BufferedProtocol;
import dev.loopkit.api.Server;
import dev.loopkit.api.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import org.junit.Test;

/**
 * The buffers a {@link BufferedProtocol} gives its transport, of every kind a Java user has: the bytes
 * read land in {@code [position, position + n)} and nowhere else, as asyncio's {@code recv_into} writes
 * them, and a buffer the transport cannot write is a fatal error, reported once. An outside review's
 * cases, each of which failed (on the loops named) before its fix. Run by a subclass per loop.
 */
public abstract class BufferedProtocolBuffersContract extends TransportBadLuckSupport {

    /** A server-side protocol that reads into the buffers {@code next} gives, and checks nothing else of them changed. */
    private static final class IntoGiven implements BufferedProtocol {
        final IntFunction<ByteBuffer> next;
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        final CompletableFuture<Exception> lost = new CompletableFuture<>();
        final List<String> wrong = new ArrayList<>();
        ByteBuffer given;
        int positionGiven;
        byte[] givenBefore;

        IntoGiven(IntFunction<ByteBuffer> next) {
            this.next = next;
        }

        @Override
        public void connectionMade(Transport transport) {
        }

        @Override
        public ByteBuffer getBuffer(int sizeHint) {
            given = next.apply(sizeHint);
            positionGiven = given.position();
            givenBefore = new byte[given.capacity()];
            given.duplicate().clear().get(givenBefore);
            return given;
        }

        @Override
        public void bufferUpdated(int nbytes) {
            byte[] now = new byte[givenBefore.length];
            given.duplicate().clear().get(now);
            got.write(now, positionGiven, nbytes);
            for (int i = 0; i < now.length; i++) {
                if ((i < positionGiven || i >= positionGiven + nbytes) && now[i] != givenBefore[i]) {
                    wrong.add("byte " + i + " outside [" + positionGiven + ", " + (positionGiven + nbytes) + ") of "
                            + given + " changed from " + givenBefore[i] + " to " + now[i]);
                    break;
                }
            }
        }

        @Override
        public void connectionLost(Exception exc) {
            lost.complete(exc);
        }
    }

    private void receivesExactly(IntFunction<ByteBuffer> next) throws Exception {
        IntoGiven protocol = new IntoGiven(next);
        Server server = runFor(loop.createServer(() -> protocol, LOCALHOST, 0));
        byte[] sent = new byte[300_000];
        new Random(42).nextBytes(sent);
        Thread peer = new Thread(() -> {
            try (Socket socket = new Socket(LOCALHOST, port(server)); OutputStream out = socket.getOutputStream()) {
                out.write(sent);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        peer.start();
        Object lost = outcome(protocol.lost, 15);
        server.close();
        peer.join();
        assertEquals("a clean end", null, lost);
        assertArrayEquals(sent, protocol.got.toByteArray());
        assertEquals(List.of(), protocol.wrong);
    }

    /**
     * A heap slice with a position: the epoll loop's read (jnr-ffi, through a native copy of the whole
     * {@code [position, limit)}) wrote past the bytes it read.
     */
    @Test
    public void aHeapSliceWithAPositionGetsTheBytesReadAndNothingElse() throws Exception {
        receivesExactly(hint -> {
            byte[] array = new byte[5000];
            Arrays.fill(array, (byte) '#');
            return ByteBuffer.wrap(array).position(17).slice().position(31).limit(1000);
        });
    }

    /**
     * asyncio: {@code recv_into} a read-only buffer raises {@code TypeError}, and the connection is lost
     * with it, reported once. The selector and epoll loops reported the failed read tens of thousands
     * of times a second and never lost the connection; the proactor reported it once and stopped reading.
     */
    private void aReadOnlyBufferIsAFatalError(ByteBuffer readOnly) throws Exception {
        recordReports();
        IntoGiven protocol = new IntoGiven(hint -> readOnly);
        Server server = runFor(loop.createServer(() -> protocol, LOCALHOST, 0));
        try (Socket socket = new Socket(LOCALHOST, port(server))) {
            socket.getOutputStream().write(new byte[10]);
            Object lost = outcome(protocol.lost, 3);
            List<String> messages = reportedMessages();
            String seen = messages.size() + " reports, the first " + messages.subList(0, Math.min(2, messages.size()));
            assertTrue("connectionLost: " + lost + "; " + seen, lost instanceof Exception);
            assertEquals(seen, 1, messages.size());
        } finally {
            server.close();
        }
    }

    @Test
    public void aReadOnlyHeapBufferIsAFatalError() throws Exception {
        aReadOnlyBufferIsAFatalError(ByteBuffer.allocate(100).asReadOnlyBuffer());
    }

    @Test
    public void aReadOnlyDirectBufferIsAFatalError() throws Exception {
        aReadOnlyBufferIsAFatalError(ByteBuffer.allocateDirect(100).asReadOnlyBuffer());
    }
}
