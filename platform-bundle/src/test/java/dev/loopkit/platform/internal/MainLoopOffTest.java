package dev.loopkit.platform.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.api.SpawnScope;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.SpawnSpec;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.testsupport.LogHandlers;
import dev.loopkit.watcher.safe.SafeChildWatcher;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Logger;
import org.junit.After;
import org.junit.Test;

/**
 * {@code mainLoop=false} set while the process-wide child watcher reaps through the main loop (the safe
 * and fast watchers, as asyncio's) and holds a child: closing the main loop would leave the child a
 * zombie, and whoever waits for its exit (a shell's {@code loop:run}) waiting for ever. An outside
 * review saw exactly that: Ctrl-C did not give the shell back, only switching the watcher did. The
 * change is not applied then, with a warning that says why and what to do.
 */
public class MainLoopOffTest {

    private final MainLoop mainLoop = new MainLoop();
    private final ChildWatcher safe = new SafeChildWatcher();

    @After
    public void tearDown() throws Exception {
        mainLoop.deactivate();
        ProcessWide.get().childWatchers().setExplicit(null);
        ProcessWide.get().policies().setExplicit(null);
        safe.close();
    }

    @Test(timeout = 60_000)
    public void turningTheMainLoopOffWhileTheSafeWatcherHoldsAChildStillReapsIt() throws Exception {
        ProcessWide.get().policies().setExplicit(selectorLoops());
        ProcessWide.get().childWatchers().setExplicit(safe);
        mainLoop.activate(null, MainLoopRestartTest.config(true), Map.of());
        assertTrue("the safe watcher is active on the main loop", safe.isActive());
        Posix posix = Posix.get();
        int[] stdin = posix.pipe();
        CompletableFuture<Integer> exited = new CompletableFuture<>();
        long pid;
        try (SpawnScope scope = safe.enterSpawn()) {
            pid = posix.spawn(SpawnSpec.of("/bin/sh", "-c", "read line; exit 7")
                    .withStdin(dev.loopkit.posix.Redirect.fd(stdin[0])));
            safe.addChildHandler(pid, (p, code) -> exited.complete(code));
        } finally {
            posix.close(stdin[0]);
        }
        List<String> warned = new CopyOnWriteArrayList<>();
        Logger log = Logger.getLogger("dev.loopkit.policy");
        Handler handler = LogHandlers.calling(record -> warned.add(record.getLevel() + " " + record.getMessage()));
        log.addHandler(handler);
        try {
            mainLoop.modified(MainLoopRestartTest.config(false), Map.of());
        } finally {
            log.removeHandler(handler);
        }
        posix.close(stdin[1]); // the child exits now
        assertEquals("the child's exit, reaped and reported", Integer.valueOf(7), exited.get(30, TimeUnit.SECONDS));
        assertTrue("warned: " + warned, warned.stream().anyMatch(line -> line.startsWith("WARNING") && line.contains("mainLoop=false in configuration dev.loopkit.policy is not applied")
                && line.contains(Long.toString(pid))));
    }

    /**
     * {@code mainLoop = yes} (or {@code maybe}, or {@code ture}) in the configuration: DS reads any word
     * but {@code true} as {@code false}, so the main loop went off without a word, and the safe and fast
     * watchers with it (an outside review). Such a value keeps the default, with a warning that names it;
     * {@code true} and {@code false} are read in any case.
     */
    @Test(timeout = 60_000)
    public void aMainLoopValueThatIsNeitherTrueNorFalseKeepsTheMainLoopAndIsWarnedAbout() {
        ProcessWide.get().policies().setExplicit(selectorLoops());
        List<String> warned = new CopyOnWriteArrayList<>();
        Logger log = Logger.getLogger("dev.loopkit.policy");
        Handler handler = LogHandlers.calling(record -> warned.add(record.getLevel() + " " + record.getMessage()));
        log.addHandler(handler);
        try {
            // what DS hands for "yes": false, beside the property as written
            mainLoop.activate(null, MainLoopRestartTest.config(false), Map.of("mainLoop", "yes"));
        } finally {
            log.removeHandler(handler);
        }
        assertTrue("the main loop runs", ProcessWide.get().mainContext().loop() != null
                && ProcessWide.get().mainContext().loop().isRunning());
        assertTrue("warned: " + warned, warned.contains("WARNING mainLoop=yes in configuration dev.loopkit.policy is not true"
                + " or false: the main loop runs, as by default"));
        mainLoop.modified(MainLoopRestartTest.config(false), Map.of("mainLoop", "FALSE"));
        assertTrue("FALSE turns it off", ProcessWide.get().mainContext().loop() == null);
    }

    private static EventLoopPolicy selectorLoops() {
        return (EventLoopPolicy) Proxy.newProxyInstance(MainLoopOffTest.class.getClassLoader(), new Class<?>[] {EventLoopPolicy.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "newEventLoop" -> new SelectorEventLoop();
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "test policy";
                    default -> null;
                });
    }
}
