package dev.loopkit.loop.core.transports;

import dev.loopkit.api.BaseProtocol;
import dev.loopkit.api.BaseTransport;
import dev.loopkit.api.BufferedProtocol;
import dev.loopkit.api.Transport;
import dev.loopkit.api.WriteBufferLimits;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.ClassNames;
import dev.loopkit.loop.core.LoopResource;
import dev.loopkit.loop.core.SendfileTransport;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What every Loopkit transport shares (asyncio's {@code _SelectorTransport} and
 * {@code _ProactorBasePipeTransport}): the protocol, extra info, write-buffer flow control, fatal
 * errors, and asyncio's closing sequence: {@code close()} lets the buffer drain, {@code abort()}
 * drops it, and either way the protocol's {@code connectionLost} runs once, from a later iteration.
 * Loop thread only, as in asyncio.
 */
public abstract class AbstractTransport implements BaseTransport, LoopResource {

    /** asyncio's {@code LOG_THRESHOLD_FOR_CONNLOST_WRITES}. */
    public static final int LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;
    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");

    protected final BaseEventLoop loop;
    protected final FlowControl flowControl;
    private final Map<String, Object> extra = new LinkedHashMap<>();
    private final AbstractServer server;
    protected BaseProtocol protocol;
    /** asyncio's {@code _closing}: close() or a fatal error happened. */
    protected boolean closing;
    /** asyncio's {@code _conn_lost}, but for the writes: connectionLost is scheduled (or has run). */
    protected int connLost;
    /** The writes refused since ({@link #countLostWrite}), which asyncio counts in {@code _conn_lost}. */
    private int writesRefused;
    private boolean protocolConnected;
    /** The socket (or pipe's descriptor number) the loop knows this transport uses, or {@code null}. */
    private Object socket;

