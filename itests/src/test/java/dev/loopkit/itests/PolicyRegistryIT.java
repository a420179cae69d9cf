package dev.loopkit.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.streamBundle;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.runtime.RankedRegistry.Entry;
import dev.loopkit.runtime.RankedRegistry.Reason;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.itests.bundles.TestBundles;
import dev.loopkit.loop.epoll.EpollEventLoopPolicy;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Assume;
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
        EpollPolicy.awaitRegistered();
    }

    @After
    public void reset() throws Exception {
        Asyncio.setEventLoopPolicy(null);
        org.osgi.service.cm.Configuration configuration = configurationAdmin.getConfiguration("dev.loopkit.policy", "?");
        configuration.delete();
        ProcessWide.get().policies().setConfigured(null);
        bundle(TestBundles.HIGHER_POLICY).stop();
        Await.until(EpollPolicy.processWide() + " process-wide again", this::current, EpollPolicy.processWide());
    }

    @Test
    public void theHighestRankedPolicyIsProcessWideAndItsLoopsRun() {
        assertEquals(EpollPolicy.processWide(), current());
        assertEquals(Reason.RANKED, ProcessWide.get().policies().choice().reason());
        EventLoopPolicy policy = Asyncio.getEventLoopPolicy();
        assertEquals(EpollPolicy.works() ? EpollEventLoopPolicy.class : DefaultEventLoopPolicy.class, policy.getClass());
        EventLoop loop = Asyncio.newEventLoop();
        try {
            assertEquals(EpollPolicy.loopClass(), loop.getClass().getSimpleName());
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
        Await.until("the policy ranked next back", this::current, EpollPolicy.processWide());
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
        Await.until("the ranked policy back", this::current, EpollPolicy.processWide());
    }

    @Test
    public void policiesWhoseLoopBundleStopsAreWithdrawnAndItsLoopsClosed() throws Exception {
        EventLoopPolicy defaultPolicy = ProcessWide.get().policies().find("default").orElseThrow().service();
        EventLoopPolicy selectorPolicy = ProcessWide.get().policies().find("selector").orElseThrow().service();
        EventLoop idle = defaultPolicy.newEventLoop();
        assertEquals("dev.loopkit.loop.selector.SelectorEventLoop", idle.getClass().getName());
        Bundle selector = bundle("dev.loopkit.loop.selector");
        selector.stop();
        try {
            assertTrue("a loop of the stopped bundle is closed", idle.isClosed());
            for (EventLoopPolicy held : List.of(defaultPolicy, selectorPolicy)) {
                IllegalStateException gone = assertThrows(IllegalStateException.class, held::newEventLoop);
                assertEquals(held + ": " + gone.getMessage(),
                        "This event loop policy is no longer active: its event loop factory 'selector' went away",
                        gone.getMessage());
            }
            List<String> left = EpollPolicy.works() ? List.of("epoll", "proactor") : List.of("proactor");
            Await.until("only the policies of other loops left", () -> ProcessWide.get().policies().entries().stream()
                    .map(Entry::name).toList(), left);
            assertEquals(left.get(0), current());
        } finally {
            selector.start();
        }
        Await.until("the ranked policy back", this::current, EpollPolicy.processWide());
    }

    /**
     * A policy held by user code says why it went: the policy bundle's stop was told as "its event loop
     * factory 'selector' went away" while the selector bundle ran on (an outside review). Declarative
     * Services gives the selector policy its deactivation's reason; the default policy's publisher knows
     * its own stop.
     */
    @Test
    public void policiesHeldWhenThePolicyBundleStopsSayTheirBundleStopped() throws Exception {
        EventLoopPolicy defaultPolicy = ProcessWide.get().policies().find("default").orElseThrow().service();
        EventLoopPolicy selectorPolicy = ProcessWide.get().policies().find("selector").orElseThrow().service();
        Bundle policies = bundle("dev.loopkit.policy");
        policies.stop();
        try {
            for (EventLoopPolicy held : List.of(defaultPolicy, selectorPolicy)) {
                IllegalStateException gone = assertThrows(IllegalStateException.class, held::newEventLoop);
                assertEquals(held + ": " + gone.getMessage(),
                        "This event loop policy is no longer active: the bundle that published it stopped", gone.getMessage());
            }
        } finally {
            policies.start();
        }
        Await.until("the ranked policy back", this::current, EpollPolicy.processWide());
        Await.until("the default policy back", () -> ProcessWide.get().policies().find("default").isPresent());
    }

    @Test
    public void stoppingTheEpollBundleLeavesTheDefaultPolicyAndItsSelectorLoopsProcessWide() throws Exception {
        Assume.assumeTrue("no epoll policy to stop here: " + EpollPolicy.unavailableReason(), EpollPolicy.works());
        EventLoopPolicy epoll = Asyncio.getEventLoopPolicy();
        EventLoop mainLoop = ProcessWide.get().mainContext().loop();
        EventLoop idle = Asyncio.newEventLoop();
        assertEquals(List.of("EpollEventLoopPolicy", "EpollEventLoop", "EpollEventLoop"), List.of(epoll.getClass().getSimpleName(),
                mainLoop.getClass().getSimpleName(), idle.getClass().getSimpleName()));
        Bundle bundle = bundle("dev.loopkit.loop.epoll");
        bundle.stop();
        try {
            assertTrue("a loop of the stopped bundle is closed", idle.isClosed());
            assertEquals("default", current());
            assertEquals(Reason.RANKED, ProcessWide.get().policies().choice().reason());
            assertEquals(DefaultEventLoopPolicy.class, Asyncio.getEventLoopPolicy().getClass());
            assertEquals(List.of("default", "selector", "proactor"),
                    ProcessWide.get().policies().entries().stream().map(Entry::name).toList());
            IllegalStateException gone = assertThrows(IllegalStateException.class, epoll::newEventLoop);
            assertEquals("This event loop policy is no longer active: its event loop factory 'epoll' went away", gone.getMessage());
            Await.until("a selector main loop running", () -> Await.mainLoopRunning()
                    && ProcessWide.get().mainContext().loop() instanceof SelectorEventLoop);
            assertTrue("the epoll main loop is closed", mainLoop.isClosed());
            EventLoop loop = Asyncio.newEventLoop();
            try {
                assertEquals(SelectorEventLoop.class, loop.getClass());
                assertEquals("from the loop", loop.runUntilComplete(CompletableFuture.supplyAsync(() -> "from the loop", loop)));
            } finally {
                loop.close();
            }
        } finally {
            bundle.start();
        }
        EpollPolicy.awaitRegistered();
        assertEquals("epoll", current());
    }

    private String current() {
        var choice = ProcessWide.get().policies().choice();
        return choice == null ? null : choice.name();
    }

    private Bundle bundle(String symbolicName) {
        return Bundles.named(context, symbolicName);
    }
}
