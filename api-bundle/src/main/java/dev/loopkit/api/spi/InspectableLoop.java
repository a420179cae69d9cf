package dev.loopkit.api.spi;

/** A loop that can tell a shell what it holds ({@code loop:loops}). */
public interface InspectableLoop {

    /**
     * What the loop holds now, counted on its own thread when it runs (its queues are that thread's
     * alone); a loop busy in one callback for longer than a second is reported {@link LoopStats#busy()}.
     */
    LoopStats stats();
}
