package dev.loopkit.signals;

import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import dev.loopkit.posix.SignalPipe;
import java.lang.System.Logger.Level;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The signal pipe's side of {@link SignalDispatcher}: the posix bundle's {@link SignalPipe} catches the
 * signals the JVM cannot (the real-time ones, which it cannot name, and those it keeps ignored) and
 * SIGCHLD, and a daemon thread, {@code loopkit-signals}, reads the numbers the handler writes and
 * hands each to the dispatcher. It lives while at least one signal has its handler through the pipe:
 * {@link #stop()} ends the thread, which then closes the pipe.
 */
final class SignalPipeReader implements Runnable {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");

    private final SignalPipe pipe;
    private final IntConsumer dispatch;
    private final Consumer<SignalPipeReader> ended;
    private final Thread thread;
    private volatile boolean stopping;

    private SignalPipeReader(SignalPipe pipe, IntConsumer dispatch, Consumer<SignalPipeReader> ended) {
        this.pipe = pipe;
        this.dispatch = dispatch;
        this.ended = ended;
        this.thread = new Thread(this, "loopkit-signals");
        thread.setDaemon(true);
        // One thread for the process: not the context loader of the thread that added the first handler,
        // in a host often a plugin's, which it kept reachable while any handler lived.
        thread.setContextClassLoader(SignalPipeReader.class.getClassLoader());
    }

    /**
     * Opens the pipe and starts the thread, which calls {@code dispatch} with each signal's number, and
     * {@code ended} as it ends, its pipe closed (every action it installed put back).
     *
     * @throws UnsupportedOperationException why signals cannot be caught through the pipe here (no posix
     *         bundle, not x86-64)
     */
    static SignalPipeReader start(IntConsumer dispatch, Consumer<SignalPipeReader> ended) {
        SignalPipe pipe;
        try {
            pipe = Posix.get().openSignalPipe();
        } catch (NoClassDefFoundError missing) {
            throw new UnsupportedOperationException("the signal pipe needs the dev.loopkit.posix module or bundle"
                    + " (and JNR): " + missing.getMessage() + " is missing", missing);
        } catch (PosixException e) {
            throw new UnsupportedOperationException("the signal pipe could not be made: " + e.getMessage(), e);
        }
        SignalPipeReader reader = new SignalPipeReader(pipe, dispatch, ended);
        reader.thread.start();
        return reader;
    }

    /**
     * {@code sigaction} with the pipe's handler.
     *
     * @throws UnsupportedOperationException when {@code sigaction} refused
     */
    void install(int signum) {
        try {
            pipe.install(signum);
        } catch (PosixException e) {
            throw new UnsupportedOperationException(e.getMessage(), e);
        }
    }

    /** The previous action back; {@code false} when outside code had replaced ours (it stays). */
    boolean uninstall(int signum) {
        try {
            return pipe.uninstall(signum);
        } catch (PosixException e) {
            LOG.log(Level.WARNING, "restoring the action of signal " + signum + " failed", e);
            return true;
        }
    }

    /** Ends the thread; it closes the pipe as it goes. Bytes not read yet are signals nobody listens to any more. */
    void stop() {
        stopping = true;
        try {
            pipe.wake();
        } catch (PosixException full) {
            // the reader is behind: it sees the flag after its next byte
        } catch (IllegalStateException closed) {
            // the reader ended already (reading failed) and closed the pipe
        }
    }

    /** Whether {@link #stop()} was called: an end that was asked for. */
    boolean stopped() {
        return stopping;
    }

    @Override
    public void run() {
        try {
            while (!stopping) {
                int signum = pipe.take(); // one byte per delivery, as asyncio's handler runs once per byte
                if (stopping) {
                    break;
                }
                if (signum != 0) {
                    handOn(signum);
                }
                for (int dropped : pipe.takeDropped()) { // deliveries whose byte found the pipe full
                    handOn(dropped);
                }
            }
        } catch (PosixException | RuntimeException e) {
            LOG.log(Level.ERROR, "reading the signal pipe failed: a new pipe takes over", e);
        } finally {
            pipe.close();
            ended.accept(this);
        }
    }

    // One listener's failure (an assert in a process-wide listener) is reported and the others go on: an
    // Error once ended this thread, which put SIGCHLD back to its default (an outside review).
    private void handOn(int signum) {
        try {
            dispatch.accept(signum);
        } catch (RuntimeException | Error e) {
            SignalDispatcher.rethrowIfFatal(e);
            LOG.log(Level.WARNING, "Unknown exception in signal " + signum + " handler", e);
        }
    }
}
