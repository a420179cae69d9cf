package dev.loopkit.jmx.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.jmx.LoopkitMBeans;
import dev.loopkit.testsupport.EmbeddedFramework;
import dev.loopkit.testsupport.OtherThread;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.management.DynamicMBean;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

/**
 * The publisher in a real Felix framework, called as Declarative Services calls it. Publishing an
 * MBean as a service calls the framework's service listeners, and placing it on an MBean server
 * calls the server's listeners: user code, which may wait for another thread that binds or unbinds
 * an MBean server, and must not find the publisher's monitor held.
 */
public class MBeanPublisherTest {

    private static final MBeanServer PLATFORM = ManagementFactory.getPlatformMBeanServer();

    @Rule
    public final EmbeddedFramework framework = new EmbeddedFramework();
    private final MBeanPublisher publisher = new MBeanPublisher();

    // Before the rule stops the framework.
    @After
    public void deactivate() throws Exception {
        publisher.deactivate();
        assertEquals("nothing left on the platform server", 0, PLATFORM.queryNames(new ObjectName(LoopkitMBeans.DOMAIN + ":*"), null).size());
    }

    /** With the platform bundle stopped, a switch says so: the note blamed ConfigAdmin, which was running (an outside review). */
    @Test
    public void withoutThePlatformsStoreASwitchSaysWhichBundleSavesIt() {
        assertEquals(" (not saved: bundle dev.loopkit.platform, which saves the choice in configuration dev.loopkit.policy,"
                + " is not active)", publisher.save("policy", "selector"));
    }

    @Test
    public void withoutAServerServiceTheMBeansAreOnThePlatformServerAndServicesTooAndOnlyServicesOnceOneComes() throws Exception {
        publisher.activate(framework.context());
        assertTrue(PLATFORM.isRegistered(new ObjectName(LoopkitMBeans.POLICIES)));
        assertTrue(published() >= 3);
        ServiceRegistration<MBeanServer> server = framework.context().registerService(MBeanServer.class, PLATFORM, null);
        publisher.bindServer(server.getReference());
        assertEquals(false, PLATFORM.isRegistered(new ObjectName(LoopkitMBeans.POLICIES)));
        assertTrue(published() >= 3);
        publisher.unbindServer(server.getReference());
        assertTrue(PLATFORM.isRegistered(new ObjectName(LoopkitMBeans.POLICIES)));
    }

    @Test(timeout = 60_000)
    public void aListenerOfAnMBeansServiceMayWaitForAnotherThreadThatBindsAServer() throws Exception {
        ServiceRegistration<MBeanServer> server = framework.context().registerService(MBeanServer.class, PLATFORM, null);
        ServiceReference<MBeanServer> reference = server.getReference();
        AtomicBoolean returned = new AtomicBoolean();
        framework.onService(DynamicMBean.class, ServiceEvent.REGISTERED, () -> {
            if (!returned.get()) {
                returned.set(OtherThread.returns(() -> publisher.bindServer(reference)));
            }
        });
        publisher.activate(framework.context());
        assertTrue("bindServer on another thread waited for the listener of an MBean's service", returned.get());
        assertEquals("a server came: nothing on the platform server", false,
                PLATFORM.isRegistered(new ObjectName(LoopkitMBeans.POLICIES)));
    }

    /** A server coming takes the MBeans off the platform server and publishes their services again. */
    @Test(timeout = 60_000)
    public void aListenerOfAnMBeansServiceMayWaitForAnotherThreadThatUnbindsTheServer() throws Exception {
        publisher.activate(framework.context());
        ServiceRegistration<MBeanServer> server = framework.context().registerService(MBeanServer.class, PLATFORM, null);
        ServiceReference<MBeanServer> reference = server.getReference();
        AtomicBoolean returned = new AtomicBoolean();
        framework.onService(DynamicMBean.class, ServiceEvent.REGISTERED, () -> {
            if (!returned.get()) {
                returned.set(OtherThread.returns(() -> publisher.unbindServer(reference)));
            }
        });
        publisher.bindServer(reference);
        assertTrue("unbindServer on another thread waited for the listener of an MBean's service", returned.get());
        assertTrue("no server left: the MBeans are on the platform server", PLATFORM.isRegistered(new ObjectName(LoopkitMBeans.POLICIES)));
        assertTrue(published() >= 3);
    }

    private int published() throws Exception {
        ServiceReference<?>[] references = framework.context().getServiceReferences(DynamicMBean.class.getName(),
                "(" + ServiceExporter.OBJECT_NAME + "=" + LoopkitMBeans.DOMAIN + ":*)");
        return references == null ? 0 : references.length;
    }
}
