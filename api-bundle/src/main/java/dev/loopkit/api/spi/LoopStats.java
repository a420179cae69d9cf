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
 */
public record LoopStats(String loop, String thread, boolean running, boolean busy, int callbacks, int timers,
        int fds, int transports) {
}
