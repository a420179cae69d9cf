package dev.loopkit.loop.core;

import dev.loopkit.api.EventLoop;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.lang.System.Logger.Level;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The process side of {@code addSignalHandler}: one {@link sun.misc.Signal} handler per signal,
 * installed when the first listener comes and restored when the last one goes (with a warning, and
 * the other handler left in place, if outside code replaced ours meanwhile). The JVM runs signal
 * handlers on its "Signal Dispatcher" thread; each listening loop gets the callback through
 * {@link EventLoop#callSoonThreadsafe(Runnable)}, so it always runs on the loop's own thread and
 * several loops may listen to one signal. Process-wide listeners ({@link ProcessSignals}) run on the
 * signal thread itself.
 */
final class SignalDispatcher {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");
    /** Linux's NSIG: signal numbers are 1 .. 64. */
    static final int NSIG = 65;
    private static final int SIGKILL = 9;
    private static final int SIGSTOP = 19;
    private static final int SIGCHLD = 17;
    /** The names the JVM's {@link Signal} knows, tried once to map numbers to names. */
    private static final List<String> NAMES = List.of("HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
            "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP",
            "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");
    private static final Map<Integer, String> NAME_OF = namesByNumber();
    private static final SignalDispatcher INSTANCE = new SignalDispatcher();

    // Guarded by this.
    private final Map<Integer, Installed> installed = new HashMap<>();

    static SignalDispatcher get() {
        return INSTANCE;
    }

    /**
     * Makes {@code loop} run {@code callback} on every {@code signum}, replacing its earlier handler.
     *
     * @throws IllegalArgumentException "sig N out of range(1, 65)"
     * @throws IllegalStateException "sig N cannot be caught" (SIGKILL, SIGSTOP, signals the JVM keeps)
     */
    synchronized void add(int signum, Object listener, Runnable callback) {
        check(signum);
        Installed entry = installed.get(signum);
        if (entry == null) {
            entry = install(signum);
            installed.put(signum, entry);
        }
        entry.listeners.put(listener, callback);
    }

    /** Stops {@code loop} listening to {@code signum}; {@code true} if it did. */
    synchronized boolean remove(int signum, Object listener) {
        check(signum);
        Installed entry = installed.get(signum);
        if (entry == null || entry.listeners.remove(listener) == null) {
            return false;
        }
        if (entry.listeners.isEmpty()) {
            installed.remove(signum);
            SignalHandler current = Signal.handle(entry.signal, entry.previous);
            if (current != entry) {
                // asyncio's multiloop watcher: someone else's handler stays, and we say so
                Signal.handle(entry.signal, current);
                LOG.log(Level.WARNING, "SIG{0} handler was changed by outside code", entry.signal.getName());
            }
        }
        return true;
    }

    /** Removes every handler of {@code loop}: when it closes. */
    synchronized void removeAll(EventLoop loop) {
        for (Integer signum : new ArrayList<>(installed.keySet())) {
            remove(signum, loop);
        }
    }

    private static void check(int signum) {
        if (signum < 1 || signum >= NSIG) {
            throw new IllegalArgumentException("sig " + signum + " out of range(1, " + NSIG + ")");
        }
    }

    private Installed install(int signum) {
        String name = NAME_OF.get(signum);
        if (name == null || signum == SIGKILL || signum == SIGSTOP) {
            throw new IllegalStateException("sig " + signum + " cannot be caught");
        }
        if (signum == SIGCHLD) {
            forceProcessImplInitialization();
        }
        Signal signal = new Signal(name);
        Installed entry = new Installed(signal);
        try {
            entry.previous = Signal.handle(signal, entry);
        } catch (IllegalArgumentException reservedByTheJvm) {
            throw new IllegalStateException("sig " + signum + " cannot be caught", reservedByTheJvm);
        }
        return entry;
    }

    // java.lang.ProcessImpl's class initialisation resets SIGCHLD to SIG_DFL: a handler installed
    // before the first ProcessBuilder use would be silently lost (FACTS.md). Initialise it first.
    private static void forceProcessImplInitialization() {
        try {
            Class.forName("java.lang.ProcessImpl", true, null);
        } catch (ClassNotFoundException | LinkageError e) {
            // another JDK: nothing to protect against
        }
    }

    private static Map<Integer, String> namesByNumber() {
        Map<Integer, String> names = new HashMap<>();
        for (String name : NAMES) {
            try {
                names.putIfAbsent(new Signal(name).getNumber(), name);
            } catch (IllegalArgumentException unknownHere) {
                // not a signal on this OS
            }
        }
        return Map.copyOf(names);
    }

    /** One installed JVM handler and its listeners (loops, or process-wide tokens); called on the JVM's signal thread. */
    private static final class Installed implements SignalHandler {
        final Signal signal;
        final Map<Object, Runnable> listeners = new LinkedHashMap<>();
        SignalHandler previous;

        Installed(Signal signal) {
            this.signal = Objects.requireNonNull(signal);
        }

        @Override
        public void handle(Signal received) {
            List<Map.Entry<Object, Runnable>> targets;
            synchronized (INSTANCE) {
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
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "Unknown exception in SIG" + signal.getName() + " handler", e);
                    }
                }
            }
        }
    }
}
