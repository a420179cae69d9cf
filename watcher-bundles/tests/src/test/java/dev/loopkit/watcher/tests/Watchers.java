package dev.loopkit.watcher.tests;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.epoll.EpollEventLoop;
import dev.loopkit.loop.proactor.ProactorEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.watcher.fast.FastChildWatcher;
import dev.loopkit.watcher.multiloop.MultiLoopChildWatcher;
import dev.loopkit.watcher.pidfd.PidfdChildWatcher;
import dev.loopkit.watcher.safe.SafeChildWatcher;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.SpawnSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** The five watchers and three loops the suite runs through. */
final class Watchers {

    /**
     * A selector loop with {@code watcher} chosen through a new process-wide default policy and
     * attached to it; both go to {@code cleanup}, which {@link #cleanUp} undoes.
     */
    static BaseEventLoop loopWith(ChildWatcher watcher, List<AutoCloseable> cleanup) {
        BaseEventLoop loop = new SelectorEventLoop();
        cleanup.add(loop::close);
        cleanup.add(watcher::close);
        DefaultEventLoopPolicy policy = new DefaultEventLoopPolicy();
        policy.setChildWatcher(watcher);
        Asyncio.setEventLoopPolicy(policy);
        watcher.attachLoop(loop);
        return loop;
    }

    /** Undoes a test's choices: no explicit watcher, {@code cleanup} closed last first, the default policy. */
    static void cleanUp(List<AutoCloseable> cleanup) throws Exception {
        ProcessWide.get().childWatchers().setExplicit(null);
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
        Asyncio.setEventLoopPolicy(null);
    }

    private static final Pattern GROUPED_NUMBER = Pattern.compile("\\d,\\d{3}\\b");

    enum Kind {
        THREADED(ThreadedChildWatcher::new),
        MULTILOOP(MultiLoopChildWatcher::new),
        SAFE(SafeChildWatcher::new),
        FAST(FastChildWatcher::new),
        PIDFD(PidfdChildWatcher::new);

        final Supplier<ChildWatcher> factory;

        Kind(Supplier<ChildWatcher> factory) {
            this.factory = factory;
        }

