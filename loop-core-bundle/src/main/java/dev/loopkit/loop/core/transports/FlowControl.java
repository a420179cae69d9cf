package dev.loopkit.loop.core.transports;

import dev.loopkit.api.BaseProtocol;
import dev.loopkit.api.WriteBufferLimits;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.scheduling.Scheduler;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * asyncio's {@code _FlowControlMixin}: tells the protocol to pause writing when the transport's
 * buffer grows over the high-water mark and to resume when it drains to the low-water mark.
 * Defaults are asyncio's: 64 KiB high, 16 KiB low.
 */
public final class FlowControl {

    /**
     * A protocol of the loops' own that counts this transport's buffer in a flow control of its own (the
     * TLS layer's, for its application): told after every drain, paused or not. Its own resume may be due
     * when this transport never paused it, or has not resumed it yet; told only on this transport's resume,
     * the TLS layer left its application paused over an empty buffer (TlsContract).
     */
    public interface DrainWatcher {
        void transportBufferDrained();
    }

    private static final int DEFAULT_HIGH = 64 * 1024;

    private final BaseEventLoop loop;
    private final Object transport;
    private final IntSupplier bufferSize;
    private final int defaultHigh;
    private int high;
    private int low;
    private boolean paused;

    public FlowControl(BaseEventLoop loop, Object transport, IntSupplier bufferSize) {
        this(loop, transport, bufferSize, DEFAULT_HIGH);
    }

    /** With another default high-water mark (asyncio's TLS layer: 512 KiB). */
    public FlowControl(BaseEventLoop loop, Object transport, IntSupplier bufferSize, int defaultHigh) {
        this.loop = loop;
        this.transport = transport;
        this.bufferSize = bufferSize;
        this.defaultHigh = defaultHigh;
        this.high = defaultHigh;
        this.low = defaultHigh / 4;
    }

    public WriteBufferLimits limits() {
        return new WriteBufferLimits(low, high);
    }

    /** asyncio's {@code set_write_buffer_limits(high, low)}: a negative value means "the default". */
    public void setLimits(int highWater, int lowWater, BaseProtocol protocol) {
        // 4 * low as a long: from 2^29 on it overflowed an int, and the call was refused naming a high
        // the caller never gave; asyncio's 4 * low (2^32 and more) is past any buffer an int counts
        int newHigh = highWater >= 0 ? highWater : lowWater >= 0 ? (int) Math.min(4L * lowWater, Integer.MAX_VALUE) : defaultHigh;
        int newLow = lowWater >= 0 ? lowWater : newHigh / 4;
        WriteBufferLimits checked = new WriteBufferLimits(newLow, newHigh);
        high = checked.high();
        low = checked.low();
        maybePause(protocol);
    }

    public boolean isPaused() {
        return paused;
    }

    /** After data was buffered. */
    public void maybePause(BaseProtocol protocol) {
        if (paused || bufferSize.getAsInt() <= high || protocol == null) {
            return;
        }
        paused = true;
        try {
            protocol.pauseWriting();
        } catch (RuntimeException | Error e) {
            Scheduler.rethrowIfFatal(e);
            report("protocol.pause_writing() failed", e, protocol);
        }
    }

    /**
     * The protocol was told to pause writing by the flow control this one takes over (a plain transport's,
     * which a TLS layer now stands on): resumed from here, and not paused twice.
     */
    public void tookOverAPause() {
        paused = true;
    }

    /** After the buffer drained some. */
    public void maybeResume(BaseProtocol protocol) {
        if (!paused || bufferSize.getAsInt() > low || protocol == null) {
            if (protocol instanceof DrainWatcher watcher) {
                watcher.transportBufferDrained();
            }
            return;
        }
        paused = false;
        try {
            protocol.resumeWriting();
        } catch (RuntimeException | Error e) {
            Scheduler.rethrowIfFatal(e);
            report("protocol.resume_writing() failed", e, protocol);
        }
    }

    private void report(String message, Throwable e, BaseProtocol protocol) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("message", message);
        context.put("exception", e);
        context.put("transport", transport);
        context.put("protocol", protocol);
        loop.callExceptionHandler(context);
    }
}
