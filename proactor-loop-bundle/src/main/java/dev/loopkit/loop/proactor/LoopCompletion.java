package dev.loopkit.loop.proactor;

import dev.loopkit.loop.core.BaseEventLoop;
import java.lang.System.Logger.Level;
import java.nio.channels.CompletionHandler;

/**
 * Carries one NIO.2 completion from a thread of the channel group to the loop thread: the group's
 * thread only records the outcome and calls {@code callSoonThreadsafe}; {@link #onCompleted} or
 * {@link #onFailed} then run on the loop thread. No user code ever runs on the group's threads.
 * The hand-off costs one handle in the loop's queue; the completion itself may be reused from one
 * operation to the next (a transport has one for all its reads), since the next operation starts
 * only once the previous outcome reached the loop, which also orders the fields' writes before
 * their reads.
 *
 * <p>When the loop is closed before the completion reaches it, nothing runs: {@link #discarded}
 * releases what the outcome holds, and no exception reaches the group's thread. (An outcome queued
 * just as the loop closes is never run either; the group's shutdown, which follows, closes every
 * channel it could hold.)
 */
abstract class LoopCompletion<V> implements CompletionHandler<V, Void>, Runnable {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");

    private final BaseEventLoop loop;
    private V value;
    private Throwable failure;

    LoopCompletion(BaseEventLoop loop) {
        this.loop = loop;
    }

    /** The operation succeeded. Loop thread. */
    protected abstract void onCompleted(V result);

    /** The operation failed. Loop thread. */
    protected abstract void onFailed(Throwable error);

    /** The loop closed before the result reached it; release what it holds. The group's thread. */
    protected void discarded(V result) {
    }

    @Override
    public final void completed(V result, Void attachment) {
        value = result;
        failure = null;
        handOff();
    }

    @Override
    public final void failed(Throwable error, Void attachment) {
        value = null;
        failure = error;
        handOff();
    }

    /** Delivers an outcome of an operation that could not even start (on the loop thread: at the next iteration). */
    final void failNow(Throwable error) {
        failed(error, null);
    }

    private void handOff() {
        try {
            loop.callSoonThreadsafe(this);
        } catch (RuntimeException closed) { // "Event loop is closed": nobody is left to tell
            V dropped = value;
            value = null;
            failure = null;
            LOG.log(Level.DEBUG, "completion dropped, {0}: {1}", loop, closed.getMessage());
            try {
                discarded(dropped);
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "releasing a dropped completion", e);
            }
        }
    }

    @Override
    public final void run() {
        assert loop.inLoopThread() : "a completion runs on the loop thread";
        V result = value;
        Throwable error = failure;
        value = null;
        failure = null;
        if (error == null) {
            onCompleted(result);
        } else {
            onFailed(error);
        }
    }
}
