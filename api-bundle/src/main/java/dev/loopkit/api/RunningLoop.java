package dev.loopkit.api;


/**
 * The running loop of each thread: asyncio's {@code _get_running_loop} / {@code _set_running_loop}.
 * Loop implementations set it for the duration of {@code runForever}; users read it through
 * {@link dev.loopkit.api.Asyncio#getRunningLoop()}.
 */
public final class RunningLoop {

    private static final ThreadLocal<EventLoop> RUNNING = new ThreadLocal<>();

    private RunningLoop() {
    }

    /** The loop running in this thread, or {@code null}. */
    public static EventLoop get() {
        return RUNNING.get();
    }

    /**
     * Marks {@code loop} as running in this thread ({@code null}: none).
     *
     * @throws IllegalStateException "Cannot run the event loop while another loop is running" when
     *         another loop already runs here
     */
    public static void set(EventLoop loop) {
        if (loop == null) {
            RUNNING.remove();
            return;
        }
        EventLoop running = RUNNING.get();
        if (running != null && running != loop) {
            throw new IllegalStateException("Cannot run the event loop while another loop is running");
        }
        RUNNING.set(loop);
    }
}
