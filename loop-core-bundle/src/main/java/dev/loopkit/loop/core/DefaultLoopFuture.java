package dev.loopkit.loop.core;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.loop.core.scheduling.CallbackHandle;
import dev.loopkit.loop.core.scheduling.Scheduler;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * asyncio's {@code Future} on top of {@link CompletableFuture}: the JDK keeps the state and the
 * {@link CompletionStage} machinery; this class adds asyncio's accessors and done callbacks, which
 * run through {@link EventLoop#callSoon(Runnable)} in the order they were added.
 *
 * <p><b>Every continuation runs from the loop, never inline.</b> asyncio schedules every done
 * callback with {@code call_soon} (futures.py {@code __schedule_callbacks}), also one added to a
 * future that is already done. The JDK runs a non-async stage ({@code thenCompose},
 * {@code whenComplete}…) of a done future inline, in the caller's frame: a read-until-EOF chain over
 * buffered {@code StreamReader} data then recursed once per read and overflowed the stack after
 * about 3,000 reads; the {@link StackOverflowError} was caught by the JDK into a stage nobody read,
 * and the chain hung. So every stage here, {@code …Async} without an executor included, runs its
 * action as a loop callback: a chain of any length uses a bounded stack, one loop iteration per
 * step (asyncio's cost too). Derived stages are loop futures of the same loop, so this holds down
 * the whole chain. Stages given their own executor run there, as the JDK does.
 *
 * <p><b>What a stage throws.</b> An exception fails the derived stage, which the caller holds (the
 * {@link CompletionStage} contract; asyncio's coroutine would raise it to its awaiter). An
 * {@link Error} does too, and is also thrown from a loop callback of its own, so the loop treats it
 * as every callback's error (asyncio's {@code Handle._run}): the exception handler gets it, a
 * {@link StackOverflowError} included; any other {@link VirtualMachineError} (out of memory) ends
 * {@code runForever} in the caller, where the JVM's own state is at stake. An Error is reported
 * twice that way because the derived stage is often one nobody reads ({@code whenComplete}'s), and
 * an error that says the program is broken must not vanish there.
 *
 * <p>Stages derived from one future are scheduled in the JDK's order (the last added first); done
 * callbacks in the order they were added.
 *
 * <p><b>A failure nobody asked for is reported</b> once the future is collected, as asyncio's
 * {@code __del__} reports "Future exception was never retrieved" ({@link UnretrievedFailures}). Asking is
 * what hands the failure to someone: {@link #result()}, {@link #exception()}, {@code get}, {@code join},
 * {@code getNow} throwing it, and any stage derived from the future (the JDK makes each through
 * {@link #newIncompleteFuture}), before or after the failure; a done callback is not (asyncio's
 * {@code add_done_callback} is not), but what it calls on the future is. A stage the JDK attaches
 * without asking this future ({@code allOf}, another future's {@code thenCombine} with this one) counts
 * only while the future is pending; the loop's own inline hooks ({@link #hookCompletionInline}) are not
 * asks, and {@link #markRetrieved} is one. Only futures the loop makes report, not derived stages: a
 * {@code whenComplete} stage nobody reads holds every failure its action already saw. A cancellation is
 * not a failure here.
 */
public class DefaultLoopFuture<T> extends CompletableFuture<T> implements LoopFuture<T> {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");
    private static final VarHandle FAILURE_WATCH;
    /** {@link #failureWatch} once the failure was asked for, or will be when it comes. */
    private static final Object ASKED = new Object();

    static {
        try {
            FAILURE_WATCH = MethodHandles.lookup().findVarHandle(DefaultLoopFuture.class, "failureWatch", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final EventLoop loop;
    /**
     * Whether this future's own completers ({@link #complete}, {@link #completeExceptionally},
     * {@link #cancel(boolean)}) schedule its done callbacks. A future the loop makes is completed
     * through them; a stage the JDK derives ({@link #newIncompleteFuture}) is completed by the JDK's
     * internal methods, which no override sees, so its callbacks hang on an inline
     * {@code whenComplete} ({@link #hookJdkCompletion}). The overrides spare the loop's own futures
     * that dependent (a second future and a completion node); with one callback held without a list
     * and the callback itself the loop's {@code Runnable}, the future chain allocated 120 bytes a
     * future instead of 272 (96 now, {@link DoneCallback}; JMH {@code -prof gc},
     * {@code LoopCoreBenchmark.futureChain}; Netty's promise chain 74).
     */
    private final boolean completersSchedule;
    // Guarded by this. Until the callbacks are scheduled: null, one DoneCallback, or a List of them
    // (most futures have one callback: no list for it).
    private Object callbacks;
    /** Guarded by this: {@link #CALLBACKS_SCHEDULED}, {@link #JDK_COMPLETION_HOOKED} (one byte for both). */
    private byte scheduling;
    private static final byte CALLBACKS_SCHEDULED = 1;
    private static final byte JDK_COMPLETION_HOOKED = 2;
    /**
     * Guarded by this: how many of the loop's own inline hooks wait on this future (at most two). A failure
     * with no dependent but these was awaited by nobody ({@link #completeExceptionally}).
     */
    private byte inlineHooks;
    /**
     * Whether the failure is a {@link CancellationException} the JDK wrapped ({@link #isCancelled}):
     * {@link #UNKNOWN} until asked or failed through {@link #completeExceptionally}. A byte, in the
     * object's last free byte (32 bytes either way). Written racily: every writer of one outcome writes the same.
     */
    private byte wrappedCancellation;
    private static final byte UNKNOWN = 0;
    private static final byte NOT_WRAPPED = 1;
    private static final byte WRAPPED = 2;
    /**
     * {@code null} (in debug mode, where the future was made: {@link CreatedAt}) until someone asks for the
     * outcome or the future fails; {@link #ASKED} once asked; the {@link UnretrievedFailures.Watch} of a
     * failure nobody asked for yet. Changed by compare-and-set only once made,
     * so an ask and a failure on two threads end in one of the two orders, never with a watch of a failure
     * asked for. 8 bytes a future (40 instead of 32): the future chain allocated 104 bytes a future
     * instead of 96 when it came (JMH {@code -prof gc}, {@code LoopCoreBenchmark.futureChain}; docs/BENCHMARKS.md).
     */
    @SuppressWarnings("unused") // through FAILURE_WATCH
    private volatile Object failureWatch;
    /**
     * The thread attaching one of the loop's own inline hooks now ({@link #hookCompletionInline}): the stage
     * the JDK makes for it asks for nothing. A plain field: only that thread may read itself here, and it
     * reads its own writes; any other thread reads another thread or {@code null}, and asks. In the
     * object's padding (still 40 bytes).
     */
    private Thread hooking;

    public DefaultLoopFuture(EventLoop loop) {
        this(loop, true);
        if (loop instanceof BaseEventLoop ours && ours.getDebug()) {
            // asyncio's _source_traceback: a report of a failure nobody asked for says where the future was made
            failureWatch = new CreatedAt(new Throwable("created here"));
        }
    }

    /** Where a future was made, in debug mode, until it is asked for or fails. */
    record CreatedAt(Throwable at) {
    }

    private DefaultLoopFuture(EventLoop loop, boolean completersSchedule) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.completersSchedule = completersSchedule;
    }

    @Override
    public EventLoop getLoop() {
        return loop;
    }

    /**
     * Refused on the loop's own thread while pending: the wait would hold the loop that completes the
     * future (a result from the executor, a done callback, a stage all come through it), so it waited
     * for good. asyncio's {@code result()} never waits; Netty refuses a wait in its event loop too.
     */
    @Override
    public T get() throws InterruptedException, ExecutionException {
        refuseToBlockTheLoop("get()");
        try {
            return super.get();
        } catch (ExecutionException e) {
            asked();
            throw cancelledOr(e); // as isCancelled() says
        }
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        refuseToBlockTheLoop("get(timeout)");
        try {
            return super.get(timeout, unit);
        } catch (ExecutionException e) {
            asked();
            throw cancelledOr(e);
        }
    }

    // The CancellationException a derived stage holds wrapped, which makes it cancelled (isCancelled).
    private static ExecutionException cancelledOr(ExecutionException failed) {
        if (failed.getCause() instanceof CancellationException cancelled) {
            throw cancelled;
        }
        return failed;
    }

    private static RuntimeException cancelledOr(CompletionException failed) {
        return failed.getCause() instanceof CancellationException cancelled ? cancelled : failed;
    }

    @Override
    public T join() {
        refuseToBlockTheLoop("join()");
        try {
            return super.join();
        } catch (CompletionException e) {
            asked();
            throw cancelledOr(e);
        }
    }

    @Override
    public T getNow(T valueIfAbsent) {
        try {
            return super.getNow(valueIfAbsent);
        } catch (CompletionException e) {
            asked();
            throw cancelledOr(e);
        }
    }

    private void refuseToBlockTheLoop(String wait) {
        if (!isDone() && loop instanceof BaseEventLoop own && own.inLoopThread()) {
            throw new IllegalStateException("Result is not set.: " + wait
                    + " on the loop's own thread would block the loop that must complete the future");
        }
    }

    @Override
    public T result() {
        if (!isDone()) {
            throw new IllegalStateException("Result is not set.");
        }
        try {
            return super.join(); // done: nothing to refuse, and the future chain's done callbacks call this
        } catch (CompletionException e) {
            asked();
            throw Failures.rethrowable(failure(e));
        } catch (CancellationException e) {
            throw cancellation(e);
        }
    }

    /**
     * The exception the future was cancelled with, which asyncio's {@code result()} raises with its
     * message: JDK 17's {@code join()} throws it; newer JDKs (25) throw a new one, "join", with it as
     * the cause.
     */
    private static CancellationException cancellation(CancellationException thrown) {
        return thrown.getCause() instanceof CancellationException original ? original : thrown;
    }

    @Override
    public Throwable exception() {
        if (!isDone()) {
            throw new IllegalStateException("Exception is not set.");
        }
        Throwable failure = failureOrNull();
        if (failure != null) {
            asked();
        }
        return failure;
    }

    // exception() without asking, for toString(): asyncio's repr does not count as retrieving.
    private Throwable failureOrNull() {
        try {
            super.join(); // done; CancellationException propagates, as asyncio's CancelledError does
            return null;
        } catch (CompletionException e) {
            Throwable failure = failure(e);
            if (failure instanceof CancellationException cancelled) { // a derived stage's (isCancelled)
                throw cancelled;
            }
            return failure;
        } catch (CancellationException e) {
            throw cancellation(e);
        }
    }

    /**
     * Cancelled, also as a stage the JDK derived from a cancelled future or whose action threw a
     * {@link CancellationException}: the JDK holds the exception wrapped in a {@link CompletionException}
     * there, which {@code CompletableFuture} does not count. asyncio's task awaiting a cancelled future,
     * or raising {@code CancelledError}, ends cancelled ({@code Task.__step}).
     */
    @Override
    public boolean isCancelled() {
        if (super.isCancelled()) {
            return true;
        }
        if (!isCompletedExceptionally()) {
            return false;
        }
        byte known = wrappedCancellation;
        if (known == UNKNOWN) {
            // Left unknown only where the JDK completed the stage itself: it holds its failure wrapped, and
            // join() throws that wrapper as it is (no new exception, no stack trace filled in).
            try {
                super.join();
                known = NOT_WRAPPED;
            } catch (CompletionException e) {
                known = e.getCause() instanceof CancellationException ? WRAPPED : NOT_WRAPPED;
            } catch (CancellationException e) {
                known = NOT_WRAPPED;
            }
            wrappedCancellation = known;
        }
        return known == WRAPPED;
    }

    /**
     * What the future failed with: join()'s wrapper's cause, or the exception itself when it was
     * given a CompletionException without a cause (it was taken for success: exception() said null).
     */
    private static Throwable failure(CompletionException thrown) {
        return thrown.getCause() != null ? thrown.getCause() : thrown;
    }

    @Override
    public void setResult(T result) {
        if (!complete(result)) {
            throw new IllegalStateException(state() + ": " + this);
        }
    }

    @Override
    public void setException(Throwable exception) {
        Objects.requireNonNull(exception, "exception");
        // A CancellationException cancels: a CompletableFuture failed with one is a cancelled one. Refusing
        // it lost what code passing on a user's exception had in hand (an executor function that threw it
        // left its future pending forever: EventLoopContract).
        if (!completeExceptionally(exception)) {
            throw new IllegalStateException(state() + ": " + this);
        }
    }

    @Override
    public boolean cancel(String message) {
        return completeExceptionally(new CancellationException(message));
    }

    // ---- completion: where done callbacks get scheduled ------------------------------------------------

    @Override
    public boolean complete(T value) {
        return scheduledIf(super.complete(value));
    }

    @Override
    public boolean completeExceptionally(Throwable exception) {
        // A stage the JDK attached without asking this future (allOf) waits for it, and takes the failure;
        // the loop's own inline hooks take nothing.
        boolean awaited = completersSchedule && !(exception instanceof CancellationException)
                && getNumberOfDependents() > inlineHooks;
        boolean completed = super.completeExceptionally(exception);
        if (completed) { // known now, so that isCancelled() never has join() make a wrapper to find out
            wrappedCancellation = wrapsACancellation(exception);
            if (completersSchedule && !isCancelled()) {
                if (awaited) {
                    asked();
                } else {
                    watchFailure(exception);
                }
            }
        }
        return scheduledIf(completed);
    }

    /** The failure is watched unless asked for: reported if this future is collected before anyone asks. */
    private void watchFailure(Throwable exception) {
        Object made = failureWatch; // null, or where it was made
        if ((made == null || made instanceof CreatedAt) && loop instanceof BaseEventLoop ours
                && !ours.isClosed()) { // after the close nothing looks
            Throwable createdAt = made instanceof CreatedAt created ? created.at() : null;
            Throwable failure = exception instanceof CompletionException wrapper ? failure(wrapper) : exception; // exception()'s
            UnretrievedFailures.Watch watch = ours.unretrievedFailures().watch(this, failure, createdAt);
            if (!FAILURE_WATCH.compareAndSet(this, made, watch)) {
                watch.forget(); // asked for meanwhile
            }
        }
    }

    /**
     * Counts the failure, now or to come, as retrieved: for the loop's own futures whose failure always
     * reaches the caller another way, or goes with what the caller gave up (asyncio sets
     * {@code _log_traceback = False} on such futures). Any thread.
     */
    public final void markRetrieved() {
        asked();
    }

    /** Someone asked for the outcome: a failure, now or to come, is theirs and not reported. Any thread. */
    private void asked() {
        Object watch = failureWatch;
        while (watch != ASKED) {
            Object witness = FAILURE_WATCH.compareAndExchange(this, watch, ASKED);
            if (witness == watch) {
                if (watch instanceof UnretrievedFailures.Watch unasked) {
                    unasked.forget();
                }
                return;
            }
            watch = witness;
        }
    }

    private static byte wrapsACancellation(Throwable exception) {
        return exception instanceof CompletionException c && c.getCause() instanceof CancellationException ? WRAPPED : NOT_WRAPPED;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return scheduledIf(super.cancel(mayInterruptIfRunning));
    }

    /**
     * With no executor the supplier is queued on the loop as a stage's action is, and wrapped as one: a
     * close before it ran ran the user's supplier inside the close, on the closing thread (an outside
     * review). Wrapped here, not by the executor's identity alone: a loop that is not one of Loopkit's
     * gets a new executor at each {@link #defaultExecutor()} (CompleteAsyncOnAForeignLoopTest).
     */
    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier) {
        hookJdkCompletion();
        return super.completeAsync(reporting(supplier), defaultExecutor());
    }

    /** The JDK completes this future itself here: the inline hook sees it. On the loop's own executor, as above. */
    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
        hookJdkCompletion();
        return super.completeAsync(executor == defaultExecutor() ? reporting(supplier) : supplier, executor);
    }

    /** The JDK completes this future itself here: the inline hook sees it. */
    @Override
    public void obtrudeValue(T value) {
        asked(); // the failure replaced, if any, is nobody's to retrieve any more
        hookJdkCompletion();
        super.obtrudeValue(value);
        wrappedCancellation = NOT_WRAPPED; // what isCancelled() knew of the outcome replaced goes with it
    }

    /** The JDK completes this future itself here: the inline hook sees it. */
    @Override
    public void obtrudeException(Throwable exception) {
        asked(); // the JDK completes it: not watched, as completeAsync's failure
        hookJdkCompletion();
        super.obtrudeException(exception);
        // as above; an isCancelled() racing the replacement may answer for either outcome, as any reader racing it
        wrappedCancellation = wrapsACancellation(exception);
    }

    private boolean scheduledIf(boolean completed) {
        if (completed && completersSchedule) {
            scheduleCallbacks();
        }
        return completed;
    }

    /**
     * Done callbacks scheduled from one inline JDK dependent: for completions no override sees. A failure
     * the JDK completes this way ({@code completeAsync}'s supplier that throws) is not watched: whether a
     * stage the JDK attached awaited it cannot be told there (a review of watching it: false reports).
     */
    private void hookJdkCompletion() {
        synchronized (this) {
            if ((scheduling & JDK_COMPLETION_HOOKED) != 0) {
                return;
            }
            scheduling |= JDK_COMPLETION_HOOKED;
        }
        // Registered after the callbacks exist: if the future is already done it fires right here.
        hookCompletionInline((result, failure) -> scheduleCallbacks());
    }

    @Override
    public void addDoneCallback(Consumer<? super LoopFuture<T>> callback) {
        if (isDone() && loop.isClosed()) {
            // asyncio's call_soon raises here; a derived stage's callback went through the JDK hook and
            // was dropped with a warning only
            throw new IllegalStateException("Event loop is closed");
        }
        DoneCallback<T> done = new DoneCallback<>(callback, this);
        boolean first;
        synchronized (this) {
            if ((scheduling & CALLBACKS_SCHEDULED) != 0) {
                scheduleOwnHandle(loop, done); // under the lock, after any batch another thread is scheduling
                return;
            }
            first = callbacks == null;
            callbacks = first ? done : withOneMore(callbacks, done);
        }
        if (first && !completersSchedule) {
            hookJdkCompletion();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> List<DoneCallback<T>> withOneMore(Object callbacks, DoneCallback<T> done) {
        List<DoneCallback<T>> list;
        if (callbacks instanceof DoneCallback) {
            list = new ArrayList<>(4);
            list.add((DoneCallback<T>) callbacks);
        } else {
            list = (List<DoneCallback<T>>) callbacks;
        }
        list.add(done);
        return list;
    }

    @Override
    @SuppressWarnings("unchecked")
    public int removeDoneCallback(Consumer<? super LoopFuture<T>> callback) {
        synchronized (this) {
            if (callbacks instanceof DoneCallback) {
                if (((DoneCallback<T>) callbacks).action == callback) {
                    callbacks = null;
                    return 1;
                }
                return 0;
            }
            int removed = 0;
            if (callbacks != null) {
                for (Iterator<DoneCallback<T>> it = ((List<DoneCallback<T>>) callbacks).iterator(); it.hasNext(); ) {
                    if (it.next().action == callback) {
                        it.remove();
                        removed++;
                    }
                }
            }
            return removed;
        }
    }

    /**
     * Hands the callbacks to the loop in the order they were added, under the lock that
     * {@link #addDoneCallback} takes: scheduled after releasing it, a callback added by another thread
     * meanwhile (the future is done: scheduled at once) overtook them (Lincheck,
     * DoneCallbackOrderLincheckTest). The loop's scheduling runs no user code and waits for nothing.
     */
    @SuppressWarnings("unchecked")
    private void scheduleCallbacks() {
        IllegalStateException closed = null;
        synchronized (this) {
            if ((scheduling & CALLBACKS_SCHEDULED) != 0) {
                return; // a completer and the JDK hook both saw the completion
            }
            scheduling |= CALLBACKS_SCHEDULED;
            Object due = callbacks;
            callbacks = null;
            if (due instanceof DoneCallback) {
                closed = scheduleOne((DoneCallback<T>) due, closed);
            } else if (due != null) {
                for (DoneCallback<T> done : (List<DoneCallback<T>>) due) {
                    closed = scheduleOne(done, closed);
                }
            }
        }
        // Said once the lock is released: a log handler is user code, and one that waited for a call
        // on this future from another thread waited for ever (an outside review).
        if (closed != null) {
            dropped("done callback", closed);
        }
    }

    // The loop's refusal if it refused this callback, else the one it gave before.
    private IllegalStateException scheduleOne(DoneCallback<T> done, IllegalStateException refusedBefore) {
        try {
            scheduleOwnHandle(loop, done);
            return refusedBefore;
        } catch (IllegalStateException closed) {
            return closed;
        }
    }

    // A handle that is its own callback (a done callback, a stage): on the loop thread the handle itself.
    // From another thread, and in debug mode, a handle of the loop's own around it: one that can travel
    // through the loop's cross-thread queue, or that remembers where it was made (asyncio's
    // _source_traceback).
    private static <H extends CallbackHandle & Runnable> void scheduleOwnHandle(EventLoop loop, H handle) {
        if (loop instanceof BaseEventLoop ours && !ours.getDebug() && ours.inLoopThread()) {
            ours.callSoonHandle(handle);
        } else {
            // Thread-safe: any thread may complete a future (orTimeout's timer does), and debug mode's
            // callSoon refused the others; the callback was dropped with a warning
            loop.callSoonThreadsafe(handle);
        }
    }

    // Said once the loop is closed when it closes on this thread (a resource's release completed this
    // future): a log handler is user code, and one that closed the loop on another thread waited for ever
    // while it closed (LoopCloseReentrancyTest).
    private void dropped(String what, IllegalStateException closed) {
        String future = toString();
        Runnable say = () -> LOG.log(Level.WARNING, "{0} of {1} dropped: {2}", what, future, closed.getMessage());
        if (loop instanceof BaseEventLoop ours) {
            ours.afterClose(say); // at once on any thread but the closing one
        } else {
            say.run();
        }
    }

    // ---- stages: every action from the loop ------------------------------------------------------------

    /**
     * Stages without an executor of their own run on the loop, as loop callbacks: the loop's one
     * executor ({@link #stageExecutor}), not one a stage (it was a lambda a stage, 16 bytes).
     */
    @Override
    public Executor defaultExecutor() {
        return loop instanceof BaseEventLoop ours ? ours.stageExecutor() : stageExecutor(loop);
    }

    /**
     * What runs the stages of {@code loop}'s futures: each one queued as a {@link QueuedStage}.
     * Thread-safe: a stage combined with another stage may fire on the thread completing that one. On a
     * closed loop it throws "Event loop is closed", and the JDK fails the derived stage with it: a stage
     * dropped here left a join() on it waiting for ever.
     */
    static Executor stageExecutor(EventLoop loop) {
        return stage -> scheduleOwnHandle(loop, new QueuedStage(stage));
    }

    /**
     * A stage's action queued on the loop, as its own handle: one object of 24 bytes where a record
     * around the stage and a handle around the record were two of 16 (with the executor's lambda, a
     * {@code whenComplete} step allocated 192 bytes, 168 now; JMH {@code -prof gc},
     * {@code StageChainBenchmark}). If the loop closes first, the close releases it: the JDK's
     * completion runs then, its action (wrapped by {@code reporting}) throws "Event loop is closed"
     * without running the user's code, and the stage fails as one added after the close does. Dropped,
     * it left a {@code join()} on it waiting for ever (an outside review).
     */
    private static final class QueuedStage extends CallbackHandle implements Runnable, LoopResource {
        private final Runnable stage;

        QueuedStage(Runnable stage) {
            this.stage = stage;
        }

        @Override
        public void run() {
            stage.run();
        }

        @Override
        public void release() {
            stage.run();
        }

        @Override
        public String describeCallback() {
            return textOf(stage);
        }
    }

    // A stage's action runs as a loop callback, so never on a closed loop but as a close releases it.
    private void refuseOnceClosed() {
        if (loop.isClosed()) {
            throw new IllegalStateException("Event loop is closed");
        }
    }

    /**
     * The JDK's inline {@code whenComplete}, for the loop's own machinery that must act in the very
     * call that completes or cancels the future (asyncio overrides {@code cancel()} for that: a
     * cancelled proactor read closes its channel before {@code cancel} returns). Never for user code.
     */
    public final CompletableFuture<T> whenCompleteInline(BiConsumer<? super T, ? super Throwable> action) {
        return super.whenComplete(action);
    }

    /**
     * {@link #whenCompleteInline} for the loop's machinery that acts on a completion without taking the
     * outcome for anyone (the JDK-completion hook, a proactor operation closing its channel when cancelled):
     * it does not count as asking for the failure, which stays the caller's to retrieve or be told of.
     */
    public final void hookCompletionInline(BiConsumer<? super T, ? super Throwable> action) {
        synchronized (this) {
            inlineHooks++;
        }
        hooking = Thread.currentThread();
        try {
            super.whenComplete(action);
        } finally {
            hooking = null;
        }
    }

    /**
     * The JDK asks a stage for its future here when it composes ({@code thenCompose}'s function returned
     * this future): a failed one is then read directly, with no stage attached, and handed on. Asked, as
     * asyncio's {@code await fut} retrieves (a review: {@code communicate()}'s drain of a child's stdin
     * closed early was reported).
     */
    @Override
    public CompletableFuture<T> toCompletableFuture() {
        if (isCompletedExceptionally()) {
            asked();
        }
        return this;
    }

    /** A stage whose stages run from the loop too ({@link MinimalLoopStage}); the JDK's ran them inline. */
    @Override
    public CompletionStage<T> minimalCompletionStage() {
        return new MinimalLoopStage<>(this);
    }

    /** The JDK makes every stage derived from this future here: the stage asks for the outcome. */
    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        if (hooking != Thread.currentThread()) {
            asked();
        }
        return new DefaultLoopFuture<>(loop, false);
    }

    /** {@code error} thrown again from a loop callback of its own, for the loop to report or rethrow. */
    private Error reported(Error error) {
        try {
            loop.callSoonThreadsafe(new ThrownByStage(error, toString()));
        } catch (IllegalStateException closed) {
            LOG.log(Level.ERROR, "a stage of " + this + " threw, and its loop is closed", error);
        }
        return error;
    }

    private <A, R> Function<A, R> reporting(Function<? super A, ? extends R> action) {
        Objects.requireNonNull(action, "action");
        return a -> {
            refuseOnceClosed();
            try {
                return action.apply(a);
            } catch (Error error) {
                throw reported(error);
            }
        };
    }

    private <A, B, R> BiFunction<A, B, R> reporting(BiFunction<? super A, ? super B, ? extends R> action) {
        Objects.requireNonNull(action, "action");
        return (a, b) -> {
            refuseOnceClosed();
            try {
                return action.apply(a, b);
            } catch (Error error) {
                throw reported(error);
            }
        };
    }

    // One wrapper a stage, not an adapter over the Function one: whenComplete and thenAccept are what
    // a stream's read-write loop calls per round trip, and the adapters were two more objects each.
    private <A> Consumer<A> reporting(Consumer<? super A> action) {
        Objects.requireNonNull(action, "action");
        return a -> {
            refuseOnceClosed();
            try {
                action.accept(a);
            } catch (Error error) {
                throw reported(error);
            }
        };
    }

    private <A, B> BiConsumer<A, B> reporting(BiConsumer<? super A, ? super B> action) {
        Objects.requireNonNull(action, "action");
        return (a, b) -> {
            refuseOnceClosed();
            try {
                action.accept(a, b);
            } catch (Error error) {
                throw reported(error);
            }
        };
    }

    private <R> Supplier<R> reporting(Supplier<? extends R> action) {
        Objects.requireNonNull(action, "supplier");
        return () -> {
            refuseOnceClosed();
            try {
                return action.get();
            } catch (Error error) {
                throw reported(error);
            }
        };
    }

    private Runnable reporting(Runnable action) {
        Objects.requireNonNull(action, "action");
        return () -> {
            refuseOnceClosed();
            try {
                action.run();
            } catch (Error error) {
                throw reported(error);
            }
        };
    }

    @Override
    public <U> CompletableFuture<U> thenApply(Function<? super T, ? extends U> fn) {
        return thenApplyAsync(fn);
    }

    @Override
    public <U> CompletableFuture<U> thenApplyAsync(Function<? super T, ? extends U> fn) {
        return super.thenApplyAsync(reporting(fn), defaultExecutor());
    }

    @Override
    public CompletableFuture<Void> thenAccept(Consumer<? super T> action) {
        return thenAcceptAsync(action);
    }

    @Override
    public CompletableFuture<Void> thenAcceptAsync(Consumer<? super T> action) {
        return super.thenAcceptAsync(reporting(action), defaultExecutor());
    }

    @Override
    public CompletableFuture<Void> thenRun(Runnable action) {
        return thenRunAsync(action);
    }

    @Override
    public CompletableFuture<Void> thenRunAsync(Runnable action) {
        return super.thenRunAsync(reporting(action), defaultExecutor());
    }

    @Override
    public <U, V> CompletableFuture<V> thenCombine(CompletionStage<? extends U> other,
            BiFunction<? super T, ? super U, ? extends V> fn) {
        return thenCombineAsync(other, fn);
    }

    @Override
    public <U, V> CompletableFuture<V> thenCombineAsync(CompletionStage<? extends U> other,
            BiFunction<? super T, ? super U, ? extends V> fn) {
        return super.thenCombineAsync(other, reporting(fn), defaultExecutor());
    }

    @Override
    public <U> CompletableFuture<Void> thenAcceptBoth(CompletionStage<? extends U> other,
            BiConsumer<? super T, ? super U> action) {
        return thenAcceptBothAsync(other, action);
    }

    @Override
    public <U> CompletableFuture<Void> thenAcceptBothAsync(CompletionStage<? extends U> other,
            BiConsumer<? super T, ? super U> action) {
        return super.thenAcceptBothAsync(other, reporting(action), defaultExecutor());
    }

    @Override
    public CompletableFuture<Void> runAfterBoth(CompletionStage<?> other, Runnable action) {
        return runAfterBothAsync(other, action);
    }

    @Override
    public CompletableFuture<Void> runAfterBothAsync(CompletionStage<?> other, Runnable action) {
        return super.runAfterBothAsync(other, reporting(action), defaultExecutor());
    }

    @Override
    public <U> CompletableFuture<U> applyToEither(CompletionStage<? extends T> other, Function<? super T, U> fn) {
        return applyToEitherAsync(other, fn);
    }

    @Override
    public <U> CompletableFuture<U> applyToEitherAsync(CompletionStage<? extends T> other, Function<? super T, U> fn) {
        return super.applyToEitherAsync(other, reporting(fn), defaultExecutor());
    }

    @Override
    public CompletableFuture<Void> acceptEither(CompletionStage<? extends T> other, Consumer<? super T> action) {
        return acceptEitherAsync(other, action);
    }

    @Override
    public CompletableFuture<Void> acceptEitherAsync(CompletionStage<? extends T> other, Consumer<? super T> action) {
        return super.acceptEitherAsync(other, reporting(action), defaultExecutor());
    }

    @Override
    public CompletableFuture<Void> runAfterEither(CompletionStage<?> other, Runnable action) {
        return runAfterEitherAsync(other, action);
    }

    @Override
    public CompletableFuture<Void> runAfterEitherAsync(CompletionStage<?> other, Runnable action) {
        return super.runAfterEitherAsync(other, reporting(action), defaultExecutor());
    }

    @Override
    public <U> CompletableFuture<U> thenCompose(Function<? super T, ? extends CompletionStage<U>> fn) {
        return thenComposeAsync(fn);
    }

    @Override
    public <U> CompletableFuture<U> thenComposeAsync(Function<? super T, ? extends CompletionStage<U>> fn) {
        return super.thenComposeAsync(reporting(fn), defaultExecutor());
    }

    @Override
    public <U> CompletableFuture<U> handle(BiFunction<? super T, Throwable, ? extends U> fn) {
        return handleAsync(fn);
    }

    @Override
    public <U> CompletableFuture<U> handleAsync(BiFunction<? super T, Throwable, ? extends U> fn) {
        return super.handleAsync(reporting(fn), defaultExecutor());
    }

    @Override
    public CompletableFuture<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
        return whenCompleteAsync(action);
    }

    @Override
    public CompletableFuture<T> whenCompleteAsync(BiConsumer<? super T, ? super Throwable> action) {
        return super.whenCompleteAsync(reporting(action), defaultExecutor());
    }

    @Override
    public CompletableFuture<T> exceptionally(Function<Throwable, ? extends T> fn) {
        return exceptionallyAsync(fn);
    }

    @Override
    public CompletableFuture<T> exceptionallyAsync(Function<Throwable, ? extends T> fn) {
        return super.exceptionallyAsync(reporting(fn), defaultExecutor());
    }

    @Override
    public CompletableFuture<T> exceptionallyCompose(Function<Throwable, ? extends CompletionStage<T>> fn) {
        return exceptionallyComposeAsync(fn);
    }

    @Override
    public CompletableFuture<T> exceptionallyComposeAsync(Function<Throwable, ? extends CompletionStage<T>> fn) {
        return super.exceptionallyComposeAsync(reporting(fn), defaultExecutor());
    }

    /** asyncio's state names: PENDING, CANCELLED, FINISHED. */
    public String state() {
        return !isDone() ? "PENDING" : isCancelled() ? "CANCELLED" : "FINISHED";
    }

    @Override
    public String toString() {
        if (!isDone()) {
            return "<Future pending>";
        }
        if (isCancelled()) {
            return "<Future cancelled>";
        }
        Throwable failure = failureOrNull();
        return failure != null ? textOfFailed(failure) : "<Future finished result=" + text(join()) + ">";
    }

    /** A failed future's text, as {@link #toString()} gives it, from the failure alone (the future may be gone). */
    static String textOfFailed(Throwable failure) {
        return "<Future finished exception=" + text(failure) + ">";
    }

    /** "FINISHED: …" must not turn into what a result's {@code toString} throws. */
    static String text(Object value) {
        return CallbackHandle.textOf(value);
    }

    /** A stage's {@link Error}, thrown again as a loop callback so that the loop reports or rethrows it. */
    private record ThrownByStage(Error error, String future) implements Runnable {
        @Override
        public void run() {
            throw error;
        }

        @Override
        public String toString() {
            return "stage of " + future;
        }
    }

    /**
     * A done callback and its future, 24 bytes: on the loop thread the very handle the loop queues
     * (it is its own callback), so scheduling it allocates nothing; another thread's completion wraps
     * it ({@link #scheduleOwnHandle}). As a handle other threads queue it was 32 bytes (the future chain: 104
     * bytes a future, 96 now; JMH {@code -prof gc}, {@code LoopCoreBenchmark.futureChain}).
     */
    private static final class DoneCallback<T> extends CallbackHandle implements Runnable {
        final Consumer<? super LoopFuture<T>> action;
        final DefaultLoopFuture<T> future;

        DoneCallback(Consumer<? super LoopFuture<T>> action, DefaultLoopFuture<T> future) {
            this.action = Objects.requireNonNull(action, "callback");
            this.future = future;
        }

        @Override
        public void run() {
            action.accept(future);
        }

        @Override
        public String describeCallback() {
            return textOf(action);
        }

        @Override
        protected boolean isLoopsOwn() {
            return action instanceof Scheduler.OwnCallback;
        }
    }
}
