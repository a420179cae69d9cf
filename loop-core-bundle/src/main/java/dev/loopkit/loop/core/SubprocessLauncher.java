package dev.loopkit.loop.core;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.SpawnScope;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessProtocol;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.api.spi.ChildWatcherSwitch;
import dev.loopkit.api.spi.Registries;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Lock;
import java.util.function.Supplier;

/**
 * asyncio's {@code _make_subprocess_transport}: asks the process-wide policy for its child watcher,
 * checks it is active before anything is spawned, spawns inside the watcher's spawn scope with our
 * own {@code posix_spawn} (so only the watcher reaps the child), registers the child, and starts
 * the transport on the loop.
 */
final class SubprocessLauncher {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");

    private SubprocessLauncher() {
    }

    /**
     * Spawns on the loop thread (as asyncio's coroutine runs on its loop): at once when called there,
     * else when the loop gets to it. Every failure, an inactive watcher's included, fails the
     * returned future; nothing is spawned then.
     */
    static LoopFuture<SubprocessTransport> launch(BaseEventLoop loop, Supplier<? extends SubprocessProtocol> protocolFactory,
            List<String> argv, SubprocessOptions options) {
        LoopFuture<SubprocessTransport> started = loop.createFuture();
        if (loop.inLoopThread()) {
            launchHere(loop, protocolFactory, argv, options, started);
        } else {
            loop.callSoonThreadsafe(() -> launchHere(loop, protocolFactory, argv, options, started));
        }
        return started;
    }

    private static void launchHere(BaseEventLoop loop, Supplier<? extends SubprocessProtocol> protocolFactory,
            List<String> argv, SubprocessOptions options, LoopFuture<SubprocessTransport> started) {
        // From looking up the watcher to registering the child, no watcher switch may happen: the
        // child would be registered with a watcher that already gave its children away.
        Lock noSwitch = ChildWatcherSwitch.spawnLock();
        noSwitch.lock();
        try {
            Posix posix = Posix.get();
            ChildWatcher watcher = Asyncio.getChildWatcher();
            try (SpawnScope scope = watcher.enterSpawn()) {
                if (!watcher.isActive()) {
                    throw new IllegalStateException("the child watcher is not activated, subprocess support is not"
                            + " installed (" + describe(watcher) + ": " + watcher.inactiveReason() + ")");
                }
                SubprocessProtocol protocol = Objects.requireNonNull(protocolFactory.get(), "the protocol factory returned null");
                ChildProcessTransport transport = spawn(loop, posix, protocol, argv, options);
                // connectionMade first, then whatever the watcher reports: it may report at once
                transport.start();
                try {
                    watcher.addChildHandler(transport.getPid(), transport::childExited);
                } catch (RuntimeException e) {
                    transport.release();
                    killAndReap(posix, transport.getPid()); // nobody else would reap it
                    throw e;
                }
                started.setResult(transport);
            }
        } catch (PosixException | RuntimeException e) {
            started.setException(e);
        } catch (NoClassDefFoundError missing) {
            started.setException(new UnsupportedOperationException("subprocesses need the dev.loopkit.posix module or"
                    + " bundle (and JNR): " + missing.getMessage() + " is missing", missing));
        } finally {
            noSwitch.unlock();
        }
    }

    private static ChildProcessTransport spawn(BaseEventLoop loop, Posix posix, SubprocessProtocol protocol,
            List<String> argv, SubprocessOptions options) throws PosixException {
        ChildPipes pipes = ChildPipes.open(posix, options);
        long pid;
        try {
            pid = posix.spawn(pipes.spec(argv, options));
        } catch (PosixException | RuntimeException e) {
            pipes.closeAll();
            throw e;
        } finally {
            pipes.closeChildEnds();
        }
        try {
            ChildProcessTransport transport = new ChildProcessTransport(loop, posix, protocol, pid, pidfdOf(posix, pid));
            connectPipes(loop, posix, transport, pipes);
            return transport;
        } catch (PosixException | RuntimeException e) {
            pipes.closeAll();
            killAndReap(posix, pid);
            throw e;
        }
    }

    private static void connectPipes(BaseEventLoop loop, Posix posix, ChildProcessTransport transport, ChildPipes pipes)
            throws PosixException {
        if (pipes.parentEnd(0) >= 0) {
            transport.addPipe(0, new PipeWriteTransport(loop, posix, pipes.parentEnd(0), transport.pipeProtocol(0)));
        }
        for (int stream = 1; stream <= 2; stream++) {
            if (pipes.parentEnd(stream) >= 0) {
                transport.addPipe(stream, new PipeReadTransport(loop, posix, pipes.parentEnd(stream), transport.pipeProtocol(stream)));
            }
        }
    }

    private static int pidfdOf(Posix posix, long pid) {
        if (!posix.pidfdSupported()) {
            return -1;
        }
        try {
            return posix.pidfdOpen(pid);
        } catch (PosixException e) {
            return -1; // signals fall back to kill(pid)
        }
    }

    private static void killAndReap(Posix posix, long pid) {
        try {
            posix.kill(pid, 9);
            posix.waitpid(pid, false);
        } catch (PosixException e) {
            LOG.log(Level.WARNING, "cleaning up child " + pid + " after a failed start", e);
        }
    }

    private static String describe(ChildWatcher watcher) {
        return Registries.childWatchers().entryOf(watcher).map(e -> "'" + e.name() + "'")
                .orElse(watcher.getClass().getSimpleName());
    }
}
