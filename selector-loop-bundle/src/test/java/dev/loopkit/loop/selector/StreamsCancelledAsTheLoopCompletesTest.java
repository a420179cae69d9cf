package dev.loopkit.loop.selector;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static dev.loopkit.loop.selector.CancelledAsTheyCompleteLoop.arm;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.LoopTestSupport;
import dev.loopkit.streams.StreamReader;
import dev.loopkit.streams.StreamReaderProtocol;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.junit.Test;

/**
 * A stream's future cancelled on another thread in the moment the loop completes it.
 *
 * <p>A waiting read cancelled on another thread (a {@code CompletionStage.orTimeout}, a {@code cancel}
 * from elsewhere) in the moment the loop finds its data: the reader looked at the future, found it
 * waiting, took the bytes, and then could not complete it. The bytes were gone, and the refusal
 * escaped {@code feedData}, which a socket's transport reports as "Fatal error:
 * protocol.data_received() call failed." before closing the connection (an outside review's probe:
 * 10 of 20,000 timed-out reads). asyncio takes the bytes only once the waiting coroutine resumes, so
 * a cancelled read leaves them for the next.
 *
 * <p>A {@code drain()} cancelled so as writing resumes: the refusal escaped {@code resumeWriting}
 * and the drains after it in the list were never completed, their writers waiting for good (1 in
 * 20,000 in the review's probe). So did one of {@code waitClosed()} as the connection was lost.
 */
public class StreamsCancelledAsTheLoopCompletesTest extends LoopTestSupport {

    @Override
    protected BaseEventLoop newLoop() {
        return new CancelledAsTheyCompleteLoop();
    }

    @Test
    public void aCancelledReadLeavesTheBytesForTheNext() {
        cancelledAsDataArrives(reader -> reader.read(100));
    }

    @Test
    public void aCancelledReadexactlyLeavesTheBytesForTheNext() {
        cancelledAsDataArrives(reader -> reader.readexactly(6));
    }

    @Test
    public void aCancelledReaduntilLeavesTheBytesForTheNext() {
        cancelledAsDataArrives(reader -> reader.readuntil("\n".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    public void aCancelledReadlineLeavesTheBytesForTheNext() {
        cancelledAsDataArrives(StreamReader::readline);
    }

    @Test
    public void aDrainCancelledAsWritingResumesLeavesTheOthersWoken() {
        StreamReaderProtocol protocol = new StreamReaderProtocol(loop, new StreamReader(loop), null);
        protocol.pauseWriting();
        LoopFuture<Void> cancelled = protocol.drainHelper();
        LoopFuture<Void> other = protocol.drainHelper();
        arm(cancelled);
        protocol.resumeWriting();
        assertTrue(cancelled.isCancelled());
        assertTrue("the drain after the cancelled one is still waiting", other.isDone());
        assertNull(runFor(other));
    }

    @Test
    public void aDrainCancelledAsTheConnectionIsLostLeavesTheOthersFailed() {
        StreamReaderProtocol protocol = new StreamReaderProtocol(loop, new StreamReader(loop), null);
        protocol.pauseWriting();
        LoopFuture<Void> cancelled = protocol.drainHelper();
        LoopFuture<Void> other = protocol.drainHelper();
        arm(cancelled);
        protocol.connectionLost(null);
        assertTrue(cancelled.isCancelled());
        assertTrue("the drain after the cancelled one is still waiting", other.isDone());
        assertEquals("Connection lost", other.exception().getMessage());
    }

    /** {@code waitClosed()} hands out the protocol's own future: its refusal stopped the drains' failure. */
    @Test
    public void aWaitClosedCancelledAsTheConnectionIsLostLeavesTheDrainsFailed() {
        StreamReaderProtocol protocol = new StreamReaderProtocol(loop, new StreamReader(loop), null);
        protocol.pauseWriting();
        LoopFuture<Void> drain = protocol.drainHelper();
        arm(protocol.closed());
        protocol.connectionLost(null);
        assertTrue(protocol.closed().isCancelled());
        assertTrue("the drain is still waiting", drain.isDone());
        assertEquals("Connection lost", drain.exception().getMessage());
    }

    /**
     * A transport of one's own that delivers more data from within {@code resumeReading()} (asyncio's
     * {@code feed_data} is public; so is setting a transport): the waiting read took the bytes, resumed
     * the transport, and the bytes delivered then ran the same waiting read again inside the first. It
     * got the later bytes, and the first bytes were put back after them: read out of order.
     */
    @Test
    public void bytesDeliveredInlineAsAWaitingReadResumesTheTransportComeAfterIt() {
        StreamReader reader = pausedReaderThatDeliversOnResume("world\n");
        LoopFuture<byte[]> waiting = reader.read(100);
        reader.feedData(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.US_ASCII))); // over 2 × limit: paused
        assertEquals("hello\n", new String(runFor(waiting), StandardCharsets.US_ASCII));
        assertEquals("world\n", new String(runFor(reader.read(100)), StandardCharsets.US_ASCII));
    }

    /** The same, the read cancelled as it completes: the bytes put back lost those delivered meanwhile. */
    @Test
    public void aCancelledReadWhoseResumeDeliveredInlineLeavesAllTheBytesInOrder() {
        StreamReader reader = pausedReaderThatDeliversOnResume("world\n");
        LoopFuture<byte[]> waiting = reader.read(100);
        arm(waiting);
        reader.feedData(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(waiting.isCancelled());
        assertEquals("hello\n", new String(runFor(reader.read(100)), StandardCharsets.US_ASCII));
        assertEquals("world\n", new String(runFor(reader.read(100)), StandardCharsets.US_ASCII));
    }

    // A reader with a limit of 2 (paused over 4 bytes) on a transport that feeds `later` once, from its resumeReading.
    private StreamReader pausedReaderThatDeliversOnResume(String later) {
        StreamReader reader = new StreamReader(loop, 2);
        reader.setTransport(new ReadTransportStub() {
            private boolean delivered;

            @Override
            protected void onResume() {
                if (!delivered) {
                    delivered = true;
                    reader.feedData(ByteBuffer.wrap(later.getBytes(StandardCharsets.US_ASCII)));
                }
            }
        });
        return reader;
    }

    private void cancelledAsDataArrives(Function<StreamReader, LoopFuture<byte[]>> read) {
        StreamReader reader = new StreamReader(loop);
        LoopFuture<byte[]> waiting = read.apply(reader);
        arm(waiting);
        reader.feedData(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(waiting.isCancelled());
        assertEquals("hello\n", new String(runFor(read.apply(reader)), StandardCharsets.US_ASCII));
    }
}