    protected AbstractTransport(BaseEventLoop loop, BaseProtocol protocol, AbstractServer server) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.server = server;
        this.flowControl = new FlowControl(loop, this, this::bufferSize);
        loop.track(this);
    }

    /**
     * asyncio's {@code get_buffer(sizehint)} for a {@link BufferedProtocol}, with its check: a buffer
     * with room, which the transport can write. A read-only buffer failed each read unhandled on the
     * selector and epoll loops (reported tens of thousands of times a second, the connection never lost)
     * and stopped reading on the proactor (an outside review); asyncio's {@code recv_into} raises
     * {@code TypeError} and the connection is lost with it.
     */
    protected static ByteBuffer bufferToReadInto(BufferedProtocol target, int sizeHint) {
        ByteBuffer into = target.getBuffer(sizeHint);
        if (into == null || !into.hasRemaining()) {
            throw new IllegalStateException("get_buffer() returned an empty buffer");
        }
        if (into.isReadOnly()) {
            throw new IllegalStateException("get_buffer() returned a read-only buffer");
        }
        return into;
    }

    /**
     * Tells the loop that this transport uses {@code socket} (asyncio's {@code _transports[fd] = self}):
     * until its connection is lost, the loop's public readers, writers and {@code sock*} operations
     * refuse it while the transport is not closing. Once, from the constructor.
     */
    protected final void usesSocket(Object socket) {
        this.socket = socket;
        loop.socketUsed(socket, this);
    }

    private void socketDone() {
        if (socket != null) {
            loop.socketReleased(socket, this);
        }
    }

    /** Bytes buffered for writing. */
    protected abstract int bufferSize();

    /** Closes the channel (or pipe) for good. */
    protected abstract void closeChannel() throws IOException;

    /** Stops reading and writing readiness callbacks, before the channel closes. */
    protected abstract void stopIo();

    protected final void putExtra(String name, Object value) {
        extra.put(name, value);
    }

    @Override
    public Object getExtraInfo(String name, Object defaultValue) {
        return extra.getOrDefault(name, defaultValue);
    }

    @Override
    public boolean isClosing() {
        return closing;
    }

    @Override
    public void setProtocol(BaseProtocol replacement) {
        assert loop.inLoopThreadOrIdle() : "loop thread only";
        protocol = Objects.requireNonNull(replacement, "protocol");
    }

    @Override
    public BaseProtocol getProtocol() {
        return protocol;
    }

    public WriteBufferLimits getWriteBufferLimits() {
        return flowControl.limits();
    }

    public void setWriteBufferLimits(int high, int low) {
        flowControl.setLimits(high, low, protocol);
    }

    public int getWriteBufferSize() {
        return bufferSize();
    }

    /** asyncio's {@code _protocol_paused}: the protocol was told to pause writing and not yet to resume. */
    public boolean isWritingPaused() {
        return flowControl.isPaused();
    }

    /** Runs the protocol's {@code connectionMade} at the next iteration, then {@code afterwards} (e.g. start reading). */
    protected final void scheduleConnectionMade(Runnable connectionMade, Runnable afterwards) {
        assert loop.inLoopThreadOrIdle() : "loop thread only";
        if (server != null) {
            server.attach((Transport) this);
        }
        loop.callSoon(new StartStep(() -> {
            protocolConnected = true;
            connectionMade.run();
        }));
        loop.callSoon(new StartStep(afterwards));
    }

    /**
     * A step of the transport's start, which the transport schedules for itself: a loop closed before it
     * runs releases the transport, whose step it is, so the close does not report it as a callback it
     * dropped (a resource's callbacks are the resource's to end). A shutdown just after an accept or a
     * connect reported two callbacks nobody had scheduled (an outside review).
     */
    private static final class StartStep implements Runnable, LoopResource {
        private final Runnable step;

        StartStep(Runnable step) {
            this.step = step;
        }

        @Override
        public void run() {
            step.run();
        }

        @Override
        public void release() {
            // the transport itself is released with the loop
        }

        @Override
        public String toString() {
            return step.toString();
        }
    }

    /** For transports whose protocol learns of the connection otherwise (pipes of a child process). */
    protected final void markConnected() {
        protocolConnected = true;
    }

    /**
     * asyncio's {@code _fatal_error}: I/O errors are expected (peer reset, broken pipe) and only
     * logged in debug mode; anything else reaches the exception handler. Then the transport is
     * closed without flushing.
     */
    protected final void fatalError(Throwable error, String message) {
        assert loop.inLoopThreadOrIdle() : "loop thread only";
        reportFatalError(loop, error, message, this, protocol);
        forceClose(lostWith(error));
    }

    /** What {@code connectionLost} gets for a fatal error: the exception itself, an {@code Error} wrapped. */
    public static Exception lostWith(Throwable error) {
        return error instanceof Exception e ? e : new IOException(error);
    }

    /**
     * The report of asyncio's {@code _fatal_error}, for transports and for the protocols layered on them
     * (TLS): an I/O error is only logged in debug mode, anything else goes to the exception handler.
     */
    public static void reportFatalError(BaseEventLoop loop, Throwable error, String message, Object transport,
            Object protocol) {
        if (error instanceof IOException) {
            logFatalError(loop, error, message, transport);
        } else {
            reportToTheHandler(loop, error, message, transport, protocol);
        }
    }

    /** asyncio's {@code _fatal_error} for an error it does not report: said in debug mode only. */
    static void logFatalError(BaseEventLoop loop, Throwable error, String message, Object transport) {
        if (loop.getDebug()) {
            LOG.log(Level.DEBUG, transport + ": " + message, error);
        }
    }

    /** asyncio's {@code _fatal_error} for an error it reports: the loop's exception handler hears of it. */
    static void reportToTheHandler(BaseEventLoop loop, Throwable error, String message, Object transport, Object protocol) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("message", message);
        context.put("exception", error);
        context.put("transport", transport);
        context.put("protocol", protocol);
        loop.callExceptionHandler(context);
    }

    /** Whether {@code eventLoop} runs this transport. */
    public final boolean belongsTo(BaseEventLoop eventLoop) {
        return loop == eventLoop;
    }

    /** asyncio's {@code abort()}: closes at once, dropping what is buffered; connectionLost gets {@code null}. */
    public void abort() {
        forceClose(null);
    }

    /**
     * asyncio's {@code _force_close}: drop the buffer, stop, and report {@code exc} to connectionLost.
     * Public for a protocol layered on the transport (TLS), which ends the connection with its own error.
     */
    public void forceClose(Exception exc) {
        assert loop.inLoopThreadOrIdle() : "loop thread only";
        if (connLost > 0) {
            return;
        }
        dropBuffer();
        closing = true;
        stopIo();
        connLost++;
        loop.callSoon(() -> callConnectionLost(exc));
    }

    /**
     * asyncio's {@code close()} of a transport with a write buffer: stops reading at once, and lets
     * {@code connectionLost(null)} follow at the next iteration when nothing waits to be written,
     * else once the subclass drained its buffer. Idempotent.
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        SendfileTransport.closing(protocol);
        stopReading();
        if (bufferSize() == 0) {
            connLost++;
            loop.callSoon(() -> callConnectionLost(null));
        }
    }

    /** Stops the readiness callbacks for reading, as {@link #close()} begins; nothing by default. */
    protected void stopReading() {
    }

    /** Drops what is buffered for writing. */
    protected abstract void dropBuffer();

    /** asyncio's {@code _call_connection_lost}: tells the protocol, closes the channel, leaves the server. */
    protected final void callConnectionLost(Exception exc) {
        assert loop.inLoopThreadOrIdle() : "loop thread only";
        try {
            if (protocolConnected) {
                protocol.connectionLost(exc);
            }
        } finally {
            try {
                closeChannel();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "closing " + this, e);
            }
            loop.untrack(this);
            socketDone();
            if (server != null) {
                server.detach((Transport) this);
            }
        }
    }

    /**
     * The write buffer of a closing transport drained: {@code connectionLost(null)} now, unless it is
     * scheduled already (the protocol's {@code resumeWriting}, run as the buffer drained, closed or
     * aborted the transport: it would be told twice).
     */
    protected final void drainedWhileClosing() {
        if (connLost == 0) {
            connLost++;
            callConnectionLost(null);
        }
    }

    /**
     * Called for a write refused because the connection is lost (or, on a write pipe, closing): count,
     * and warn past a threshold. asyncio adds these writes to {@code _conn_lost} itself; here they are
     * counted apart, so that a write after {@code close()} never passes for the loss: it hid the
     * drained write pipe's {@code connectionLost} (PipeContract). The warning comes when asyncio's would.
     */
    protected final void countLostWrite() {
        countLostWrite("socket.send() raised exception.");
    }

    /** {@link #countLostWrite()} warning in {@code words} (asyncio's pipes have their own). */
    protected final void countLostWrite(String words) {
        if (connLost + writesRefused >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) {
            LOG.log(Level.WARNING, words);
        }
        writesRefused++;
    }

    @Override
    public void release() {
        connLost++;
        closing = true;
        try {
            closeChannel();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "releasing " + this, e);
        }
        socketDone();
    }

    @Override
    public String toString() {
        return "<" + ClassNames.simpleName(getClass()) + (closing ? " closing" : "") + " " + describeChannel() + ">";
    }

    /** The channel, for messages. */
    protected abstract String describeChannel();
}
