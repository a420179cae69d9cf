package dev.loopkit.jmx;

/**
 * {@code dev.loopkit:type=Loop,name=<loop>}: one live loop with the figures of {@code loop:loops}.
 * The counts are taken on the loop's own thread; while a callback blocks it for over a second the loop
 * is {@linkplain #isBusy() busy} and the counts are {@code -1}.
 */
public interface LoopMXBean {

    /** The loop factory that made it ({@code selector}, {@code proactor}). */
    String getFactory();

    /** The loop's class and number ("SelectorEventLoop #3"). */
    String getLoop();

    /** The thread running it, or {@code null}. */
    String getThread();

    boolean isRunning();

    /** Running, but its thread did not answer within a second: a callback blocks it. */
    boolean isBusy();

    /** Callbacks ready to run. */
    int getCallbacks();

    /** Timers scheduled. */
    int getTimers();

    /** File descriptors and channels watched for readiness. */
    int getFds();

    /** Transports and servers it owns. */
    int getTransports();

    /**
     * The loop's lag in milliseconds: how long a callback scheduled from another thread last waited for
     * its run (sampled a few times a second; while one waits, how long it has waited so far); 0 while
     * the loop sleeps with nothing to do; -1 when unknown (not running, or the blocked-loop detector off).
     */
    double getLagMillis();
}