        /** Safe and fast reap through SIGCHLD on their attached loop. */
        boolean sigchldThroughLoop() {
            return this == SAFE || this == FAST;
        }

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    enum Loop {
        SELECTOR(SelectorEventLoop::new),
        PROACTOR(ProactorEventLoop::new),
        EPOLL(EpollEventLoop::new);

        final Supplier<BaseEventLoop> factory;

        Loop(Supplier<BaseEventLoop> factory) {
            this.factory = factory;
        }

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Spawns {@code sh -c script} on {@code loop} with no pipes through the policy's watcher: its return
     * code, or what the spawn or the wait (5 s) threw, for the assertion to show.
     */
    static Object returncodeOrFailure(BaseEventLoop loop, String script) {
        SubprocessOptions quiet = SubprocessOptions.defaults().withStdin(SubprocessOptions.Redirect.DEVNULL)
                .withStdout(SubprocessOptions.Redirect.DEVNULL).withStderr(SubprocessOptions.Redirect.DEVNULL);
        try {
            return runOn(loop, () -> {
                Recording recording = new Recording();
                return loop.subprocessExec(() -> recording, List.of("/bin/sh", "-c", script), quiet)
                        .thenCompose(transport -> recording.exited.orTimeout(5, TimeUnit.SECONDS));
            });
        } catch (RuntimeException e) {
            return e;
        }
    }

    /** Every loop kind, as JUnit's {@code Parameterized} takes them. */
    static List<Object[]> everyLoop() {
        List<Object[]> cases = new ArrayList<>();
        for (Loop loop : Loop.values()) {
            cases.add(new Object[] {loop});
        }
        return cases;
    }

    /**
     * A loop of {@code kind} with the default watcher (pidfd where the kernel has it, threaded
     * otherwise) attached, through a default policy made process-wide: {@link #resetAndClose} undoes it.
     */
    static BaseEventLoop loopWithTheDefaultWatcher(Loop kind) {
        return loopWith(kind, Posix.get().pidfdSupported() ? Kind.PIDFD : Kind.THREADED);
    }

    /** A loop of {@code loopKind} with a new watcher of {@code watcherKind}, as {@link #loopWithTheDefaultWatcher}. */
    static BaseEventLoop loopWith(Loop loopKind, Kind watcherKind) {
        BaseEventLoop loop = loopKind.factory.get();
        ChildWatcher watcher = watcherKind.factory.get();
        DefaultEventLoopPolicy policy = new DefaultEventLoopPolicy();
        policy.setChildWatcher(watcher);
        Asyncio.setEventLoopPolicy(policy);
        watcher.attachLoop(loop);
        return loop;
    }

    /** Undoes {@link #loopWithTheDefaultWatcher}: no explicit watcher, the default policy, {@code loop} closed. */
    static void resetAndClose(BaseEventLoop loop) {
        Asyncio.setChildWatcher(null);
        Asyncio.setEventLoopPolicy(null);
        loop.close();
    }

    private Watchers() {
    }

    /**
     * What {@code stage} failed with, {@code null} if it worked, or a timeout's error after 20 s, on a
     * loop timer: no thread of the JDK's ({@code orTimeout} starts one at its first use), for tests
     * that run where no thread may start ({@code NoNewThreads}).
     */
    static CompletionStage<Throwable> failureOrTimeout(BaseEventLoop loop, CompletionStage<?> stage) {
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        stage.whenComplete((value, error) -> failure.complete(error));
        loop.callLater(20, () -> failure.complete(new AssertionError("no outcome in 20 s")));
        return failure;
    }

    /** Runs {@code work} on {@code loop} (run until the work completes, 30 s at most) and returns its result. */
    static <T> T runOn(BaseEventLoop loop, Supplier<? extends CompletionStage<T>> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.callSoon(() -> {
            try {
                work.get().whenComplete((value, error) -> {
                    if (error != null) {
                        result.completeExceptionally(error);
                    } else {
                        result.complete(value);
                    }
                });
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        loop.callLater(30, () -> result.completeExceptionally(new AssertionError("timed out")));
        return loop.runUntilComplete(result);
    }

    /** Whether {@code pid} exited and is not reaped yet: state Z in {@code /proc/<pid>/stat} ("pid (comm) state ..."). */
    static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
        } catch (IOException gone) {
            return false;
        }
    }

    /**
     * A child of this JVM that waits for a line on its stdin, then exits with {@code code} (spawned
     * without any watcher): {pid, the write end of its stdin}. Closing that end lets it exit.
     */
    static long[] waitingChild(int code) throws IOException {
        Posix posix = Posix.get();
        int[] stdin = posix.pipe();
        try {
            long pid = posix.spawn(SpawnSpec.of("/bin/sh", "-c", "read x; exit " + code)
                    .withStdin(dev.loopkit.posix.Redirect.fd(stdin[0])));
            return new long[] {pid, stdin[1]};
        } finally {
            posix.close(stdin[0]);
        }
    }

    /** The {@code State:} line of {@code /proc/<pid>/status} ("Z (zombie)", say), or "gone": for messages. */
    static String procState(long pid) {
        try (var lines = Files.lines(Path.of("/proc/" + pid + "/status"))) {
            return lines.filter(line -> line.startsWith("State:")).findFirst().orElse("?");
        } catch (IOException | UncheckedIOException e) {
            return "gone";
        }
    }

    static long openPidfds() {
        return openOfKind("[pidfd]");
    }

    /** Open descriptors whose target contains {@code kind} ("[pidfd]", "[eventfd]"). */
    static long openOfKind(String kind) {
        return Leaks.openFds().values().stream().filter(target -> target.contains(kind)).count();
    }

    /**
     * The messages that show a number with digit grouping ("pid 16,898"): what {@code System.Logger}'s
     * MessageFormat makes of a {@code long} or {@code int} parameter of 1000 or more.
     */
    static List<String> withGroupedNumbers(List<String> messages) {
        return messages.stream().filter(m -> GROUPED_NUMBER.matcher(m).find()).toList();
    }

    /** Every watcher on every loop. */
    static List<Object[]> everyCombination() {
        List<Object[]> cases = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            for (Loop loop : Loop.values()) {
                cases.add(new Object[] {kind, loop});
            }
        }
        return cases;
    }
}
