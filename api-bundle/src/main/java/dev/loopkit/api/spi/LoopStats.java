package dev.loopkit.api.spi;

/**
 * One loop as {@code loop:loops} shows it.
 *
 * @param loop the loop's class and number ("SelectorEventLoop #3")
 * @param thread the thread running it, or {@code null}
 * @param running whether it runs
 * @param busy running, but its thread did not answer within a second (a callback that blocks);
 *        the counts are then {@code -1}
 * @param callbacks callbacks ready to run
 * @param timers timers scheduled, cancelled ones included until the heap drops them
 * @param fds file descriptors and channels it watches for readiness
 * @param transports transports and servers it owns
 * @param lagMillis the loop's lag: how long a callback scheduled from another thread last waited for
 *        its run (sampled, a few times a second), in milliseconds; {@code 0} while the loop sleeps
 *        with nothing to do; {@code -1} when unknown (not running, or the blocked-loop detector off).
 *        Since package version 1.1.
 */
public record LoopStats(String loop, String thread, boolean running, boolean busy, int callbacks, int timers,
        int fds, int transports, double lagMillis) {

    /** Stats without a lag figure ({@code lagMillis} {@code -1}), as before 1.1. */
    public LoopStats(String loop, String thread, boolean running, boolean busy, int callbacks, int timers,
            int fds, int transports) {
        this(loop, thread, running, busy, callbacks, timers, fds, transports, -1);
    }
}
