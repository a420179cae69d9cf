package dev.loopkit.watcher.base;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.EventLoop;
import java.util.Objects;

/**
 * One registered child: its pid, its handler, and the loop its exit is delivered to with
 * {@code callSoonThreadsafe} ({@code null}: the handler is called where the exit is reaped). Immutable;
 * a watcher that needs more per child extends it.
 */
public class Child {

    private final long pid;
    private final ChildHandler handler;
    private final EventLoop loop;

    /**
     * @throws IllegalArgumentException for a pid that cannot be a child's: not positive, or beyond
     *     {@code pid_t} (refused here, before any watcher's table holds it: a pid the kernel refused
     *     later stayed registered, and went along with every watcher switch)
     */
    public Child(long pid, ChildHandler handler, EventLoop loop) {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pid must be a positive process id, not " + pid);
        }
        this.pid = pid;
        this.handler = Objects.requireNonNull(handler, "handler");
        this.loop = loop;
    }

    public final long pid() {
        return pid;
    }

    public final ChildHandler handler() {
        return handler;
    }

    /** The loop the exit goes to, or {@code null}: called where it is reaped. */
    public final EventLoop loop() {
        return loop;
    }
}
