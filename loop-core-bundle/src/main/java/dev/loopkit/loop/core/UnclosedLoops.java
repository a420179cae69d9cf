package dev.loopkit.loop.core;

import dev.loopkit.loop.core.scheduling.Scheduler;
import java.lang.System.Logger.Level;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * asyncio's {@code BaseEventLoop.__del__}: a loop that became garbage without {@code close()} (a thread
 * set it and ended) has what it holds of the system closed, with asyncio's warning "unclosed event
 * loop". Before, its epoll set and eventfd stayed open for the life of the JVM.
 *
 * <p>No thread of its own (a {@code Cleaner}'s would outlive the bundle): the loops dropped are looked
 * for whenever a loop is made or has closed, so a program that keeps making loops keeps what it leaks
 * bounded. What a loop registers must not reach the loop, or it never becomes garbage, and neither may
 * anything that outlives it (its helper threads hold it weakly, the signal dispatcher a weak listener:
 * DroppedLoopRetentionContract); a loop whose selector still holds keys of its transports does not
 * become garbage, as its transports are not closed either.
 */
final class UnclosedLoops {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");
    private static final ReferenceQueue<BaseEventLoop> DROPPED = new ReferenceQueue<>();
    /** Keeps the references themselves reachable until their loop is closed or dropped. */
    private static final Set<Tracked> TRACKED = ConcurrentHashMap.newKeySet();

    private UnclosedLoops() {
    }

    /** Starts tracking {@code loop}, named {@code name} in the warning; closes what loops dropped before it left. */
    static Tracked track(BaseEventLoop loop, String name) {
        closeDropped();
        Tracked tracked = new Tracked(loop, name);
        TRACKED.add(tracked);
        return tracked;
    }

    /** Closes what each loop that became garbage unclosed still holds. Any thread. */
    static void closeDropped() {
        for (Reference<? extends BaseEventLoop> gone = DROPPED.poll(); gone != null; gone = DROPPED.poll()) {
            Tracked tracked = (Tracked) gone;
            TRACKED.remove(tracked);
            tracked.dropped();
        }
    }

    /** One loop's system resources, closed by the loop's own close or, once it is garbage, here. */
    static final class Tracked extends PhantomReference<BaseEventLoop> {
        private final String name;
        private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
        private final AtomicBoolean done = new AtomicBoolean();

        private Tracked(BaseEventLoop loop, String name) {
            super(loop, DROPPED);
            this.name = name;
        }

        /** Something the loop closes in its close(), and that reaches nothing of the loop. */
        void add(AutoCloseable resource) {
            resources.add(resource);
        }

        /**
         * The loop closes itself: nothing is left to do here. What loops dropped before left is closed
         * by the loop once it is closed ({@link #closeDropped()}): here it would run user code (log
         * handlers) while the loop still closes (an outside review, LoopCloseReentrancyTest).
         */
        void closed() {
            done.set(true);
            TRACKED.remove(this);
            clear();
        }

        /**
         * Closes each resource, then warns. Nothing of it reaches the caller (a loop being made or one
         * that closed, unrelated to this one) but the JVM's own errors: a log handler or a resource that
         * threw made that loop's constructor or close() throw, and left what came after it open for good
         * (an outside review, DroppedLoopWarningTest).
         */
        private void dropped() {
            if (done.compareAndSet(false, true)) {
                closeResources();
                logQuietly(Level.WARNING, "unclosed event loop " + name, null);
            }
        }

        /**
         * The loop's constructor failed: the caller got an exception, not a loop to close, so what was
         * opened for it is closed now, without the warning the GC would have brought.
         */
        void notMade() {
            if (done.compareAndSet(false, true)) {
                TRACKED.remove(this);
                clear();
                closeResources();
            }
        }

        private void closeResources() {
            for (AutoCloseable resource : resources) {
                try {
                    resource.close();
                } catch (Exception | Error e) {
                    Scheduler.rethrowIfFatal(e);
                    logQuietly(Level.DEBUG, "closing what " + name + " held", e);
                }
            }
        }
    }

    // A log handler is user code: one that throws loses its own message, nothing else.
    private static void logQuietly(Level level, String message, Throwable thrown) {
        try {
            LOG.log(level, message, thrown);
        } catch (RuntimeException | Error e) {
            Scheduler.rethrowIfFatal(e);
        }
    }
}
