package dev.loopkit.loop.core.subprocess;

import dev.loopkit.api.BaseProtocol;
import dev.loopkit.api.BaseTransport;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.SubprocessProtocol;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.IfStillWaiting;
import dev.loopkit.loop.core.LoopResource;
import dev.loopkit.loop.core.flight.FlightEvents;
import dev.loopkit.loop.core.transports.AbstractTransport;
import dev.loopkit.loop.core.transports.PipeReadTransport;
import dev.loopkit.loop.core.transports.PipeWriteTransport;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import dev.loopkit.signals.SignalNumbers;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * asyncio's {@code BaseSubprocessTransport}: one child process and its pipes. The protocol hears
 * {@code connectionMade}, then the pipes' data and closes, then {@code processExited} when the
 * watcher reports the exit, and {@code connectionLost} once the child exited and every pipe closed.
 * Signals go through the child's pidfd where the kernel has them, so a recycled pid is never hit.
 * Loop thread only, except {@link #childExited}, which any watcher thread may call.
 */
final class ChildProcessTransport implements SubprocessTransport, LoopResource {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");

    private final BaseEventLoop loop;
    private final Posix posix;
    private final SubprocessProtocol protocol;
    private final long pid;
    private int pidfd;
    private final Map<Integer, AbstractTransport> pipes = new LinkedHashMap<>();
    private final Map<Integer, SubprocessPipeProtocol> pipeProtocols = new LinkedHashMap<>();
    private final Map<String, Object> extra = new LinkedHashMap<>();
    private volatile Integer returncode;
    private boolean connected;
    /** An exit reported before the protocol heard {@code connectionMade}: applied right after it. */
    private Integer earlyExit;
    private boolean closed;
    private boolean finished;
    /** The spawn was given up before it connected: the child is killed, its exit taken, and the protocol never hears of it. */
    private boolean abandoned;
    /** The watcher it was registered with, named in the exit's JFR event. */
    private ChildWatcher watcher;
    /** When the watcher reported the exit (System.nanoTime): the exit event's latency starts here. */
    private volatile long exitReportedAt;

    ChildProcessTransport(BaseEventLoop loop, Posix posix, SubprocessProtocol protocol, long pid, int pidfd) {
        this.loop = loop;
        this.posix = posix;
        this.protocol = protocol;
        this.pid = pid;
        this.pidfd = pidfd;
        extra.put("pid", pid);
        loop.track(this);
    }

    SubprocessProtocol protocol() {
        return protocol;
    }

    SubprocessPipeProtocol pipeProtocol(int fd) {
        return pipeProtocols.computeIfAbsent(fd, n -> new SubprocessPipeProtocol(this, n));
    }

    void addPipe(int fd, AbstractTransport pipe) {
        pipes.put(fd, pipe);
    }

    /**
     * The child is registered with its watcher, and the spawn gate is open again: on the loop's next
     * turn the pipes start, the protocol hears {@code connectionMade}, then an exit the watcher
     * reported meanwhile, and {@code spawned} completes. asyncio's {@code _connect_pipes} schedules
     * {@code connection_made} with {@code call_soon} and resolves the spawn's waiter after it, so
     * user code never runs under the watcher's {@code with} block, and whoever awaits the spawn sees
     * a connected protocol. Loop thread.
     */
    void start(LoopFuture<SubprocessTransport> spawned) {
        assert loop.inLoopThreadOrIdle() : "loop thread only";
        loop.callSoon(() -> connect(spawned));
    }

    private void connect(LoopFuture<SubprocessTransport> spawned) {
        connected = true;
        if (spawned.isDone()) {
            // The caller gave up on the spawn before it connected (cancelled it, or a timeout did):
            // asyncio's _make_subprocess_transport closes the transport, which kills the child, and
            // waits for its exit. Before, the child ran on, owned by nobody (an outside review).
            abandon();
            return;
        }
        try {
            for (AbstractTransport pipe : pipes.values()) {
                if (pipe instanceof PipeReadTransport read) {
                    read.start();
                } else if (pipe instanceof PipeWriteTransport write) {
                    write.start();
                }
            }
        } catch (Throwable e) {
            // The pipes could not start (out of descriptors, or of threads: the loop's poller of raw
            // descriptors is made on first use): asyncio's _connect_pipes fails the spawn with whatever it
            // raised (BaseException). Before, the spawn never completed, and the exit reached a protocol that
            // never heard connectionMade (PipesThatCannotStartTest: the poller's thread at the host's limit).
            abandon();
            IfStillWaiting.setException(spawned, e);
            return;
        }
        // the protocol's exceptions go to the loop's exception handler (this is a loop callback);
        // the exit is applied and the spawn completes whatever connectionMade did
        try {
            protocol.connectionMade(this);
        } finally {
            try {
                if (earlyExit != null) {
                    processExited(earlyExit);
                }
            } finally {
                if (!IfStillWaiting.setResult(spawned, this)) {
                    // Given up while connectionMade ran (the caller's timeout, on another thread, or the protocol
                    // itself): asyncio's _make_subprocess_transport closes the transport on any exception of its
                    // wait, cancellation included, which kills the child. Left open, the child ran on, known only
                    // to the protocol (SubprocessSpawnCancelledTest).
                    close();
                }
            }
        }
    }

    // Closes the transport of a spawn given up before it connected: its pipes, and the child if it still
    // runs (its watcher reports the exit, which processExited takes without a word to the protocol).
    private void abandon() {
        abandoned = true;
        if (earlyExit != null) {
            exitedAbandoned(earlyExit);
        }
        close();
    }

    private void exitedAbandoned(int code) {
        returncode = code;
        closePidfd();
        loop.untrack(this);
    }

    /** Under the spawn gate: the watcher that will report the exit. */
    void registeredWith(ChildWatcher childWatcher) {
        watcher = childWatcher;
    }

    /** The watcher's {@code ChildHandler}: any thread. Hands the exit to the loop. */
    void childExited(long exitedPid, int code) {
        exitReportedAt = System.nanoTime();
        try {
            loop.callSoonThreadsafe(() -> processExited(code));
        } catch (IllegalStateException closedLoop) {
            LOG.log(Level.WARNING, "Loop {0} that handles pid {1} is closed", loop, Long.toString(exitedPid));
        }
    }

    // asyncio's _process_exited.
    private void processExited(int code) {
        if (!connected) {
            if (earlyExit != null) {
                LOG.log(Level.WARNING, "pid {0} reported exited twice (returncode {1}, then {2})", Long.toString(pid), earlyExit, code);
                return;
            }
            earlyExit = code;
            return;
        }
        if (abandoned) {
            if (returncode == null) {
                exitedAbandoned(code);
            }
            return;
        }
        if (returncode != null) {
            // a watcher must report an exit once; say so loudly if one ever does not
            LOG.log(Level.WARNING, "pid {0} reported exited twice (returncode {1}, then {2})", Long.toString(pid), returncode, code);
            return;
        }
        if (loop.getDebug()) {
            LOG.log(Level.INFO, "{0} exited with return code {1}", this, code);
        }
        returncode = code;
        closePidfd();
        FlightEvents.exitDelivered(pid, code, watcher, exitReportedAt);
        // asyncio calls the protocol in a callback of its own: what the user's code throws is the loop's
        // to report, and cannot stop connectionLost (before, it never came)
        try {
            protocol.processExited();
        } finally {
            tryFinish();
        }
    }

    void pipeDataReceived(int fd, ByteBuffer data) {
        if (!abandoned) {
            protocol.pipeDataReceived(fd, data);
        }
    }

    void pipeConnectionLost(int fd, Exception exc) {
        if (abandoned) {
            return; // the protocol never heard connectionMade
        }
        try {
            protocol.pipeConnectionLost(fd, exc);
        } finally {
            tryFinish(); // as after processExited
        }
    }

    // asyncio's _try_finish: connectionLost once the child exited and every pipe closed.
    private void tryFinish() {
        if (finished || returncode == null) {
            return;
        }
        for (Integer fd : pipes.keySet()) {
            if (!pipeProtocol(fd).disconnected()) {
                return;
            }
        }
        finished = true;
        loop.callSoon(() -> {
            try {
                protocol.connectionLost(null);
            } finally {
                loop.untrack(this);
            }
        });
    }

    @Override
    public long getPid() {
        return pid;
    }

    @Override
    public Integer getReturncode() {
        return returncode;
    }

    @Override
    public BaseTransport getPipeTransport(int fd) {
        return pipes.get(fd);
    }

    /** Does nothing once the child exited: its pid may already belong to another process. */
    @Override
    public void sendSignal(int signal) {
        if (returncode != null) {
            return;
        }
        try {
            if (pidfd >= 0) {
                posix.pidfdSendSignal(pidfd, signal);
            } else if (stillOurRunningChild()) {
                posix.kill(pid, signal);
            }
        } catch (PosixException e) {
            if ("EINVAL".equals(e.errnoName())) { // no such signal: the caller's, as asyncio's OSError from os.kill is
                throw new IllegalArgumentException("cannot send signal " + signal + " to pid " + pid + ": " + e.getMessage(), e);
            }
            if (!"ESRCH".equals(e.errnoName())) {
                throw new IllegalStateException("cannot send signal " + signal + " to pid " + pid + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Without a pidfd (the kernel has none, or the loop closed and released it) the pid is all there
     * is, and once a watcher reaped the child it may be another process's: Python's
     * {@code Popen.send_signal} polls first and does nothing then. {@code waitid(WNOHANG | WNOWAIT)}
     * asks without reaping. Before, a kill after the loop closed killed whatever process had the pid
     * by then (SignalAfterLoopClosedTest).
     */
    private boolean stillOurRunningChild() throws PosixException {
        try {
            return posix.waitid(pid, true, true) == null;
        } catch (PosixException e) {
            if ("ECHILD".equals(e.errnoName())) {
                return false; // reaped: not ours any more
            }
            throw e;
        }
    }

    @Override
    public void terminate() {
        sendSignal(SignalNumbers.SIGTERM);
    }

    @Override
    public void kill() {
        sendSignal(SignalNumbers.SIGKILL);
    }

    /** asyncio: closes the pipes and kills a child that still runs. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (AbstractTransport pipe : pipes.values()) {
            pipe.close();
        }
        if (returncode == null) {
            if (loop.getDebug()) {
                LOG.log(Level.WARNING, "Close running child process: kill {0}", this);
            }
            kill();
        }
    }

    @Override
    public boolean isClosing() {
        return closed;
    }

    @Override
    public Object getExtraInfo(String name, Object defaultValue) {
        return extra.getOrDefault(name, defaultValue);
    }

    @Override
    public void setProtocol(BaseProtocol replacement) {
        throw new UnsupportedOperationException("the protocol of a subprocess transport cannot be replaced");
    }

    @Override
    public BaseProtocol getProtocol() {
        return protocol;
    }

    /** The loop closed: the pipes and the pidfd go; the child runs on, its watcher still reaps it. */
    @Override
    public void release() {
        closed = true;
        pipes.values().forEach(AbstractTransport::release);
        closePidfd();
    }

    /**
     * For a start that failed before the loop's next turn: releases the pidfd and the pipes made so far
     * now rather than at the loop's close, and the loop forgets them. Loop thread.
     */
    void discard() {
        release();
        pipes.values().forEach(loop::untrack);
        loop.untrack(this);
    }

    private void closePidfd() {
        if (pidfd >= 0) {
            try {
                posix.close(pidfd);
            } catch (PosixException e) {
                LOG.log(Level.DEBUG, "closing pidfd of " + pid, e);
            }
            pidfd = -1;
        }
    }

    @Override
    public String toString() {
        return "<ChildProcessTransport pid=" + pid + (returncode != null ? " returncode=" + returncode : " running")
                + (closed ? " closed" : "") + ">";
    }

}
