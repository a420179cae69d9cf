package dev.loopkit.loop.core;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.ExceptionHandler;
import dev.loopkit.api.Handle;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.TimerHandle;
import dev.loopkit.api.spi.InspectableLoop;
import dev.loopkit.api.spi.LoopStats;
import dev.loopkit.api.spi.RunningLoop;
import dev.loopkit.signals.SignalDispatcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * asyncio's {@code BaseEventLoop}: everything a loop does except waiting for I/O.
 *
 * <p>One iteration is asyncio's {@code _run_once}: drop cancelled timers, wait for events (no
 * longer than the next timer, not at all when callbacks are ready), move what other threads
 * scheduled and the timers that are due to the ready queue, then run exactly the callbacks that
 * were ready when the run began.
 *
 * <p>Queues, as in Netty's {@code SingleThreadEventExecutor}: callbacks scheduled on the loop
 * thread go straight to a plain deque; other threads go through a lock-free {@link InboundQueue}
 * and wake the loop only when it is about to sleep (the {@code armed} flag), so a burst of
 * cross-thread calls costs one wake-up. Subclasses supply {@link #poll(long)} and
 * {@link #wakeup()}.
 *
 * <p>Interrupting the loop's thread stops the loop at the end of the iteration; the interrupt
 * status stays set for the caller of {@link #runForever()}.
 */
public abstract class BaseEventLoop implements EventLoop, InspectableLoop {

    /** asyncio's {@code MAXIMUM_SELECT_TIMEOUT}: the longest wait for a timer (24 hours); the loop then looks again. */
    private static final long MAX_WAIT_NANOS = 24L * 3600 * 1_000_000_000L;
    /** asyncio's {@code _MIN_SCHEDULED_TIMER_HANDLES}: heaps smaller than this are never compacted. */
    private static final int MIN_TIMERS_TO_COMPACT = 100;
    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final VarHandle OWNER;
    private static final VarHandle CANCELLED_TIMERS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            OWNER = lookup.findVarHandle(BaseEventLoop.class, "owner", Thread.class);
            CANCELLED_TIMERS = lookup.findVarHandle(BaseEventLoop.class, "cancelledTimers", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int id = IDS.incrementAndGet();
    private final ArrayDeque<CallbackHandle> ready = new ArrayDeque<>(256);
    private final InboundQueue inbound = new InboundQueue();
    private final InboundQueue.Sink toReadyOrHeap = this::readyOrHeap;
    private final TimerHeap timers = new TimerHeap();
    private final DefaultExecutor executor;
    /** asyncio's {@code max_size}: one read of a socket or pipe takes at most this much. */
    private static final int READ_BUFFER_SIZE = 256 * 1024;
    /** The loop's one read buffer for stream and pipe transports; loop thread only. */
    private java.nio.ByteBuffer readBuffer;
    /** Memory for what transports could not write at once; loop thread only. */
    private final WriteChunks writeChunks = new WriteChunks();
    /** Watches raw file descriptors; made on first use, loop thread only. */
    private FdPoller fdPoller;
    private String fdInterestIsImpossible;
    /** Transports and servers this loop owns, released when it closes; loop thread only. */
    private final java.util.Set<LoopResource> resources =
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private long timerSequence; // loop thread only
    private long callbacksRun; // loop thread only

    private volatile Thread owner;
    private volatile boolean stopping;
    private volatile boolean closed;
    /** Why {@link #shutdown(String)} was asked for, or {@code null}. */
    private volatile String shutdownReason;
    @SuppressWarnings("unused") // accessed through CANCELLED_TIMERS
    private volatile int cancelledTimers;
    private volatile boolean debug = Boolean.getBoolean("loopkit.debug");
    private volatile long slowCallbackNanos = 100_000_000L;
    private volatile ExceptionHandler exceptionHandler;

    protected BaseEventLoop() {
        executor = new DefaultExecutor("loopkit-executor-" + id + "-");
    }

    // ---- what subclasses supply -----------------------------------------------------------------

    /**
     * Waits for I/O events, at most {@code timeoutNanos} ({@code -1}: no limit, {@code 0}: do not
     * block), and schedules their callbacks with {@link #scheduleReady(CallbackHandle)}. Returns
     * early when {@link #wakeup()} is called from another thread.
     */
    protected abstract void poll(long timeoutNanos) throws IOException;

    /** Makes a {@link #poll(long)} in progress, or the next one, return at once. Any thread. */
    protected abstract void wakeup();

    /** Closes the subclass's selector, channels and file descriptors; called once, by {@link #close()}. */
    protected abstract void closeResources() throws IOException;

    /** How many channels the subclass watches for readiness, besides raw fds (diagnostics; loop thread). */
    protected int watchedChannels() {
        return 0;
    }

    /** Schedules an I/O callback for this iteration's run. Loop thread only, from {@link #poll(long)}. */
    protected final void scheduleReady(CallbackHandle handle) {
        if (!handle.isCancelled()) {
            ready.addLast(handle);
        }
    }

    /** A handle for an I/O callback that {@link #poll(long)} schedules each time its event fires. */
    protected final CallbackHandle newHandle(Runnable callback) {
        return new CallbackHandle(Objects.requireNonNull(callback, "callback"), sourceTraceback());
    }

    /** The thread running the loop, or {@code null}. */
    protected final Thread owner() {
        return owner;
    }

    protected final boolean inLoopThread() {
        return Thread.currentThread() == owner;
    }

    /**
     * Remembers something the loop owns (a transport, a server, a child watcher's pidfd), so that
     * closing the loop releases it. Loop thread only, or any thread while the loop does not run.
     */
    public final void track(LoopResource resource) {
        resources.add(resource);
    }

    /** Forgets what {@link #track} remembered; the same threads. */
    public final void untrack(LoopResource resource) {
        resources.remove(resource);
    }

    /** @throws IllegalStateException "Event loop is closed" */
    protected final void checkClosed() {
        if (closed) {
            throw new IllegalStateException("Event loop is closed");
        }
    }

    // ---- running and stopping ---------------------------------------------------------------------

    @Override
    public void runForever() {
        checkClosed();
        if (owner != null) {
            throw new IllegalStateException("This event loop is already running");
        }
        if (shutdownReason != null) {
            shutdownNow(shutdownReason);
            checkClosed();
        }
        RunningLoop.set(this); // throws while another loop runs in this thread
        if (!OWNER.compareAndSet(this, (Thread) null, Thread.currentThread())) {
            RunningLoop.set(null);
            throw new IllegalStateException(closed ? "Event loop is closed" : "This event loop is already running");
        }
        try {
            checkClosed(); // a close on another thread may have ended between the check above and the owning
            do {
                runOnce();
            } while (!stopping && shutdownReason == null);
        } finally {
            stopping = false;
            owner = null;
            RunningLoop.set(null);
            // Read after owner is cleared: a shutdown that saw this loop still running (and left the
            // closing to it) wrote the reason before it read owner, so one of the two closes.
            String reason = shutdownReason;
            if (reason != null) {
                shutdownNow(reason);
            }
        }
    }

    @Override
    public <T> T runUntilComplete(CompletionStage<T> future) {
        Objects.requireNonNull(future, "future");
        checkClosed();
        if (owner != null) {
            throw new IllegalStateException("This event loop is already running");
        }
        if (future instanceof LoopFuture<?> loopFuture && loopFuture.getLoop() != this) {
            throw new IllegalArgumentException(
                    "The future belongs to a different loop than the one specified as the loop argument");
        }
        RunUntilComplete<T> run = new RunUntilComplete<>(this);
        if (future instanceof DefaultLoopFuture<T> loopFuture) {
            loopFuture.whenCompleteInline(run); // it schedules the stop itself: asyncio's done callback
        } else {
            future.whenComplete(run);
        }
        try {
            runForever();
        } finally {
            run.finish();
        }
        return run.outcome();
    }

    @Override
    public void stop() {
        stopping = true;
        if (!inLoopThread()) {
            wakeup();
        }
    }

    @Override
    public boolean isRunning() {
        return owner != null;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        List<CallbackHandle> dropped = closeAndCollectPending();
        if (dropped != null && !dropped.isEmpty()) {
            // Plain digits: the default format would print 16,898.
            LOG.log(Level.DEBUG, "{0} closed with {1} pending callbacks dropped", this, Integer.toString(dropped.size()));
        }
    }

    /**
     * Closes the loop from any thread, also while it runs (when its bundle stops, say): a running
     * loop stops after the current iteration and closes itself on its own thread. Every callback
     * and timer that will now never run is reported to the exception handler; a callback scheduled
     * from another thread meanwhile is either reported or refused with "Event loop is closed".
     */
    public void shutdown(String reason) {
        Objects.requireNonNull(reason, "reason");
        shutdownReason = reason;
        if (owner != null) {
            wakeup();
            return;
        }
        shutdownNow(reason);
    }

    // Closes now, unless a thread runs (or is closing) the loop: that thread sees shutdownReason.
    private void shutdownNow(String reason) {
        List<CallbackHandle> pending;
        try {
            pending = closeAndCollectPending();
        } catch (IllegalStateException startedMeanwhile) {
            wakeup(); // runForever began in between; it sees shutdownReason and closes on exit
            return;
        }
        if (pending == null) {
            return;
        }
        for (CallbackHandle handle : pending) {
            Map<String, Object> context = new LinkedHashMap<>();
            context.put("message", "Event loop closed before the callback ran: " + reason);
            context.put("exception", new CancellationException(reason));
            context.put("handle", handle);
            callExceptionHandler(context);
        }
    }

    /**
     * Closes the loop and returns the callbacks that will never run (not cancelled ones), or
     * {@code null} if it was closed already. The closing thread owns the loop meanwhile, as a
     * running thread does: it is then the only consumer of the queues, and no run can begin.
     *
     * @throws IllegalStateException "Cannot close a running event loop"
     */
    private List<CallbackHandle> closeAndCollectPending() {
        synchronized (this) { // a second closer waits, then finds the loop closed
            if (closed) {
                return null;
            }
            if (!OWNER.compareAndSet(this, (Thread) null, Thread.currentThread())) {
                throw new IllegalStateException("Cannot close a running event loop");
            }
            try {
                // From here a producer that offers sees `closed` and withdraws what the drain
                // below does not claim: each callback is either reported here or refused there.
                closed = true;
                if (debug) {
                    LOG.log(Level.DEBUG, "Close {0}", this);
                }
                List<CallbackHandle> pending = new ArrayList<>(ready.size() + timers.size());
                InboundQueue.Sink collect = handle -> {
                    if (!handle.isCancelled()) {
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
                releaseResources();
                return pending;
            } finally {
                owner = null;
            }
        }
    }

    private void releaseResources() {
        executor.shutdown();
        SignalDispatcher.get().removeAll(this);
        for (LoopResource resource : new ArrayList<>(resources)) {
            resource.release();
        }
        resources.clear();
        if (fdPoller != null) {
            fdPoller.close();
        }
        try {
            closeResources();
        } catch (IOException e) {
            throw new UncheckedIOException("closing " + this, e);
        }
    }

    private void runOnce() {
        purgeCancelledTimers();
        long timeout = pollTimeout();
        // `armed` is written only around a poll that may block: producers read it on every
        // callSoonThreadsafe, so a store on every iteration would keep pulling its cache line away.
        boolean mayBlock = timeout != 0;
        if (mayBlock && !inbound.armBeforeSleeping()) { // something was offered meanwhile
            mayBlock = false;
            timeout = 0;
        }
        try {
            poll(timeout);
        } catch (IOException e) {
            throw new UncheckedIOException("waiting for events on " + this, e);
        } finally {
            if (mayBlock) {
                inbound.disarm();
            }
        }
        drainInbound();
        if (!timers.isEmpty()) { // no timer, no need to read the clock (~25 ns, as much as a callback)
            long now = LoopClock.nanoTime();
            for (TimerCallback timer = timers.peek(); timer != null && timer.whenNanos <= now; timer = timers.peek()) {
                timers.poll();
                timer.scheduled = false;
                ready.addLast(timer);
            }
        }
        if (Thread.currentThread().isInterrupted()) {
            stopping = true;
        }
        // Only what was ready now: callbacks scheduled by these callbacks wait for the next iteration.
        for (int todo = ready.size(); todo > 0; todo--) {
            CallbackHandle handle = ready.pollFirst();
            if (!handle.isCancelled()) {
                run(handle);
            }
        }
    }

    private long pollTimeout() {
        if (!ready.isEmpty() || stopping) {
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

    void timerCancelled() {
        CANCELLED_TIMERS.getAndAdd(this, 1);
    }

    private void drainInbound() {
        inbound.drain(toReadyOrHeap);
    }

    private void readyOrHeap(CallbackHandle handle) {
        if (handle instanceof TimerCallback timer) {
            if (!timer.isCancelled()) {
                addTimer(timer);
            }
        } else {
            ready.addLast(handle);
        }
    }

    /** Callbacks run so far (loop thread only): lets a subclass poll for I/O less often under a callback storm. */
    protected final long callbacksRun() {
        return callbacksRun;
    }

    private void run(CallbackHandle handle) {
        callbacksRun++;
        if (!debug) {
            invoke(handle);
            return;
        }
        long start = System.nanoTime();
        invoke(handle);
        long took = System.nanoTime() - start;
        if (took >= slowCallbackNanos) {
            LOG.log(Level.WARNING, "Executing {0} took {1} seconds", handle,
                    String.format(java.util.Locale.ROOT, "%.3f", LoopClock.toSeconds(took)));
        }
    }

    private void invoke(CallbackHandle handle) {
        try {
            handle.callback.run();
        } catch (Throwable failure) {
            if (failure instanceof VirtualMachineError fatal && !(failure instanceof StackOverflowError)) {
                throw fatal;
            }
            Map<String, Object> context = new LinkedHashMap<>();
            context.put("message", "Exception in callback " + handle.callback);
            context.put("exception", failure);
            context.put("handle", handle);
            if (handle.sourceTraceback != null) {
                context.put("source_traceback", handle.sourceTraceback);
            }
            callExceptionHandler(context);
        }
    }

    // ---- scheduling --------------------------------------------------------------------------------

    @Override
    public Handle callSoon(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkClosed();
        if (!inLoopThread()) {
            checkThread();
            return enqueue(new CallbackHandle(callback, sourceTraceback()));
        }
        CallbackHandle handle = new CallbackHandle(callback, sourceTraceback());
        if (inbound.offerBegun()) {
            drainInbound(); // keep FIFO with what other threads scheduled before this call
        }
        ready.addLast(handle);
        return handle;
    }

    @Override
    public Handle callSoonThreadsafe(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkClosed();
        CallbackHandle handle = new CallbackHandle(callback, sourceTraceback());
        if (inLoopThread()) {
            if (inbound.offerBegun()) {
                drainInbound();
            }
            ready.addLast(handle);
            return handle;
        }
        return enqueue(handle);
    }

    private CallbackHandle enqueue(CallbackHandle handle) {
        if (inbound.offer(handle)) {
            wakeup();
        }
        // Closed after our check but before the offer was seen: the close's drain either claimed
        // the handle (and reports it) or did not reach it (then it is ours to refuse).
        if (closed && inbound.withdraw(handle)) {
            checkClosed();
        }
        return handle;
    }

    /**
     * asyncio's {@code call_later}: {@code callAt(time() + delaySeconds)}. Any delay is accepted, as
     * asyncio accepts it: zero, negative, -Infinity and NaN run in the next iteration, +Infinity never.
     */
    @Override
    public TimerHandle callLater(double delaySeconds, Runnable callback) {
        return callAt(time() + delaySeconds, callback);
    }

    /**
     * asyncio's {@code call_at}: {@code when} on the loop's clock; {@code when()} returns it as given.
     * A time not after the loop's (NaN included: asyncio's due check {@code when >= end_time} is
     * false for it) runs in the next iteration; +Infinity never runs.
     */
    @Override
    public TimerHandle callAt(double when, Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkClosed();
        TimerCallback timer = new TimerCallback(this, when, callback, sourceTraceback());
        if (inLoopThread()) {
            addTimer(timer);
        } else {
            // Another thread, or no loop running: the timer travels through the inbound queue and
            // the loop thread puts it in the heap.
            checkThread();
            enqueue(timer);
        }
        return timer;
    }

    // Loop thread only. The sequence is given here, so equal times run in the order they reached the heap.
    private void addTimer(TimerCallback timer) {
        timer.sequence = timerSequence++;
        timer.scheduled = true;
        timers.add(timer);
    }

    @Override
    public double time() {
        return LoopClock.seconds();
    }

    /** asyncio's {@code _check_thread}: in debug mode, only the loop's own thread may use the unsafe calls. */
    protected final void checkThread() {
        if (debug && owner != null) {
            throw new IllegalStateException(
                    "Non-thread-safe operation invoked on an event loop other than the current one");
        }
    }

    private StackTraceElement[] sourceTraceback() {
        return debug ? new Throwable().getStackTrace() : null;
    }

    // ---- futures and executors -------------------------------------------------------------------

    @Override
    public <T> LoopFuture<T> createFuture() {
        return new DefaultLoopFuture<>(this);
    }

    @Override
    public <T> LoopFuture<T> runInExecutor(Executor executor, Callable<T> function) {
        Objects.requireNonNull(function, "function");
        checkClosed();
        Executor target = executor != null ? executor : this.executor.get();
        LoopFuture<T> future = createFuture();
        FutureTask<T> task = new FutureTask<>(function) {
            @Override
            protected void done() {
                if (isCancelled()) {
                    return; // the loop future was cancelled first and cancelled us
                }
                try {
                    callSoonThreadsafe(() -> complete(future, this));
                } catch (IllegalStateException closedMeanwhile) {
                    LOG.log(Level.DEBUG, "result of {0} dropped: {1}", function, closedMeanwhile.getMessage());
                }
            }
        };
        future.addDoneCallback(f -> {
            if (f.isCancelled()) {
                task.cancel(true);
            }
        });
        target.execute(task);
        return future;
    }

    private static <T> void complete(LoopFuture<T> future, FutureTask<T> task) {
        if (future.isDone()) {
            return;
        }
        try {
            future.setResult(task.get());
        } catch (java.util.concurrent.ExecutionException e) {
            future.setException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // cannot happen: the task is done
        }
    }

    /** asyncio {@code set_default_executor}: the executor {@code runInExecutor(null, …)} uses; closed with the loop. */
    public void setDefaultExecutor(ExecutorService executorService) {
        executor.set(Objects.requireNonNull(executorService, "executor"));
    }

    /**
     * asyncio {@code shutdown_default_executor()}: shuts the default executor down; the future
     * completes on the loop once its threads have ended.
     */
    public LoopFuture<Void> shutdownDefaultExecutor() {
        LoopFuture<Void> done = createFuture();
        executor.shutdownAndThen(() -> callSoonThreadsafe(() -> {
            if (!done.isDone()) {
                done.setResult(null);
            }
        }));
        return done;
    }

    // ---- signals ------------------------------------------------------------------------------------

    @Override
    public void addSignalHandler(int signum, Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkClosed();
        SignalDispatcher.get().add(signum, this, callback);
    }

    @Override
    public boolean removeSignalHandler(int signum) {
        return SignalDispatcher.get().remove(signum, this);
    }

    // ---- I/O: each loop implementation provides what it supports -----------------------------------

    /** Thrown by the I/O operations a loop implementation does not provide. */
    protected final UnsupportedOperationException unsupported(String operation) {
        return new UnsupportedOperationException(getClass().getSimpleName() + " does not support " + operation);
    }

    @Override
    public void addReader(java.nio.channels.SelectableChannel channel, Runnable callback) {
        throw unsupported("addReader");
    }

    @Override
    public boolean removeReader(java.nio.channels.SelectableChannel channel) {
        throw unsupported("removeReader");
    }

    @Override
    public void addWriter(java.nio.channels.SelectableChannel channel, Runnable callback) {
        throw unsupported("addWriter");
    }

    @Override
    public boolean removeWriter(java.nio.channels.SelectableChannel channel) {
        throw unsupported("removeWriter");
    }

    @Override
    public void addReader(int fd, Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkClosed();
        checkThread();
        fdPoller().addReader(fd, newHandle(callback));
    }

    @Override
    public boolean removeReader(int fd) {
        return fdPoller != null && !closed && fdPoller.removeReader(fd);
    }

    @Override
    public void addWriter(int fd, Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkClosed();
        checkThread();
        fdPoller().addWriter(fd, newHandle(callback));
    }

    @Override
    public boolean removeWriter(int fd) {
        return fdPoller != null && !closed && fdPoller.removeWriter(fd);
    }

    /** How many raw file descriptors the loop watches (diagnostics; loop thread). */
    public int watchedFileDescriptors() {
        return fdPoller == null ? 0 : fdPoller.size();
    }

    private FdPoller fdPoller() {
        if (fdPoller == null) {
            if (fdInterestIsImpossible != null) {
                throw new UnsupportedOperationException(fdInterestIsImpossible);
            }
            try {
                fdPoller = new FdPoller(this);
            } catch (NoClassDefFoundError missing) {
                fdInterestIsImpossible = "raw file descriptors need the dev.loopkit.posix module or bundle (and JNR): "
                        + missing.getMessage() + " is missing";
                throw new UnsupportedOperationException(fdInterestIsImpossible, missing);
            }
        }
        return fdPoller;
    }

    /**
     * The loop's read buffer for transports (direct, 256 KiB), cleared: what is read into it is only
     * valid until the protocol callback returns, so one buffer serves every transport of the loop.
     */
    protected final java.nio.ByteBuffer readBuffer() {
        if (readBuffer == null) {
            readBuffer = java.nio.ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
        }
        return readBuffer.clear();
    }

    /** The loop's write chunks, for {@link WriteBuffer}. */
    final WriteChunks writeChunks() {
        return writeChunks;
    }

    /** Runs an I/O callback right now, as the ready queue would (for readiness reported by a helper). */
    final void runNow(CallbackHandle handle) {
        if (!handle.isCancelled()) {
            run(handle);
        }
    }

    // ---- subprocesses ---------------------------------------------------------------------------------

    @Override
    public CompletionStage<dev.loopkit.api.SubprocessTransport> subprocessExec(
            java.util.function.Supplier<? extends dev.loopkit.api.SubprocessProtocol> protocolFactory,
            List<String> args, dev.loopkit.api.SubprocessOptions options) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(args, "args");
        Objects.requireNonNull(options, "options");
        if (args.isEmpty()) {
            throw new IllegalArgumentException("args must not be empty: the program to run comes first");
        }
        args.forEach(arg -> Objects.requireNonNull(arg, "args must not hold null"));
        checkClosed();
        try {
            return SubprocessLauncher.launch(this, protocolFactory, List.copyOf(args), options);
        } catch (NoClassDefFoundError missing) {
            throw new UnsupportedOperationException("subprocesses need the dev.loopkit.posix module or bundle (and JNR): "
                    + missing.getMessage() + " is missing", missing);
        }
    }

    @Override
    public CompletionStage<dev.loopkit.api.SubprocessTransport> subprocessShell(
            java.util.function.Supplier<? extends dev.loopkit.api.SubprocessProtocol> protocolFactory,
            String cmd, dev.loopkit.api.SubprocessOptions options) {
        Objects.requireNonNull(cmd, "cmd");
        return subprocessExec(protocolFactory, List.of("/bin/sh", "-c", cmd), options);
    }

    @Override
    public <P extends dev.loopkit.api.Protocol> CompletionStage<dev.loopkit.api.Connection<P>> createConnection(
            java.util.function.Supplier<P> protocolFactory, String host, int port) {
        throw unsupported("createConnection");
    }

    @Override
    public <P extends dev.loopkit.api.Protocol> CompletionStage<dev.loopkit.api.Connection<P>> createUnixConnection(
            java.util.function.Supplier<P> protocolFactory, java.nio.file.Path path) {
        throw unsupported("createUnixConnection");
    }

    @Override
    public CompletionStage<dev.loopkit.api.Server> createServer(
            java.util.function.Supplier<? extends dev.loopkit.api.Protocol> protocolFactory, String host, int port,
            dev.loopkit.api.ServerOptions options) {
        throw unsupported("createServer");
    }

    @Override
    public LoopFuture<Integer> sockRecv(java.nio.channels.NetworkChannel channel, java.nio.ByteBuffer buffer) {
        throw unsupported("sockRecv");
    }

    @Override
    public LoopFuture<Void> sockSendall(java.nio.channels.NetworkChannel channel, java.nio.ByteBuffer data) {
        throw unsupported("sockSendall");
    }

    @Override
    public LoopFuture<java.nio.channels.NetworkChannel> sockAccept(java.nio.channels.NetworkChannel serverChannel) {
        throw unsupported("sockAccept");
    }

    @Override
    public LoopFuture<Void> sockConnect(java.nio.channels.NetworkChannel channel, java.net.SocketAddress address) {
        throw unsupported("sockConnect");
    }

    @Override
    public CompletionStage<dev.loopkit.api.Server> createUnixServer(
            java.util.function.Supplier<? extends dev.loopkit.api.Protocol> protocolFactory, java.nio.file.Path path) {
        throw unsupported("createUnixServer");
    }

    @Override
    public LoopFuture<List<java.net.InetSocketAddress>> getaddrinfo(String host, int port) {
        Objects.requireNonNull(host, "host");
        Networks.checkPort(port);
        return runInExecutor(null, () -> Networks.resolve(host, port));
    }

    // ---- errors and debugging -----------------------------------------------------------------------

    @Override
    public void setExceptionHandler(ExceptionHandler handler) {
        exceptionHandler = handler;
    }

    @Override
    public ExceptionHandler getExceptionHandler() {
        return exceptionHandler;
    }

    @Override
    public void defaultExceptionHandler(Map<String, Object> context) {
        ExceptionContexts.log(LOG, context);
    }

    @Override
    public void callExceptionHandler(Map<String, Object> context) {
        ExceptionHandler handler = exceptionHandler;
        if (handler == null) {
            try {
                defaultExceptionHandler(context);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "Exception in default exception handler", e);
            }
            return;
        }
        try {
            handler.handle(this, context);
        } catch (RuntimeException e) {
            try {
                Map<String, Object> nested = new LinkedHashMap<>();
                nested.put("message", "Unhandled error in exception handler");
                nested.put("exception", e);
                nested.put("context", context);
                defaultExceptionHandler(nested);
            } catch (RuntimeException again) {
                LOG.log(Level.ERROR, "Exception in default exception handler while handling an unexpected error"
                        + " in custom exception handler", again);
            }
        }
    }

    @Override
    public void setDebug(boolean enabled) {
        debug = enabled;
    }

    @Override
    public boolean getDebug() {
        return debug;
    }

    /** asyncio {@code slow_callback_duration}: in debug mode, callbacks longer than this are logged. */
    public double getSlowCallbackDuration() {
        return LoopClock.toSeconds(slowCallbackNanos);
    }

    public void setSlowCallbackDuration(double seconds) {
        if (!(seconds >= 0)) {
            throw new IllegalArgumentException("slow callback duration must be >= 0, not " + seconds);
        }
        slowCallbackNanos = LoopClock.toNanosCeil(seconds);
    }

    /** Callbacks ready to run: a racy snapshot, for diagnostics only. */
    public int pendingCallbacks() {
        return ready.size();
    }

    /** Timers in the heap, cancelled ones included: a racy snapshot, for diagnostics only. */
    public int pendingTimers() {
        return timers.size();
    }

    @Override
    public LoopStats stats() {
        Thread thread = owner;
        if (thread == null || inLoopThread()) {
            return countHere(thread); // not running: no other thread touches the queues
        }
        java.util.concurrent.CompletableFuture<LoopStats> counted = new java.util.concurrent.CompletableFuture<>();
        try {
            callSoonThreadsafe(() -> counted.complete(countHere(thread)));
            return counted.get(1, java.util.concurrent.TimeUnit.SECONDS);
        } catch (IllegalStateException | java.util.concurrent.ExecutionException
                | java.util.concurrent.TimeoutException stoppedOrBusy) {
            return new LoopStats(name(), thread.getName(), isRunning(), isRunning(), -1, -1, -1, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new LoopStats(name(), thread.getName(), isRunning(), false, -1, -1, -1, -1);
        }
    }

    // On the loop thread, or with no loop thread: the queues' only consumer.
    private LoopStats countHere(Thread thread) {
        return new LoopStats(name(), thread == null ? null : thread.getName(), thread != null, false,
                ready.size() + inbound.size(), timers.size(), closed ? 0 : watchedFileDescriptors() + watchedChannels(),
                resources.size());
    }

    private String name() {
        return getClass().getSimpleName() + " #" + id;
    }

    /** A number unique to this loop in the process, used in thread names and messages. */
    public final int id() {
        return id;
    }

    @Override
    public String toString() {
        return "<" + getClass().getSimpleName() + " #" + id + " running=" + isRunning() + " closed=" + closed
                + " debug=" + debug + ">";
    }
}
