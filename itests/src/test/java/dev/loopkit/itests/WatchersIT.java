package dev.loopkit.itests;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.runtime.RankedRegistry.Entry;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.subprocess.Subprocess;
import dev.loopkit.subprocess.Subprocesses;
import dev.loopkit.posix.Posix;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/** The five child watcher bundles in the framework (Felix, Equinox), and child processes through the loops there. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class WatchersIT {

    @Inject
    private BundleContext context;

    private EventLoop loop;

    @Configuration
    public Option[] configuration() {
        return LoopkitOptions.distribution();
    }

    @Before
    public void watchersAndALoop() {
        Pidfds.awaitWatchersRegistered();
        EpollPolicy.awaitRegistered();
        loop = Asyncio.newEventLoop();
    }

    @After
    public void close() {
        ProcessWide.get().childWatchers().setExplicit(null);
        loop.close();
    }

    @Test
    public void everyWatcherBundleIsActiveAndPidfdIsTheDefaultWhereItWorks() {
        for (String name : List.of("base", "threaded", "multiloop", "safe", "fast", "pidfd")) {
            Bundle bundle = bundle("dev.loopkit.watcher." + name);
            assertEquals(name, Bundle.ACTIVE, bundle.getState());
        }
        Map<String, Integer> ranking = new LinkedHashMap<>();
        for (Entry<ChildWatcher> entry : ProcessWide.get().childWatchers().entries()) {
            ranking.put(entry.name(), entry.ranking());
        }
        Map<String, Integer> expected = new LinkedHashMap<>();
        if (Pidfds.work()) {
            expected.put("pidfd", 50);
            assertEquals(Map.of(), ProcessWide.get().unavailable().of("child watcher"));
        } else {
            assertEquals("the pidfd watcher says why it is not there", Map.of("pidfd", Posix.get().pidfdUnsupportedReason()),
                    ProcessWide.get().unavailable().of("child watcher"));
        }
        expected.put("threaded", 40);
        expected.put("multiloop", 30);
        expected.put("safe", 20);
        expected.put("fast", 10);
        assertEquals("best-ranked first", List.copyOf(expected.entrySet()), List.copyOf(ranking.entrySet()));
        // asyncio 3.12's default: pidfd where the kernel allows it, else threaded
        assertEquals(Pidfds.bestWatcher(), ProcessWide.get().childWatchers().choice().name());
        assertEquals(ProcessWide.get().childWatchers().current(), Asyncio.getChildWatcher());
    }

    @Test
    public void aChildProcessThroughEachWatcherInsideTheFramework() {
        for (Entry<ChildWatcher> entry : ProcessWide.get().childWatchers().entries()) {
            ProcessWide.get().childWatchers().setExplicit(entry.service());
            entry.service().attachLoop(loop); // safe and fast reap through the loop they are attached to
            try {
                Subprocess.Output output = run(() -> Subprocesses.createSubprocessExec(loop,
                        List.of("/bin/sh", "-c", "echo hello from " + entry.name() + "; exit 7"),
                        SubprocessOptions.defaults(), 1024).thenCompose(p -> p.communicate(null)
                        .thenApply(out -> {
                            assertEquals(entry.name(), Integer.valueOf(7), p.returncode());
                            return out;
                        })));
                assertEquals("hello from " + entry.name() + "\n", new String(output.stdout(), StandardCharsets.US_ASCII));
            } finally {
                entry.service().attachLoop(null);
            }
        }
    }

    private <T> T run(java.util.function.Supplier<java.util.concurrent.CompletionStage<T>> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.callSoon(() -> work.get().whenComplete((v, e) -> {
            if (e != null) {
                result.completeExceptionally(e);
            } else {
                result.complete(v);
            }
        }));
        loop.callLater(30, () -> result.completeExceptionally(new AssertionError("timed out")));
        return loop.runUntilComplete(result);
    }

    private Bundle bundle(String symbolicName) {
        return Bundles.named(context, symbolicName);
    }
}
