package dev.loopkit.loop.core.transports;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import dev.loopkit.loop.core.WriteChunks;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.Arrays;
import java.util.Random;
import javax.management.ObjectName;
import org.junit.Test;

/**
 * The write buffer keeps one copy of what the caller wrote, in the loop's reused chunks: every byte
 * comes out once and in order, the caller may reuse its buffer, chunks in flight are never written
 * into, and a steady stream of buffered writes allocates nothing.
 */
public class WriteBufferTest {

    private final WriteChunks pool = new WriteChunks();
    private final WriteBuffer buffer = new WriteBuffer(pool);

    /** A channel that takes at most {@code budget} bytes per write and keeps them, or drops them. */
    private static class Sink implements GatheringByteChannel {
        final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        final Random random;
        final int budget;
        final boolean keep;

        Sink(long seed, int budget, boolean keep) {
            this.random = new Random(seed);
            this.budget = budget;
            this.keep = keep;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            int allowed = budget == Integer.MAX_VALUE ? budget : 1 + random.nextInt(budget);
            long taken = 0;
            for (int i = offset; i < offset + length && allowed > 0; i++) {
                int n = Math.min(allowed, srcs[i].remaining());
                if (keep) {
                    byte[] bytes = new byte[n];
                    srcs[i].get(bytes);
                    kept.writeBytes(bytes);
                } else {
                    srcs[i].position(srcs[i].position() + n);
                }
                allowed -= n;
                taken += n;
            }
            return taken;
        }

        @Override
        public long write(ByteBuffer[] srcs) {
            return write(srcs, 0, srcs.length);
        }

        private final ByteBuffer[] one = new ByteBuffer[1];

