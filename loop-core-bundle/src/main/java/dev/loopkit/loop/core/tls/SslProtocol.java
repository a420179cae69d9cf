package dev.loopkit.loop.core.tls;

import dev.loopkit.api.BufferedProtocol;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.TimerHandle;
import dev.loopkit.api.Transport;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.scheduling.Scheduler;
import dev.loopkit.loop.core.transports.AbstractSocketTransport;
import dev.loopkit.loop.core.transports.AbstractTransport;
import dev.loopkit.loop.core.transports.FlowControl;
import java.lang.System.Logger.Level;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * asyncio's {@code sslproto.SSLProtocol}: TLS over any transport. It is the protocol of the socket
 * transport and hands the application protocol an {@link SslTransport} that carries plain bytes. The
 * {@link SSLEngine} does the records and the crypto; this class moves bytes between it and the
 * transport, with asyncio's state machine (UNWRAPPED, DO_HANDSHAKE, WRAPPED, FLUSHING, SHUTDOWN), its
 * flow control (the application is paused when what the TLS layer holds goes over 512 KiB; the TLS
 * layer holds its records while the socket transport is paused) and its clean close (close_notify sent
 * and awaited, {@code ssl_shutdown_timeout} at most). Loop thread only.
 */
public final class SslProtocol implements Protocol, FlowControl.DrainWatcher {

    private enum State { UNWRAPPED, DO_HANDSHAKE, WRAPPED, FLUSHING, SHUTDOWN }

    // asyncio's AppProtocolState: INIT -connection_made-> CON_MADE [-eof_received-> EOF] -connection_lost-> CON_LOST
    private enum AppState { INIT, CON_MADE, EOF, CON_LOST }

    /** asyncio's {@code FLOW_CONTROL_HIGH_WATER_SSL_WRITE}. */
    static final int HIGH_WATER_SSL_WRITE = 512 * 1024;
    /** asyncio's {@code FLOW_CONTROL_HIGH_WATER_SSL_READ}: ciphertext held while the application does not read. */
    static final int HIGH_WATER_SSL_READ = 256 * 1024;
    /** The records handed to the transport in one write: its high-water mark, asyncio's 64 KiB. */
    private static final int OUTGOING_CHUNK = 64 * 1024;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");

    private final BaseEventLoop loop;
    private final SSLContext context;
    private final SSLEngine engine;
    private final double handshakeTimeout;
    private final double shutdownTimeout;
    private final String serverHostname;
    private final SslTransport appTransport;
    private final FlowControl appWriting;
    private final Map<String, Object> extra = new LinkedHashMap<>();
    private final ArrayDeque<ByteBuffer> writeBacklog = new ArrayDeque<>();
    private Protocol appProtocol;
    private AppState appState;
    private LoopFuture<Void> waiter;
    private AbstractSocketTransport transport;
    private State state = State.UNWRAPPED;
    /** Records received, not unwrapped yet (write mode): asyncio's {@code _incoming} BIO. */
    private ByteBuffer incoming;
    /** Records made, not handed to the transport yet (write mode): asyncio's {@code _outgoing} BIO. */
    private ByteBuffer outgoing;
    /** Plain bytes unwrapped, not delivered yet (write mode). */
    private ByteBuffer plain;
    /** Where the bytes that come after our close_notify go. */
    private ByteBuffer dropped;
    /** The application protocol is being given bytes: a read it causes (by closing) must not deliver again. */
    private boolean delivering;
    private int writeBacklogSize;
    private boolean sslWritingPaused;
    private boolean sslReadingPaused;
    private boolean appReadingPaused;
    private boolean eofReceived;
    /** asyncio's {@code _conn_lost}: the writes refused after close, for its warning. */
    private int connLost;
    /**
     * The socket's connection is lost: nothing more goes out. Kept apart from {@link #connLost}: a
     * write refused after close() counts there, and taken for a loss it kept the records the full
     * socket had not taken yet, and close_notify, from ever going out (asyncio's
     * {@code _process_outgoing} does not look at the count).
     */
    private boolean socketLost;
    private TimerHandle handshakeTimeoutHandle;
    private TimerHandle shutdownTimeoutHandle;

