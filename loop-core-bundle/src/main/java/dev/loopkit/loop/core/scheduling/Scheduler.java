package dev.loopkit.loop.core.scheduling;

import dev.loopkit.api.TimerHandle;
import dev.loopkit.loop.core.flight.FlightEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * asyncio's {@code _run_once} and the queues it serves: the only place where a loop's callbacks
 * run.
 *
 * <p>One iteration: drop cancelled timers, wait for events (no longer than the next timer, not at
 * all when callbacks are ready), move what other threads scheduled and the timers that are due to
 * the ready queue, then run exactly the callbacks that were ready when the run began.
 *
 * <p>Queues, as in Netty's {@code SingleThreadEventExecutor}: callbacks scheduled on the loop
 * thread go straight to a plain deque; other threads go through a lock-free {@link InboundQueue}
 * and wake the loop only when it is about to sleep (the {@code armed} flag), so a burst of
 * cross-thread calls costs one wake-up. Readiness seen by helper threads travels the same way as
 * a {@link Readiness}, which puts its callbacks in the ready queue instead of running anything.
 *
 * <p>The lifecycle is one {@link LoopState}, changed by compare-and-set; the thread that wins a
 * run or a close is the loop's {@link #owner()} until it is done.
 *
 * <p>What the loop thread writes for every callback (the counters and the blocked-loop stamps) is
 * kept off the cache line of what producers read on every {@code callSoonThreadsafe} ({@code state},
 * {@code owner}, {@code debug}): on one line, each callback the loop ran took the line from the
 * producer's core. JFR over {@code CrossThreadBenchmark} (one producer, selector loop): half of the
 * producer's samples were on the read of {@code debug}.
 */
public final class Scheduler extends SchedulerPadding {

    /** Where a callback's failure goes (the loop's exception handler). */
    @FunctionalInterface
    public interface FailureHandler {
        void callbackFailed(CallbackHandle handle, Throwable failure);
    }

