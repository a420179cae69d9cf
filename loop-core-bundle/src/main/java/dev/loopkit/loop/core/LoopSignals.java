package dev.loopkit.loop.core;

import dev.loopkit.signals.SignalDispatcher;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loop's signal handlers (asyncio's {@code _signal_handlers}), and what the process-wide
 * {@link SignalDispatcher} holds of the loop: a {@link Listener} that reaches it weakly, and no
 * handler. The dispatcher held the loop itself and each handler (which often captures its loop), so a
 * loop its user dropped unclosed with a handler set was never garbage: its descriptors stayed open and
 * the process kept its handler (an outside review, DroppedLoopRetentionContract). asyncio's signal
 * module holds no reference to the loop either; its {@code __del__} closes it.
 */
final class LoopSignals {

    private final Listener listener;
    /**
     * Makes each change of a handler and of the dispatcher's listener one step: an add between a remove's
     * two steps put the listener back and lost its handler (the process's handler stayed, and the signal
     * ran nothing; an outside review, SignalHandlersRaceTest). No user code runs under it: the
     * dispatcher's warnings are said after it is released.
     */
    private final Object lock = new Object();
    private final Map<Integer, Runnable> handlers = new ConcurrentHashMap<>();

    LoopSignals(BaseEventLoop loop) {
        listener = new Listener(new WeakReference<>(loop));
    }

    /** What the loop closes if it is dropped unclosed: its handlers' removal from the dispatcher. */
    AutoCloseable listener() {
        return listener;
    }

    /** Makes {@code callback} the handler of {@code signum}, replacing the one before. */
    void add(int signum, Runnable callback) {
        synchronized (lock) {
            Runnable before = handlers.put(signum, callback);
            try {
                SignalDispatcher.get().add(signum, listener, listener.on(signum));
            } catch (RuntimeException refused) { // a signal that cannot be caught: nothing changes
                if (before == null) {
                    handlers.remove(signum);
                } else {
                    handlers.put(signum, before);
                }
                throw refused;
            }
        }
    }

    /** Removes the handler of {@code signum}; whether there was one. */
    boolean remove(int signum) {
        List<String> replaced = new ArrayList<>(1);
        boolean removed;
        synchronized (lock) {
            removed = SignalDispatcher.get().remove(signum, listener, replaced);
            handlers.remove(signum);
        }
        SignalDispatcher.warnReplaced(replaced);
        return removed;
    }

    /** Removes every handler: the loop closes. */
    void removeAll() {
        List<String> replaced = new ArrayList<>(1);
        synchronized (lock) {
            SignalDispatcher.get().removeAll(listener, replaced);
            handlers.clear();
        }
        SignalDispatcher.warnReplaced(replaced);
    }

    /** The handler of {@code signum} now, or {@code null}. */
    Runnable handler(int signum) {
        return handlers.get(signum);
    }

    /**
     * What the loop thread runs for a signal of {@code signum}: the handler set when it runs, as asyncio's
     * {@code _handle_signal} looks it up as the loop reads the signal. One looked up on the signal's thread as
     * it came still ran after a callback had replaced or removed it (an outside review).
     */
    Runnable delivery(int signum) {
        return new Runnable() {
            @Override
            public void run() {
                Runnable handler = handlers.get(signum);
                if (handler != null) {
                    handler.run();
                }
            }

            @Override
            public String toString() { // messages name the user's handler ("Exception in callback ...")
                return String.valueOf(handlers.get(signum));
            }
        };
    }

    /** The dispatcher's listener: on a signal, the loop schedules its handler, if the loop is still there. */
    private static final class Listener implements AutoCloseable {
        private final WeakReference<BaseEventLoop> loop;

        Listener(WeakReference<BaseEventLoop> loop) {
            this.loop = loop;
        }

        Runnable on(int signum) {
            return () -> {
                BaseEventLoop receiving = loop.get();
                if (receiving != null) {
                    receiving.signalReceived(signum);
                }
            };
        }

        /** The loop became garbage unclosed: its handlers go, and the process's handler with the last of them. */
        @Override
        public void close() {
            SignalDispatcher.get().removeAll(this);
        }
    }
}
