package dev.loopkit.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.streamBundle;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.EventLoop;
import dev.loopkit.itests.bundles.TestBundles;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.runtime.RankedRegistry.Reason;
import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * asyncio's "Custom Policies" in OSGi: a bundle of one's own publishes the policy, and the
 * distribution's policy bundle may go. What the platform does besides the policies (the main loop,
 * the configured choices, the {@code loop:} commands) does not go with it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CustomPolicyBundleIT {

    private static final String POLICY_BUNDLE = "dev.loopkit.policy";
    private static final String PID = "dev.loopkit.policy";
    private static final String WATCHER_CONFIGURED = "process-wide: threaded (configured: configuration " + PID + ")";

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    @Inject
    private CommandProcessor processor;

    @Configuration
    public Option[] configuration() {
        return LoopkitOptions.distribution(streamBundle(TestBundles.higherRankedPolicy()).start(false));
    }

    @Before
    public void platformIsUp() {
        Await.platformUp();
    }

    @Test
    public void stoppingThePolicyBundleLeavesTheMainLoopTheChoicesAndTheCommandsToTheCustomPolicy() throws Exception {
        configureWatcher("threaded");
        Await.until("the configured watcher current", () -> ProcessWide.get().childWatchers().choice().name()
                + " " + ProcessWide.get().childWatchers().choice().reason(), "threaded " + Reason.CONFIGURED);
        EventLoop defaultsMainLoop = ProcessWide.get().mainContext().loop();
        Bundles.named(context, TestBundles.HIGHER_POLICY).start();
        Await.until("the custom policy process-wide", () -> ProcessWide.get().policies().choice().name(), "higher");
        Await.until("a main loop of the custom policy", () -> Await.mainLoopRunning() && ProcessWide.get().mainContext().loop() != defaultsMainLoop);
        EventLoop customMainLoop = ProcessWide.get().mainContext().loop();

        Bundles.named(context, POLICY_BUNDLE).stop();

        // the epoll policy is the epoll loop bundle's, and stays with it
        assertEquals("the custom policy is all there is, but for the epoll loop's",
                EpollPolicy.works() ? List.of("higher", "epoll") : List.of("higher"),
                ProcessWide.get().policies().entries().stream().map(entry -> entry.name()).toList());
        assertSame("the main loop of the custom policy runs on", customMainLoop, ProcessWide.get().mainContext().loop());
        assertFalse("the main loop is not closed", customMainLoop.isClosed());
        CompletableFuture<String> onMainLoop = CompletableFuture.supplyAsync(() -> Thread.currentThread().getName(), customMainLoop);
        assertEquals("a callback runs on the main loop's thread", "loopkit-main", onMainLoop.get(20, TimeUnit.SECONDS));
        assertEquals("dev.loopkit.itests.bundles.HigherRankedPolicy", Asyncio.getEventLoopPolicy().getClass().getName());

        assertEquals("the configured watcher is still the one", "threaded " + Reason.CONFIGURED,
                ProcessWide.get().childWatchers().choice().name() + " " + ProcessWide.get().childWatchers().choice().reason());
        assertEquals(WATCHER_CONFIGURED, Gogo.run(processor, "loop:watcher").strip());
        assertEquals("process-wide: higher (ranked: highest service.ranking)", Gogo.run(processor, "loop:policy").strip());
        String switched = Gogo.run(processor, "loop:watcher safe");
        assertTrue(switched, switched.contains("process-wide: safe (configured: configuration " + PID + ")"));
        Await.until("the switch saved in the configuration", this::storedWatcher, "safe");
        assertTrue("the safe watcher is attached to the main loop", Asyncio.getChildWatcher().isActive());
    }

    private void configureWatcher(String name) throws Exception {
        org.osgi.service.cm.Configuration configuration = configurationAdmin.getConfiguration(PID, "?");
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("watcher", name);
        configuration.update(properties);
    }

    private Object storedWatcher() {
        try {
            Dictionary<String, Object> properties = configurationAdmin.getConfiguration(PID, "?").getProperties();
            return properties == null ? null : properties.get("watcher");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
