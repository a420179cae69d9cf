package dev.loopkit.loop.core.subprocess;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.SpawnScope;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessProtocol;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.api.RuntimeHook;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.flight.FlightEvents;
import dev.loopkit.loop.core.scheduling.Scheduler;
import dev.loopkit.loop.core.transports.PipeReadTransport;
import dev.loopkit.loop.core.transports.PipeWriteTransport;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import dev.loopkit.signals.SignalNumbers;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * asyncio's {@code subprocess_exec} and {@code _make_subprocess_transport}: asks the process-wide
 * policy for its child watcher and checks it is active before anything is made, makes the protocol,
 * then, under the {@linkplain dev.loopkit.api.LoopkitRuntime#spawn spawn gate} and inside the watcher's
 * spawn scope, spawns with our own {@code posix_spawn} (so only the watcher reaps the child) and
 * registers the child; the protocol hears {@code connectionMade} on the loop's next turn.
 */
public final class SubprocessLauncher {

    private SubprocessLauncher() {
    }

    /**
     * Spawns on the loop thread (as asyncio's coroutine runs on its loop): at once when called there,
     * else when the loop gets to it. Every failure, an inactive watcher's included, fails the
     * returned future; nothing is spawned then.
     */
    public static LoopFuture<SubprocessTransport> launch(BaseEventLoop loop, Supplier<? extends SubprocessProtocol> protocolFactory,
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
        Posix posix;
        try {
            posix = Posix.get();
        } catch (RuntimeException noNativeAccess) { // Posix.get says why there is none
            started.setException(noNativeAccess);
            return;
        } catch (NoClassDefFoundError missing) {
            started.setException(new UnsupportedOperationException("subprocesses need the dev.loopkit.posix module or"
                    + " bundle (and JNR): " + missing.getMessage() + " is missing", missing));
            return;
        }
        // The watcher and the protocol factory are user code: whatever they throw, an Error included,
        // is the spawn's failure, as asyncio's subprocess_exec raises it to its awaiter.
        ChildProcessTransport transport;
        try {
            // An inactive watcher fails the spawn before the protocol is even made. Looked at through
            // the spawn gate, as the spawn looks: a switch that ends meanwhile closes the watcher it
            // replaced, and the look is made again (SpawnsDuringASwitchTest). Checked again at the
            // spawn, as the watcher may change in between.
            RuntimeHook.get().spawn(Asyncio::getChildWatcher, watcher -> {
                checkActive(watcher);
                return watcher;
            });
            // User code runs outside the spawn gate: asyncio calls protocol_factory() before its
            // `with watcher:` block. Under the gate it could wait for another loop's spawn, which
            // waits behind a queued switch, which waits for this spawn.
            SubprocessProtocol protocol = Objects.requireNonNull(protocolFactory.get(), "the protocol factory returned null");
            transport = RuntimeHook.get().spawn(Asyncio::getChildWatcher,
                    watcher -> spawnAndRegister(loop, posix, watcher, protocol, argv, options));
        } catch (PosixException | RuntimeException | Error e) {
            started.setException(e);
            Scheduler.rethrowIfFatal(e);
            return;
        }
        FlightEvents.childSpawned(transport.getPid(), argv.get(0), loop.loopName());
        // connectionMade first, then whatever the watcher reports (it may report at once): on the
        // loop's next turn, outside the gate
        transport.start(started);
    }

    /** Under the spawn gate: nothing here calls user code or logs. */
    private static ChildProcessTransport spawnAndRegister(BaseEventLoop loop, Posix posix, ChildWatcher watcher,
            SubprocessProtocol protocol, List<String> argv, SubprocessOptions options) throws PosixException {
        try (SpawnScope scope = watcher.enterSpawn()) {
            checkActive(watcher);
            ChildProcessTransport transport = spawn(loop, posix, protocol, argv, options);
            try {
                transport.registeredWith(watcher);
                watcher.addChildHandler(transport.getPid(), transport::childExited);
            } catch (RuntimeException | Error e) {
                transport.discard();
                killAndReap(posix, transport.getPid(), e); // nobody else would reap it
                throw e;
            }
            return transport;
        }
    }

    private static void checkActive(ChildWatcher watcher) {
        if (!watcher.isActive()) {
            throw new IllegalStateException("the child watcher is not activated, subprocess support is not"
                    + " installed (" + describe(watcher) + ": " + watcher.inactiveReason() + ")");
        }
    }

    private static ChildProcessTransport spawn(BaseEventLoop loop, Posix posix, SubprocessProtocol protocol,
            List<String> argv, SubprocessOptions options) throws PosixException {
        ChildPipes pipes = ChildPipes.open(posix, options);
        long pid;
        try {
            pid = posix.spawn(pipes.spec(argv, options));
        } catch (PosixException | RuntimeException | Error e) {
            pipes.closeAll();
            throw e;
        } finally {
            pipes.closeChildEnds();
        }
        ChildProcessTransport transport = null;
        try {
            transport = new ChildProcessTransport(loop, posix, protocol, pid, pidfdOf(posix, pid));
            connectPipes(loop, posix, transport, pipes);
            return transport;
        } catch (PosixException | RuntimeException | Error e) {
            // the pipes' transports own the ends they were made over; the rest are still the pipes'
            if (transport != null) {
                transport.discard();
            }
            pipes.closeAll();
            killAndReap(posix, pid, e);
            throw e;
        }
    }

    private static void connectPipes(BaseEventLoop loop, Posix posix, ChildProcessTransport transport, ChildPipes pipes)
            throws PosixException {
        if (pipes.parentEnd(0) >= 0) {
            transport.addPipe(0, new PipeWriteTransport(loop, posix, pipes.parentEnd(0), transport.pipeProtocol(0)));
            pipes.handedOver(0);
        }
        for (int stream = 1; stream <= 2; stream++) {
            if (pipes.parentEnd(stream) >= 0) {
                transport.addPipe(stream, new PipeReadTransport(loop, posix, pipes.parentEnd(stream), transport.pipeProtocol(stream)));
                pipes.handedOver(stream);
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

    // Under the spawn gate, where nothing may log: a failed clean-up travels with the failure it
    // followed, to the spawn's future.
    private static void killAndReap(Posix posix, long pid, Throwable failure) {
        try {
            posix.kill(pid, SignalNumbers.SIGKILL);
            posix.waitpid(pid, false);
        } catch (PosixException e) {
            failure.addSuppressed(new IllegalStateException("cleaning up child " + pid + " after a failed start failed", e));
        }
    }

    private static String describe(ChildWatcher watcher) {
        return RuntimeHook.get().describe(watcher);
    }
}
