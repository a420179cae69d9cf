package dev.loopkit.loop.selector;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.streams.StreamReader;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.LoopTestSupport;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.Test;

/** {@link StreamReader} fed directly, as asyncio's {@code test_streams} feeds it. */
public class StreamReaderTest extends LoopTestSupport {

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop();
    }

    private static void feed(StreamReader reader, String data) {
        reader.feedData(ByteBuffer.wrap(data.getBytes(StandardCharsets.US_ASCII)));
    }

    private String text(LoopFuture<byte[]> read) {
        return new String(runFor(read), StandardCharsets.US_ASCII);
    }

    /**
     * asyncio's readline drops an over-long line in the call that finds it: what arrives afterwards
     * (here in the same loop iteration, before the read's continuation could run) is the next line.
     */
    @Test
    public void anOverlongLineIsDroppedAtOnceNotWhenDataArrivedMeanwhile() {
        StreamReader reader = new StreamReader(loop, 4);
        feed(reader, "aaaaaaaaaa");
        LoopFuture<byte[]> overlong = reader.readline();
        feed(reader, "\nxyz\n");
        IllegalArgumentException failed = assertThrows(IllegalArgumentException.class, () -> runFor(overlong));
        assertEquals("Separator is not found, and chunk exceed the limit", failed.getMessage());
        assertEquals("\n", text(reader.readline()));
        assertEquals("xyz\n", text(reader.readline()));
    }

    /**
     * Its text says what asyncio's repr says, in its order: the byte count only when there are bytes, the
     * waiter only while a read waits (an outside review, porting CPython's test___repr__ cases).
     */
    @Test
    public void itsTextIsAsynciosRepr() {
        StreamReader reader = new StreamReader(loop);
        assertEquals("<StreamReader>", reader.toString());
        assertEquals("<StreamReader limit=123>", new StreamReader(loop, 123).toString());
        feed(reader, "data");
        reader.feedEof();
        assertEquals("<StreamReader 4 bytes eof>", reader.toString());
        StreamReader waiting = new StreamReader(loop);
        LoopFuture<byte[]> read = waiting.read(1);
        assertEquals("<StreamReader waiter=" + read + ">", waiting.toString());
        read.cancel(false);
        assertEquals("<StreamReader>", waiting.toString());
        IllegalStateException failure = new IllegalStateException("boom");
        waiting.setException(failure);
        assertEquals("<StreamReader exception=" + failure + ">", waiting.toString());
    }

    /** asyncio: a line over the limit whose newline is buffered is dropped with its newline. */
    @Test
    public void anOverlongLineWithItsNewlineIsDroppedWithIt() {
        StreamReader reader = new StreamReader(loop, 4);
        feed(reader, "aaaaaaa\nbc\n");
        IllegalArgumentException failed = assertThrows(IllegalArgumentException.class, () -> runFor(reader.readline()));
        assertEquals("Separator is found, but chunk is longer than limit", failed.getMessage());
        assertEquals("bc\n", text(reader.readline()));
        reader.feedEof();
        assertEquals("", text(reader.readline()));
    }

    /**
     * asyncio raises "called while another coroutine is already waiting" only from {@code _wait_for_data}:
     * a read that the buffer satisfies returns at once while another waits. Before, it was refused.
     */
    @Test
    public void aReadTheBufferSatisfiesWhileAnotherWaitsReturnsTheData() {
        StreamReader reader = new StreamReader(loop);
        feed(reader, "hello\n");
        LoopFuture<byte[]> exactly = reader.readexactly(10); // 6 of 10 bytes: it waits
        assertEquals("hel", text(reader.read(3)));
        assertEquals("", text(reader.readexactly(0)));
        assertEquals("lo\n", text(reader.readline()));
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> reader.read(1));
        assertEquals("read() called while another coroutine is already waiting for incoming data", refused.getMessage());
        feed(reader, "0123456789");
        assertEquals("0123456789", text(exactly));
    }

    /** read(-1) would take the buffer and then wait: refused at once, taking nothing (asyncio's would lose what it took). */
    @Test
    public void readToTheEndWhileAnotherWaitsIsRefusedAndTakesNothing() {
        StreamReader reader = new StreamReader(loop);
        feed(reader, "abc");
        LoopFuture<byte[]> exactly = reader.readexactly(5);
        assertThrows(IllegalStateException.class, () -> reader.read(-1));
        feed(reader, "de");
        assertEquals("abcde", text(exactly));
    }

    /**
     * asyncio pauses the transport when the buffer exceeds twice the limit. With a limit of 2^30 or
     * more, {@code 2 * limit} overflowed an int, and every chunk paused reading.
     */
    @Test
    public void aLimitOfAGibibyteDoesNotPauseReadingOnEveryChunk() {
        StreamReader reader = new StreamReader(loop, 1 << 30);
        ReadTransportStub transport = new ReadTransportStub();
        reader.setTransport(transport);
        feed(reader, "0123456789");
        assertEquals(java.util.List.of(), transport.calls);
    }
}
