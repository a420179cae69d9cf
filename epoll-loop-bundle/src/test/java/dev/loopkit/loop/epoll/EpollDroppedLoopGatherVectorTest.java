package dev.loopkit.loop.epoll;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import dev.loopkit.posix.IoVector;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * The native array of {@code iovec}s the epoll loop makes for its first gathering write is freed when the
 * loop becomes garbage unclosed, as its epoll set and eventfd are (asyncio's {@code __del__} closes a
 * dropped loop). Only {@code close()} freed it: a long-lived host lost a KiB for every dropped loop that
 * ever queued a write, for good (an outside review of retention).
 */
public class EpollDroppedLoopGatherVectorTest {

    @Test
    public void theGatheringVectorOfALoopDroppedUnclosedIsFreed() throws Exception {
        IoVector[] vector = new IoVector[1];
        ReferenceQueue<EpollEventLoop> collected = new ReferenceQueue<>();
        WeakReference<EpollEventLoop> dropped = madeAndDropped(vector, collected);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        for (Object cleared = null; cleared == null && System.nanoTime() < deadline; ) {
            System.gc();
            cleared = collected.remove(50);
        }
        assertNull("the dropped loop is garbage", dropped.get());
        new EpollEventLoop().close(); // a loop made or closed closes what the loops dropped before held
        ByteBuffer[] one = {ByteBuffer.allocateDirect(1)};
        // Still allocated, the vector would be filled and writev(-1) refused with EBADF.
        IllegalStateException freed = assertThrows(IllegalStateException.class, () -> vector[0].write(-1, one, 0, 1));
        assertEquals("native memory already freed", freed.getMessage());
    }

    private static WeakReference<EpollEventLoop> madeAndDropped(IoVector[] vector, ReferenceQueue<EpollEventLoop> queue)
            throws Exception {
        EpollEventLoop loop = new EpollEventLoop();
        vector[0] = loop.ioVector();
        return new WeakReference<>(loop, queue);
    }
}
