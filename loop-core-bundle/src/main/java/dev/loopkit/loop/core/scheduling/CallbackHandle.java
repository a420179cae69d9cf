package dev.loopkit.loop.core.scheduling;

import dev.loopkit.api.Handle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * asyncio's {@code Handle}: a callback waiting in a loop's ready queue. Its one field is the
 * callback, cancelled or not, so a handle is 16 bytes: the loop thread's {@code callSoon} allocates
 * nothing else, and 1,000,000 callbacks scheduled up front keep 16 MB alive instead of 24. That is
 * what a young collection copies and what a heap growing under the JVM's default flags touches for
 * the first time: with 24-byte handles that workload's slowest seconds took 1.6 to 4.2 times Netty
 * NIO's mean second of the same run, with 16-byte ones 1.5 to 2.5 times (JMH, default flags, three
 * loops, docs/BENCHMARKS.md). A handle that other threads schedule is an {@link InboundHandle}.
 */
public class CallbackHandle implements Handle {

    private static final VarHandle CALLBACK;

    static {
        try {
            CALLBACK = MethodHandles.lookup().findVarHandle(CallbackHandle.class, "callback", Runnable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What a cancel that let go of the callback leaves as the callback: one that does nothing. */
    private static final Runnable NOTHING = () -> { };
    /** What such a cancel leaves in the handle. */
    private static final Cancelled DROPPED = new Cancelled(NOTHING);

    /**
     * What the loop runs: the callback, or in debug mode a {@link Traced} that wraps it; once
     * cancelled, a {@link Cancelled}, which runs nothing and keeps only what the handle still says:
     * nothing ({@link #DROPPED}), but in debug mode and for the loop's own callbacks. asyncio's
     * {@code cancel()} lets go of the callback at once, so what it captured (a request a timeout
     * guards) may be collected while the handle waits in the heap; a timer an hour away kept it an
     * hour (an outside review). Written by the constructor, by the cancel's one compare-and-set and,
     * in debug mode, by the text that cancel leaves after it; not volatile, since a volatile field
     * would put a fence in every {@code callSoon}.
     */
    Runnable callback;

    CallbackHandle(Runnable callback) {
        this.callback = callback;
    }

    /**
     * A handle that is its own callback: for a subclass that implements {@link Runnable}, so that
     * scheduling it on the loop thread allocates nothing (a future's done callback is one object
     * instead of a callback and a handle). Such a handle is scheduled once; from another thread it
     * must be an {@link InboundHandle}.
     *
     * @throws ClassCastException when the subclass is not a {@link Runnable}
     */
    protected CallbackHandle() {
        this.callback = (Runnable) this;
    }

    @Override
    public void cancel() {
        markCancelled();
    }

    /**
     * Cancels; {@code true} for the call that actually cancelled. A loop thread that read the callback
     * before the compare-and-set runs it; after, nothing.
     */
    boolean markCancelled() {
        Runnable current;
        do {
            current = (Runnable) CALLBACK.getAcquire(this);
            if (current instanceof Cancelled) {
                return false;
            }
        } while (!CALLBACK.compareAndSet(this, current, cancelledFrom(current)));
        // Debug mode keeps the callback's text and where it was made, as asyncio keeps the repr for
        // "Executing <Handle ...> took 2.5 seconds", and lets go of the callback (keeping it kept what it
        // captured: a later review). The text is the user's toString, so it is made after the cancel took
        // effect, by the one call that cancelled (a review: made before, a toString that threw left the
        // handle uncancelled, and racing cancels ran it on two threads at once).
        if (current instanceof Traced traced && !(traced.callback instanceof Scheduler.OwnCallback)) {
            CALLBACK.setRelease(this, new Cancelled(traced.forgettingTheCallback()));
        }
        return true;
    }

    // What a cancel puts in place of the callback at once: nothing of it, but in debug mode (until the
    // text replaces it) and for the loop's own callbacks, which hold nothing of the user's and are told
    // apart by their class (the queued-callback count).
    private static Cancelled cancelledFrom(Runnable callback) {
        return callback instanceof Traced || callback instanceof Scheduler.OwnCallback ? new Cancelled(callback) : DROPPED;
    }

    @Override
    public boolean isCancelled() {
        return CALLBACK.getAcquire(this) instanceof Cancelled;
    }

    /**
     * {@link #isCancelled()} for the loop thread's per-callback path: a plain read, since a VarHandle
     * call costs its guard and LambdaForm until the JIT inlines it (see {@code SchedulerLoopThreadFields}).
     * A cancel racing it is seen now or by the run, which reads the callback again.
     */
    final boolean cancelledAsTheLoopSees() {
        return callback instanceof Cancelled;
    }

    /** Where the handle was made, in debug mode; {@code null} otherwise. */
    public StackTraceElement[] sourceTraceback() {
        return uncancelled() instanceof Traced traced ? traced.sourceTraceback() : null;
    }

    /**
     * The frames of {@code capturedAt} a report shows as where something of the loop's was made (a future,
     * in debug mode): the {@link Traced#DEBUG_STACK_DEPTH} nearest the call, the loop's own left out.
     */
    public static StackTraceElement[] sourceTracebackOf(Throwable capturedAt) {
        return Traced.nearestCallerFrames(capturedAt);
    }

    /**
     * Whether the loop's own machinery scheduled it ({@link Scheduler.OwnCallback}): counts and the close's
     * report leave it out. Also a handle whose callback is a handle of the loop's own (a future's done
     * callback, wrapped when another thread or debug mode scheduled it): reported as "closed before the
     * callback ran", a shutdown's report told the user of {@code runUntilComplete}'s own callback (a
     * later review).
     */
    protected boolean isLoopsOwn() {
        Runnable inner = callback();
        return inner instanceof Scheduler.OwnCallback
                || inner != this && inner instanceof CallbackHandle scheduled && scheduled.isLoopsOwn();
    }

    /** The callback, for messages. */
    public Runnable callback() {
        Runnable callback = uncancelled();
        return callback instanceof Traced traced ? traced.callback : callback;
    }

    // The callback as scheduled (debug mode's Traced included), or what a cancel kept of it.
    private Runnable uncancelled() {
        Runnable callback = (Runnable) CALLBACK.getAcquire(this);
        return callback instanceof Cancelled cancelled ? cancelled.kept : callback;
    }

    /**
     * The callback as messages name it ("Exception in callback ..."). A handle scheduled as another
     * handle's callback (a future's done callback in debug mode) is named by its own callback; a
     * handle that is its own callback overrides this, since its {@code toString} is the handle's.
     */
    public String describeCallback() {
        Runnable inner = callback();
        if (inner == this) {
            return getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(this));
        }
        return inner instanceof CallbackHandle handle ? handle.describeCallback() : textOf(inner);
    }

    /**
     * The user's object as text, never an exception: what the loop says about a callback ("Exception in
     * callback ...", the slow-callback warning) or a future's result must not throw in its place and end
     * the run (asyncio names a callback by its qualified name and shows results through {@code reprlib},
     * neither of which raises).
     */
    public static String textOf(Object value) {
        try {
            return String.valueOf(value);
        } catch (RuntimeException | StackOverflowError e) {
            return value.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(value))
                    + " (its toString threw " + e.getClass().getName() + ")";
        }
    }

    /**
     * As asyncio's: a cancelled handle names no callback, but in debug mode, where it keeps it and says
     * where it was made ({@code Handle._repr_info}'s "created at file:line").
     */
    @Override
    public String toString() {
        return asOfOneMoment(() -> callbackDropped() ? "<Handle cancelled>"
                : "<Handle " + (isCancelled() ? "cancelled " : "") + describeCallback() + createdAt() + ">");
    }

    /**
     * {@code text} as the handle was at one moment: a text reads the callback more than once, and a
     * cancel on another thread between two reads made "cancelled" with the name of what the cancel
     * dropped (HandleCancelLincheckTest). A cancel happens once, so one retry at most.
     */
    final String asOfOneMoment(Supplier<String> text) {
        for (;;) {
            Object before = CALLBACK.getAcquire(this);
            String result = text.get();
            if (CALLBACK.getAcquire(this) == before) {
                return result;
            }
        }
    }

    // The trace's first frame: the call that scheduled (the loop's own frames are not in it).
    final String createdAt() {
        StackTraceElement[] trace = sourceTraceback();
        if (trace == null || trace.length == 0) {
            return "";
        }
        return " created at " + trace[0].getFileName() + ":" + trace[0].getLineNumber();
    }

    /** Whether a cancel let go of the callback (it keeps it in debug mode). */
    boolean callbackDropped() {
        return CALLBACK.getAcquire(this) == DROPPED;
    }

    /**
     * A callback with where it was scheduled, in debug mode only (asyncio's {@code _source_traceback}).
     * The trace rides in the callback rather than in a field of every handle: a handle is then 16
     * bytes instead of 24, and {@code callSoon} allocates nothing else (JMH {@code -prof gc}).
     */
    record Traced(Runnable callback, Throwable scheduledAt) implements Runnable {

        /** asyncio's {@code DEBUG_STACK_DEPTH}: the frames nearest the scheduling call a report shows. */
        static final int DEBUG_STACK_DEPTH = 10;
        // The loop's own frames above the user's call: asyncio drops its call_soon frame too.
        private static final Set<String> SCHEDULING = Set.of(
                Traced.class.getName(), Scheduler.class.getName(), "dev.loopkit.loop.core.BaseEventLoop");
        // And a future's, with the JDK's stage machinery under it: a done callback or a stage is scheduled by
        // the completion, so the user's setResult is where it was made (asyncio's C future's call_soon frame).
        private static final List<String> COMPLETING = List.of(
                "dev.loopkit.loop.core.DefaultLoopFuture", "java.util.concurrent.CompletableFuture");

        /**
         * {@code callback}, with the stack that scheduled it captured and not yet resolved: most handles
         * run without a report, and resolving a whole stack into {@link StackTraceElement}s (what this
         * did at each call) cost 3.5 µs at 17 frames, 9.2 at 65 and 30 at 155, where the capture alone
         * costs 0.7, 2.1 and 4 µs (one JVM, the three ways side by side, JDK 17). A {@link StackWalker}
         * limited to 10 frames costs 4.5 µs at any depth: more than the capture at every depth measured.
         */
        static Traced fromHere(Runnable callback) {
            return new Traced(callback, new Throwable("scheduled here"));
        }

        /** The {@link #DEBUG_STACK_DEPTH} frames nearest the call that scheduled, the loop's own left out. */
        StackTraceElement[] sourceTraceback() {
            return nearestCallerFrames(scheduledAt);
        }

        static StackTraceElement[] nearestCallerFrames(Throwable capturedAt) {
            return Arrays.stream(capturedAt.getStackTrace())
                    .dropWhile(frame -> isScheduling(frame.getClassName()))
                    .limit(DEBUG_STACK_DEPTH)
                    .toArray(StackTraceElement[]::new);
        }

        private static boolean isScheduling(String className) {
            return SCHEDULING.contains(className) || COMPLETING.stream().anyMatch(className::startsWith);
        }

        /** The same trace, and of the callback only its text: what a cancelled handle keeps. */
        Traced forgettingTheCallback() {
            String text = callback instanceof CallbackHandle handle ? handle.describeCallback() : textOf(callback);
            return new Traced(new Forgotten(text), scheduledAt);
        }

        @Override
        public void run() {
            callback.run();
        }

        @Override
        public String toString() {
            return callback.toString();
        }
    }

    /** A cancelled handle's callback: runs nothing, keeps what the handle still says (see {@link #cancelledFrom}). */
    private record Cancelled(Runnable kept) implements Runnable {
        @Override
        public void run() {
        }

        @Override
        public String toString() {
            return kept.toString();
        }
    }

    /** A cancelled callback's text, in debug mode: it runs nothing. */
    private record Forgotten(String text) implements Runnable {
        @Override
        public void run() {
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
