package dev.loopkit.loop.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.loop.testing.LoopTestSupport;
import dev.loopkit.posix.Posix;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.Test;

/**
 * The raw-descriptor poller on its own, under the smallest loop: interest per descriptor (reader
 * and writer armed together, removed apart), a replaced callback never runs again, a descriptor
 * closed behind its back is forgotten. (Its thread and descriptors going with the loop: the
 * loop contract's {@code closingReleasesThePollerThreadAndItsDescriptors}.)
 */
public class FdPollerTest extends LoopTestSupport {

    private static final Posix POSIX = Posix.get();

    @Override
    protected BaseEventLoop newLoop() {
        return new ParkingEventLoop();
    }

    @Test
    public void aReplacedReaderNeverRunsAgainAndOnlyTheNewOneDoes() throws Exception {
        int eventfd = POSIX.eventfd();
        List<String> ran = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.addReader(eventfd, () -> ran.add("old"));
        loop.addReader(eventfd, () -> {
            ran.add("new");
            loop.removeReader(eventfd);
            done.complete(null);
        });
        POSIX.eventfdWrite(eventfd, 1);
        runFor(done);
        assertEquals(List.of("new"), ran);
        POSIX.close(eventfd);
    }

    @Test
    public void aReaderAndAWriterOfOneDescriptorCountOnceAndAreRemovedApart() throws Exception {
        int eventfd = POSIX.eventfd(); // always writable; readable once written
        CompletableFuture<Void> writable = new CompletableFuture<>();
        CompletableFuture<Long> read = new CompletableFuture<>();
        loop.addWriter(eventfd, () -> {
            assertTrue(loop.removeWriter(eventfd));
            writable.complete(null);
        });
        loop.addReader(eventfd, () -> {
            try {
                read.complete(POSIX.eventfdRead(eventfd));
            } catch (Exception e) {
                read.completeExceptionally(e);
            }
            loop.removeReader(eventfd);
        });
        assertEquals(1, loop.watchedFileDescriptors());
        runFor(writable);
        assertEquals("the reader stays when the writer goes", 1, loop.watchedFileDescriptors());
        POSIX.eventfdWrite(eventfd, 7);
        assertEquals(Long.valueOf(7), runFor(read));
        assertEquals(0, loop.watchedFileDescriptors());
        assertFalse(loop.removeReader(eventfd));
        POSIX.close(eventfd);
    }

    @Test
    public void aDescriptorClosedBehindThePollersBackIsForgottenWhenRemoved() throws Exception {
        int[] pipe = POSIX.pipe();
        loop.addReader(pipe[0], () -> { });
        POSIX.close(pipe[0]); // the kernel drops it from the epoll set
        POSIX.close(pipe[1]);
        assertTrue(loop.removeReader(pipe[0]));
        assertEquals(0, loop.watchedFileDescriptors());
    }

    @Test
    public void aReadinessStillOnItsWayWhenTheLoopShutsDownIsNoCallbackToReport() throws Exception {
        // A shutdown reports every callback that will never run; a readiness is the poller's
        // message, not a callback anyone scheduled (the reader it would wake is not reported either).
        int eventfd = POSIX.eventfd();
        loop.addReader(eventfd, () -> { });
        POSIX.eventfdWrite(eventfd, 1);
        assertTrue("the readiness reached the inbound queue", Leaks.await(() -> loop.stats().callbacks() == 1, 10));
        List<Map<String, Object>> reported = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, context) -> reported.add(context));
        loop.shutdown("bundle stopping");
        assertTrue(loop.isClosed());
        assertEquals(List.of(), reported);
        POSIX.close(eventfd);
    }
}
