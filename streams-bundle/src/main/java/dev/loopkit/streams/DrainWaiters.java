package dev.loopkit.streams;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.LoopFuture;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * asyncio's {@code FlowControlMixin}: remembers whether the transport paused writing and holds the
 * {@code drain()} calls until it resumes, or fails them when the connection is lost.
 */
final class DrainWaiters {

    private final EventLoop loop;
    private final List<LoopFuture<Void>> waiters = new ArrayList<>();
    private boolean paused;
    private boolean lost;
    private Exception lostWith;

    DrainWaiters(EventLoop loop) {
        this.loop = loop;
    }

    void pause() {
        paused = true;
    }

    void resume() {
        paused = false;
        for (LoopFuture<Void> waiter : takeAll()) {
            IfStillWaiting.setResult(waiter, null); // one its caller cancelled meanwhile is skipped, not the rest
        }
    }

    void connectionLost(Exception exc) {
        lost = true;
        lostWith = exc;
        for (LoopFuture<Void> waiter : takeAll()) {
            IfStillWaiting.setException(waiter, failure());
        }
    }

    /**
     * The waiters to wake, leaving the list empty first. A loop future runs its stages later, from
     * the loop, but a future of another implementation may run them as it completes (a
     * {@code drain().thenCompose(…)} that writes), pause writing and wait again: that new waiter
     * must neither disturb this iteration nor be dropped with it.
     */
    private List<LoopFuture<Void>> takeAll() {
        List<LoopFuture<Void>> waiting = new ArrayList<>(waiters);
        waiters.clear();
        return waiting;
    }

    LoopFuture<Void> drain() {
        LoopFuture<Void> waiter = loop.createFuture();
        if (lost) {
            waiter.setException(failure());
        } else if (!paused) {
            waiter.setResult(null);
        } else {
            waiters.add(waiter);
        }
        return waiter;
    }

    private Exception failure() {
        return lostWith != null ? lostWith : new IOException("Connection lost");
    }
}
