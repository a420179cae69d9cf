package dev.loopkit.loop.core;

import dev.loopkit.loop.core.scheduling.CallbackHandle;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * asyncio's {@code Future.__del__}: a future of this loop that failed, and became garbage without anyone
 * asking for its failure, is reported to the loop's exception handler as "Future exception was never
 * retrieved", with the exception and the future. Without it such a failure vanished without a trace: a
 * callback that failed a future nobody chained to, an executor job whose result nobody read.
 *
 * <p>What counts as asking is {@link DefaultLoopFuture}'s to say. Here each failure not asked for yet is
 * watched until it is asked for (then forgotten) or its future is collected (then reported). No thread of
 * its own (a {@code Cleaner}'s would outlive the bundle): the futures collected are looked for whenever
 * another future of the loop fails, a run begins, and the loop closes, as {@link UnclosedLoops} looks for
 * loops. The report is a loop callback, so the handler runs on the loop, as every callback does; at the
 * close, once the loop is closed, on the thread that closed it. A future collected after the close is
 * not reported: nothing looks any more.
 */
final class UnretrievedFailures {

    static final String MESSAGE = "Future exception was never retrieved";

    private final BaseEventLoop loop;
    private final ReferenceQueue<DefaultLoopFuture<?>> collected = new ReferenceQueue<>();
    /** Keeps the watches themselves reachable until their failure is asked for or reported. */
    private final Set<Watch> watched = ConcurrentHashMap.newKeySet();
    /** Reports the loop refused while it closed: given once it is closed ({@link #reportCollectedAtClose}). */
    private final Queue<Report> refusedByTheClose = new ConcurrentLinkedQueue<>();

    UnretrievedFailures(BaseEventLoop loop) {
        this.loop = loop;
    }

    /**
     * Watches {@code future}, which just failed with {@code exception}; reports what was collected before.
     * {@code createdAt}: where the future was made (debug mode), or {@code null}. Any thread.
     */
    Watch watch(DefaultLoopFuture<?> future, Throwable exception, Throwable createdAt) {
        reportCollected();
        Watch watch = new Watch(future, exception, createdAt, this);
        watched.add(watch);
        return watch;
    }

    /**
     * Reports each watched failure whose future was collected, as a loop callback, while the loop is open:
     * a future failed by the close itself (a resource's release) must not run the handler inside the close.
     * Any thread.
     */
    void reportCollected() {
        if (loop.isClosed()) {
            return;
        }
        for (Watch watch = nextCollected(); watch != null; watch = nextCollected()) {
            Report report = new Report(loop, contextOf(watch));
            try {
                loop.callSoonThreadsafe(report);
            } catch (IllegalStateException closedMeanwhile) {
                // The close is under way on another thread, or over: the report waits for the end of the
                // close, or is given here once the loop is closed (a thread failing a future then, as
                // asyncio's __del__ runs on any thread).
                refusedByTheClose.add(report);
                if (loop.isFullyClosed()) {
                    reportRefused();
                }
            }
        }
    }

    /**
     * Once the loop is closed, on the thread that closed it: hands what was collected by then, and the
     * reports the close refused, to the handler.
     */
    void reportCollectedAtClose() {
        for (Watch watch = nextCollected(); watch != null; watch = nextCollected()) {
            loop.callExceptionHandler(contextOf(watch));
        }
        reportRefused();
    }

    private void reportRefused() {
        for (Report report = refusedByTheClose.poll(); report != null; report = refusedByTheClose.poll()) {
            report.run();
        }
    }

    /** How many failures are watched (for tests). */
    int watching() {
        return watched.size();
    }

    private Watch nextCollected() {
        for (Reference<? extends DefaultLoopFuture<?>> gone = collected.poll(); gone != null; gone = collected.poll()) {
            Watch watch = (Watch) gone;
            if (watched.remove(watch)) {
                return watch;
            }
        }
        return null;
    }

    private static Map<String, Object> contextOf(Watch watch) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("message", MESSAGE);
        context.put("exception", watch.exception);
        context.put("future", DefaultLoopFuture.textOfFailed(watch.exception));
        if (watch.createdAt != null) { // asyncio's source_traceback, in debug mode
            context.put("source_traceback", CallbackHandle.sourceTracebackOf(watch.createdAt));
        }
        return context;
    }

    /**
     * One failure nobody has asked for yet. It does not reach its future (it waits for the future to be
     * collected), only the exception, which the report needs. An exception that itself reaches its future
     * keeps the future reachable from here: that future is never collected while the loop lives, nor
     * reported (asyncio's cycle collector would collect both and report).
     */
    static final class Watch extends PhantomReference<DefaultLoopFuture<?>> {
        private final Throwable exception;
        private final Throwable createdAt;
        private final UnretrievedFailures owner;

        private Watch(DefaultLoopFuture<?> future, Throwable exception, Throwable createdAt, UnretrievedFailures owner) {
            super(future, owner.collected);
            this.exception = exception;
            this.createdAt = createdAt;
            this.owner = owner;
        }

        /** The failure was asked for: nothing to report. Any thread. */
        void forget() {
            owner.watched.remove(this);
            clear();
        }
    }

    /**
     * The report, as the loop callback that hands it to the exception handler. Queued when the run was
     * already stopping, the close releases it: given once the loop is closed, on the closing thread, where
     * dropped with the other callbacks it was lost (an outside review).
     */
    private record Report(BaseEventLoop loop, Map<String, Object> context) implements Runnable, LoopResource {
        @Override
        public void run() {
            loop.callExceptionHandler(context);
        }

        @Override
        public void release() {
            loop.afterClose(this);
        }

        @Override
        public String toString() {
            return "report of " + context.get("future") + " never retrieved";
        }
    }
}
