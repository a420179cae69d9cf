package dev.loopkit.loop.core;

import dev.loopkit.api.Connection;
import dev.loopkit.api.ConnectionOptions;
import dev.loopkit.api.Datagram;
import dev.loopkit.api.DatagramEndpoint;
import dev.loopkit.api.DatagramOptions;
import dev.loopkit.api.DatagramProtocol;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.ExceptionHandler;
import dev.loopkit.api.Handle;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.BaseTransport;
import dev.loopkit.api.Server;
import dev.loopkit.api.ServerOptions;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessProtocol;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.api.TimerHandle;
import dev.loopkit.api.Transport;
import dev.loopkit.api.spi.InspectableLoop;
import dev.loopkit.api.spi.LoopStats;
import dev.loopkit.api.RunningLoop;
import dev.loopkit.loop.core.scheduling.CallbackHandle;
import dev.loopkit.loop.core.scheduling.InboundHandle;
import dev.loopkit.loop.core.scheduling.EventWaiter;
import dev.loopkit.loop.core.scheduling.LoopClock;
import dev.loopkit.loop.core.scheduling.LoopState;
import dev.loopkit.loop.core.scheduling.Scheduler;
import dev.loopkit.loop.core.transports.WriteBuffer;
import dev.loopkit.signals.SignalNumbers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * asyncio's {@code BaseEventLoop}: the {@link EventLoop} API over a {@link Scheduler}, which runs
 * the iterations ({@code _run_once}), keeps the queues and the lifecycle. Subclasses supply how to
 * wait for events ({@link #poll(long)}) and how to be woken ({@link #wakeup()}).
 *
 * <p>Interrupting the loop's thread stops the loop at the end of the iteration; the interrupt
 * status stays set for the caller of {@link #runForever()}.
 */
public abstract class BaseEventLoop implements EventLoop, InspectableLoop {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");
    private static final AtomicInteger IDS = new AtomicInteger();
    /** asyncio's {@code max_size}: one read of a socket or pipe takes at most this much. */
    private static final int READ_BUFFER_SIZE = 256 * 1024;

    private final int id = IDS.incrementAndGet();
    private final Scheduler scheduler = new Scheduler(new EventWaiter() {
        @Override
        public void await(long timeoutNanos) throws IOException {
            failOperationsOnClosedChannels();
            poll(timeoutNanos);
        }

        @Override
        public void wakeup() {
            BaseEventLoop.this.wakeup();
        }
    }, this::callbackFailed);
    private final DefaultExecutor executor;
    /** What runs the stages of this loop's futures ({@link DefaultLoopFuture#defaultExecutor()}): one for the loop. */
    private final Executor stageExecutor = DefaultLoopFuture.stageExecutor(this);
    /** The loop's one read buffer for stream and pipe transports; loop thread only. */
    private ByteBuffer readBuffer;
    /** Memory for what transports could not write at once; loop thread only. */
    private final WriteChunks writeChunks = new WriteChunks();
    /**
     * The {@code sock*} operations waiting for readiness of a JDK channel, by operation: the JDK cancels
     * the key of a channel the user closes without a word to the loop, and such an operation waited for
     * good (asyncio's selector loop hangs there too; the proactor's fails). Loop thread only.
     */
    private final Map<LoopFuture<?>, Channel> waitingOnChannels = new IdentityHashMap<>();
    /** Watches raw file descriptors; made on first use, loop thread only. */
    private FdPoller fdPoller;
    private String fdInterestIsImpossible;
    /** Bytes sendfile copied through the JVM (its fallback); loop thread only. */
    private long sendfileBytesCopied;
    /** Transports and servers this loop owns, released when it closes; loop thread only. */
    private final Set<LoopResource> resources = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ConnectingSockets connecting = new ConnectingSockets();
    /**
     * asyncio's {@code _transports}: the transport that uses each socket (a channel, or a pipe's
     * descriptor number), keyed by {@link #socketKey}, until its connection is lost or the loop releases
     * it. Channels compare by identity. Loop thread only, or any thread while the loop does not run.
     */
    private final Map<Object, BaseTransport> socketTransports = new HashMap<>();
    /** What resources' release() put off until the loop is closed ({@link #afterClose}); only while it closes. */
    private List<Runnable> putOffUntilClosed;
    /**
     * The thread whose close fills {@link #putOffUntilClosed}, until it has run what is there: the only
     * one that touches that list. The loop's owner cannot tell it: the close clears the owner before it
     * runs the list, and in between any thread passed for the loop's own, so another thread's done
     * callback refused by the closed loop put its warning in the list as it was being read (warnings lost,
     * ArrayIndexOutOfBoundsException and NullPointerException out of setResult: DroppedDoneCallbackWhileClosingTest).
     */
    private volatile Thread closingThread;
    /** Why {@link #shutdown(String)} was asked for; written before the state says so. */
    private volatile String shutdownReason;
    private volatile ExceptionHandler exceptionHandler;
    /** What of the system this loop holds, closed if it is dropped unclosed. */
    private final UnclosedLoops.Tracked unclosed;
    private final LoopSignals signals = new LoopSignals(this);
    private final UnretrievedFailures unretrievedFailures = new UnretrievedFailures(this);

    protected BaseEventLoop() {
        executor = new DefaultExecutor("loopkit-executor-" + id + "-");
        scheduler.setLoopName(name());
        unclosed = UnclosedLoops.track(this, name());
        closeIfDropped(signals.listener());
        closeIfDropped(executor.whenDropped()); // its own pool, as asyncio's close() from __del__ shuts it down
    }

    /**
     * Registers something of the system's this loop closes in its {@link #closeResources()} (a selector,
     * an epoll set), to be closed too if the loop becomes garbage unclosed, as asyncio's {@code __del__}
     * closes a loop. {@code resource} must reach nothing of the loop, and its close must be idempotent.
     */
    protected final void closeIfDropped(AutoCloseable resource) {
        unclosed.add(resource);
    }

    /**
     * For a subclass's constructor that fails after this one ran: closes what was registered with
     * {@link #closeIfDropped} so far and leaves the loop closed, without the "unclosed event loop"
     * warning its collection would bring (the caller got the exception, never a loop to close). Returns
     * {@code cause}, for the constructor to throw.
     */
    protected final <E extends Throwable> E notMade(E cause) {
        if (scheduler.beginClose()) {
            try {
                unclosed.notMade();
            } finally {
                scheduler.finishClose();
            }
        }
        return cause;
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

    /**
     * Fails {@code operation} with {@link AsynchronousCloseException} if the user closes {@code channel}
     * while it waits; checked before each wait (NetworkContract.closingTheSocketWhileSockRecvWaitsEndsIt).
     * Loop thread only.
     */
    public void failIfClosedUnder(LoopFuture<?> operation, Channel channel) {
        assert inLoopThreadOrIdle() : "failIfClosedUnder off the loop thread";
        waitingOnChannels.put(operation, channel);
        operation.addDoneCallback(done -> waitingOnChannels.remove(operation));
    }

    // Before each wait: a wait for a closed channel's readiness would never end.
    private void failOperationsOnClosedChannels() {
        if (waitingOnChannels.isEmpty()) {
            return;
        }
        List<LoopFuture<?>> closedUnder = new ArrayList<>();
        waitingOnChannels.forEach((operation, channel) -> {
            if (!channel.isOpen() && !operation.isDone()) {
                closedUnder.add(operation);
            }
        });
        // its caller may cancel it on another thread meanwhile: a refusal here ended the run (it is the wait)
        closedUnder.forEach(operation -> IfStillWaiting.setException(operation, new AsynchronousCloseException()));
    }

    /** Schedules an I/O callback for this iteration's run. Loop thread only, from {@link #poll(long)}. */
    protected final void scheduleReady(CallbackHandle handle) {
        scheduler.addReady(handle);
    }

    /** A handle for an I/O callback that {@link #poll(long)} schedules each time its event fires. */
    protected final CallbackHandle newHandle(Runnable callback) {
        return scheduler.newHandle(Objects.requireNonNull(callback, "callback"));
    }

    /** The scheduler that runs this loop's callbacks. */
    protected final Scheduler scheduler() {
        return scheduler;
    }

    /** The thread running (or closing) the loop, or {@code null}. */
    protected final Thread owner() {
        return scheduler.owner();
    }

    /** Whether the calling thread runs (or is closing) this loop: Netty's {@code inEventLoop()}. */
    public final boolean inLoopThread() {
        return scheduler.inLoopThread();
    }

    /**
     * Whether the caller may touch what belongs to the loop thread: it runs (or closes) the loop, or
     * no thread does (then the thread that sets the loop up before running it may).
     */
    public final boolean inLoopThreadOrIdle() {
        return scheduler.inLoopThreadOrIdle();
    }

    /**
     * Remembers something the loop owns (a transport, a server, a child watcher's pidfd), so that
     * closing the loop releases it. Loop thread only, or any thread while the loop does not run.
     */
    public final void track(LoopResource resource) {
        assert inLoopThreadOrIdle() : "track off the loop thread while it runs";
        resources.add(resource);
    }

    /** Forgets what {@link #track} remembered; the same threads. */
    public final void untrack(LoopResource resource) {
        assert inLoopThreadOrIdle() : "untrack off the loop thread while it runs";
        resources.remove(resource);
    }

    /**
     * Remembers that {@code socket}, made by the loop for a connect, is the loop's to close until a
     * transport takes it ({@link #connectEnded}): closing the loop closes it with {@code close}, which also
     * removes what the loop watches of it. The threads of {@link #track}.
     */
    public final void connectStarted(Object socket, Runnable close) {
        assert inLoopThreadOrIdle() : "connectStarted off the loop thread while it runs";
        connecting.opened(socket, close);
    }

    /** The connect's socket went to a transport, or was closed: no longer the loop's to close. The same threads. */
    public final void connectEnded(Object socket) {
        assert inLoopThreadOrIdle() : "connectEnded off the loop thread while it runs";
        connecting.handedOver(socket);
    }

    /**
     * Remembers that {@code transport} uses {@code socket} (a channel, or a pipe's descriptor number) until
     * {@link #socketReleased}: asyncio's {@code _transports[fd] = transport}. The threads of {@link #track}.
     */
    public final void socketUsed(Object socket, BaseTransport transport) {
        assert inLoopThreadOrIdle() : "socketUsed off the loop thread while it runs";
        socketTransports.put(socketKey(Objects.requireNonNull(socket, "socket")), Objects.requireNonNull(transport, "transport"));
    }

    /** {@code transport} no longer uses {@code socket} (closed, or released with the loop); the same threads. */
    public final void socketReleased(Object socket, BaseTransport transport) {
        assert inLoopThreadOrIdle() : "socketReleased off the loop thread while it runs";
        socketTransports.remove(socketKey(socket), transport);
    }

    /** The transport that uses {@code socket}, closing or not, if one does; the same threads. */
    public final Optional<BaseTransport> transportUsing(Object socket) {
        return Optional.ofNullable(socketTransports.get(socketKey(socket)));
    }

    /**
     * What {@code socket} is known by among the sockets transports use: by default itself (a JDK
     * channel by identity, which is what users hand to {@code addReader}; a pipe's descriptor number).
     * A loop whose own sockets users can only name by number (found in {@code /proc/self/fd}) answers
     * that number for them, so that {@code addReader(int fd, …)} finds their transport.
     */
    protected Object socketKey(Object socket) {
        return socket;
    }

    /**
     * asyncio's {@code _ensure_fd_no_transport}, which {@code add_reader}, {@code remove_reader}, their
     * writer twins and the {@code sock_*} operations start with: a socket a transport uses, while it
     * is not closing, is refused, for the caller's reader would replace the transport's (or its
     * removal remove it), and the transport would never hear of the socket again.
     *
     * @throws IllegalStateException asyncio's RuntimeError "File descriptor … is used by transport …"
     */
    protected final void ensureNoTransport(Object socket) {
        BaseTransport transport = socket == null ? null : socketTransports.get(socketKey(socket));
        if (transport != null && !transport.isClosing()) {
            throw usedByTransport(socket, transport);
        }
    }

    /** asyncio's words for a socket (or descriptor) {@code transport} uses; Pipes say the same. */
    public static IllegalStateException usedByTransport(Object socket, BaseTransport transport) {
        return new IllegalStateException("File descriptor " + socket + " is used by transport " + transport);
    }

    /** @throws IllegalStateException "Event loop is closed" */
    protected final void checkClosed() {
        scheduler.checkOpen();
    }

    // ---- running and stopping ---------------------------------------------------------------------

    @Override
    public void runForever() {
        run(null);
    }

    /** asyncio's {@code run_forever}; {@code whenOwned}, if any, runs on this thread once it runs the loop. */
    private void run(Runnable whenOwned) {
        checkClosed();
        if (isRunning()) {
            throw new IllegalStateException("This event loop is already running");
        }
        RunningLoop.set(this); // throws while another loop runs in this thread
        try {
            scheduler.beginRun();
        } catch (RuntimeException notOurs) {
            RunningLoop.set(null);
            throw notOurs;
        }
        unretrievedFailures.reportCollected();
        boolean closeNow = false;
        try {
            if (whenOwned != null) {
                whenOwned.run();
            }
            scheduler.runUntilStopped();
        } finally {
            closeNow = scheduler.endRun();
            RunningLoop.set(null);
            if (closeNow) { // a shutdown came while running: this thread owns the close
                closeOwned(shutdownReason);
            }
        }
    }

    @Override
    public <T> T runUntilComplete(CompletionStage<T> future) {
        Objects.requireNonNull(future, "future");
        checkClosed();
        if (isRunning()) {
            throw new IllegalStateException("This event loop is already running");
        }
        // A loop future's minimal stage is that future's: one of another loop's ran there, and this
        // loop waited for a completion that never came.
        CompletionStage<T> stage = future instanceof MinimalLoopStage<T> minimal ? minimal.loopFuture() : future;
        if (stage instanceof LoopFuture<?> loopFuture && loopFuture.getLoop() != this) {
            throw new IllegalArgumentException(
                    "The future belongs to a different loop than the one specified as the loop argument");
        }
        // What stops the run is added once this thread runs the loop. Added before, by a caller that then
        // lost the race to run it, a done future's callback (queued at once) ran in the winner's run and
        // stopped it early, or used up the stop a later run needed, which never returned (EventLoopContract).
        RunUntilComplete<T> run = new RunUntilComplete<>(this);
        if (stage instanceof DefaultLoopFuture<T> loopFuture) {
            // asyncio's: a done callback stops the loop, and is removed when the run ends, so that runs
            // stopped early leave none behind (each left one: 50 stopped runs, 50 callbacks)
            try {
                run(() -> loopFuture.addDoneCallback(run));
            } finally {
                run.finish();
                loopFuture.removeDoneCallback(run);
            }
            if (loopFuture.isDone()) { // done, whether or not its callback ran: asyncio asks future.done()
                loopFuture.whenCompleteInline(run); // inline, as it is done: records the outcome
            }
            return run.outcome();
        }
        // Any other stage: its completion is recorded where it happens and stops the loop from there.
        // A CompletionStage cannot take one back, so a run stopped early leaves it until the stage completes.
        try {
            run(() -> future.whenComplete(run));
        } finally {
            run.finish();
        }
        return run.outcome();
    }

    @Override
    public void stop() {
        scheduler.stop();
    }

    @Override
    public boolean isRunning() {
        return scheduler.state().isRunning();
    }

    @Override
    public boolean isClosed() {
        return scheduler.state().isClosed();
    }

    /** Closed, and no close under way any more (not merely closing). */
    final boolean isFullyClosed() {
        return scheduler.state() == LoopState.CLOSED;
    }

    @Override
    public void close() {
        if (!scheduler.beginClose()) {
            return;
        }
        List<CallbackHandle> dropped = closeOwned(null);
        if (!dropped.isEmpty()) {
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
        shutdownReason = reason; // before the state change that makes the loop thread read it
        if (scheduler.requestShutdown()) {
            closeOwned(reason);
        }
    }

    /**
     * Closes the loop this thread has claimed (state CLOSING): collects what will never run,
     * releases what the loop owns, and reports the callbacks when it is a shutdown ({@code reason}
     * not {@code null}).
     */
    private List<CallbackHandle> closeOwned(String reason) {
        List<CallbackHandle> pending;
        ExecutorService executorToShutDown = null;
        // asyncio's logger.debug("Close %r", self), said once closed: a log handler is user code, and one
        // that closed this loop on another thread waited for ever while it closed (LoopCloseReentrancyTest)
        String closing = getDebug() ? toString() : null;
        try {
            unclosed.closed();
            pending = scheduler.drainForClose();
            executorToShutDown = executor.markShutdown();
            releaseResources(pending);
        } finally {
            scheduler.finishClose();
            // Once closed, as asyncio shuts its executor down after _closed is set: while the loop
            // closes, a close() on another thread waits for this one, and the executor's shutdown()
            // (the user's, if set) and the log handlers of the signal handlers' removal are user code
            // that may wait for such a thread (LoopCloseReentrancyTest). A signal meanwhile finds the
            // loop closed, and is dropped. So are the closes of what dropped loops held, whose warnings
            // go to log handlers: they ran while this loop was still closing.
            try {
                if (closing != null) {
                    LOG.log(Level.DEBUG, "Close {0}", closing);
                }
                signals.removeAll();
                if (executorToShutDown != null) {
                    executorToShutDown.shutdown();
                }
            } finally {
                // Whatever those threw (a user's executor whose shutdown() throws SecurityException): what
                // was put off is said, and this thread no longer puts anything off (DroppedDoneCallbackWhileClosingTest)
                runPutOffUntilClosed();
                UnclosedLoops.closeDropped();
                unretrievedFailures.reportCollectedAtClose();
            }
        }
        if (reason != null) {
            for (CallbackHandle handle : pending) {
                Map<String, Object> context = new LinkedHashMap<>();
                context.put("message", "Event loop closed before the callback ran: " + reason);
                context.put("exception", new CancellationException(reason));
                context.put("handle", handle);
                callExceptionHandler(context);
            }
        }
        return pending;
    }

    /**
     * For a resource's {@link LoopResource#release()}, which runs while the loop closes: on the closing
     * thread, runs {@code action} once the loop is closed; on any other thread, or when no close is
     * under way, at once. While the loop closes, a {@code close()} on another thread waits for it, so
     * what the closing thread would run of user code (a warning, whose log handlers are the user's) must
     * wait until the loop is closed (WatcherLogHandlerReentrancyTest: the pidfd watcher's "Loop ... that
     * handles pid N is closed"); another thread's waits for nothing the closing thread holds.
     */
    public final void afterClose(Runnable action) {
        if (Thread.currentThread() == closingThread) {
            putOffUntilClosed.add(action);
        } else {
            action.run();
        }
    }

    private void runPutOffUntilClosed() {
        List<Runnable> actions = putOffUntilClosed;
        if (actions == null) {
            return;
        }
        closingThread = null; // from here an action of this thread's (a warning put off by a warning) runs at once
        putOffUntilClosed = null;
        for (Runnable action : actions) {
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "what a resource of " + this + " put off until it closed failed", e);
            }
        }
    }

    // What the loop owns, and the callbacks that never ran and are resources themselves (a watch that
    // was to start on this loop): both released, and those callbacks left out of the close's report.
    // One release that fails takes nothing from the others, nor from the loop's own descriptors: a
    // transport's close that met a class of a bundle refreshed underneath (NoClassDefFoundError) skipped
    // the rest, and the loop's epoll set and eventfd stayed open for good (an outside review).
    //
    // An error the loop passes on (a thread that cannot start at the host's limit: OutOfMemoryError) is
    // thrown once everything is released: thrown at once, it left the rest open for good, and a pidfd
    // watcher's children zombies (an outside review, at a cgroup's pids limit).
    private void releaseResources(List<CallbackHandle> pending) {
        putOffUntilClosed = new ArrayList<>(0);
        closingThread = Thread.currentThread();
        VirtualMachineError fatal = null;
        for (LoopResource resource : new ArrayList<>(resources)) {
            fatal = releaseQuietly(resource, fatal);
        }
        for (Iterator<CallbackHandle> dropped = pending.iterator(); dropped.hasNext(); ) {
            if (dropped.next().callback() instanceof LoopResource resource) {
                dropped.remove();
                fatal = releaseQuietly(resource, fatal);
            }
        }
        resources.clear();
        try {
            connecting.release();
            socketTransports.clear();
            if (fdPoller != null) {
                fdPoller.close();
            }
            closeResources();
        } catch (IOException e) {
            UncheckedIOException closing = new UncheckedIOException("closing " + this, e);
            if (fatal == null) {
                throw closing;
            }
            fatal.addSuppressed(closing);
        }
        if (fatal != null) {
            throw fatal;
        }
    }

    // The first error to pass on once everything is released: the one given, or this release's.
    private VirtualMachineError releaseQuietly(LoopResource resource, VirtualMachineError fatalBefore) {
        try {
            resource.release();
        } catch (Throwable e) {
            if (Scheduler.isFatal(e)) {
                return fatalBefore != null ? fatalBefore : (VirtualMachineError) e;
            }
            LOG.log(Level.ERROR, "releasing " + CallbackHandle.textOf(resource) + " as " + this + " closed failed", e);
        }
        return fatalBefore;
    }

    /** Callbacks run so far (loop thread only): lets a subclass poll for I/O less often under a callback storm. */
    protected final long callbacksRun() {
        return scheduler.callbacksRun();
    }

    /** Runs begun so far: a subclass's skip for callback storms ends with the run that had them. */
    protected final long runsBegun() {
        return scheduler.runs();
    }

    /** One of the loop's own callbacks, from any thread; {@code null} if the loop closed first. */
    final CallbackHandle offerOwn(Scheduler.OwnCallback callback) {
        return scheduler.offerOwn(callback);
    }

    private void callbackFailed(CallbackHandle handle, Throwable failure) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("message", "Exception in callback " + handle.describeCallback());
        context.put("exception", failure);
        context.put("handle", handle);
        StackTraceElement[] scheduledAt = handle.sourceTraceback();
        if (scheduledAt != null) {
            context.put("source_traceback", scheduledAt);
        }
        callExceptionHandler(context);
    }

    // ---- scheduling --------------------------------------------------------------------------------

    @Override
    public Handle callSoon(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkCallSoon();
        return scheduler.schedule(scheduler.newHandle(callback));
    }

    /**
     * {@link #callSoon(Runnable)} for a handle the caller made (one that is its own callback, so
     * that nothing else is allocated); it must be new, since a handle is scheduled once. From
     * another thread only an {@link InboundHandle} (a plain handle is refused with an
     * {@link IllegalArgumentException}: {@link #callSoonThreadsafe} takes it as a callback). In debug
     * mode handles remember where they were made: use {@link #callSoon(Runnable)} there.
     */
    public Handle callSoonHandle(CallbackHandle handle) {
        Objects.requireNonNull(handle, "handle");
        checkCallSoon();
        return scheduler.schedule(handle);
    }

    /** The executor of this loop's futures' stages ({@link DefaultLoopFuture#defaultExecutor()}). */
    final Executor stageExecutor() {
        return stageExecutor;
    }

    // asyncio's call_soon checks: open, and (in debug mode) called from the loop's thread.
    private void checkCallSoon() {
        checkClosed();
        if (!inLoopThread()) {
            checkThread();
        }
    }

    @Override
    public Handle callSoonThreadsafe(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkClosed();
        return scheduler.schedule(scheduler.newHandle(callback));
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
        if (!inLoopThread()) {
            // Another thread, or no loop running: the timer travels through the inbound queue and
            // the loop thread puts it in the heap.
            checkThread();
        }
        return scheduler.scheduleAt(when, callback);
    }

    @Override
    public double time() {
        return LoopClock.seconds();
    }

    /**
     * asyncio's {@code _check_thread}: in debug mode, while the loop runs, only its own thread may use
     * the unsafe calls. (It refused the loop's own thread too, which every subprocess's pipes and pidfd
     * go through: in debug mode each spawn hung, on every loop.)
     */
    protected final void checkThread() {
        if (getDebug() && owner() != null && !inLoopThread()) {
            throw new IllegalStateException(
                    "Non-thread-safe operation invoked on an event loop other than the current one");
        }
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
        return ExecutorTask.submit(this, executor != null ? executor : this.executor.get(), function);
    }

    /**
     * asyncio {@code set_default_executor}: the executor {@code runInExecutor(null, …)} uses; closed with the loop.
     *
     * @throws IllegalArgumentException for the common pool, which ignores {@code shutdown()} and never
     *         terminates: {@link #shutdownDefaultExecutor()} and {@code Asyncio.run} wait for the default
     *         executor's threads, and waited for ever (asyncio too takes only a {@code ThreadPoolExecutor})
     */
    public void setDefaultExecutor(ExecutorService executorService) {
        Objects.requireNonNull(executorService, "executor");
        if (executorService == ForkJoinPool.commonPool()) {
            throw new IllegalArgumentException("executor must not be the common pool: it never shuts down");
        }
        executor.set(executorService);
    }

    /**
     * asyncio {@code shutdown_default_executor()}: shuts the default executor down; the future
     * completes on the loop once its threads have ended.
     */
    public LoopFuture<Void> shutdownDefaultExecutor() {
        return shutdownDefaultExecutor(Double.POSITIVE_INFINITY);
    }

    /**
     * asyncio 3.12's {@code shutdown_default_executor(timeout)}: as {@link #shutdownDefaultExecutor()},
     * but once {@code timeoutSeconds} have passed with threads still running, logs asyncio's
     * RuntimeWarning ("The executor did not finishing joining its threads within 0.2 seconds.") and
     * completes without them; their tasks run on. {@code asyncio.run} gives them 300 s. A negative number
     * has passed already, as asyncio's {@code timeouts.timeout} takes it: the wait ends at once.
     *
     * @throws IllegalArgumentException for NaN
     */
    @Override
    public LoopFuture<Void> shutdownDefaultExecutor(double timeoutSeconds) {
        long timeoutNanos = timeoutSeconds < 0 ? 0 : nonNegativeNanos(timeoutSeconds, "timeout");
        LoopFuture<Void> done = createFuture();
        if (isClosed()) {
            // asyncio's close() already shut the executor down and forgot it: nothing is left to wait for,
            // and a completion sent to a closed loop never came
            done.setResult(null);
            return done;
        }
        executor.shutdownAndThen(timeoutNanos, () -> LOG.log(Level.WARNING,
                "The executor did not finishing joining its threads within {0} seconds.", pythonFloat(timeoutSeconds)), () -> {
            // The loop's own: a loop closed first reports no callback of the user's (asyncio's _do_shutdown:
            // "if not self.is_closed()"; nobody can wait on a closed loop)
            scheduler.offerOwn(() -> IfStillWaiting.setResult(done, null));
        });
        return done;
    }

    // ---- signals ------------------------------------------------------------------------------------

    @Override
    public void addSignalHandler(int signum, Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        SignalNumbers.check(signum); // asyncio's _check_signal, then _check_closed
        checkClosed();
        signals.add(signum, callback);
        if (isClosed()) {
            // A close on another thread ended between the check and the add, and its removal of every
            // handler came first: the closed loop would keep this one, and the process its handler.
            signals.remove(signum);
            checkClosed();
        }
    }

    @Override
    public boolean removeSignalHandler(int signum) {
        return signals.remove(signum);
    }

    // A signal thread: the loop thread runs the handler set when it gets to the signal; a closed loop drops it.
    void signalReceived(int signum) {
        if (signals.handler(signum) != null) {
            try {
                callSoonThreadsafe(signals.delivery(signum));
            } catch (IllegalStateException closed) {
                // the loop closed between the signal and now; it removes its handlers itself
            }
        }
    }

    // ---- I/O: each loop implementation provides what it supports -----------------------------------

    /** Thrown by the I/O operations a loop implementation does not provide. */
    protected UnsupportedOperationException unsupported(String operation) {
        return new UnsupportedOperationException(ClassNames.simpleName(getClass()) + " does not support " + operation);
    }

    /** asyncio {@code add_reader}: refuses a channel a transport uses ({@link #ensureNoTransport}). */
    @Override
    public void addReader(SelectableChannel channel, Runnable callback) {
        ensureNoTransport(channel);
        watchReadable(channel, callback);
    }

    /**
     * {@link #addReader(SelectableChannel, Runnable)}, returning the reader's handle: it is cancelled
     * once another reader replaces it or it is removed. By default: {@link UnsupportedOperationException}.
     */
    protected Handle watchReadable(SelectableChannel channel, Runnable callback) {
        throw unsupported("addReader");
    }

    /** asyncio {@code remove_reader}: refuses a channel a transport uses ({@link #ensureNoTransport}). */
    @Override
    public boolean removeReader(SelectableChannel channel) {
        ensureNoTransport(channel);
        return unwatchReadable(channel);
    }

    /**
     * asyncio's {@code _remove_reader}: {@link #removeReader(SelectableChannel)} without its check, for
     * the loop's transports and operations. By default: {@link UnsupportedOperationException}.
     */
    protected boolean unwatchReadable(SelectableChannel channel) {
        throw unsupported("removeReader");
    }

    /** asyncio {@code add_writer}: refuses a channel a transport uses ({@link #ensureNoTransport}). */
    @Override
    public void addWriter(SelectableChannel channel, Runnable callback) {
        ensureNoTransport(channel);
        watchWritable(channel, callback);
    }

    /**
     * {@link #addWriter(SelectableChannel, Runnable)}, returning the writer's handle: it is cancelled
     * once another writer replaces it or it is removed. By default: {@link UnsupportedOperationException}.
     */
    protected Handle watchWritable(SelectableChannel channel, Runnable callback) {
        throw unsupported("addWriter");
    }

    /** asyncio {@code remove_writer}: refuses a channel a transport uses ({@link #ensureNoTransport}). */
    @Override
    public boolean removeWriter(SelectableChannel channel) {
        ensureNoTransport(channel);
        return unwatchWritable(channel);
    }

    /** asyncio's {@code _remove_writer}; see {@link #unwatchReadable}. */
    protected boolean unwatchWritable(SelectableChannel channel) {
        throw unsupported("removeWriter");
    }

    /**
     * asyncio {@code add_reader} for a descriptor: refuses one a transport uses
     * ({@link #ensureNoTransport}; a pipe transport's descriptor is its {@code "pipe"} extra).
     */
    @Override
    public final void addReader(int fd, Runnable callback) {
        ensureNoTransport(fd);
        watchReadable(fd, callback);
    }

    /** asyncio {@code remove_reader} for a descriptor: refuses one a transport uses ({@link #ensureNoTransport}). */
    @Override
    public final boolean removeReader(int fd) {
        ensureNoTransport(fd);
        checkRemovable(fd);
        return unwatchReadable(fd);
    }

    /** asyncio {@code add_writer} for a descriptor: refuses one a transport uses ({@link #ensureNoTransport}). */
    @Override
    public final void addWriter(int fd, Runnable callback) {
        ensureNoTransport(fd);
        watchWritable(fd, callback);
    }

    /** asyncio {@code remove_writer} for a descriptor: refuses one a transport uses ({@link #ensureNoTransport}). */
    @Override
    public final boolean removeWriter(int fd) {
        ensureNoTransport(fd);
        checkRemovable(fd);
        return unwatchWritable(fd);
    }

    // asyncio's selector looks the number up as it removes (_fileobj_to_fd), unless the loop is closed
    private void checkRemovable(int fd) {
        if (fd < 0 && !isClosed()) {
            throw new IllegalArgumentException("Invalid file descriptor: " + fd);
        }
    }

    /**
     * asyncio's {@code _add_reader} for a descriptor: {@link #addReader(int, Runnable)} without its
     * check, for the loop's transports and watchers. By default in a helper thread's epoll set.
     */
    public void watchReadable(int fd, Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkClosed();
        checkThread();
        fdPoller().addReader(fd, newHandle(callback));
    }

    /**
     * Opens the set {@link #watchReadable} watches in, if it is not open yet (by default on first use): a
     * descriptor checked now and watched later cannot lose its number to the set itself, should its owner
     * close it in between (the set then watched itself, and the transport's failure closed it).
     */
    public void openDescriptorSet() {
        checkClosed();
        checkThread();
        fdPoller();
    }

    /** asyncio's {@code _remove_reader} for a descriptor; see {@link #watchReadable(int, Runnable)}. */
    public boolean unwatchReadable(int fd) {
        return fdPoller != null && !isClosed() && fdPoller.removeReader(fd);
    }

    /** asyncio's {@code _add_writer} for a descriptor; see {@link #watchReadable(int, Runnable)}. */
    public void watchWritable(int fd, Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkClosed();
        checkThread();
        fdPoller().addWriter(fd, newHandle(callback));
    }

    /** asyncio's {@code _remove_writer} for a descriptor; see {@link #watchReadable(int, Runnable)}. */
    public boolean unwatchWritable(int fd) {
        return fdPoller != null && !isClosed() && fdPoller.removeWriter(fd);
    }

    /** How many raw file descriptors the loop watches (diagnostics; loop thread). */
    public final int watchedFileDescriptors() {
        assert inLoopThreadOrIdle() : "watchedFileDescriptors off the loop thread while it runs";
        return countWatchedFileDescriptors();
    }

    /**
     * {@link #watchedFileDescriptors()} without its thread rule: the size of a table, read as it is,
     * for {@link #stats()} of a loop that may start on its own thread during the count.
     */
    protected int countWatchedFileDescriptors() {
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
    public final ByteBuffer readBuffer() {
        assert inLoopThread() : "readBuffer off the loop thread";
        if (readBuffer == null) {
            readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
        }
        return readBuffer.clear();
    }

    /** The loop's write chunks, for {@link WriteBuffer}. */
    public final WriteChunks writeChunks() {
        assert inLoopThreadOrIdle() : "writeChunks off the loop thread while it runs";
        return writeChunks;
    }

    // ---- subprocesses ---------------------------------------------------------------------------------

    @Override
    public CompletionStage<SubprocessTransport> subprocessExec(
            Supplier<? extends SubprocessProtocol> protocolFactory,
            List<String> args, SubprocessOptions options) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(args, "args");
        Objects.requireNonNull(options, "options");
        if (args.isEmpty()) {
            throw new IllegalArgumentException("args must not be empty: the program to run comes first");
        }
        args.forEach(arg -> Objects.requireNonNull(arg, "args must not hold null"));
        checkClosed();
        try {
            return makeSubprocessTransport(protocolFactory, List.copyOf(args), options);
        } catch (NoClassDefFoundError missing) {
            throw new UnsupportedOperationException("subprocesses need the dev.loopkit.posix module or bundle (and JNR): "
                    + missing.getMessage() + " is missing", missing);
        }
    }

    /**
     * asyncio's {@code _make_subprocess_transport}: spawns the child with its pipes and registers it
     * with the child watcher, for arguments already checked. A loop that cannot run children
     * throws {@link UnsupportedOperationException}. (The subprocess machinery builds on this class,
     * so it is reached from the loops, not from here.)
     */
    protected abstract CompletionStage<SubprocessTransport> makeSubprocessTransport(
            Supplier<? extends SubprocessProtocol> protocolFactory, List<String> args, SubprocessOptions options);

    @Override
    public CompletionStage<SubprocessTransport> subprocessShell(
            Supplier<? extends SubprocessProtocol> protocolFactory,
            String cmd, SubprocessOptions options) {
        Objects.requireNonNull(cmd, "cmd");
        return subprocessExec(protocolFactory, List.of("/bin/sh", "-c", cmd), options);
    }

    @Override
    public <P extends Protocol> CompletionStage<Connection<P>> createConnection(
            Supplier<P> protocolFactory, String host, int port) {
        throw unsupported("createConnection");
    }

    @Override
    public <P extends Protocol> CompletionStage<Connection<P>> createUnixConnection(
            Supplier<P> protocolFactory, Path path) {
        throw unsupported("createUnixConnection");
    }

    // TLS (.tls) and the pipe transports (.transports) build on this package: the loops wire them in.
    @Override
    public <P extends Protocol> CompletionStage<Connection<P>> createConnection(
            Supplier<P> protocolFactory, String host, int port, ConnectionOptions options) {
        throw unsupported("createConnection");
    }

    @Override
    public CompletionStage<Transport> startTls(Transport transport, Protocol protocol, SSLContext sslContext,
            boolean serverSide, ConnectionOptions options) {
        throw unsupported("startTls");
    }

    @Override
    public <P extends Protocol> CompletionStage<Connection<P>> connectReadPipe(Supplier<P> protocolFactory, int fd) {
        throw unsupported("connectReadPipe");
    }

    @Override
    public <P extends Protocol> CompletionStage<Connection<P>> connectWritePipe(Supplier<P> protocolFactory, int fd) {
        throw unsupported("connectWritePipe");
    }

    @Override
    public <P extends Protocol> CompletionStage<Connection<P>> connectAcceptedSocket(
            Supplier<P> protocolFactory, NetworkChannel channel, ConnectionOptions options) {
        throw unsupported("connectAcceptedSocket");
    }

    @Override
    public CompletionStage<Server> createServer(
            Supplier<? extends Protocol> protocolFactory, String host, int port,
            ServerOptions options) {
        throw unsupported("createServer");
    }

    @Override
    public LoopFuture<Integer> sockRecv(NetworkChannel channel, ByteBuffer buffer) {
        throw unsupported("sockRecv");
    }

    @Override
    public LoopFuture<Void> sockSendall(NetworkChannel channel, ByteBuffer data) {
        throw unsupported("sockSendall");
    }

    @Override
    public LoopFuture<NetworkChannel> sockAccept(NetworkChannel serverChannel) {
        throw unsupported("sockAccept");
    }

    @Override
    public LoopFuture<Void> sockConnect(NetworkChannel channel, SocketAddress address) {
        throw unsupported("sockConnect");
    }

    @Override
    public CompletionStage<Server> createUnixServer(
            Supplier<? extends Protocol> protocolFactory, Path path) {
        throw unsupported("createUnixServer");
    }

    @Override
    public LoopFuture<List<InetSocketAddress>> getaddrinfo(String host, int port) {
        Objects.requireNonNull(host, "host");
        Networks.checkPort(port);
        return runInExecutor(null, () -> Networks.resolve(host, port));
    }

    // ---- UDP and sendfile: readiness-based on every loop ----------------------------------------------

    /**
     * Who tells this loop that a java.nio channel is ready, for UDP endpoints, {@code sockRecvfrom},
     * {@code sockSendto} and zero-copy {@code sendfile}: by default the loop's own
     * {@code addReader}/{@code addWriter} on channels; a loop that does not wait in a selector supplies
     * a {@link ChannelPoller}.
     */
    protected ChannelReadiness channelReadiness() {
        return ownReadiness;
    }

    /**
     * The loop's own readers and writers on channels without asyncio's check that no transport uses
     * the channel ({@link #ensureNoTransport}): asyncio's {@code _add_reader} and kin, for the
     * transports that watch their channel through the loop itself.
     */
    public final ChannelReadiness ownChannelReadiness() {
        return ownReadiness;
    }

    private final ChannelReadiness ownReadiness = new ChannelReadiness() {
        @Override
        public Handle addReader(SelectableChannel channel, Runnable callback) {
            return watchReadable(channel, callback);
        }

        @Override
        public boolean removeReader(SelectableChannel channel) {
            return unwatchReadable(channel);
        }

        @Override
        public Handle addWriter(SelectableChannel channel, Runnable callback) {
            return watchWritable(channel, callback);
        }

        @Override
        public boolean removeWriter(SelectableChannel channel) {
            return unwatchWritable(channel);
        }

        @Override
        public void channelClosed(SelectableChannel channel) {
            BaseEventLoop.this.channelClosed(channel);
        }
    };

    /**
     * {@code channel}, watched through {@link #addReader(SelectableChannel, Runnable)}, is closed now:
     * a loop whose channels a selector on another thread watches wakes it, for the JDK closes the
     * descriptor only when that selector next selects. Nothing by default (the loop thread selects).
     */
    protected void channelClosed(SelectableChannel channel) {
    }

    @Override
    public <P extends DatagramProtocol> CompletionStage<DatagramEndpoint<P>> createDatagramEndpoint(
            Supplier<P> protocolFactory, SocketAddress localAddr, SocketAddress remoteAddr, DatagramOptions options) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(options, "options");
        checkClosed();
        if (localAddr == null && remoteAddr == null && options.family() == null) {
            throw new IllegalArgumentException("unexpected address family");
        }
        return makeDatagramEndpoint(protocolFactory, localAddr, remoteAddr, options);
    }

    /**
     * Makes a UDP endpoint for arguments already checked: a loop that watches channels (itself or
     * through a {@link ChannelPoller}) calls {@code DatagramEndpoints.create} over its
     * {@link #channelReadiness()}. (The transports build on this class, so it does not reach them
     * itself.) By default: {@link UnsupportedOperationException}.
     */
    protected <P extends DatagramProtocol> CompletionStage<DatagramEndpoint<P>> makeDatagramEndpoint(
            Supplier<P> protocolFactory, SocketAddress localAddr, SocketAddress remoteAddr, DatagramOptions options) {
        throw unsupported("createDatagramEndpoint");
    }

    @Override
    public LoopFuture<Datagram> sockRecvfrom(NetworkChannel channel, int bufsize) {
        return Datagrams.recvfrom(this, channelReadiness(), datagramChannel(channel), bufsize);
    }

    @Override
    public LoopFuture<Integer> sockSendto(NetworkChannel channel, ByteBuffer data, SocketAddress address) {
        DatagramChannel datagram = datagramChannel(channel);
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(address, "address");
        return Networks.afterResolving(this, address, resolved -> Datagrams.sendto(this, channelReadiness(), datagram, data, resolved));
    }

    private DatagramChannel datagramChannel(NetworkChannel channel) {
        Objects.requireNonNull(channel, "channel");
        checkClosed();
        ensureNoTransport(channel);
        if (!(channel instanceof DatagramChannel datagram)) {
            throw new IllegalArgumentException(ClassNames.simpleName(getClass()) + " needs a " + DatagramChannel.class.getName()
                    + ", not " + channel.getClass().getName());
        }
        if (datagram.isBlocking()) {
            throw new IllegalArgumentException("the socket must be non-blocking");
        }
        return datagram;
    }

    @Override
    public LoopFuture<Long> sendfile(Transport transport, FileChannel file, long offset, Long count) {
        Objects.requireNonNull(transport, "transport");
        Sendfile.checkParams(file, offset, count);
        checkClosed();
        return Sendfile.overTransport(this, transport, file, offset, count);
    }

    @Override
    public LoopFuture<Long> sockSendfile(NetworkChannel channel, FileChannel file, long offset, Long count) {
        Objects.requireNonNull(channel, "channel");
        if (channel instanceof DatagramChannel) {
            // asyncio's _check_sendfile_params; else the fallback read a block before sockSendall refused the socket
            throw new IllegalArgumentException("only SOCK_STREAM type sockets are supported");
        }
        if (channel instanceof SelectableChannel selectable && selectable.isBlocking()) {
            // as every sock* operation refuses it; the fallback read a block first, an empty file none
            throw new IllegalArgumentException("the socket must be non-blocking");
        }
        Sendfile.checkParams(file, offset, count);
        checkClosed();
        ensureNoTransport(channel);
        return Sendfile.overSocket(this, zeroCopySocket(channel), channel, file, offset, count);
    }

    /**
     * Where {@code sockSendfile} may send {@code channel}'s bytes directly, or {@code null} for
     * asyncio's fallback: by default a non-blocking JDK {@code SocketChannel}, watched through
     * {@link #channelReadiness()}. A loop with sockets of its own adds them.
     */
    protected ZeroCopySocket zeroCopySocket(NetworkChannel channel) {
        return channel instanceof SocketChannel socket && !socket.isBlocking()
                ? ZeroCopySocket.of(socket, channelReadiness()) : null;
    }

    /**
     * Bytes this loop's {@code sendfile} and {@code sockSendfile} copied through the JVM's memory: the
     * fallback's reads of the file; nothing on the zero-copy path. Loop thread, or after the run.
     */
    public final long sendfileBytesCopied() {
        return sendfileBytesCopied;
    }

    final void countSendfileCopy(long bytes) {
        sendfileBytesCopied += bytes;
    }

    /** {@link #unsupported(String)} caused by what refused: a loop that cannot watch channels for UDP, say. */
    public final UnsupportedOperationException unsupported(String operation, Throwable cause) {
        UnsupportedOperationException refused = unsupported(operation);
        refused.initCause(cause);
        return refused;
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
        StackTraceElement[] running = scheduler.inLoopThread() ? scheduler.runningHandleTraceback() : null;
        if (running != null && !context.containsKey("source_traceback")) {
            // asyncio's default_exception_handler: where the handle that runs now was made (debug mode)
            Map<String, Object> withHandle = new LinkedHashMap<>(context);
            withHandle.put("handle_traceback", running);
            context = withHandle;
        }
        ExceptionContexts.log(LOG, context);
    }

    /** This loop's futures whose failure nobody asked for yet. */
    final UnretrievedFailures unretrievedFailures() {
        return unretrievedFailures;
    }

    @Override
    public void callExceptionHandler(Map<String, Object> context) {
        ExceptionHandler handler = exceptionHandler;
        // asyncio catches every BaseException of the handlers but SystemExit and KeyboardInterrupt: an
        // Error of the user's handler (a failed assertion) must not end runForever mid-iteration.
        if (handler == null) {
            try {
                defaultExceptionHandler(context);
            } catch (Throwable e) {
                Scheduler.rethrowIfFatal(e);
                LOG.log(Level.ERROR, "Exception in default exception handler", e);
            }
            return;
        }
        try {
            handler.handle(this, context);
        } catch (Throwable e) {
            Scheduler.rethrowIfFatal(e);
            try {
                Map<String, Object> nested = new LinkedHashMap<>();
                nested.put("message", "Unhandled error in exception handler");
                nested.put("exception", e);
                nested.put("context", context);
                defaultExceptionHandler(nested);
            } catch (Throwable again) {
                Scheduler.rethrowIfFatal(again);
                LOG.log(Level.ERROR, "Exception in default exception handler while handling an unexpected error"
                        + " in custom exception handler", again);
            }
        }
    }

    @Override
    public void setDebug(boolean enabled) {
        scheduler.setDebug(enabled);
    }

    @Override
    public boolean getDebug() {
        return scheduler.debug();
    }

    /** asyncio {@code slow_callback_duration}: in debug mode, callbacks longer than this are logged. */
    public double getSlowCallbackDuration() {
        return LoopClock.toSeconds(scheduler.slowCallbackNanos());
    }

    public void setSlowCallbackDuration(double seconds) {
        scheduler.setSlowCallbackNanos(nonNegativeNanos(seconds, "slow callback duration"));
    }

    /**
     * Seconds a callback may run on this loop before the always-on blocked-loop detector logs one
     * WARNING with the loop thread's stack (0: never). Defaults to the system property
     * {@code loopkit.blockedLoopWarning}, or 2, unless configuration {@code dev.loopkit.policy} sets {@code blockedLoopWarning}.
     */
    public double getBlockedLoopWarning() {
        return LoopClock.toSeconds(scheduler.blockedLoopWarningNanos());
    }

    /** @throws IllegalArgumentException for a negative or NaN number of seconds */
    public void setBlockedLoopWarning(double seconds) {
        scheduler.setBlockedLoopWarningNanos(nonNegativeNanos(seconds, "blocked loop warning"));
    }

    // Python's str() of a float: 0.2, 300.0, inf
    private static String pythonFloat(double value) {
        return value == Double.POSITIVE_INFINITY ? "inf" : Double.toString(value);
    }

    private static long nonNegativeNanos(double seconds, String setting) {
        if (!(seconds >= 0)) {
            throw new IllegalArgumentException(setting + " must be >= 0, not " + seconds);
        }
        return LoopClock.toNanosCeil(seconds);
    }

    /** Callbacks ready to run: a racy snapshot, for diagnostics only. */
    public int pendingCallbacks() {
        return scheduler.readyCount();
    }

    /** Timers in the heap, cancelled ones included: a racy snapshot, for diagnostics only. */
    public int pendingTimers() {
        return scheduler.timerCount();
    }

    @Override
    public LoopStats stats() {
        Thread thread = owner();
        if (thread == null || inLoopThread()) {
            // Not running, or this is its thread. A loop starting at this very moment may take over
            // during the count (StartingLoopStatsTest): the sizes are then a moment old, as any snapshot.
            return countHere(thread);
        }
        CompletableFuture<LoopStats> counted = new CompletableFuture<>();
        Handle counting = scheduler.offerOwn(() -> counted.complete(countHere(thread)));
        if (counting == null) { // closed
            return new LoopStats(name(), thread.getName(), isRunning(), false, -1, -1, -1, -1, lagMillis());
        }
        try {
            return counted.get(1, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException busy) {
            // given up on: asked again and again of a blocked loop, these would pile up (BusyLoopStatsTest)
            counting.cancel();
            return new LoopStats(name(), thread.getName(), isRunning(), isRunning(), -1, -1, -1, -1, lagMillis());
        } catch (InterruptedException e) {
            counting.cancel();
            Thread.currentThread().interrupt();
            return new LoopStats(name(), thread.getName(), isRunning(), false, -1, -1, -1, -1, lagMillis());
        }
    }

    // On the loop thread, or with no loop thread: the queues' only consumer.
    private LoopStats countHere(Thread thread) {
        return new LoopStats(name(), thread == null ? null : thread.getName(), thread != null, false,
                scheduler.queuedCount(), scheduler.timersQueuedCount(), isClosed() ? 0 : countWatchedFileDescriptors() + watchedChannels(),
                resources.size(), lagMillis());
    }

    // Read here, not on the loop thread: a blocked loop's lag is what its stats are asked for.
    private double lagMillis() {
        long lag = scheduler.lagNanos();
        return lag < 0 ? -1 : lag / 1e6;
    }

    private String name() {
        return ClassNames.simpleName(getClass()) + " #" + id;
    }

    /** The loop's class and number, as {@code loop:loops}, warnings and JFR events name it ("SelectorEventLoop #3"). */
    public final String loopName() {
        return name();
    }

    /** A number unique to this loop in the process, used in thread names and messages. */
    public final int id() {
        return id;
    }

    @Override
    public String toString() {
        return "<" + ClassNames.simpleName(getClass()) + " #" + id + " running=" + isRunning() + " closed=" + isClosed()
                + " debug=" + getDebug() + ">";
    }
}