    /**
     * @param waiter completed when the handshake is done (or failed), or {@code null}
     * @param callConnectionMade whether the application protocol's {@code connectionMade} follows the
     *        handshake ({@code false} for {@code start_tls}, whose protocol is connected already)
     */
    SslProtocol(BaseEventLoop loop, Protocol appProtocol, SSLContext context, SSLEngine engine, String serverHostname,
            LoopFuture<Void> waiter, TlsTimeouts timeouts, boolean callConnectionMade) {
        this.loop = loop;
        this.context = context;
        this.engine = engine;
        this.serverHostname = serverHostname;
        this.waiter = waiter;
        this.handshakeTimeout = timeouts.handshake();
        this.shutdownTimeout = timeouts.shutdown();
        this.appProtocol = appProtocol;
        this.appState = callConnectionMade ? AppState.INIT : AppState.CON_MADE;
        this.appTransport = new SslTransport(this);
        this.appWriting = new FlowControl(loop, appTransport, this::writeBufferSize, HIGH_WATER_SSL_WRITE);
        int packet = engine.getSession().getPacketBufferSize();
        incoming = ByteBuffer.allocate(packet);
        outgoing = ByteBuffer.allocate(packet);
        plain = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        extra.put("sslcontext", context);
    }

    /** The transport the application protocol talks through. */
    public SslTransport appTransport() {
        return appTransport;
    }

    // ---- the socket transport's callbacks --------------------------------------------------------------

    @Override
    public void connectionMade(Transport made) {
        transport = (AbstractSocketTransport) made;
        startHandshake();
    }

    @Override
    public void connectionLost(Exception exc) {
        writeBacklog.clear();
        writeBacklogSize = 0;
        outgoing.clear();
        connLost++;
        socketLost = true;
        appTransport.markClosed();
        // A protocol connected before this layer came (start_tls's) hears of it also during the handshake: asyncio
        // tells it nothing then, and a stream's pending read and waitClosed() waited for ever (an outside review).
        // One made by this layer is not connected before its handshake ends (INIT), and hears nothing.
        if (appState == AppState.CON_MADE || appState == AppState.EOF) {
            appState = AppState.CON_LOST;
            Protocol lost = appProtocol;
            loop.callSoon(() -> lost.connectionLost(exc));
        }
        state = State.UNWRAPPED;
        wakeUpWaiter(exc != null ? exc : new SocketException("Connection lost during the SSL handshake"));
        cancelTimers();
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        incoming = ensureRoom(incoming, data.remaining());
        incoming.put(data);
        switch (state) {
            case DO_HANDSHAKE -> doHandshake();
            case WRAPPED -> doRead();
            case FLUSHING -> doFlush();
            case SHUTDOWN -> doShutdown();
            default -> { } // unwrapped: the connection is going away
        }
    }

    @Override
    public boolean eofReceived() {
        eofReceived = true;
        if (loop.getDebug()) {
            LOG.log(Level.DEBUG, "{0} received EOF", this);
        }
        try {
            switch (state) {
                case DO_HANDSHAKE -> onHandshakeComplete(new SocketException("Connection reset by peer"));
                case WRAPPED -> {
                    state = State.FLUSHING;
                    if (appReadingPaused) {
                        return true; // what is held is delivered when the application reads again
                    }
                    doFlush();
                }
                case FLUSHING -> {
                    doWrite();
                    state = State.SHUTDOWN;
                    doShutdown();
                }
                case SHUTDOWN -> doShutdown();
                default -> { }
            }
        } catch (RuntimeException e) {
            transport.close();
            throw e;
        }
        return false;
    }

