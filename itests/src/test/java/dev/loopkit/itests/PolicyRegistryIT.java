package dev.loopkit.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.streamBundle;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.runtime.RankedRegistry.Reason;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.itests.bundles.TestBundles;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import java.util.Dictionary;
import java.util.Hashtable;
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
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The process-wide policy in a live framework: ranking, a higher-ranked bundle coming and going,
 * an explicit choice, ConfigAdmin, and a loop bundle that stops.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PolicyRegistryIT {

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    @Configuration
    public Option[] configuration() {
        return LoopkitOptions.distribution(streamBundle(TestBundles.higherRankedPolicy()).start(false));
    }

    @Before
    public void allPoliciesAreThere() {
        Await.until("the three policies registered", () -> ProcessWide.get().policies().entries().size(), 3);
    }

    @After
    public void reset() throws Exception {
        Asyncio.setEventLoopPolicy(null);
        org.osgi.service.cm.Configuration configuration = configurationAdmin.getConfiguration("dev.loopkit.policy", "?");
        configuration.delete();
        ProcessWide.get().policies().setConfigured(null);
        bundle(TestBundles.HIGHER_POLICY).stop();
        Await.until("default process-wide again", this::current, "default");
    }

    @Test
    public void theHighestRankedPolicyIsProcessWideAndItsLoopsRun() {
        assertEquals("default", current());
        assertEquals(Reason.RANKED, ProcessWide.get().policies().choice().reason());
        EventLoopPolicy policy = Asyncio.getEventLoopPolicy();
        assertEquals(DefaultEventLoopPolicy.class, policy.getClass());
        EventLoop loop = Asyncio.newEventLoop();
        try {
            assertEquals("dev.loopkit.loop.selector.SelectorEventLoop", loop.getClass().getName());
            CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> "from the loop", loop);
            assertEquals("from the loop", loop.runUntilComplete(answer));
        } finally {
            loop.close();
        }
    }

    @Test
    public void aHigherRankedPolicyBundleTakesOverAndStoppingItFallsBack() throws Exception {
        Bundle higher = bundle(TestBundles.HIGHER_POLICY);
        higher.start();
        Await.until("the higher-ranked policy process-wide", this::current, "higher");
        EventLoopPolicy policy = Asyncio.getEventLoopPolicy();
        assertEquals("dev.loopkit.itests.bundles.HigherRankedPolicy", policy.getClass().getName());
        assertEquals(DefaultEventLoopPolicy.class, policy.getClass().getSuperclass());
        EventLoop loop = policy.newEventLoop(); // its loops come from the selector factory
        loop.close();
        higher.stop();
        Await.until("the default policy back", this::current, "default");
    }

    @Test
    public void anExplicitPolicyBeatsRankingAndNullRestoresIt() throws Exception {
        EventLoopPolicy mine = new DefaultEventLoopPolicy();
        Asyncio.setEventLoopPolicy(mine);
        assertSame(mine, Asyncio.getEventLoopPolicy());
        assertEquals(Reason.EXPLICIT, ProcessWide.get().policies().choice().reason());
        bundle(TestBundles.HIGHER_POLICY).start();
        Await.until("the higher policy registered", () -> ProcessWide.get().policies().find("higher").isPresent());
        assertSame("ranking does not override an explicit choice", mine, Asyncio.getEventLoopPolicy());
        Asyncio.setEventLoopPolicy(null);
        assertEquals("higher", current());
        assertEquals(Reason.RANKED, ProcessWide.get().policies().choice().reason());
    }

    @Test
    public void theConfigurationChoosesThePolicy() throws Exception {
        org.osgi.service.cm.Configuration configuration = configurationAdmin.getConfiguration("dev.loopkit.policy", "?");
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("policy", "proactor");
        configuration.update(properties);
        Await.until("the configured policy process-wide", this::current, "proactor");
        assertEquals(Reason.CONFIGURED, ProcessWide.get().policies().choice().reason());
        EventLoop loop = Asyncio.newEventLoop();
        assertEquals("dev.loopkit.loop.proactor.ProactorEventLoop", loop.getClass().getName());
        loop.close();
        configuration.delete();
        Await.until("the ranked policy back", this::current, "default");
    }

    @Test
    public void policiesWhoseLoopBundleStopsAreWithdrawnAndItsLoopsClosed() throws Exception {
        EventLoop idle = Asyncio.newEventLoop();
        assertEquals("dev.loopkit.loop.selector.SelectorEventLoop", idle.getClass().getName());
        Bundle selector = bundle("dev.loopkit.loop.selector");
        selector.stop();
        try {
            assertTrue("a loop of the stopped bundle is closed", idle.isClosed());
            Await.until("only the proactor policy left", this::current, "proactor");
            assertEquals(1, ProcessWide.get().policies().entries().size());
        } finally {
            selector.start();
        }
        Await.until("the default policy back", this::current, "default");
    }

    private String current() {
        var choice = ProcessWide.get().policies().choice();
        return choice == null ? null : choice.name();
    }

    private Bundle bundle(String symbolicName) {
        return Bundles.named(context, symbolicName);
    }
}
