package dev.loopkit.loop.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.loop.core.BaseEventLoop;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The "Future exception was never retrieved" reports of one loop, for tests that drop what the loop made
 * and must see nothing reported: once what was dropped is collected, a control future failed, unasked and
 * dropped after it must be the only report. The loop runs an iteration between looks (the loop looks for
 * collected futures when a run begins).
 */
public final class UnretrievedReports {

    private static final String MESSAGE = "Future exception was never retrieved";
    private final BaseEventLoop loop;
    private final List<Map<String, Object>> reports = new CopyOnWriteArrayList<>();
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();

    private UnretrievedReports(BaseEventLoop loop) {
        this.loop = loop;
    }

    /** Collects the reports of {@code loop} (its exception handler, which passes other contexts over). */
    public static UnretrievedReports of(BaseEventLoop loop) {
        UnretrievedReports reports = new UnretrievedReports(loop);
        loop.setExceptionHandler((l, context) -> {
            if (MESSAGE.equals(context.get("message"))) {
                reports.reports.add(context);
            }
        });
        return reports;
    }

    /**
     * Waits until {@code reference} comes out of {@code queue} (its referent collected, or for a phantom
     * reference, queued), doing {@code betweenLooks} (a GC, a loop iteration) between looks; fails with
     * {@code failure} after 20 s.
     */
    public static void awaitQueued(ReferenceQueue<?> queue, Reference<?> reference, String failure, Runnable betweenLooks)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (queue.remove(10) != reference) {
            if (System.nanoTime() > deadline) {
                fail(failure);
            }
            betweenLooks.run();
        }
    }

    /** A reference to {@code dropped} whose collection this sees: the caller keeps nothing else of it. */
    public WeakReference<Object> track(Object dropped) {
        return new WeakReference<>(dropped, collected);
    }

    /**
     * Waits, running the loop, until {@code dropped} ({@link #track}) is collected; then until a control
     * future's report is the only one. What the GC found before the control future was made is queued for
     * the loop before the control future's reference is, so a report of it would come first.
     */
    public void assertNoneOnceCollected(WeakReference<Object> dropped) throws InterruptedException {
        awaitQueued(collected, dropped, "what was dropped is still reachable after 20 s", () -> {
            System.gc();
            runOneIteration();
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        RuntimeException control = new RuntimeException("control");
        failAndDrop(control);
        while (reports.stream().noneMatch(context -> context.get("exception") == control)) {
            if (System.nanoTime() > deadline) {
                fail("the control future is not reported after 20 s: " + reports);
            }
            System.gc();
            runOneIteration();
        }
        runOneIteration();
        assertEquals("only the control future is reported", List.of(control),
                reports.stream().map(context -> context.get("exception")).toList());
    }

    private void failAndDrop(RuntimeException failure) {
        LoopFuture<Void> future = loop.createFuture();
        future.setException(failure);
    }

    private void runOneIteration() {
        LoopFuture<Void> ran = loop.createFuture();
        loop.callSoon(() -> ran.setResult(null));
        LoopTestSupport.runFor(loop, ran);
    }
}