    /** The socket transport's buffer is over its high-water mark: hold the records. */
    @Override
    public void pauseWriting() {
        sslWritingPaused = true;
    }

    /**
     * start_tls over a plain transport whose writing was paused: that pause is now the socket's, for this
     * layer; and when the protocol it paused is the application's, this layer lifts that pause once its
     * buffer drains. Before, the protocol was never resumed, or paused a second time (asyncio fails an
     * assertion; an outside review).
     */
    void tookOverAPausedTransport(boolean theApplicationWasPaused) {
        sslWritingPaused = true;
        if (theApplicationWasPaused) {
            appWriting.tookOverAPause();
        }
    }

    @Override
    public void resumeWriting() {
        sslWritingPaused = false;
        processOutgoing();
    }

    /** The socket's buffer, which the application's flow control counts, drained some. */
    @Override
    public void transportBufferDrained() {
        appWriting.maybeResume(flowControlled());
    }

    // ---- handshake -------------------------------------------------------------------------------------

    private void startHandshake() {
        state = State.DO_HANDSHAKE;
        handshakeTimeoutHandle = loop.callLater(handshakeTimeout, this::checkHandshakeTimeout);
        try {
            engine.beginHandshake();
        } catch (SSLException e) {
            onHandshakeComplete(e);
            return;
        }
        doHandshake();
    }

    private void checkHandshakeTimeout() {
        if (state == State.DO_HANDSHAKE) {
            fatalError(new SocketException("SSL handshake is taking longer than " + handshakeTimeout
                    + " seconds: aborting the connection"), "Fatal error on transport");
        }
    }

    private void doHandshake() {
        boolean finished;
        try {
            finished = advanceHandshake();
        } catch (SSLException e) {
            onHandshakeComplete(TlsErrors.describe(e, serverHostname));
            return;
        }
        processOutgoing();
        if (finished) {
            onHandshakeComplete(null);
        }
    }

