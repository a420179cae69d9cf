package dev.loopkit.loop.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.loopkit.loop.core.BaseEventLoop;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.function.ThrowingRunnable;

/**
 * A loop whose constructor threw (bad arguments, out of descriptors) was never the user's to close:
 * the caller got an exception, not a loop. It must not be warned about later as an "unclosed event
 * loop" once the GC finds it, and what its constructor had opened is closed at once, not then.
 */
public final class FailedConstruction {

    private FailedConstruction() {
    }

    /**
     * Runs {@code construction}, which must throw {@code type}, between two loops of {@code healthy}'s;
     * then, for two seconds of GCs, each followed by a healthy loop's close (which closes what dropped
     * loops held, with the warning), looks for the warning naming the failed loop.
     *
     * @return what the construction threw
     */
    public static <E extends Throwable> E leavesNoUnclosedLoop(Supplier<? extends BaseEventLoop> healthy, Class<E> type,
            ThrowingRunnable construction) throws InterruptedException {
        BaseEventLoop before = healthy.get();
        before.close();
        String failedName = before.loopName().replaceFirst("#\\d+$", "#" + (before.id() + 1));
        try (LogCapture log = LogCapture.of("dev.loopkit.loop")) {
            E thrown = assertThrows(type, construction);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < deadline) {
                // What is looked for is an absence (no warning): no event ends the wait, so it gives the GC
                // a bounded window, each turn a collection, a pause for the reference handler, and a close
                System.gc();
                Thread.sleep(20);
                healthy.get().close();
            }
            List<String> warned = log.messages().stream().filter(message -> message.contains("unclosed event loop " + failedName))
                    .collect(Collectors.toList());
            assertEquals("the loop whose constructor threw (" + thrown + ") was warned about as unclosed", List.of(), warned);
            return thrown;
        }
    }
}
