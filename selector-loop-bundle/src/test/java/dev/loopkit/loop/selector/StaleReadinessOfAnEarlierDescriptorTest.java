package dev.loopkit.loop.selector;

import static org.junit.Assert.assertEquals;
import static org.junit.Assume.assumeTrue;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.loop.testing.LoopTestSupport;
import dev.loopkit.posix.Posix;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.Test;

/**
 * The selector loop's raw descriptors are watched by a helper thread, which hands each readiness to the
 * loop. One handed over for a descriptor whose reader is then removed, the descriptor closed and its
 * number given to a new one with a reader of its own, reached the new reader: called with nothing to
 * read (a write pipe took it for its reader's end: StaleReadinessOnAWritePipeTest). Each registration is
 * told apart now (epoll's data carries a generation beside the number), and a readiness of an earlier one
 * is dropped.
 */
public class StaleReadinessOfAnEarlierDescriptorTest extends LoopTestSupport {

    private static final Posix POSIX = Posix.get();

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop();
    }

    @Test
    public void aReadinessOfTheNumbersEarlierDescriptorDoesNotReachTheNewReader() throws Exception {
        List<String> called = new CopyOnWriteArrayList<>();
        int earlier = POSIX.eventfd();
        loop.addReader(earlier, () -> called.add("earlier"));
        POSIX.eventfdWrite(earlier, 1); // readable: the helper thread hands it to the idle loop
        assertEquals("the readiness is queued for the loop", true,
                Leaks.await(() -> loop.stats().callbacks() >= 1, 10));
        loop.removeReader(earlier);
        POSIX.close(earlier);
        int later = POSIX.eventfd(); // nothing to read
        try {
            assumeTrue("skipped: another thread of the JVM took the closed descriptor's number first, so the new"
                    + " descriptor has another and the race this test sets up cannot happen", later == earlier);
            loop.addReader(later, () -> called.add("later"));
            CompletableFuture<Void> turns = new CompletableFuture<>();
            loop.callLater(0.05, () -> turns.complete(null));
            runFor(turns);
            assertEquals("called with the earlier descriptor's readiness", List.of(), called);
            loop.removeReader(later);
        } finally {
            POSIX.close(later);
        }
    }
}