        @Override
        public int write(ByteBuffer src) {
            one[0] = src;
            return (int) write(one, 0, 1);
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    @Test
    public void everyByteComesOutOnceAndInOrderWhateverTheSizesAndPartialWrites() throws Exception {
        Random random = new Random(3);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        Sink sink = new Sink(5, 40_000, true);
        ByteBuffer reused = ByteBuffer.allocate(100_000);
        for (int round = 0; round < 2_000; round++) {
            // mostly small writes, some larger than a chunk, interleaved with partial drains
            int length = random.nextInt(10) == 0 ? WriteChunks.CHUNK_SIZE + random.nextInt(60_000) : 1 + random.nextInt(3_000);
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            expected.writeBytes(bytes);
            reused.clear().put(bytes).flip();
            buffer.add(reused);
            assertEquals(0, reused.remaining());
            reused.clear().put(new byte[length]); // the caller reuses its buffer at once: the copy must not change
            if (random.nextBoolean()) {
                buffer.writeTo(sink);
            }
        }
        while (!buffer.isEmpty()) {
            buffer.writeTo(sink);
        }
        assertArrayEquals(expected.toByteArray(), sink.kept.toByteArray());
        assertEquals(0, buffer.size());
        assertTrue("written chunks went back to the pool", pool.idle() > 0);
    }

    /**
     * A channel copies a heap buffer's remaining bytes at every write, whatever it takes (the JDK into a
     * temporary direct buffer it keeps for the thread, jnr-ffi into native memory): a 64 MiB write kept
     * whole and drained 64 KiB at a time copied its rest again at each of ~1,000 writes. Kept in
     * pieces, a write offers a channel at most {@link WriteBuffer#GATHER_BYTES_AT_MOST} bytes at a time.
     */
    @Test
    public void aLargeWriteIsKeptInPiecesAndOfferedAMebibyteAtATime() throws Exception {
        byte[] bytes = new byte[5 << 20];
        new Random(6).nextBytes(bytes);
        buffer.add(ByteBuffer.wrap(bytes));
        long[] offeredAtMost = {0};
        Sink sink = new Sink(7, 100_000, true) {
            @Override
            public long write(ByteBuffer[] srcs, int offset, int length) {
                long offered = 0;
                for (int i = offset; i < offset + length; i++) {
                    offered += srcs[i].remaining();
                }
                offeredAtMost[0] = Math.max(offeredAtMost[0], offered);
                return super.write(srcs, offset, length);
            }
        };
        while (!buffer.isEmpty()) {
            buffer.writeTo(sink);
        }
        assertArrayEquals(bytes, sink.kept.toByteArray());
        assertTrue("one write was offered " + offeredAtMost[0] + " bytes",
                offeredAtMost[0] <= WriteBuffer.GATHER_BYTES_AT_MOST);
    }

    @Test
    public void smallWritesShareAChunk() throws Exception {
        for (int i = 0; i < 100; i++) {
            buffer.add(ByteBuffer.wrap(new byte[100]));
        }
        assertEquals(10_000, buffer.size());
        assertEquals("WriteBuffer[10000 bytes in 1 chunks]", buffer.toString());
    }

    @Test
    public void aChunkInFlightIsNotWrittenIntoAndAClearedOneIsNotReused() {
        buffer.add(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        ByteBuffer[] batch = new ByteBuffer[4];
        assertEquals(1, buffer.gather(batch));
        ByteBuffer inFlight = batch[0];
        buffer.add(ByteBuffer.wrap(new byte[] {4, 5}));
        assertEquals("the in-flight chunk's bytes are as gathered", 3, inFlight.remaining());
        assertEquals(5, buffer.size());

        inFlight.position(inFlight.limit()); // the write completes with all three bytes
        buffer.consumed(3);
        assertEquals(2, buffer.size());
        assertEquals(1, buffer.gather(batch));
        assertEquals(ByteBuffer.wrap(new byte[] {4, 5}), batch[0]);
        ByteBuffer abandoned = batch[0];

        buffer.clear(); // abort while that write is in flight
        buffer.add(ByteBuffer.wrap(new byte[] {6}));
        assertEquals(1, buffer.gather(batch));
        assertNotSame("a chunk NIO.2 may still read is not handed out again", abandoned, batch[0]);
        assertEquals(ByteBuffer.wrap(new byte[] {4, 5}), abandoned);
        assertSame("a chunk that was written is reused", inFlight, batch[0]);
    }

    @Test
    public void bufferedWritesAllocateNothingOnceWarm() throws Exception {
        Sink sink = new Sink(1, Integer.MAX_VALUE, false);
        ByteBuffer data = ByteBuffer.allocate(512);
        ByteBuffer[] batch = new ByteBuffer[WriteChunks.GATHER_AT_MOST];
        cycle(data, sink, batch, 10_000); // warm: the pool and the deque reach their sizes, the JIT compiles
        long before = allocatedBytes();
        cycle(data, sink, batch, 10_000);
        long allocated = allocatedBytes() - before;
        // A copy per write alone would be over 5 MB here.
        assertTrue("allocated " + allocated + " bytes for 10000 buffered writes", allocated < 64 * 1024);
    }

    /**
     * What this thread allocated so far, through the platform MBean server: the test is compiled in
     * the module, which does not read jdk.management's {@code com.sun.management.ThreadMXBean}.
     */
    private static long allocatedBytes() throws Exception {
        ObjectName threading = new ObjectName(ManagementFactory.THREAD_MXBEAN_NAME);
        return (Long) ManagementFactory.getPlatformMBeanServer()
                .getAttribute(threading, "CurrentThreadAllocatedBytes");
    }

    // Writes as a transport under back-pressure does: several adds, then a drain, synchronous (selector) or gathered (NIO.2).
    private void cycle(ByteBuffer data, Sink sink, ByteBuffer[] batch, int rounds) throws Exception {
        for (int i = 0; i < rounds; i++) {
            for (int j = 0; j < 3; j++) {
                buffer.add(data.clear());
            }
            if (i % 2 == 0) {
                buffer.writeTo(sink);
            } else {
                int count = buffer.gather(batch);
                long written = sink.write(batch, 0, count);
                Arrays.fill(batch, 0, count, null);
                buffer.consumed(written);
            }
        }
    }
}
