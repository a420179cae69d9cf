package dev.loopkit.runtime;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Work run by whichever thread asks for it, one thread at a time, and once more for every request
 * made while it ran: the work-in-progress counter of queue-drain loops (RxJava, Reactor).
 *
 * <p>For components whose work calls user code (the framework's service listeners from
 * {@code registerService} and {@code unregister}, an MBean server's listeners), which must not run
 * under the component's monitor, since it may wait for a thread that calls the component: the
 * caller changes the component's state under its lock, then calls {@link #request()}; the work
 * reads that state under the lock and acts outside it. A request that finds another thread at work
 * returns at once, and that thread runs the work again, so it sees the change. What the component
 * promises once a call returns is then "done, or under way on another thread".
 */
public final class SerialWork {

    private final Runnable work;
    /** Requests not yet served: the thread that took it from 0 works until it is back at 0. */
    private final AtomicInteger requests = new AtomicInteger();

    /** @param work reads the state, acts, and returns; any thread, never two at once */
    public SerialWork(Runnable work) {
        this.work = Objects.requireNonNull(work, "work");
    }

    /**
     * Runs the work now, until no request came meanwhile, or, if another thread is running it,
     * leaves it to that thread. A failure of the work is thrown once every request is served (the
     * first; later ones are suppressed in it); an {@link Error} at once, the requests left dropped.
     */
    public void request() {
        if (requests.getAndIncrement() != 0) {
            return;
        }
        RuntimeException failure = null;
        int served = 1;
        do {
            try {
                work.run();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            } catch (Error e) {
                requests.set(0); // the requests left are dropped, and the next one runs the work
                throw e;
            }
            served = requests.addAndGet(-served);
        } while (served != 0);
        if (failure != null) {
            throw failure;
        }
    }
}
