package dev.loopkit.benchmarks.e2e;

import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.SubprocessProtocol;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.benchmarks.Loops;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.posix.Epoll;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import dev.loopkit.posix.Redirect;
import dev.loopkit.posix.SpawnSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * How long a watcher takes to tell the loop a child exited, with {@code others} other children of
 * the watcher alive meanwhile: a {@code /bin/sleep} child is started, the loop idles for
 * {@value #SETTLE_SECONDS} s (not in the warm-up rounds, which only warm the path), then on the loop thread {@code t0} is taken and the child is sent
 * SIGKILL; {@code t1} is taken in the protocol's {@code processExited} on the loop thread. The
 * asyncio, uvloop, Node and C ({@code native/pidfd_floor.c}: pidfd + epoll, the floor) versions do
 * the same. All children are killed and reaped at the end.
 */
public final class ExitLatency {

    static final double SETTLE_SECONDS = 0.005;
    static final List<String> SLEEP = List.of("/bin/sleep", "300");

    private ExitLatency() {
    }

    public static void run(String watcherName, int others, int rounds, int warmup) {
        run(watcherName, others, rounds, warmup, "selector");
    }

    /**
     * On the {@code selector} loop (the variant is named after the watcher), the {@code proactor} loop
     * ({@code watcher@proactor}) or the {@code epoll} loop ({@code watcher@epoll}).
     */
    public static void run(String watcherName, int others, int rounds, int warmup, String loopName) {
        // "WATCHER/warm": the same, named apart; the caller gives it a warm-up long enough for the JIT to be done
        boolean warm = watcherName.endsWith(SpawnThroughput.WARM);
        String watcherOnly = warm ? watcherName.substring(0, watcherName.length() - SpawnThroughput.WARM.length()) : watcherName;
        String suffix = (warm ? SpawnThroughput.WARM : "") + "/N=" + others;
        if (SpawnThroughput.POSIX_FLOOR.equals(watcherOnly)) {
            long[] latencies = posixFloor(others, rounds, warmup);
            Results.emit("exit", SpawnThroughput.POSIX_FLOOR + suffix, "p50_us", Results.percentile(latencies, 50) / 1e3);
            return;
        }
        BaseEventLoop loop = Loops.loopkit(loopName);
        ChildWatcher watcher = ChildWatchers.install(watcherOnly, loop);
        try {
            long[] latencies = loop.runUntilComplete(measure(loop, others, rounds, warmup));
            String variant = watcherOnly + ("selector".equals(loopName) ? "" : "@" + loopName) + suffix;
            Results.emit("exit", variant, "p50_us", Results.percentile(latencies, 50) / 1e3);
            Results.emit("exit", variant, "p99_us", Results.percentile(latencies, 99) / 1e3);
            Results.emit("exit", variant, "mean_us", Results.mean(latencies) / 1e3);
        } finally {
            ChildWatchers.uninstall(watcher);
            loop.close();
        }
    }

    /**
     * {@code native/pidfd_floor.c}'s rounds from the JVM, through {@code dev.loopkit.posix} on one thread
     * with no loop: spawn, pidfd_open, the pidfd in an epoll set, idle, t0, pidfd_send_signal(SIGKILL),
     * epoll_wait until readable, waitid(P_PIDFD), t1 (the floor that reaps too, as a loop's figure
     * has it). What is left between this and a loop is the loop's: its dispatch, the watcher, the
     * transport and the protocol's call.
     */
    static long[] posixFloor(int others, int rounds, int warmup) {
        try {
            Posix posix = Posix.get();
            SpawnSpec sleep = SpawnSpec.of(SLEEP).withStdin(Redirect.DEVNULL).withStdout(Redirect.DEVNULL)
                    .withStderr(Redirect.DEVNULL);
            long[] background = new long[others];
            for (int i = 0; i < others; i++) {
                background[i] = posix.spawn(sleep);
            }
            long[] latencies = new long[rounds];
            try (Epoll epoll = posix.epoll(4)) {
                for (int round = 0; round < warmup + rounds; round++) {
                    int pidfd = posix.pidfdOpen(posix.spawn(sleep));
                    epoll.add(pidfd, Epoll.IN);
                    if (round >= warmup) {
                        epoll.await((int) (SETTLE_SECONDS * 1000)); // nothing is ready: it idles, as the loop does
                    }
                    long t0 = System.nanoTime();
                    posix.pidfdSendSignal(pidfd, KILL);
                    while (epoll.await(-1) == 0) {
                        // interrupted: wait again
                    }
                    posix.waitidPidfd(pidfd, false, false);
                    long t1 = System.nanoTime();
                    epoll.delete(pidfd);
                    posix.close(pidfd);
                    if (round >= warmup) {
                        latencies[round - warmup] = t1 - t0;
                    }
                }
            } finally {
                for (long pid : background) {
                    posix.kill(pid, KILL);
                    posix.waitpid(pid, false);
                }
            }
            return latencies;
        } catch (PosixException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static final int KILL = 9;

    /** The protocol of one child: notes when the loop heard of its exit. */
    private static final class Child implements SubprocessProtocol {
        final LoopFuture<Long> exitedAt;
        SubprocessTransport transport;

        Child(BaseEventLoop loop) {
            exitedAt = loop.createFuture();
        }

        @Override
        public void connectionMade(SubprocessTransport made) {
            transport = made;
        }

        @Override
        public void processExited() {
            exitedAt.setResult(System.nanoTime());
            transport.close();
        }
    }

    private static LoopFuture<long[]> measure(BaseEventLoop loop, int others, int rounds, int warmup) {
        LoopFuture<long[]> result = loop.createFuture();
        List<Child> background = new ArrayList<>();
        long[] latencies = new long[rounds];
        loop.callSoon(() -> spawnInTurn(others, () -> spawn(loop), background,
                () -> round(loop, 0, warmup, latencies, background, result),
                error -> finish(loop, background, result, null, error)));
        return result;
    }

    // Spawning on the loop thread completes at once (asyncio's _make_subprocess_transport is synchronous too).
    /**
     * Spawns {@code count} children one after another into {@code into}, then runs {@code then}; the
     * loop thread never waits for a spawn (a spawn's stages run from the loop, as asyncio's done
     * callbacks do, so waiting there would wait forever).
     */
    static <C> void spawnInTurn(int count, Supplier<CompletionStage<C>> spawn, List<C> into, Runnable then,
            Consumer<Throwable> failed) {
        if (into.size() >= count) {
            then.run();
            return;
        }
        spawn.get().whenComplete((child, error) -> {
            if (error != null) {
                failed.accept(error);
                return;
            }
            into.add(child);
            spawnInTurn(count, spawn, into, then, failed);
        });
    }

    private static CompletionStage<Child> spawn(BaseEventLoop loop) {
        Child child = new Child(loop);
        return loop.subprocessExec(() -> child, SLEEP, ChildWatchers.NO_PIPES).thenApply(t -> child);
    }

    private static void round(BaseEventLoop loop, int index, int warmup, long[] latencies, List<Child> background,
            LoopFuture<long[]> result) {
        if (index == warmup + latencies.length) {
            finish(loop, background, result, latencies, null);
            return;
        }
        spawn(loop).whenComplete((child, error) -> {
            if (error != null) {
                finish(loop, background, result, null, error);
                return;
            }
            // Warm-up rounds do not idle: they only warm the path (the JIT compiles it after a few
            // hundred exits), as every peer's warm-up rounds do.
            loop.callLater(index < warmup ? 0 : SETTLE_SECONDS, () -> {
                long t0 = System.nanoTime();
                child.transport.kill();
                child.exitedAt.whenComplete((t1, e) -> {
                    if (index >= warmup) {
                        latencies[index - warmup] = t1 - t0;
                    }
                    round(loop, index + 1, warmup, latencies, background, result);
                });
            });
        });
    }

    // Kills the background children and completes once every one of them was reaped.
    private static void finish(BaseEventLoop loop, List<Child> background, LoopFuture<long[]> result, long[] latencies,
            Throwable error) {
        int[] left = {background.size()};
        Runnable complete = () -> {
            if (error != null) {
                result.setException(error);
            } else {
                result.setResult(latencies);
            }
        };
        if (left[0] == 0) {
            complete.run();
            return;
        }
        for (Child child : background) {
            child.exitedAt.whenComplete((t, e) -> {
                if (--left[0] == 0) {
                    complete.run();
                }
            });
            child.transport.kill();
        }
    }
}
