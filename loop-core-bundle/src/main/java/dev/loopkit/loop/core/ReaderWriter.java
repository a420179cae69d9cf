package dev.loopkit.loop.core;

import dev.loopkit.loop.core.scheduling.CallbackHandle;

/**
 * The reader and the writer waiting for one channel's readiness, as a selector's key holds them:
 * setting one cancels the one it replaces, and removing one cancels it. Loop thread only.
 */
public class ReaderWriter {

    /** The reader's handle, or {@code null}. */
    public CallbackHandle reader;
    /** The writer's handle, or {@code null}. */
    public CallbackHandle writer;

    /** Makes {@code handle} the reader (or the writer); the one it replaces is cancelled after. */
    public final void set(boolean reading, CallbackHandle handle) {
        CallbackHandle previous = reading ? reader : writer;
        if (reading) {
            reader = handle;
        } else {
            writer = handle;
        }
        if (previous != null) {
            previous.cancel();
        }
    }

    /** Removes and cancels the reader (or the writer); whether there was one. */
    public final boolean remove(boolean reading) {
        CallbackHandle handle = reading ? reader : writer;
        if (handle == null) {
            return false;
        }
        handle.cancel();
        if (reading) {
            reader = null;
        } else {
            writer = null;
        }
        return true;
    }

    /** Cancels both, when the loop closes. */
    public final void cancelBoth() {
        remove(true);
        remove(false);
    }
}
