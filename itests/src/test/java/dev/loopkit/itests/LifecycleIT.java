package dev.loopkit.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.streamBundle;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.runtime.RankedRegistry.Reason;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.itests.bundles.TestBundles;
import dev.loopkit.loop.epoll.EpollEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.function.Consumer;
import javax.inject.Inject;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The platform bundle's main loop and what outlives a stopping bundle: the main loop follows its
 * configuration and the policy, and stops with its bundle, the loops users hold keep working, and a
 * chosen watcher stays chosen whatever is installed. Each test gets a fresh framework.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class LifecycleIT {

    private static final String PID = "dev.loopkit.policy";

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    @Configuration
    public Option[] configuration() {
        return LoopkitOptions.distribution(streamBundle(TestBundles.mineChildWatcher()).start(false),
                streamBundle(TestBundles.testingSupport()));
    }

    @Before
    public void platformIsUp() {
        Await.platformUp();
    }

    @Test
    public void stoppingThePlatformBundleClosesTheMainLoopAndLeavesTheUsersLoopsWorking() throws Exception {
        stopWhileAUsersLoopRuns("dev.loopkit.platform", "a loop made while the platform ran keeps working", main -> {
            Await.until("the main loop's thread ended", () -> Leaks.threads("loopkit-main"), List.of());
            assertTrue("the main loop is closed", main.isClosed());
            assertNull(ProcessWide.get().mainContext().loop());
        });
    }

    @Test
    public void stoppingThePolicyBundleClosesTheMainLoopItMadeAndLeavesTheUsersLoopsWorking() throws Exception {
        // The epoll policy is the epoll loop bundle's: where it is published, the default one is chosen
        // so that the main loop is one the policy bundle made.
        ProcessWide.get().policies().setConfigured(DefaultEventLoopPolicy.NAME);
        try {
            Await.until("a main loop of the default policy", () -> Await.mainLoopRunning()
                    && ProcessWide.get().mainContext().loop() instanceof SelectorEventLoop);
            stopWhileAUsersLoopRuns("dev.loopkit.policy", "a loop made by the stopped policy keeps working", main -> {
                Await.until("the main loop closed", main::isClosed);
                if (EpollPolicy.works()) {
                    Await.until("the epoll policy's main loop in its place", () -> Await.mainLoopRunning()
                            && ProcessWide.get().mainContext().loop() instanceof EpollEventLoop);
                } else {
                    Await.until("no main loop", () -> ProcessWide.get().mainContext().loop() == null);
                    assertEquals("the main loop's thread waits for a policy", List.of("loopkit-main"), Leaks.threads("loopkit-main"));
                }
            });
        } finally {
            ProcessWide.get().policies().setConfigured(null);
        }
    }

    /**
     * Stops bundle {@code symbolicName} while a loop made before is held, checks {@code whileStopped}
     * (given the main loop of before) and that the held loop still works, then starts the bundle
     * again: a main loop runs again.
     */
    private void stopWhileAUsersLoopRuns(String symbolicName, String usersLoopWorks, Consumer<EventLoop> whileStopped)
            throws BundleException {
        EventLoop main = ProcessWide.get().mainContext().loop();
        EventLoop users = Asyncio.newEventLoop();
        Bundle bundle = Bundles.named(context, symbolicName);
        bundle.stop();
        try {
            whileStopped.accept(main);
            assertFalse(users.isClosed());
            LoopFuture<String> later = users.createFuture();
            users.callLater(0.01, () -> later.setResult("still runs"));
            assertEquals(usersLoopWorks, "still runs", users.runUntilComplete(later));
        } finally {
            users.close();
            bundle.start();
        }
        Await.until("a main loop again", Await::mainLoopRunning);
    }

    @Test
    public void theMainLoopFollowsItsConfiguration() throws Exception {
        assertEquals(List.of("loopkit-main"), Leaks.threads("loopkit-main"));
        update("mainLoopThread", "platform-main");
        Await.until("the main loop on the configured thread", () -> ProcessWide.get().mainContext().loop() != null
                && ProcessWide.get().mainContext().loop().isRunning() && ProcessWide.get().mainContext().designated().getName().equals("platform-main"));
        assertEquals(List.of(), Leaks.threads("loopkit-main"));

        update("mainLoop", Boolean.FALSE);
        Await.until("no main loop", () -> ProcessWide.get().mainContext().loop() == null && Leaks.threads("platform-main").isEmpty());
        assertNull("the JVM's main thread is the main context again", ProcessWide.get().mainContext().designated());

        configurationAdmin.getConfiguration(PID, "?").delete();
        Await.until("the default main loop back", () -> Leaks.threads("loopkit-main"), List.of("loopkit-main"));
    }

    @Test
    public void aChosenWatcherIsNotReplacedByAHigherRankedOneUntilReset() throws Exception {
        update("watcher", "threaded");
        // by reason too: without pidfds threaded is also the ranked choice before the configuration lands
        Await.until("the configured watcher current", () -> ProcessWide.get().childWatchers().choice().name()
                + " " + ProcessWide.get().childWatchers().choice().reason(), "threaded " + Reason.CONFIGURED);
        Bundle mine = Bundles.named(context, TestBundles.MINE_WATCHER);
        mine.start(); // ranked 1000
        Await.until("one watcher more", () -> ProcessWide.get().childWatchers().entries().size(), Pidfds.watchers() + 1);
        assertEquals("threaded", ProcessWide.get().childWatchers().choice().name());
        assertEquals(Reason.CONFIGURED, ProcessWide.get().childWatchers().choice().reason());

        Asyncio.setChildWatcher(ProcessWide.get().childWatchers().find("safe").orElseThrow().service());
        assertEquals("an explicit one beats the configured one", "safe", ProcessWide.get().childWatchers().choice().name());
        assertTrue("and is attached to the main loop", Asyncio.getChildWatcher().isActive());
        Asyncio.setChildWatcher(null);
        assertEquals("threaded", ProcessWide.get().childWatchers().choice().name());

        configurationAdmin.getConfiguration(PID, "?").delete();
        Await.until("the ranking decides again", () -> ProcessWide.get().childWatchers().choice().name(), "mine");
        mine.stop();
        Await.until("the best of the rest", () -> ProcessWide.get().childWatchers().choice().name(), Pidfds.bestWatcher());
    }

    /**
     * The runtime bundle restarts while the configuration names the policy and the watcher: they stay
     * current. Before, the restarted runtime ran the ranked ones while ConfigAdmin still named these
     * (an outside review: "expected selector configured, was epoll ranked").
     */
    @Test
    public void restartingTheRuntimeBundleKeepsTheConfiguredChoices() throws Exception {
        update("policy", "selector");
        update("watcher", "threaded");
        Await.until("the configured policy", () -> ProcessWide.get().policies().choice().name() + " "
                + ProcessWide.get().policies().choice().reason(), "selector " + Reason.CONFIGURED);
        Await.until("the configured watcher", () -> ProcessWide.get().childWatchers().choice().name() + " "
                + ProcessWide.get().childWatchers().choice().reason(), "threaded " + Reason.CONFIGURED);
        Bundle runtime = Bundles.named(context, "dev.loopkit.runtime");
        runtime.stop();
        runtime.start();
        Await.until("the configured policy after the restart", () -> ProcessWide.get().policies().choice().name() + " "
                + ProcessWide.get().policies().choice().reason(), "selector " + Reason.CONFIGURED);
        Await.until("the configured watcher after the restart", () -> ProcessWide.get().childWatchers().choice().name() + " "
                + ProcessWide.get().childWatchers().choice().reason(), "threaded " + Reason.CONFIGURED);
    }

    /**
     * The runtime bundle stops, then the platform: nobody uses the current watcher's service any more,
     * but its bundle runs, and it still holds a child of a loop that runs. Before, SCR disposed the
     * delayed component, whose deactivation moved the child to the orphanage, which reaps nothing: the
     * exit never came (an outside review's Pax Exam test).
     */
    @Test
    public void aWatcherNobodyUsesAnyMoreStillDeliversTheExitsOfItsChildren() throws Exception {
        EventLoop users = Asyncio.newEventLoop();
        Bundle runtime = Bundles.named(context, "dev.loopkit.runtime");
        Bundle platform = Bundles.named(context, "dev.loopkit.platform");
        RecordingChild child = new RecordingChild(7);
        try {
            LoopFuture<Long> spawned = users.createFuture();
            users.callSoon(() -> users.subprocessExec(() -> child, List.of("/bin/sh", "-c", "sleep 1; exit 7"),
                    dev.loopkit.api.SubprocessOptions.defaults().withStdin(dev.loopkit.api.SubprocessOptions.Redirect.DEVNULL)
                            .withStdout(dev.loopkit.api.SubprocessOptions.Redirect.DEVNULL).withStderr(dev.loopkit.api.SubprocessOptions.Redirect.DEVNULL))
                    .whenComplete((transport, error) -> {
                        if (error != null) {
                            spawned.setException(error);
                        } else {
                            spawned.setResult(transport.getPid());
                        }
                    }));
            long pid = users.runUntilComplete(spawned);
            runtime.stop();
            platform.stop();
            LoopFuture<Integer> exited = users.createFuture();
            child.exited.whenComplete((code, error) -> users.callSoonThreadsafe(() -> exited.setResult(code)));
            users.callLater(10, () -> {
                if (!exited.isDone()) {
                    exited.setException(new AssertionError("exit of pid " + pid + " not delivered within 10 s; in the orphanage: "
                            + ProcessWide.get().watcherSwitch().orphans().containsKey(pid)));
                }
            });
            assertEquals(Integer.valueOf(7), users.runUntilComplete(exited));
            assertEquals(1, child.exits.get());
        } finally {
            users.close();
            platform.start();
            runtime.start();
        }
    }

    private void update(String key, Object value) throws Exception {
        org.osgi.service.cm.Configuration configuration = configurationAdmin.getConfiguration(PID, "?");
        Dictionary<String, Object> properties = configuration.getProperties();
        if (properties == null) {
            properties = new Hashtable<>();
        }
        properties.put(key, value);
        configuration.update(properties);
    }
}