    /** asyncio's {@code MAXIMUM_SELECT_TIMEOUT}: the longest wait for a timer (24 hours); the loop then looks again. */
    private static final long MAX_WAIT_NANOS = 24L * 3600 * 1_000_000_000L;
    /** asyncio's {@code _MIN_SCHEDULED_TIMER_HANDLES}: heaps smaller than this are never compacted. */
    private static final int MIN_TIMERS_TO_COMPACT = 100;
    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");
    private static final VarHandle STATE;
    private static final VarHandle CANCELLED_TIMERS;
    private static final VarHandle CALLBACK_STAMP;
    /** Seconds a callback may run before the blocked-loop checker warns; 0 turns the checker off. */
    public static final String BLOCKED_LOOP_WARNING_PROPERTY = "loopkit.blockedLoopWarning";
    private static final double DEFAULT_BLOCKED_LOOP_WARNING_SECONDS = 2.0;
    /** Read once: a bad value is said once, not for every loop. */
    private static final String PROPERTY_VALUE = System.getProperty(BLOCKED_LOOP_WARNING_PROPERTY);
    /** The property's seconds: the default when it is unset, NaN when it is no number of seconds >= 0. */
    private static final double PROPERTY_SECONDS = PROPERTY_VALUE == null ? DEFAULT_BLOCKED_LOOP_WARNING_SECONDS
            : seconds(PROPERTY_VALUE);
    private static final long PROPERTY_BLOCKED_LOOP_WARNING_NANOS = LoopClock.toNanosCeil(
            Double.isNaN(PROPERTY_SECONDS) ? DEFAULT_BLOCKED_LOOP_WARNING_SECONDS : PROPERTY_SECONDS);
    /**
     * The property's value when it is no number of seconds, said by the first scheduler made, not by
     * the class's initializer: a log handler is user code, and one that had another thread make a loop
     * waited for ever for the class's initialization (SchedulerClassInitReentrancyTest).
     */
    private static final AtomicReference<String> MALFORMED_PROPERTY = new AtomicReference<>(
            Double.isNaN(PROPERTY_SECONDS) ? PROPERTY_VALUE : null);
    /** What loops made from now on start with: the property, or the platform's configuration. */
    private static volatile long defaultBlockedLoopWarningNanos = PROPERTY_BLOCKED_LOOP_WARNING_NANOS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(Scheduler.class, "state", LoopState.class);
            CANCELLED_TIMERS = lookup.findVarHandle(Scheduler.class, "cancelledTimers", int.class);
            CALLBACK_STAMP = lookup.findVarHandle(SchedulerLoopThreadFields.class, "callbackStamp", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final EventWaiter waiter;
    private final FailureHandler failures;
    private final ArrayDeque<CallbackHandle> ready = new ArrayDeque<>(256);
    private final InboundQueue inbound = new InboundQueue();
    private final InboundQueue.Sink toReadyOrHeap = this::readyOrHeap;
    private final TimerHeap timers = new TimerHeap();
    /** Closers that find a close in progress wait on this until it is done. */
    private final Object closedSignal = new Object();

    /** Changed through STATE (compare-and-set) only. */
    private volatile LoopState state = LoopState.IDLE;
    /** The thread that runs or closes the loop, or {@code null}; written by the thread that won the state. */
    private volatile Thread owner;
    @SuppressWarnings("unused") // accessed through CANCELLED_TIMERS
    private volatile int cancelledTimers;
    private volatile boolean debug = Boolean.getBoolean("loopkit.debug");
    private volatile long slowCallbackNanos = 100_000_000L;
    private volatile long blockedLoopWarningNanos = defaultBlockedLoopWarningNanos;
    /** This loop as the checker sees it, made on the first run the checker watches; guarded by {@code this}. */
    private BlockedLoopChecker.Watch watch;
    /** Whether the checker watches this run; guarded by {@code this}. */
    private boolean watched;
    /** Runs begun, so that a lag probe sent in one run measures nothing in the next. */
    private volatile long runs;
    private volatile String loopName = "event loop";

    /** A scheduler that waits with {@code waiter} and hands what callbacks throw to {@code failures}. */
    public Scheduler(EventWaiter waiter, FailureHandler failures) {
        this.waiter = waiter;
        this.failures = failures;
        String malformed = MALFORMED_PROPERTY.get() == null ? null : MALFORMED_PROPERTY.getAndSet(null);
        if (malformed != null) {
            LOG.log(Level.WARNING, "{0}={1} is not a number of seconds >= 0: using {2}", BLOCKED_LOOP_WARNING_PROPERTY,
                    malformed, Double.toString(DEFAULT_BLOCKED_LOOP_WARNING_SECONDS));
        }
    }

    // ---- lifecycle ------------------------------------------------------------------------------------

    /** Where the loop is in its life; any thread. */
    public LoopState state() {
        return state;
    }

    /** The thread running or closing the loop, or {@code null}. */
    public Thread owner() {
        return owner;
    }

    /** Whether the calling thread runs (or closes) the loop: Netty's {@code inEventLoop()}. */
    public boolean inLoopThread() {
        return Thread.currentThread() == owner;
    }

    /**
     * Whether the caller may touch what belongs to the loop thread: it runs (or closes) the loop, or
     * no thread does (then the thread that sets the loop up before running it may).
     */
    public boolean inLoopThreadOrIdle() {
        Thread current = owner;
        return current == null || current == Thread.currentThread();
    }

    /**
     * Makes the calling thread the loop's: asyncio's {@code _check_running}.
     *
     * @throws IllegalStateException "This event loop is already running", "Event loop is closed"
     */
    public void beginRun() {
        for (;;) {
            LoopState current = state;
            switch (current) {
                case IDLE, STOP_ASKED -> {
                    LoopState next = current == LoopState.IDLE ? LoopState.RUNNING : LoopState.STOPPING;
                    if (STATE.compareAndSet(this, current, next)) {
                        owner = Thread.currentThread();
                        runs++; // the run's thread only: no other writer
                        watchIfOn();
                        return;
                    }
                }
                case CLOSING, CLOSED -> throw closed();
                default -> throw new IllegalStateException("This event loop is already running");
            }
        }
    }

    /** Iterations until a stop, an interrupt or a shutdown; loop thread, between {@link #beginRun} and {@link #endRun}. */
    public void runUntilStopped() {
        do {
            runOnce();
        } while (state == LoopState.RUNNING);
    }

    /**
     * Ends the run; loop thread.
     *
     * @return {@code true} if a shutdown came meanwhile: the caller now owns the loop in
     *     {@link LoopState#CLOSING} and must close it ({@link #drainForClose}, {@link #finishClose})
     */
    public boolean endRun() {
        assert inLoopThread() : "endRun off the loop thread";
        unwatch();
        Thread self = owner;
        for (;;) {
            LoopState current = state;
            if (current == LoopState.SHUTTING_DOWN) {
                if (STATE.compareAndSet(this, current, LoopState.CLOSING)) {
                    return true;
                }
                continue;
            }
            owner = null; // before the state: the next run's thread writes owner after it wins IDLE
            if (STATE.compareAndSet(this, current, LoopState.IDLE)) {
                return false;
            }
            owner = self; // a shutdown came in between: still ours, to close
        }
    }

    /** asyncio's {@code stop()}: the run ends after this iteration; before a run, the run makes one. Any thread. */
    public void stop() {
        for (;;) {
            LoopState current = state;
            LoopState next = switch (current) {
                case RUNNING -> LoopState.STOPPING;
                case IDLE -> LoopState.STOP_ASKED;
                default -> null; // stopping, shutting down or closed already
            };
            if (next == null) {
                return;
            }
            if (STATE.compareAndSet(this, current, next)) {
                if (next == LoopState.STOPPING && !inLoopThread()) {
                    waiter.wakeup();
                }
                return;
            }
        }
    }

    /**
     * Asks for the close from any thread: a running loop ends its iteration and its thread closes
     * it; an idle one is the caller's to close now.
     *
     * @return {@code true} if the caller now owns the loop in {@link LoopState#CLOSING} and must
     *     close it; {@code false} if the running thread will, or it is closed or closing already
     */
    public boolean requestShutdown() {
        for (;;) {
            LoopState current = state;
            switch (current) {
                case IDLE, STOP_ASKED -> {
                    if (claimClose(current)) {
                        return true;
                    }
                }
                case RUNNING, STOPPING -> {
                    if (STATE.compareAndSet(this, current, LoopState.SHUTTING_DOWN)) {
                        waiter.wakeup();
                        return false;
                    }
                }
                default -> {
                    return false;
                }
            }
        }
    }

    /**
     * asyncio's {@code close()} check: claims the loop for closing on the calling thread.
     *
     * @return {@code true} if the caller closes it now; {@code false} if it is closed already (a
     *     close in progress on another thread is waited for)
     * @throws IllegalStateException "Cannot close a running event loop"
     */
    public boolean beginClose() {
        for (;;) {
            LoopState current = state;
            switch (current) {
                case IDLE, STOP_ASKED -> {
                    if (claimClose(current)) {
                        return true;
                    }
                }
                case CLOSING -> {
                    if (!inLoopThread()) { // the closer itself, from a resource it releases, has nothing to wait for
                        awaitClosed();
                    }
                    return false;
                }
                case CLOSED -> {
                    return false;
                }
                default -> throw new IllegalStateException("Cannot close a running event loop");
            }
        }
    }

    // IDLE or STOP_ASKED -> CLOSING: the calling thread now owns the loop, to close it.
    private boolean claimClose(LoopState idle) {
        if (STATE.compareAndSet(this, idle, LoopState.CLOSING)) {
            owner = Thread.currentThread();
            return true;
        }
        return false;
    }

    private void awaitClosed() {
        boolean interrupted = false;
        synchronized (closedSignal) {
            while (state == LoopState.CLOSING) {
                try {
                    closedSignal.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The closing thread: empties the queues and returns every callback and timer that will now
     * never run (cancelled ones and readiness on its way left out). A producer that offers meanwhile sees the loop closed and
     * withdraws what this drain does not claim: each callback is either returned here or refused
     * there.
     */
    public List<CallbackHandle> drainForClose() {
        assert state == LoopState.CLOSING && inLoopThread() : "drainForClose by a thread that did not claim the close";
        List<CallbackHandle> pending = new ArrayList<>(ready.size() + timers.size());
        InboundQueue.Sink collect = handle -> {
            // A readiness is a helper thread's message, not a callback anyone scheduled; nor is the loop's own.
            if (!handle.isCancelled() && !(handle instanceof Readiness) && !isOwn(handle)) {
                pending.add(handle);
            }
        };
        ready.forEach(collect::accept);
        ready.clear();
        for (TimerCallback timer = timers.poll(); timer != null; timer = timers.poll()) {
            timer.scheduled = false;
            collect.accept(timer);
        }
        inbound.drainClosed(collect);
        return pending;
    }

    /** The closing thread, last: the loop is closed, and closers waiting for it return. */
    public void finishClose() {
        assert inLoopThread() : "finishClose by a thread that did not claim the close";
        owner = null;
        synchronized (closedSignal) {
            if (!STATE.compareAndSet(this, LoopState.CLOSING, LoopState.CLOSED)) {
                throw new IllegalStateException("finishClose in state " + state);
            }
            closedSignal.notifyAll();
        }
    }

    /** @throws IllegalStateException "Event loop is closed" */
    public void checkOpen() {
        if (state.isClosed()) {
            throw closed();
        }
    }

    private static IllegalStateException closed() {
        return new IllegalStateException("Event loop is closed");
    }

    // ---- one iteration ----------------------------------------------------------------------------

    /** One iteration, asyncio's {@code _run_once}; loop thread. */
    public void runOnce() {
        assert inLoopThread() : "runOnce off the loop thread";
        long timeout = beforeWait();
        try {
            waiter.await(timeout);
        } catch (IOException e) {
            throw new UncheckedIOException("waiting for events", e);
        } finally {
            endWait(timeout);
        }
        afterWait();
    }

    /**
     * The wait's timeout, and the inbound queue armed when the wait may block, so that the next
     * producer wakes the loop; 0 if something was offered meanwhile. Its own step, with
     * {@link #endWait} and {@link #afterWait}, so that WakeupLincheckTest explores this code, with its
     * wait between two operations. Loop thread.
     */
    long beforeWait() {
        purgeCancelledTimers();
        long timeout = waitTimeout();
        // `armed` is written only around a wait that may block: producers read it on every
        // callSoonThreadsafe, so a store on every iteration would keep pulling its cache line away.
        if (timeout != 0 && !inbound.armBeforeSleeping()) { // something was offered meanwhile
            return 0;
        }
        return timeout;
    }

    /** After the wait {@link #beforeWait} gave {@code timeout} to, however it ended: disarms what it armed. */
    void endWait(long timeout) {
        if (timeout != 0) {
            inbound.disarm();
        }
    }

    /** The rest of the iteration: what came meanwhile, the timers due, and the callbacks ready now. */
    void afterWait() {
        inbound.drain(toReadyOrHeap);
        if (!timers.isEmpty()) { // no timer, no need to read the clock (~25 ns, as much as a callback)
            long now = LoopClock.nanoTime();
            for (TimerCallback timer = timers.peek(); timer != null && timer.whenNanos <= now; timer = timers.peek()) {
                timers.poll();
                timer.scheduled = false;
                ready.addLast(timer);
            }
        }
        if (Thread.currentThread().isInterrupted()) {
            STATE.compareAndSet(this, LoopState.RUNNING, LoopState.STOPPING); // the interrupt status stays set
        }
        // Only what was ready now: callbacks scheduled by these callbacks wait for the next iteration.
        int readyNow = ready.size();
        if (readyNow == 0) {
            return;
        }
        for (; readyNow > 0; readyNow--) {
            CallbackHandle handle = ready.pollFirst();
            if (!handle.cancelledAsTheLoopSees()) {
                run(handle);
            }
        }
        // Once per iteration, not per callback: the last callback must not stay reachable from an idle loop.
        runningHandle = null;
    }

    private long waitTimeout() {
        if (!ready.isEmpty() || state != LoopState.RUNNING) {
            return 0;
        }
        TimerCallback next = timers.peek();
        if (next == null) {
            return -1;
        }
        // Saturating: a timer far in the past made `whenNanos - now` overflow to a wait of 292 years.
        return Math.min(LoopClock.nanosUntil(next.whenNanos, LoopClock.nanoTime()), MAX_WAIT_NANOS);
    }

    private void purgeCancelledTimers() {
        int scheduled = timers.size();
        if (scheduled > MIN_TIMERS_TO_COMPACT && cancelledTimers * 2 > scheduled) {
            timers.removeCancelled();
            cancelledTimers = 0;
            return;
        }
        for (TimerCallback head = timers.peek(); head != null && head.isCancelled(); head = timers.peek()) {
            timers.poll();
            head.scheduled = false;
            CANCELLED_TIMERS.getAndAdd(this, -1);
        }
    }

    /** A timer in the heap was cancelled: counted, to compact the heap once most of it is cancelled. Any thread. */
    void timerCancelled() {
        CANCELLED_TIMERS.getAndAdd(this, 1);
    }

    private void readyOrHeap(CallbackHandle handle) {
        if (handle instanceof TimerCallback timer) {
            if (!timer.isCancelled()) {
                addTimer(timer);
            }
        } else if (handle instanceof Readiness readiness) {
            readiness.deliver(this);
        } else {
            ready.addLast(handle);
        }
    }

    private void run(CallbackHandle handle) {
        callbacksRun++;
        long stamp = callbackStamp; // only this thread writes it
        runningHandle = handle;
        CALLBACK_STAMP.setRelease(this, stamp + 1);
        if (!debug) {
            invoke(handle);
            CALLBACK_STAMP.setRelease(this, stamp + 2);
            return;
        }
        long start = System.nanoTime();
        invoke(handle);
        CALLBACK_STAMP.setRelease(this, stamp + 2);
        long took = System.nanoTime() - start;
        if (took >= slowCallbackNanos) {
            LOG.log(Level.WARNING, "Executing {0} took {1} seconds", handle,
                    String.format(Locale.ROOT, "%.3f", LoopClock.toSeconds(took)));
            FlightEvents.slowCallback(loopName, handle.toString(), took);
        }
    }

    private void invoke(CallbackHandle handle) {
        try {
            handle.callback.run();
        } catch (Throwable failure) {
            if (isFatal(failure)) {
                // The run ends here, in its caller, and so does the callback: left odd, the stamp made the
                // blocked-loop checker see every later callback as idle and the idle loop as blocked.
                CALLBACK_STAMP.setRelease(this, callbackStamp + 1);
                runningHandle = null;
                throw (VirtualMachineError) failure;
            }
            failures.callbackFailed(handle, failure);
        }
    }

    /**
     * What user code may throw into the loop and still be reported, as asyncio reports every
     * {@code BaseException} but {@code SystemExit} and {@code KeyboardInterrupt}: everything but a
     * {@link VirtualMachineError} other than {@link StackOverflowError} (out of memory, an internal
     * error), which ends {@code runForever} in its caller, where the JVM's own state is at stake.
     */
    public static void rethrowIfFatal(Throwable failure) {
        if (isFatal(failure)) {
            throw (VirtualMachineError) failure;
        }
    }

    /** Whether {@code failure} is one {@link #rethrowIfFatal} throws on. */
    public static boolean isFatal(Throwable failure) {
        return failure instanceof VirtualMachineError && !(failure instanceof StackOverflowError);
    }

    // ---- scheduling ---------------------------------------------------------------------------------

    /**
     * A handle for {@code callback}, with where it was made in debug mode (asyncio's {@code _source_traceback}):
     * on the loop thread a plain one, which only this thread may {@link #schedule}; elsewhere one
     * that can travel through the inbound queue.
     */
    public CallbackHandle newHandle(Runnable callback) {
        return inLoopThread() ? new CallbackHandle(traced(callback)) : new InboundHandle(traced(callback));
    }

    /**
     * asyncio's {@code call_soon}/{@code call_soon_threadsafe} once the loop's checks passed: on the
     * loop thread straight to the ready queue, from elsewhere through the inbound queue.
     *
     * @throws IllegalStateException "Event loop is closed", if it closed before the handle got in
     * @throws IllegalArgumentException for a handle {@link #newHandle} made on the loop thread, from another thread
     */
    public CallbackHandle schedule(CallbackHandle handle) {
        if (inLoopThread()) {
            if (inbound.offerBegun()) {
                inbound.drain(toReadyOrHeap); // keep FIFO with what other threads scheduled before this call
            }
            ready.addLast(handle);
            return handle;
        }
        if (!(handle instanceof InboundHandle inboundHandle)) {
            throw new IllegalArgumentException("a handle made on the loop thread is scheduled there: " + handle);
        }
        return enqueue(inboundHandle);
    }

    /**
     * asyncio's {@code call_at}: a timer due at {@code when} on the loop clock; on the loop thread
     * straight into the heap, from elsewhere through the inbound queue.
     */
    public TimerHandle scheduleAt(double when, Runnable callback) {
        TimerCallback timer = new TimerCallback(this, when, traced(callback));
        if (inLoopThread()) {
            addTimer(timer);
        } else {
            enqueue(timer);
        }
        return timer;
    }

    /**
     * Readiness seen by another thread, on its way to the loop thread (which delivers it before it
     * runs the iteration's callbacks). Any thread.
     *
     * @throws IllegalStateException "Event loop is closed"
     */
    public void offerReadiness(Readiness readiness) {
        enqueue(readiness);
    }

    /** Puts an I/O callback in this iteration's ready queue; loop thread, from {@link EventWaiter#await} or a {@link Readiness}. */
    public void addReady(CallbackHandle handle) {
        assert inLoopThread() : "addReady off the loop thread";
        if (!handle.cancelledAsTheLoopSees()) {
            ready.addLast(handle);
        }
    }

    private <H extends InboundHandle> H enqueue(H handle) {
        if (inbound.offer(handle)) {
            waiter.wakeup();
        }
        // Closed after the caller's check but before the offer was seen: the close's drain either
        // claimed the handle (and reports it) or did not reach it (then it is ours to refuse).
        if (state.isClosed() && inbound.withdraw(handle)) {
            throw closed();
        }
        return handle;
    }

    // The sequence is given here, so equal times run in the order they reached the heap.
    private void addTimer(TimerCallback timer) {
        assert inLoopThread() : "the timer heap is the loop thread's";
        timer.sequence = timerSequence++;
        timer.scheduled = true;
        timers.add(timer);
    }

    private Runnable traced(Runnable callback) {
        return debug ? CallbackHandle.Traced.fromHere(callback) : callback;
    }

    /**
     * A callback of the loop's own machinery that nobody scheduled through the loop's API: the
     * checker's lag probe, the count behind a {@code stats()} asked from another thread. It runs as
     * any other, but counts and the close's report leave it out: a loop shut down while the JMX
     * bean's look at it waited for its count reported that count to the user's exception handler
     * as "Event loop closed before the callback ran" (a JDK 25 CI run of HotSwapIT; BusyLoopStatsTest).
     */
    public interface OwnCallback extends Runnable {
    }

    /** One of the loop's own callbacks, scheduled as another thread would; {@code null} if the loop closed first. Any thread. */
    public CallbackHandle offerOwn(OwnCallback callback) {
        try {
            return enqueue(new InboundHandle(callback)); // never traced: the type tells it apart
        } catch (IllegalStateException closed) {
            return null;
        }
    }

    private static boolean isOwn(CallbackHandle handle) {
        return handle.isLoopsOwn();
    }

    // ---- blocked-loop checker -----------------------------------------------------------------------

    /** The system property {@value #BLOCKED_LOOP_WARNING_PROPERTY} in nanoseconds, or 2 seconds. */
    public static long propertyBlockedLoopWarningNanos() {
        return PROPERTY_BLOCKED_LOOP_WARNING_NANOS;
    }

    /** What loops made from now on start with, in nanoseconds (0: no warning). */
    public static long defaultBlockedLoopWarningNanos() {
        return defaultBlockedLoopWarningNanos;
    }

    /**
     * Sets what loops made from now on start with (the platform's configuration
     * {@code blockedLoopWarning}); a loop already made keeps its own, which
     * {@link #setBlockedLoopWarningNanos} changes.
     *
     * @throws IllegalArgumentException when {@code nanos} is negative
     */
    public static void setDefaultBlockedLoopWarningNanos(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("blocked loop warning must be >= 0 nanoseconds, not " + nanos);
        }
        defaultBlockedLoopWarningNanos = nanos;
    }

    // The property's seconds, or NaN when it says no number of seconds >= 0
    private static double seconds(String configured) {
        try {
            double seconds = Double.parseDouble(configured.trim());
            return seconds >= 0 ? seconds : Double.NaN;
        } catch (NumberFormatException notANumber) {
            return Double.NaN;
        }
    }

    /**
     * The checker watches this run, if it is on. Its thread may fail to start (the host's thread limit:
     * OutOfMemoryError): the run then goes on unwatched, and says so. Thrown from here, it left the run
     * begun and nobody running it: the loop said it was running for good and refused every run and
     * close (FirstRunWithoutACheckerThreadTest). The checker is a diagnostic; the loop is the user's.
     */
    private void watchIfOn() {
        if (blockedLoopWarningNanos <= 0) {
            return;
        }
        Throwable noChecker = null;
        synchronized (this) {
            if (!watched && state.isRunning()) {
                if (watch == null) {
                    watch = new BlockedLoopChecker.Watch(this);
                }
                try {
                    BlockedLoopChecker.watch(watch);
                    watched = true;
                } catch (OutOfMemoryError e) {
                    noChecker = e;
                }
            }
        }
        if (noChecker != null) { // said with no lock held: a log handler is user code
            try {
                LOG.log(Level.WARNING, "the blocked-loop checker could not start, so this run of " + loopName
                        + " is not watched for blocking callbacks: " + noChecker);
            } catch (RuntimeException handlerFailed) {
                // the run has begun: a log handler's failure must not leave it begun with nobody running it
            }
        }
    }

    // The run ends: the checker forgets the loop (and ends once no loop has run for a while).
    private synchronized void unwatch() {
        if (watched) {
            watched = false;
            watch.runEnded();
            BlockedLoopChecker.forget(watch);
        }
    }

    private synchronized BlockedLoopChecker.Watch watchOrNull() {
        return watched ? watch : null;
    }

    /** How long a callback may run before the blocked-loop checker warns, in nanoseconds; 0: never. */
    public long blockedLoopWarningNanos() {
        return blockedLoopWarningNanos;
    }

    /**
     * Sets how long a callback may run before the blocked-loop checker warns (0 turns it off for this
     * loop); any thread. Turning it on from another thread while the loop runs takes effect at the
     * next run (only the loop thread may start watching its own run). The default is
     * {@link #defaultBlockedLoopWarningNanos()}: the system property {@value #BLOCKED_LOOP_WARNING_PROPERTY} in seconds, or 2
     * seconds, unless the platform's configuration says otherwise.
     */
    public void setBlockedLoopWarningNanos(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("blocked loop warning must be >= 0 nanoseconds, not " + nanos);
        }
        blockedLoopWarningNanos = nanos;
        if (nanos > 0 && inLoopThread()) {
            watchIfOn();
        }
    }

    /** Names the loop in the checker's warnings ("SelectorEventLoop #3"). */
    public void setLoopName(String name) {
        loopName = name;
    }

    String loopName() {
        return loopName;
    }

    /** Even between callbacks, odd while one runs; any thread. */
    long callbackStamp() {
        return (long) CALLBACK_STAMP.getAcquire(this);
    }

    /** Where the callback running now was scheduled, in debug mode; {@code null} otherwise. Loop thread. */
    public StackTraceElement[] runningHandleTraceback() {
        CallbackHandle running = runningHandle;
        return running == null ? null : running.sourceTraceback();
    }

    CallbackHandle runningHandle() {
        return runningHandle; // racy, for a message; the checker read the callback stamp first (an acquire), so the handle is whole
    }

    /** How many runs ({@code runForever}, {@code runUntilComplete}) have begun; any thread. */
    public long runs() {
        return runs;
    }

    /** Whether the loop waits for events with nothing to run (a callback from another thread would wake it). */
    boolean sleeping() {
        return inbound.armed();
    }

    /**
     * The loop's lag: how long the checker's last probe waited between its scheduling from another
     * thread and its run (or how long the one on its way has waited, if longer), in nanoseconds; 0
     * when the loop was asleep with nothing to do; -1 when unknown (not running, or the checker off).
     */
    public long lagNanos() {
        BlockedLoopChecker.Watch watching = watchOrNull();
        return watching == null ? -1 : watching.lagNanos();
    }

    // ---- settings and diagnostics -------------------------------------------------------------------

    /** asyncio's debug mode: handles remember where they were made, slow callbacks are logged. */
    public boolean debug() {
        return debug;
    }

    /** Turns debug mode on or off; any thread. */
    public void setDebug(boolean enabled) {
        debug = enabled;
    }

    /** How long a callback may take before debug mode logs it. */
    public long slowCallbackNanos() {
        return slowCallbackNanos;
    }

    /** asyncio {@code slow_callback_duration}: in debug mode, callbacks that take this long or longer are logged. */
    public void setSlowCallbackNanos(long nanos) {
        slowCallbackNanos = nanos;
    }

    /** Callbacks run so far (loop thread): lets a waiter poll for I/O less often under a callback storm. */
    public long callbacksRun() {
        assert inLoopThread() : "callbacksRun off the loop thread";
        return callbacksRun;
    }

    /** Callbacks ready to run: a racy snapshot off the loop thread, for diagnostics only. */
    public int readyCount() {
        return ready.size();
    }

    /**
     * Callbacks ready or on their way from other threads, the loop's own left out (a lag probe sent
     * during a run can wait there for the next); the loop thread, or any while nobody runs it.
     */
    public int queuedCount() {
        // Counted where they are, not kept in a counter beside the queues: a probe between the two
        // (counted, not yet queued) made a callback vanish from loop:loops (QueuedCountLincheckTest).
        int count = 0;
        for (CallbackHandle handle : ready) {
            if (!isOwn(handle)) {
                count++;
            }
        }
        // Timers on their way are timers (timersQueuedCount): loop:loops counted 200,000 of them as callbacks (a review)
        return count + inbound.count(handle -> !isOwn(handle) && !(handle instanceof TimerCallback));
    }

    /** Timers in the heap, cancelled ones included: a racy snapshot off the loop thread, for diagnostics only. */
    public int timerCount() {
        return timers.size();
    }

    /** Timers in the heap (cancelled ones included) and on their way from other threads; as {@link #queuedCount}. */
    public int timersQueuedCount() {
        return timers.size() + inbound.count(handle -> handle instanceof TimerCallback && !handle.isCancelled());
    }
}

/** What the loop thread writes for every callback, first in the object (the handle fills the gap after the header). */
abstract class SchedulerLoopThreadFields {
    /**
     * The callback running or last run in this iteration, for the checker's message: plain store, racy
     * read. Field accesses, not VarHandles, on the per-callback path: until the JIT has inlined them
     * (the first batch of a fresh JVM) a VarHandle call goes through its guard, its LambdaForm and a
     * {@code Class.cast}; JFR over the cold {@code callSoonChain}: 36 % of the loop thread's samples
     * were in {@code java.lang.invoke}, 13 % in {@code Class.cast}.
     */
    CallbackHandle runningHandle;
    /**
     * Bumped before and after each callback (odd while one runs), with release stores: what the
     * {@link BlockedLoopChecker} compares between its looks. A plain store on x86; no clock read.
     */
    long callbackStamp;
    /** Loop thread only. */
    long callbacksRun;
    /** Loop thread only: the order of timers due at the same time. */
    long timerSequence;
}

/** 128 bytes (two cache lines, for the adjacent-line prefetch) between the loop thread's fields and the rest. */
abstract class SchedulerPadding extends SchedulerLoopThreadFields {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}
