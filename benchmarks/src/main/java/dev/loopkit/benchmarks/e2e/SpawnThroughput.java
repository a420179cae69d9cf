package dev.loopkit.benchmarks.e2e;

import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.benchmarks.Loops;
import dev.loopkit.subprocess.Subprocess;
import dev.loopkit.subprocess.Subprocesses;
import dev.loopkit.streams.StreamReader;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.posix.Epoll;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import dev.loopkit.posix.Redirect;
import dev.loopkit.posix.SpawnSpec;
import dev.loopkit.posix.WaitStatus;
import java.io.File;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code count} runs of {@code /bin/true}, {@code concurrency} at a time, each one started when
 * another has exited: through asyncio's {@code create_subprocess_exec} + {@code wait} on a Loopkit
 * loop under one watcher, or through {@link ProcessBuilder} + {@code onExit()}. The child's standard
 * streams are /dev/null everywhere; in the {@code /pipes} variants they are three pipes, asyncio's
 * default ({@code stdin=PIPE, stdout=PIPE, stderr=PIPE}), and the parent waits with
 * {@code communicate()} (stdout and stderr read to their end). Every child is waited for; a non-zero
 * exit fails the run.
 */
public final class SpawnThroughput {

    static final List<String> TRUE = List.of("/bin/true");
    /**
     * The variant that runs {@code native/spawn_floor.c}'s algorithm from the JVM, through
     * {@code dev.loopkit.posix} on one thread with no loop: what separates the C floor from a Loopkit
     * loop is then split into what the JVM and JNR cost for the same system calls and what the loop,
     * watcher, transport and futures cost.
     */
    public static final String POSIX_FLOOR = "posix-floor";
    /**
     * The suffix of a variant measured after a long warm-up: with 100 children of warm-up the JIT still
     * compiles the spawn path during the measured run, on the cores the children need (measured: the
     * epoll loop 1,310 to 1,490 children/s after 100, 1,670 to 2,040 after 4,000, in alternating runs).
     */
    public static final String WARM = "/warm";

    private SpawnThroughput() {
    }

    /**
     * {@code variant}: {@code processbuilder}, {@value #POSIX_FLOOR}, or {@code WATCHER[@LOOP][/pipes]}
     * (LOOP: {@code selector}, the default, {@code proactor} or {@code epoll}), each optionally followed by
     * {@value #WARM}; the figure is filed under {@code variant}.
     */
    public static void run(String variant, int count, int concurrency, int warmup) throws Exception {
        // "/warm": the same, named apart; the caller gives it a warm-up long enough for the JIT to be done
        String measured = variant.endsWith(WARM) ? variant.substring(0, variant.length() - WARM.length()) : variant;
        double perSecond = switch (measured) {
            case "processbuilder" -> processBuilder(count, concurrency, warmup);
            case POSIX_FLOOR -> posixFloor(count, concurrency, warmup);
            default -> loopkit(measured, count, concurrency, warmup);
        };
        Results.emit("spawn", variant, "per_s", perSecond);
    }

    private static double loopkit(String variant, int count, int concurrency, int warmup) {
        boolean pipes = variant.endsWith("/pipes");
        String[] watcherAtLoop = (pipes ? variant.substring(0, variant.length() - "/pipes".length()) : variant).split("@", 2);
        BaseEventLoop loop = Loops.loopkit(watcherAtLoop.length > 1 ? watcherAtLoop[1] : Loops.SELECTOR);
        ChildWatcher watcher = ChildWatchers.install(watcherAtLoop[0], loop);
        try {
            if (warmup > 0) {
                loop.runUntilComplete(batch(loop, warmup, concurrency, pipes));
            }
            long start = System.nanoTime();
            loop.runUntilComplete(batch(loop, count, concurrency, pipes));
            return count / ((System.nanoTime() - start) / 1e9);
        } finally {
            ChildWatchers.uninstall(watcher);
            loop.close();
        }
    }

