package dev.loopkit.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.testsupport.HoldingChildWatcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;

/**
 * The only child watcher's bundle stops right after it took {@code loop:run}'s child: the child waits
 * in the orphanage until the next watcher comes, and the command waits with it, then reports the exit.
 * Before, the command looked the watcher up again after the spawn, only to name it in its last line;
 * that look-up threw "No child watcher is installed", and the command failed with its program still
 * running, the transport never closed.
 */
public class RunWhileTheWatcherLeavesTest {

    private final LoopCommands commands = new LoopCommands(ChoiceStore.NONE);
    private final List<ChildWatcher> registered = new ArrayList<>();

    @After
    public void cleanUp() {
        registered.forEach(ProcessWide.get().childWatchers()::unregister);
        Asyncio.setEventLoopPolicy(null);
    }

    @Test(timeout = 60_000)
    public void theRunWaitsForTheNextWatcherAndReportsTheExit() throws Exception {
        long[] spawned = {-1};
        ChildWatcher leaving = new HoldingChildWatcher() {
            @Override
            public void addChildHandler(long pid, ChildHandler handler) {
                super.addChildHandler(pid, handler);
                spawned[0] = pid;
                // its bundle stops now, on another thread; the switch that follows waits for this spawn
                ChildWatcher self = this;
                new Thread(() -> ProcessWide.get().childWatchers().unregister(self), "bundle stopping").start();
                // the registry names no watcher now; the hand-over waits for this spawn to end
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (ProcessWide.get().childWatchers().current() == self && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
            }
        };
        register(leaving, "leaving");
        // once the child waits in the orphanage, the next watcher comes: the orphan moves to it, and it reaps
        CompletableFuture<Boolean> orphaned = CompletableFuture.supplyAsync(() -> {
            boolean waiting = await(() -> spawned[0] > 0 && ProcessWide.get().watcherSwitch().orphans().containsKey(spawned[0]), 10);
            try {
                Thread.sleep(300); // the run has gone on from its spawn meanwhile: without a watcher to name
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            register(new ReapingWatcher(), "next");
            return waiting;
        });
        String said = commands.run(List.of("/bin/sh", "-c", "sleep 0.5"), System.out, System.err); // the main thread, as the shell's
        assertTrue("the child waited in the orphanage", orphaned.get(30, TimeUnit.SECONDS));
        assertTrue(said, said.startsWith("pid " + spawned[0] + ": returncode 0 after "));
        assertFalse("pid " + spawned[0] + " is gone", Files.exists(Path.of("/proc/" + spawned[0])));
    }

    private synchronized void register(ChildWatcher watcher, String name) {
        registered.add(watcher);
        ProcessWide.get().childWatchers().register(watcher, name, 1_000 + registered.size(), 1_000 + registered.size(), "test");
    }

    private static boolean await(java.util.function.BooleanSupplier condition, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        return condition.getAsBoolean();
    }
}
