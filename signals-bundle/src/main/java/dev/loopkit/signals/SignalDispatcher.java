package dev.loopkit.signals;

import dev.loopkit.api.EventLoop;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.lang.System.Logger.Level;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The process side of {@code addSignalHandler}: one process handler per signal, installed when the
 * first listener comes and restored when the last one goes (with a warning, and the other handler
 * left in place, if outside code replaced ours meanwhile). Signals the JVM has a name for are caught
 * with {@link sun.misc.Signal}, whose handlers run on the JVM's "Signal Dispatcher" thread; the
 * real-time ones ({@code SIGRTMIN..SIGRTMAX}), which it cannot name, those it keeps ignored (SIGHUP,
 * SIGINT, SIGTERM ignored at its start), and SIGCHLD, with the posix bundle's signal pipe, read by the
 * {@code loopkit-signals} thread ({@link SignalPipeReader}). Each listening loop
 * gets the callback through {@link EventLoop#callSoonThreadsafe(Runnable)}, so it always runs on the
 * loop's own thread and several loops may listen to one signal. Process-wide listeners
 * ({@link ProcessSignals}) run on the signal thread itself.
 */
public final class SignalDispatcher {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");
    private static final SignalDispatcher INSTANCE = new SignalDispatcher();
    /** The signals HotSpot leaves ignored when they were at its start (its shutdown signals). */
    private static final Set<String> KEPT_IGNORED_BY_THE_JVM = Set.of("HUP", "INT", "TERM");

    /** Read without the lock by the threads that deliver signals; changed under it. */
    private final Map<Integer, Installed> installed = new ConcurrentHashMap<>();
    // Guarded by this: reads the signal pipe while any signal has its handler through it.
    private SignalPipeReader piped;

    /** The one dispatcher of this process (of this class loader: one per signals bundle). */
    public static SignalDispatcher get() {
        return INSTANCE;
    }

    /**
     * Makes {@code listener} run {@code callback} on every {@code signum}, replacing its earlier
     * callback: an {@link EventLoop} runs it on its own thread ({@code callSoonThreadsafe}), any other
     * listener (a token of {@link ProcessSignals}) on the signal thread.
     *
     * @throws IllegalArgumentException "invalid signal number N"
     * @throws IllegalStateException "sig N cannot be caught" (SIGKILL, SIGSTOP, signals the JVM keeps)
     */
    public synchronized void add(int signum, Object listener, Runnable callback) {
        SignalNumbers.check(signum);
        Installed entry = installed.get(signum);
        if (entry == null) {
            entry = install(signum);
            installed.put(signum, entry);
        }
        entry.put(listener, callback);
    }

    /** Stops {@code listener} listening to {@code signum}; {@code true} if it did. */
    public boolean remove(int signum, Object listener) {
        List<String> replaced = new ArrayList<>(1);
        boolean removed = remove(signum, listener, replaced);
        warnReplaced(replaced);
        return removed;
    }

    /**
     * {@link #remove(int, Object)} that leaves its warning to the caller: the names of the signals whose
     * process handler outside code had replaced go to {@code replaced}, for {@link #warnReplaced} once the
     * caller has released a lock of its own (a log handler is user code, LoopCloseReentrancyTest).
     */
    public boolean remove(int signum, Object listener, List<String> replaced) {
        SignalNumbers.check(signum);
        synchronized (this) {
            return removeHeld(signum, listener, replaced);
        }
    }

    /** Removes every handler of {@code listener}: when its loop closes. */
    public void removeAll(Object listener) {
        List<String> replaced = new ArrayList<>(1);
        removeAll(listener, replaced);
        warnReplaced(replaced);
    }

    /** {@link #removeAll(Object)} that leaves its warning to the caller, as {@link #remove(int, Object, List)}. */
    public void removeAll(Object listener, List<String> replaced) {
        synchronized (this) {
            for (Integer signum : new ArrayList<>(installed.keySet())) {
                removeHeld(signum, listener, replaced);
            }
        }
    }

    // Under the lock; the signals whose handler outside code had replaced go to replaced.
    private boolean removeHeld(int signum, Object listener, List<String> replaced) {
        Installed entry = installed.get(signum);
        if (entry == null || !entry.remove(listener)) {
            return false;
        }
        if (entry.isEmpty()) {
            installed.remove(signum);
            if (!uninstall(entry)) {
                replaced.add(entry.name);
            }
        }
        return true;
    }

    // asyncio's multiloop watcher: someone else's handler stays, and we say so. Said outside the
    // lock: a log handler is user code, and may wait for a thread that adds or removes a listener
    // (SignalDispatcherTest).
    public static void warnReplaced(List<String> replaced) {
        for (String name : replaced) {
            LOG.log(Level.WARNING, "{0} handler was changed by outside code", name);
        }
    }

    private Installed install(int signum) {
        if (signum == SignalNumbers.SIGKILL || signum == SignalNumbers.SIGSTOP) {
            throw cannotBeCaught(signum, null);
        }
        if (signum == SignalNumbers.SIGCHLD) {
            forceProcessImplInitialization();
            try {
                return installThroughPipe(signum, "SIGCHLD");
            } catch (IllegalStateException noPipeHere) {
                // not x86-64, or no posix bundle: the JVM's handler, starved by a storm of a lower-numbered signal
            }
        }
        String name = SignalNumbers.jvmName(signum);
        if (name == null) {
            if (!SignalNumbers.isRealtime(signum)) {
                throw cannotBeCaught(signum, null);
            }
            return installThroughPipe(signum, SignalNumbers.realtimeName(signum));
        }
        Installed entry = installJvmHandler(signum, name);
        return entry != null ? entry : installThroughPipe(signum, "SIG" + name);
    }

    /**
     * The JVM's handler for {@code signum}, or {@code null} when the JVM keeps the signal ignored:
     * HotSpot installs no handler for SIGHUP, SIGINT or SIGTERM that is ignored (a {@code nohup} or a
     * shell's background job starts the JVM so), and {@link Signal#handle} then only answers
     * {@code SIG_IGN}. asyncio's {@code add_signal_handler} installs its handler all the same, so the
     * signal pipe catches it then (an outside review: the handler never ran, and nothing said so).
     */
    private static Installed installJvmHandler(int signum, String name) {
        Signal signal = new Signal(name);
        Installed entry = new Installed(signum, "SIG" + name, signal);
        try {
            entry.previous = Signal.handle(signal, entry);
        } catch (IllegalArgumentException reservedByTheJvm) {
            throw cannotBeCaught(signum, reservedByTheJvm);
        }
        if (entry.previous == SignalHandler.SIG_IGN && KEPT_IGNORED_BY_THE_JVM.contains(name)) {
            Signal.handle(signal, SignalHandler.SIG_IGN); // the JVM's table as it was; nothing was installed
            return null;
        }
        return entry;
    }


    /**
     * Through the posix bundle's signal pipe: the real-time signals, those the JVM keeps ignored, and
     * SIGCHLD. The JVM's dispatcher serves the lowest-numbered pending signal first and starts a thread
     * for each: under a storm of SIGUSR1 (10), SIGCHLD (17) waited as long as the storm lasted, and the
     * watchers that reap on it left their children zombies (an outside review; SigchldUnderASignalStormTest).
     * The pipe's handler writes a byte per delivery, as CPython's wake-up fd does, and marks a signal whose
     * byte found the pipe full, as CPython's tripped flags: no delivery is lost (an outside review lost a
     * SIGCHLD to a full pipe before the marks).
     */
    private Installed installThroughPipe(int signum, String name) {
        boolean started = piped == null;
        try {
            if (started) {
                startPipe();
            }
            piped.install(signum);
        } catch (UnsupportedOperationException | LinkageError e) {
            if (started) {
                stopPipeIfIdle();
            }
            throw cannotBeCaught(signum, e);
        }
        return new Installed(signum, name, null);
    }

    // Under the lock: a reader and its pipe, with every signal still listened to through the pipe (those
    // of a reader that ended: its pipe put their actions back as it closed).
    private void startPipe() {
        piped = SignalPipeReader.start(this::deliver, this::pipeEnded);
        for (Installed entry : installed.values()) {
            if (entry.signal == null) {
                piped.install(entry.number);
            }
        }
    }

    /**
     * On the reader's thread as it ends. A reader that was not stopped failed (the JVM's own error from a
     * listener, or reading the pipe): a new one takes over at once, or SIGCHLD stayed at its default and
     * no watcher heard of a child again (an outside review).
     */
    private synchronized void pipeEnded(SignalPipeReader reader) {
        if (piped != reader || reader.stopped()) {
            return;
        }
        piped = null;
        try {
            startPipe();
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.ERROR, "the signal pipe could not be made again: the signals it caught are no longer delivered", e);
        }
    }

    /** Puts the previous handler back; {@code false} when outside code had replaced ours (it stays). */
    private boolean uninstall(Installed entry) {
        if (entry.signal != null) {
            SignalHandler current = Signal.handle(entry.signal, entry.previous);
            if (current != entry) {
                Signal.handle(entry.signal, current);
                return false;
            }
            return true;
        }
        try {
            return piped == null || piped.uninstall(entry.number); // none: the last one ended, its pipe put every action back
        } finally {
            stopPipeIfIdle();
        }
    }

    private void stopPipeIfIdle() {
        if (piped != null && installed.values().stream().allMatch(e -> e.signal != null)) {
            piped.stop();
            piped = null;
        }
    }

    // On the loopkit-signals thread.
    private void deliver(int signum) {
        Installed entry = installed.get(signum);
        if (entry != null) {
            entry.dispatch();
        }
    }

    /** All but the JVM's own errors (a {@link VirtualMachineError} other than {@link StackOverflowError}) are a listener's to report. */
    static void rethrowIfFatal(Throwable failure) {
        if (failure instanceof VirtualMachineError fatal && !(failure instanceof StackOverflowError)) {
            throw fatal;
        }
    }

    /** asyncio's words; for a signal the JVM keeps (SIGQUIT, SIGSEGV...), which asyncio can take, the JVM's reason after them. */
    private static IllegalStateException cannotBeCaught(int signum, Throwable why) {
        return new IllegalStateException("sig " + signum + " cannot be caught" + (why == null ? "" : ": " + why.getMessage()), why);
    }

    // java.lang.ProcessImpl's class initialisation resets SIGCHLD to SIG_DFL: a handler installed
    // before the first ProcessBuilder use would be silently lost (0 of 200 exits delivered).
    // Initialise it first. docs/PLATFORM-NOTES.md, "SIGCHLD and java.lang.ProcessImpl".
    private static void forceProcessImplInitialization() {
        try {
            Class.forName("java.lang.ProcessImpl", true, null);
        } catch (ClassNotFoundException | LinkageError e) {
            // another JDK: nothing to protect against
        }
    }

    /** One installed process handler and its listeners (loops, or process-wide tokens); called on a signal thread. */
    private static final class Installed implements SignalHandler {
        final int number;
        final String name;
        /** The JVM's signal, or {@code null} for one caught through the signal pipe. */
        final Signal signal;
        SignalHandler previous;
        // Guarded by this: the delivering threads copy it without the dispatcher's lock.
        private final Map<Object, Runnable> listeners = new LinkedHashMap<>();

        Installed(int number, String name, Signal signal) {
            this.number = number;
            this.name = Objects.requireNonNull(name);
            this.signal = signal;
        }

        synchronized void put(Object listener, Runnable callback) {
            listeners.put(listener, callback);
        }

        synchronized boolean remove(Object listener) {
            return listeners.remove(listener) != null;
        }

        synchronized boolean isEmpty() {
            return listeners.isEmpty();
        }

        @Override
        public void handle(Signal received) {
            dispatch();
        }

        void dispatch() {
            List<Map.Entry<Object, Runnable>> targets;
            synchronized (this) {
                targets = new ArrayList<>(listeners.entrySet());
            }
            for (Map.Entry<Object, Runnable> target : targets) {
                if (target.getKey() instanceof EventLoop loop) {
                    try {
                        loop.callSoonThreadsafe(target.getValue());
                    } catch (IllegalStateException closed) {
                        // the loop closed between the signal and now; it removes itself
                    }
                } else {
                    try {
                        target.getValue().run();
                    } catch (RuntimeException | Error e) {
                        rethrowIfFatal(e); // asyncio's words for the rest, as the loops report them
                        LOG.log(Level.WARNING, "Unknown exception in " + name + " handler", e);
                    }
                }
            }
        }
    }
}