    /** Completes on the loop once {@code count} children have run, at most {@code concurrency} at once. */
    private static LoopFuture<Void> batch(BaseEventLoop loop, int count, int concurrency, boolean pipes) {
        LoopFuture<Void> done = loop.createFuture();
        int[] started = {0};
        int[] finished = {0};
        Runnable[] startOne = new Runnable[1];
        startOne[0] = () -> {
            started[0]++;
            runOne(loop, pipes).whenComplete((code, error) -> {
                        if (done.isDone()) {
                            return;
                        }
                        if (error != null || code != 0) {
                            done.setException(error != null ? error : new IllegalStateException("/bin/true exited " + code));
                            return;
                        }
                        if (++finished[0] == count) {
                            done.setResult(null);
                        } else if (started[0] < count) {
                            startOne[0].run();
                        }
                    });
        };
        loop.callSoon(() -> {
            for (int i = 0; i < Math.min(concurrency, count); i++) {
                startOne[0].run();
            }
        });
        return done;
    }

    /** One {@code /bin/true}: {@code await proc.wait()}, or with pipes {@code await proc.communicate()}; its exit status. */
    private static CompletionStage<Integer> runOne(BaseEventLoop loop, boolean pipes) {
        if (!pipes) {
            return Subprocesses.createSubprocessExec(loop, TRUE, ChildWatchers.NO_PIPES, StreamReader.DEFAULT_LIMIT)
                    .thenCompose(Subprocess::waitFor);
        }
        return Subprocesses.createSubprocessExec(loop, TRUE, SubprocessOptions.defaults(), StreamReader.DEFAULT_LIMIT)
                .thenCompose(process -> process.communicate(null).thenApply(output -> process.returncode()));
    }

    private static double posixFloor(int count, int concurrency, int warmup) throws PosixException {
        Posix posix = Posix.get();
        // the spawn a loop makes for create_subprocess_exec with DEVNULL streams (ChildPipes.spec): the defaults
        SpawnSpec spec = SpawnSpec.of(TRUE).withStdin(Redirect.DEVNULL).withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);
        try (Epoll epoll = posix.epoll(64)) {
            if (warmup > 0) {
                posixFloorBatch(posix, epoll, spec, warmup, concurrency);
            }
            long start = System.nanoTime();
            posixFloorBatch(posix, epoll, spec, count, concurrency);
            return count / ((System.nanoTime() - start) / 1e9);
        }
    }

    // spawn_floor.c's batch: posix_spawn, pidfd_open, the pidfd in the epoll set; waitid(P_PIDFD) once readable
    private static void posixFloorBatch(Posix posix, Epoll epoll, SpawnSpec spec, int count, int concurrency)
            throws PosixException {
        int started = 0;
        int finished = 0;
        for (; started < Math.min(concurrency, count); started++) {
            startWatched(posix, epoll, spec);
        }
        while (finished < count) {
            int ready = epoll.await(-1);
            for (int i = 0; i < ready; i++) {
                int pidfd = epoll.readyFd(i);
                WaitStatus status = posix.waitidPidfd(pidfd, false, false);
                epoll.delete(pidfd);
                posix.close(pidfd);
                if (status.returncode() != 0) {
                    throw new IllegalStateException("/bin/true exited " + status.returncode());
                }
                finished++;
                if (started < count) {
                    startWatched(posix, epoll, spec);
                    started++;
                }
            }
        }
    }

    private static void startWatched(Posix posix, Epoll epoll, SpawnSpec spec) throws PosixException {
        epoll.add(posix.pidfdOpen(posix.spawn(spec)), Epoll.IN);
    }

    private static double processBuilder(int count, int concurrency, int warmup) throws Exception {
        if (warmup > 0) {
            processBuilderBatch(warmup, concurrency);
        }
        long start = System.nanoTime();
        processBuilderBatch(count, concurrency);
        return count / ((System.nanoTime() - start) / 1e9);
    }

    private static void processBuilderBatch(int count, int concurrency) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(TRUE)
                .redirectInput(new File("/dev/null"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        Semaphore slots = new Semaphore(concurrency);
        CountDownLatch all = new CountDownLatch(count);
        AtomicInteger failures = new AtomicInteger();
        for (int i = 0; i < count; i++) {
            slots.acquire();
            builder.start().onExit().whenComplete((process, error) -> {
                if (error != null || process.exitValue() != 0) {
                    failures.incrementAndGet();
                }
                slots.release();
                all.countDown();
            });
        }
        if (!all.await(120, TimeUnit.SECONDS) || failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " of " + count + " /bin/true runs failed or timed out");
        }
    }
}
