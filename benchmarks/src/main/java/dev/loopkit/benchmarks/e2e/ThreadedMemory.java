package dev.loopkit.benchmarks.e2e;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.SubprocessProtocol;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * What {@code count} live children cost under the threaded watcher (one waiting thread each): the
 * committed and reserved memory of thread stacks from Native Memory Tracking (the driver starts this
 * JVM with {@code -XX:NativeMemoryTracking=summary}; read through the DiagnosticCommand MBean, as
 * {@code jcmd <pid> VM.native_memory summary} would), the thread count and the resident set from
 * {@code /proc/self/status}, before and after. Measured twice: for the first {@code count} children of
 * the JVM (cold) and for the next {@code count} (steady state). The children are killed and reaped at the
 * end of each round.
 */
public final class ThreadedMemory {

    private static final Pattern THREAD = Pattern.compile(
            "Thread \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)\\s*\\(thread #(\\d+)\\)\\s*"
                    + "\\(stack: reserved=(\\d+)KB, committed=(\\d+)KB\\)");

    private ThreadedMemory() {
    }

    public static void run(int count) throws Exception {
        BaseEventLoop loop = new SelectorEventLoop();
        ThreadedChildWatcher watcher = (ThreadedChildWatcher) ChildWatchers.install("threaded", loop);
        try {
            // The first children of a JVM are waited for by interpreted code, and every interpreted call
            // touches the whole 80 KiB stack shadow zone below it; once the JIT compiled the waiting
            // thread's path, a call touches one page. Both are reported: cold, then steady state.
            measure(loop, watcher, count, "threaded-cold/" + count);
            measure(loop, watcher, count, "threaded/" + count);
        } finally {
            ChildWatchers.uninstall(watcher);
            loop.close();
        }
    }

    private static void measure(BaseEventLoop loop, ThreadedChildWatcher watcher, int count, String variant) throws Exception {
        // the previous round's threads idle a while before they end
        await(() -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("loopkit-waitpid-")));
        Snapshot before = Snapshot.take();
        List<Child> children = new ArrayList<>();
        loop.runUntilComplete(spawnAll(loop, count, children));
        await(() -> watcher.waitingThreads() == count);
        Thread.sleep(500); // let every waiting thread reach its poll
        Snapshot after = Snapshot.take();
        int waiting = watcher.waitingThreads();
        loop.runUntilComplete(killAll(loop, children));

        Results.emit("memory", variant, "waiting_threads", waiting);
        Results.emit("memory", variant, "threads_delta", after.threads - before.threads);
        Results.emit("memory", variant, "rss_delta_mib", (after.rssKb - before.rssKb) / 1024.0);
        if (after.nmt && before.nmt) {
            Results.emit("memory", variant, "stack_committed_mib", (after.stackCommittedKb - before.stackCommittedKb) / 1024.0);
            Results.emit("memory", variant, "stack_reserved_mib", (after.stackReservedKb - before.stackReservedKb) / 1024.0);
            Results.emit("memory", variant, "thread_committed_mib", (after.threadCommittedKb - before.threadCommittedKb) / 1024.0);
            Results.emit("memory", variant, "stack_committed_per_thread_kib",
                    (after.stackCommittedKb - before.stackCommittedKb) / (double) Math.max(1, waiting));
        }
    }

    // Nothing to wait on but the state itself: polled, for 30 s at most (the figures then say what was reached).
    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    private static final class Child implements SubprocessProtocol {
        final LoopFuture<Void> exited;
        SubprocessTransport transport;

        Child(BaseEventLoop loop) {
            exited = loop.createFuture();
        }

        @Override
        public void connectionMade(SubprocessTransport made) {
            transport = made;
        }

        @Override
        public void processExited() {
            exited.setResult(null);
            transport.close();
        }
    }

    private static LoopFuture<Void> spawnAll(BaseEventLoop loop, int count, List<Child> children) {
        LoopFuture<Void> done = loop.createFuture();
        loop.callSoon(() -> ExitLatency.spawnInTurn(count, () -> {
            Child child = new Child(loop);
            return loop.subprocessExec(() -> child, ExitLatency.SLEEP, ChildWatchers.NO_PIPES).thenApply(t -> child);
        }, children, () -> done.setResult(null), error -> {
            children.forEach(c -> c.transport.kill());
            done.setException(error);
        }));
        return done;
    }

    private static LoopFuture<Void> killAll(BaseEventLoop loop, List<Child> children) {
        LoopFuture<Void> done = loop.createFuture();
        loop.callSoon(() -> {
            int[] left = {children.size()};
            if (left[0] == 0) {
                done.setResult(null);
            }
            for (Child child : children) {
                child.exited.whenComplete((v, e) -> {
                    if (--left[0] == 0) {
                        done.setResult(null);
                    }
                });
                child.transport.kill();
            }
        });
        return done;
    }

    private record Snapshot(boolean nmt, long threadCommittedKb, long stackReservedKb, long stackCommittedKb,
            long threads, long rssKb) {

        static Snapshot take() throws IOException {
            ProcStatus status = ProcStatus.now();
            long threads = status.threads();
            long rss = status.rssKb();
            String summary = nativeMemorySummary();
            Matcher m = summary == null ? null : THREAD.matcher(summary);
            if (m == null || !m.find()) {
                return new Snapshot(false, 0, 0, 0, threads, rss);
            }
            return new Snapshot(true, Long.parseLong(m.group(2)), Long.parseLong(m.group(4)),
                    Long.parseLong(m.group(5)), threads, rss);
        }

        private static String nativeMemorySummary() {
            try {
                Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                        new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                        new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
                return (String) out;
            } catch (Exception | LinkageError e) {
                return null;
            }
        }
    }
}