    /** Runs the engine's handshake as far as the bytes received allow; {@code true} once it is done. */
    private boolean advanceHandshake() throws SSLException {
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> wrap(EMPTY);
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    SSLEngineResult result = unwrap();
                    if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw new SSLException("the peer closed the connection during the SSL handshake");
                    }
                    if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW || madeNoProgress(result)) {
                        return false;
                    }
                }
                case NEED_TASK -> runDelegatedTasks();
                default -> {
                    return true;
                }
            }
        }
    }

    private void onHandshakeComplete(Exception handshakeError) {
        if (handshakeTimeoutHandle != null) {
            handshakeTimeoutHandle.cancel();
            handshakeTimeoutHandle = null;
        }
        if (handshakeError != null) {
            state = State.UNWRAPPED;
            fatalError(handshakeError, TlsErrors.isCertificateFailure(handshakeError)
                    ? "SSL handshake failed on verifying the certificate" : "SSL handshake failed");
            wakeUpWaiter(handshakeError);
            return;
        }
        state = State.WRAPPED;
        extra.put("peercert", peerCertificate());
        extra.put("cipher", TlsErrors.cipher(engine.getSession()));
        extra.put("compression", null);
        extra.put("ssl_object", engine);
        if (appState == AppState.INIT) {
            appState = AppState.CON_MADE;
            try {
                appProtocol.connectionMade(appTransport);
            } catch (RuntimeException | Error e) { // an Error of the user's (an assert) too
                fatalError(e, "Fatal error: protocol.connection_made() call failed.");
                wakeUpWaiter(e);
                Scheduler.rethrowIfFatal(e);
                return;
            }
        }
        wakeUpWaiter(null);
        doRead();
    }

    private Certificate peerCertificate() {
        try {
            return engine.getSession().getPeerCertificates()[0];
        } catch (SSLPeerUnverifiedException e) {
            return null; // a server that asked for no client certificate
        }
    }

    // ---- shutdown --------------------------------------------------------------------------------------

    /** asyncio's {@code _start_shutdown}: the application closed its transport. */
    void startShutdown() {
        if (state == State.FLUSHING && eofReceived && appReadingPaused && shutdownTimeoutHandle == null) {
            // The peer ended while the application had paused reading, and the connection is closed before it read
            // on (by the application, or by the peer's close_notify read in a resumed moment). asyncio returns here,
            // and the close never ended: no connection_lost, the socket open, no shutdown timer (an outside
            // review). What was held for the application is dropped, as any data after a close.
            appTransport.markClosed();
            shutdownTimeoutHandle = loop.callLater(shutdownTimeout, this::checkShutdownTimeout);
            doFlush();
            return;
        }
        if (state == State.FLUSHING || state == State.SHUTDOWN || state == State.UNWRAPPED) {
            return;
        }
        appTransport.markClosed();
        if (state == State.DO_HANDSHAKE) {
            abort();
            return;
        }
        state = State.FLUSHING;
        shutdownTimeoutHandle = loop.callLater(shutdownTimeout, this::checkShutdownTimeout);
        doFlush();
    }

    private void checkShutdownTimeout() {
        if (state == State.FLUSHING || state == State.SHUTDOWN) {
            transport.forceClose(new TimeoutException("SSL shutdown timed out"));
        }
    }

    private void doFlush() {
        doRead();
        if (state != State.FLUSHING) {
            return; // the read ended the connection
        }
        doWrite();
        state = State.SHUTDOWN;
        doShutdown();
    }

    /** Sends close_notify and waits for the peer's (unless the socket reached EOF: then there is none to wait for). */
    private void doShutdown() {
        try {
            if (!eofReceived) {
                engine.closeOutbound();
                while (!engine.isOutboundDone()) {
                    if (wrap(EMPTY).bytesProduced() == 0) {
                        break;
                    }
                }
                if (!awaitPeersCloseNotify()) {
                    processOutgoing();
                    // The socket may be paused by controlSslReading with the ciphertext now dropped: read on
                    // to the peer's close_notify (asyncio's _do_shutdown leaves it paused until the timeout).
                    controlSslReading();
                    return;
                }
            }
        } catch (SSLException e) {
            onShutdownComplete(e);
            return;
        }
        processOutgoing();
        callEofReceived();
        onShutdownComplete(null);
    }

    // What the peer sends after our close_notify is dropped, as OpenSSL's SSL_shutdown drops it. (Into
    // a buffer of its own: a close() from inside dataReceived gets here while plain is being delivered.)
    private boolean awaitPeersCloseNotify() throws SSLException {
        while (!engine.isInboundDone()) {
            if (dropped == null) {
                dropped = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
            }
            SSLEngineResult result = unwrap(dropped);
            dropped.clear();
            if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW || madeNoProgress(result)) {
                return engine.isInboundDone();
            }
        }
        return true;
    }

    private void onShutdownComplete(Exception error) {
        if (shutdownTimeoutHandle != null) {
            shutdownTimeoutHandle.cancel();
            shutdownTimeoutHandle = null;
        }
        if (error != null) {
            fatalError(error, "Fatal error on transport");
        } else {
            // What is still held (the socket transport paused us) goes to its buffer, which close()
            // drains: the peer gets every record and our close_notify.
            sslWritingPaused = false;
            processOutgoing();
            AbstractSocketTransport closing = transport;
            loop.callSoon(closing::close);
        }
    }

    /** asyncio's {@code _abort}: the socket goes at once. */
    void abort() {
        state = State.UNWRAPPED;
        if (transport != null) {
            transport.abort();
        }
    }

    // ---- writing ------------------------------------------------------------------------------------------

    /** asyncio's {@code _write_appdata}. */
    void writeAppData(ByteBuffer data) {
        if (state == State.FLUSHING || state == State.SHUTDOWN || state == State.UNWRAPPED) {
            if (connLost >= AbstractTransport.LOG_THRESHOLD_FOR_CONNLOST_WRITES) {
                LOG.log(Level.WARNING, "SSL connection is closed");
            }
            connLost++;
            return;
        }
        try {
            if (state == State.WRAPPED && writeBacklog.isEmpty()) {
                wrapAll(data); // the engine takes it all: no copy of the caller's buffer is kept
                processOutgoing();
                return;
            }
            ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
            writeBacklog.add(copy);
            writeBacklogSize += copy.remaining();
            if (state == State.WRAPPED) {
                doWrite();
            } else {
                appWriting.maybePause(flowControlled());
            }
        } catch (SSLException e) {
            fatalError(e, "Fatal error on SSL protocol");
        }
    }

    private void doWrite() {
        try {
            while (!writeBacklog.isEmpty()) {
                ByteBuffer first = writeBacklog.peek();
                int size = first.remaining();
                wrapAll(first);
                writeBacklog.poll();
                writeBacklogSize -= size;
            }
        } catch (SSLException e) {
            fatalError(e, "Fatal error on SSL protocol");
            return;
        }
        processOutgoing();
    }

    private void wrapAll(ByteBuffer data) throws SSLException {
        while (data.hasRemaining()) {
            if (wrap(data).getStatus() == SSLEngineResult.Status.CLOSED) {
                throw new SSLException("SSL connection is closed");
            }
        }
    }

    /**
     * Hands the records made so far to the transport, a chunk at a time until it says it is full
     * (pause_writing): the rest stays here, so the socket's buffer stays near its own high-water mark.
     * Then the application's flow control.
     */
    private void processOutgoing() {
        if (outgoing.position() > 0 && !socketLost) {
            outgoing.flip();
            while (outgoing.hasRemaining() && !sslWritingPaused && !transport.isClosing()) {
                int chunk = Math.min(outgoing.remaining(), OUTGOING_CHUNK);
                transport.write(outgoing.slice(outgoing.position(), chunk)); // the transport copies what the socket does not take
                outgoing.position(outgoing.position() + chunk);
            }
            outgoing.compact();
            if (outgoing.position() == 0 && outgoing.capacity() > HIGH_WATER_SSL_WRITE) {
                outgoing = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            }
        }
        appWriting.maybePause(flowControlled());
        appWriting.maybeResume(flowControlled());
    }

    /**
     * What the application's flow control counts: plain bytes waiting for the handshake, records held
     * here, and the socket transport's own buffer. (asyncio counts the first two only, so one large
     * write, which goes to the socket's buffer whole, never paused the application.)
     */
    int writeBufferSize() {
        return writeBacklogSize + outgoing.position() + (transport == null ? 0 : transport.getWriteBufferSize());
    }

    FlowControl appWriting() {
        return appWriting;
    }

    // ---- reading ------------------------------------------------------------------------------------------

    private void doRead() {
        if (!readable() || delivering) {
            return;
        }
        try {
            if (!appReadingPaused) {
                boolean closeNotify = readAndDeliver();
                if (closeNotify) {
                    callEofReceived(); // asyncio: close_notify is the application's EOF, then we answer it
                    startShutdown();
                    return;
                }
                if (!writeBacklog.isEmpty()) {
                    doWrite();
                } else {
                    processOutgoing();
                }
            }
            controlSslReading();
        } catch (SSLException | RuntimeException | Error e) {
            // asyncio's _do_read makes any exception fatal to the connection, one of the protocol's too; an
            // Error is one of those here, as on the transports (a delivery resumeReading starts has no
            // transport's catch around it)
            Scheduler.rethrowIfFatal(e);
            fatalError(e, "Fatal error on SSL protocol");
        }
    }

    /** Unwraps what was received and gives it to the application; {@code true} at the peer's close_notify. */
    private boolean readAndDeliver() throws SSLException {
        boolean closeNotify = false;
        while (!appReadingPaused && readable()) {
            if (plain.position() > 0 && plain.remaining() < engine.getSession().getApplicationBufferSize()) {
                deliver();
                continue;
            }
            SSLEngineResult result = unwrap();
            if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                closeNotify = true;
                break;
            }
            answerHandshake();
            if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW || madeNoProgress(result)) {
                break;
            }
        }
        if (plain.position() > 0 && !appReadingPaused && readable()) {
            deliver();
        }
        return closeNotify && plain.position() == 0;
    }

    /**
     * Writes every record the engine has to send now in a handshake the peer began after the first: one
     * for a TLS 1.3 key update, several for a TLS 1.2 renegotiation (its change cipher spec and finished
     * among them). One wrap per record read left a renegotiation's last records unsent, and a peer that
     * waited for them (openssl's s_client) waited for good (an outside review).
     */
    private void answerHandshake() throws SSLException {
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> {
                    SSLEngineResult result = wrap(EMPTY);
                    if (result.getStatus() == SSLEngineResult.Status.CLOSED || madeNoProgress(result)) {
                        return;
                    }
                }
                case NEED_TASK -> runDelegatedTasks();
                default -> {
                    return; // nothing to send until the peer's next records, read as any others
                }
            }
        }
    }

    private boolean readable() {
        return state == State.WRAPPED || state == State.FLUSHING;
    }

    private void deliver() {
        plain.flip();
        delivering = true;
        try {
            if (appProtocol instanceof BufferedProtocol buffered) {
                while (plain.hasRemaining() && !appReadingPaused && readable()) {
                    ByteBuffer into = buffered.getBuffer(plain.remaining());
                    if (into == null || !into.hasRemaining()) {
                        throw new IllegalStateException("get_buffer() returned an empty buffer");
                    }
                    int n = Math.min(into.remaining(), plain.remaining());
                    into.put(plain.slice(plain.position(), n));
                    plain.position(plain.position() + n);
                    buffered.bufferUpdated(n);
                }
            } else {
                try {
                    appProtocol.dataReceived(plain);
                } finally {
                    plain.position(plain.limit()); // the protocol had its look, thrown or not: delivered once
                }
            }
        } finally {
            delivering = false;
            plain.compact();
        }
    }

    private void callEofReceived() {
        if (appState != AppState.CON_MADE) {
            return;
        }
        appState = AppState.EOF;
        try {
            if (appProtocol.eofReceived()) {
                LOG.log(Level.WARNING, "returning true from eof_received() has no effect when using ssl");
            }
        } catch (RuntimeException | Error e) {
            Scheduler.rethrowIfFatal(e);
            fatalError(e, "Error calling eof_received()");
        }
    }

    void pauseReading() {
        appReadingPaused = true;
    }

    void resumeReading() {
        if (!appReadingPaused) {
            return;
        }
        appReadingPaused = false;
        loop.callSoon(() -> {
            switch (state) {
                case WRAPPED -> doRead();
                case FLUSHING -> doFlush();
                case SHUTDOWN -> doShutdown();
                default -> { }
            }
        });
    }

    boolean isReading() {
        return !appReadingPaused;
    }

    // asyncio's _control_ssl_reading: stop reading the socket while too much ciphertext waits.
    private void controlSslReading() {
        int size = incoming.position();
        if (size >= HIGH_WATER_SSL_READ && !sslReadingPaused) {
            sslReadingPaused = true;
            transport.pauseReading();
        } else if (size <= HIGH_WATER_SSL_READ / 4 && sslReadingPaused) {
            sslReadingPaused = false;
            transport.resumeReading();
        }
    }

    // ---- the engine ---------------------------------------------------------------------------------------

    private SSLEngineResult wrap(ByteBuffer source) throws SSLException {
        while (true) {
            outgoing = ensureRoom(outgoing, engine.getSession().getPacketBufferSize());
            SSLEngineResult result = engine.wrap(source, outgoing);
            if (result.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    runDelegatedTasks();
                }
                return result;
            }
            outgoing = ensureRoom(outgoing, outgoing.capacity());
        }
    }

    private SSLEngineResult unwrap() throws SSLException {
        return unwrap(null);
    }

    /** Unwraps one record into {@code plain}, or into {@code into} (which must have room for a record). */
    private SSLEngineResult unwrap(ByteBuffer into) throws SSLException {
        while (true) {
            incoming.flip();
            SSLEngineResult result;
            try {
                result = engine.unwrap(incoming, into != null ? into : plain);
            } finally {
                incoming.compact();
            }
            switch (result.getStatus()) {
                case BUFFER_OVERFLOW -> {
                    if (into != null) {
                        return result;
                    }
                    plain = ensureRoom(plain, engine.getSession().getApplicationBufferSize());
                }
                case BUFFER_UNDERFLOW -> {
                    incoming = ensureRoom(incoming, engine.getSession().getPacketBufferSize() - incoming.position());
                    return result;
                }
                default -> {
                    return result;
                }
            }
        }
    }

    private static boolean madeNoProgress(SSLEngineResult result) {
        return result.bytesConsumed() == 0 && result.bytesProduced() == 0;
    }

    private void runDelegatedTasks() {
        // The engine's key exchange and certificate checks, on the loop thread as OpenSSL's run inside
        // asyncio's do_handshake(): a few hundred microseconds per handshake.
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    /** {@code buffer} (write mode) with at least {@code room} bytes free, grown by doubling. */
    private static ByteBuffer ensureRoom(ByteBuffer buffer, int room) {
        if (buffer.remaining() >= room) {
            return buffer;
        }
        int capacity = Math.max(buffer.capacity() * 2, buffer.position() + room);
        return ByteBuffer.allocate(capacity).put(buffer.flip());
    }

    // ---- errors and info ----------------------------------------------------------------------------------

    /**
     * asyncio's {@code _fatal_error}: the socket goes at once with {@code error} for connectionLost; an
     * I/O error (the TLS ones included) is only logged in debug mode, anything else reaches the
     * exception handler.
     */
    private void fatalError(Throwable error, String message) {
        if (transport != null) {
            transport.forceClose(AbstractTransport.lostWith(error));
        }
        AbstractTransport.reportFatalError(loop, error, message, transport, this);
    }

    private void wakeUpWaiter(Throwable error) {
        if (waiter == null) {
            return;
        }
        if (!waiter.isDone()) {
            if (error != null) {
                waiter.setException(error);
            } else {
                waiter.setResult(null);
            }
        }
        waiter = null;
    }

    private void cancelTimers() {
        if (shutdownTimeoutHandle != null) {
            shutdownTimeoutHandle.cancel();
            shutdownTimeoutHandle = null;
        }
        if (handshakeTimeoutHandle != null) {
            handshakeTimeoutHandle.cancel();
            handshakeTimeoutHandle = null;
        }
    }

    Object extraInfo(String name, Object defaultValue) {
        if (extra.containsKey(name)) {
            return extra.get(name);
        }
        return transport != null ? transport.getExtraInfo(name, defaultValue) : defaultValue;
    }

    Protocol appProtocol() {
        return appProtocol;
    }

    /**
     * The protocol the application's flow control tells, {@code null} (nobody) once the connection is lost:
     * asyncio's TLS layer drops its application protocol then. A protocol paused when the peer reset was
     * told {@code resumeWriting} after its {@code connectionLost} (an outside review).
     */
    Protocol flowControlled() {
        return socketLost ? null : appProtocol;
    }

    void setAppProtocol(Protocol protocol) {
        appProtocol = protocol;
    }

    SSLContext context() {
        return context;
    }

    @Override
    public String toString() {
        return "<SslProtocol " + state + (transport == null ? "" : " " + transport) + ">";
    }
}
