package dev.loopkit.jmx;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.platform.ChoiceStore;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.management.MBeanServer;
import javax.management.MBeanServerDelegate;
import javax.management.MBeanServerNotification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import org.junit.Test;

/**
 * The bundle restarted while its previous instance was still registering its MBeans on the platform
 * server (a JMX agent's listener, which the server calls on the registering thread, was slow): the
 * previous instance's close returns before its calls are made, and its late calls then unregistered the
 * new instance's MBeans by name, while the new instance's own registrations had met the old names. The
 * new instance ended with none of its three fixed MBeans, for good (an outside review). Each exporter
 * now unregisters only what it registered, and a registration refused because the name was still taken
 * is tried again at the next look.
 */
public class RestartWhileTheOldInstanceExportsTest {

    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    @Test(timeout = 60_000)
    public void theNewInstancesMBeansAreOnTheServerOnceTheOldOnesLateCallsAreMade() throws Exception {
        ObjectName policies = new ObjectName(LoopkitMBeans.POLICIES);
        CountDownLatch inListener = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean once = new AtomicBoolean();
        NotificationListener slowAgent = (notification, handback) -> {
            if (notification instanceof MBeanServerNotification registered && policies.equals(registered.getMBeanName())
                    && MBeanServerNotification.REGISTRATION_NOTIFICATION.equals(registered.getType())
                    && once.compareAndSet(false, true)) {
                inListener.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        SERVER.addNotificationListener(MBeanServerDelegate.DELEGATE_NAME, slowAgent, null, null);
        LoopkitMBeans old = new LoopkitMBeans(ChoiceStore.NONE, 60_000);
        LoopkitMBeans successor = null;
        try {
            Thread binder = new Thread(() -> old.addExporter(LoopkitMBeans.platformServer()), "binding the server");
            binder.start();
            assertTrue(inListener.await(30, TimeUnit.SECONDS));
            old.close(); // the bundle stops
            successor = LoopkitMBeans.startOnPlatformServer(ChoiceStore.NONE); // and starts again
            release.countDown();
            binder.join(30_000);
            successor.refreshLoops(); // the next look, which the refresher would make within a second
            assertEquals("the running instance's MBeans missing from the server after its next look", List.of(),
                    missingFromTheServer(successor));
        } finally {
            release.countDown();
            SERVER.removeNotificationListener(MBeanServerDelegate.DELEGATE_NAME, slowAgent);
            if (successor != null) {
                successor.close();
            }
            old.close();
        }
    }

    private static List<ObjectName> missingFromTheServer(LoopkitMBeans mbeans) {
        return mbeans.names().stream().filter(name -> !SERVER.isRegistered(name)).toList();
    }
}
