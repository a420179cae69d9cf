package dev.loopkit.policy.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.testsupport.EmbeddedFramework;
import dev.loopkit.testsupport.OtherThread;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.Rule;
import org.junit.Test;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceReference;

/**
 * The publisher in a real Felix framework, called as Declarative Services calls it. A service
 * listener is user code that the framework calls synchronously from {@code registerService} and
 * {@code unregister}: it may call the publisher again, on its own thread or on another it waits
 * for, and the publisher must neither deadlock nor leave a policy published on a factory that went.
 */
public class DefaultPolicyPublisherTest {

    private static final String FACTORY_NAME = DefaultEventLoopPolicy.platformLoopFactoryName();

    @Rule
    public final EmbeddedFramework framework = new EmbeddedFramework();
    private final DefaultPolicyPublisher publisher = new DefaultPolicyPublisher();

    @Test
    public void publishesOnTheFactoryAndWithdrawsWhenItGoes() throws Exception {
        EventLoopFactory factory = factory();
        publisher.activate(framework.context());
        assertEquals(0, published().size());
        publisher.addFactory(factory, Map.of("loopkit.name", FACTORY_NAME));
        assertEquals(1, published().size());
        assertEquals(DefaultEventLoopPolicy.RANKING, published().get(0).getProperty(Constants.SERVICE_RANKING));
        publisher.removeFactory(factory);
        assertEquals(0, published().size());
    }

    @Test
    public void aFactoryRemovedByAListenerOfThePolicysRegistrationLeavesNothingPublished() throws Exception {
        EventLoopFactory factory = factory();
        publisher.activate(framework.context());
        onPolicy(ServiceEvent.REGISTERED, () -> publisher.removeFactory(factory));
        publisher.addFactory(factory, Map.of("loopkit.name", FACTORY_NAME));
        assertEquals("a policy published on a factory that went", 0, published().size());
    }

    @Test
    public void aListenerOfThePolicysRegistrationMayWaitForAnotherThreadThatRemovesTheFactory() throws Exception {
        EventLoopFactory factory = factory();
        publisher.activate(framework.context());
        AtomicBoolean returned = new AtomicBoolean();
        onPolicy(ServiceEvent.REGISTERED, () -> returned.set(OtherThread.returns(() -> publisher.removeFactory(factory))));
        publisher.addFactory(factory, Map.of("loopkit.name", FACTORY_NAME));
        assertTrue("removeFactory on another thread waited for the registration's listener", returned.get());
        assertEquals(0, published().size());
    }

    @Test
    public void aListenerOfTheWithdrawalMayWaitForAnotherThreadThatAddsAFactory() throws Exception {
        EventLoopFactory first = factory();
        EventLoopFactory second = factory();
        publisher.activate(framework.context());
        publisher.addFactory(first, Map.of("loopkit.name", FACTORY_NAME));
        AtomicBoolean returned = new AtomicBoolean();
        onPolicy(ServiceEvent.UNREGISTERING, () -> returned.set(OtherThread.returns(
                () -> publisher.addFactory(second, Map.of("loopkit.name", FACTORY_NAME)))));
        publisher.removeFactory(first);
        assertTrue("addFactory on another thread waited for the withdrawal's listener", returned.get());
        assertEquals("published again, on the factory that came meanwhile", 1, published().size());
    }

    @Test
    public void aListenerOfTheWithdrawalMayDeactivateThePublisher() throws Exception {
        EventLoopFactory factory = factory();
        publisher.activate(framework.context());
        publisher.addFactory(factory, Map.of("loopkit.name", FACTORY_NAME));
        AtomicBoolean returned = new AtomicBoolean();
        onPolicy(ServiceEvent.UNREGISTERING, () -> returned.set(OtherThread.returns(publisher::deactivate)));
        publisher.removeFactory(factory);
        assertTrue("deactivate on another thread waited for the withdrawal's listener", returned.get());
        assertEquals(0, published().size());
    }

    /**
     * A policy held by user code says why it went: the publisher's own stop (its bundle stopping) was
     * told as "its event loop factory went away" while that factory ran on (an outside review).
     */
    @Test
    public void aPolicyWithdrawnByThePublishersStopSaysItsBundleStoppedAndOneWhoseFactoryWentSaysThat()
            throws Exception {
        EventLoopFactory factory = factory();
        publisher.activate(framework.context());
        publisher.addFactory(factory, Map.of("loopkit.name", FACTORY_NAME));
        EventLoopPolicy held = framework.context().getService(published().get(0));
        publisher.deactivate();
        IllegalStateException refused = assertThrows(IllegalStateException.class, held::newEventLoop);
        assertEquals("This event loop policy is no longer active: the bundle that published it stopped",
                refused.getMessage());

        publisher.activate(framework.context());
        EventLoopPolicy again = framework.context().getService(published().get(0));
        publisher.removeFactory(factory);
        refused = assertThrows(IllegalStateException.class, again::newEventLoop);
        assertEquals("This event loop policy is no longer active: its event loop factory '" + FACTORY_NAME + "' went away",
                refused.getMessage());
    }

    private List<ServiceReference<EventLoopPolicy>> published() throws Exception {
        return new ArrayList<>(framework.context().getServiceReferences(EventLoopPolicy.class,
                "(loopkit.name=" + DefaultEventLoopPolicy.NAME + ")"));
    }

    private void onPolicy(int eventType, Runnable action) throws Exception {
        framework.onService(EventLoopPolicy.class, eventType, action);
    }

    private static EventLoopFactory factory() {
        return new EventLoopFactory() {
            @Override
            public String name() {
                return FACTORY_NAME;
            }

            @Override
            public EventLoop newEventLoop() {
                throw new UnsupportedOperationException("no loop is made in these tests");
            }
        };
    }
}
