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
}
