package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.watcher.multiloop.MultiLoopChildWatcher;
import dev.loopkit.watcher.safe.SafeChildWatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.After;
import org.junit.Test;

/**
 * Spawns on the main context's loop while another thread switches the process-wide watcher every few
 * milliseconds, each time to a new safe or multiloop watcher (inactive until attached, as asyncio's).
 * A switch attaches the new watcher before it is anyone's to use, so every spawn must succeed and
 * every exit arrive. The registry used to show its new choice a moment before the switch attached it,
 * and a spawn that looked then was refused "the child watcher is not activated" (a review: 30 to 250 of
 * 400 to 550 spawns).
 */
public class SpawnsDuringASwitchTest {

    private static final int SPAWNS = 200;
    private static final int AT_ONCE = 4;

    private BaseEventLoop loop;
    private final AtomicBoolean switching = new AtomicBoolean(true);
    private Thread switcher;

    @After
    public void cleanUp() throws Exception {
        switching.set(false);
        if (switcher != null) {
            switcher.join(10_000);
        }
        Watchers.cleanUp(List.of(() -> {
            Asyncio.setEventLoop(null);
            loop.close();
        }));
    }

    @Test
    public void noSpawnIsRefusedWhileAnotherThreadSwitchesWatchers() throws Exception {
        Asyncio.setEventLoopPolicy(new DefaultEventLoopPolicy());
        loop = new SelectorEventLoop();
        Asyncio.setEventLoop(loop); // main context: every switch attaches its watcher to this loop
        Asyncio.setChildWatcher(new SafeChildWatcher());
        AtomicInteger switches = new AtomicInteger();
        switcher = new Thread(() -> {
            List<Supplier<ChildWatcher>> kinds = List.of(SafeChildWatcher::new, MultiLoopChildWatcher::new);
            while (switching.get()) {
                Asyncio.setChildWatcher(kinds.get(switches.getAndIncrement() % 2).get());
                sleepMillis(3);
            }
        }, "switcher");
        switcher.start();

        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        int exited = Watchers.runOn(loop, () -> {
            CompletableFuture<Integer> all = new CompletableFuture<>();
            AtomicInteger started = new AtomicInteger();
            AtomicInteger done = new AtomicInteger();
            Runnable[] next = new Runnable[1];
            next[0] = () -> {
                if (started.incrementAndGet() > SPAWNS) {
                    return;
                }
                spawnTrue().whenComplete((code, error) -> {
                    if (error != null || code != 0) {
                        failures.add(error != null ? String.valueOf(error) : "exit " + code);
                    }
                    if (done.incrementAndGet() == SPAWNS) {
                        all.complete(SPAWNS - failures.size());
                    } else {
                        loop.callSoon(next[0]);
                    }
                });
            };
            for (int i = 0; i < AT_ONCE; i++) {
                next[0].run();
            }
            return all;
        });
        switching.set(false);
        switcher.join(10_000);
        List<String> firstFailures = new ArrayList<>(failures).subList(0, Math.min(3, failures.size()));
        assertTrue("the switcher switched only " + switches.get() + " times", switches.get() > 10);
        assertEquals(failures.size() + " of " + SPAWNS + " spawns failed during " + switches.get() + " switches, first: "
                + firstFailures, SPAWNS, exited);
    }

    private CompletableFuture<Integer> spawnTrue() {
        SubprocessOptions quiet = SubprocessOptions.defaults().withStdin(SubprocessOptions.Redirect.DEVNULL)
                .withStdout(SubprocessOptions.Redirect.DEVNULL).withStderr(SubprocessOptions.Redirect.DEVNULL);
        Recording recording = new Recording();
        return loop.subprocessExec(() -> recording, List.of("/bin/true"), quiet).toCompletableFuture()
                .thenCompose(transport -> recording.exited.orTimeout(10, TimeUnit.SECONDS));
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
