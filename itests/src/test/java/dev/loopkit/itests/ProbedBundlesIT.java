package dev.loopkit.itests;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.runtime.RankedRegistry.Reason;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.inject.Inject;
import org.junit.Assume;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;

/**
 * The bundles that publish only where a probe says they work (the pidfd watcher, the epoll loop)
 * publish while their bundle starts, as every other Loopkit bundle does: when {@code bundle:start}
 * returns, {@code loop:watchers} and {@code loop:policies} already show them, and the ranked choice
 * has already moved to them. Published later, from SCR's own thread, they changed the process-wide
 * choice at a moment nobody asked for (a ranked switch a test's recording met after the platform
 * had started).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ProbedBundlesIT {

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] configuration() {
        return LoopkitOptions.distribution();
    }

    @Test
    public void thePidfdWatcherIsPublishedBeforeItsBundleStartReturns() throws Exception {
        Assume.assumeTrue("no pidfd watcher is published on this machine (pidfd_open needs Linux 5.3+, not refused by"
                + " a container): nothing to publish", Pidfds.work());
        Pidfds.awaitWatchersRegistered();
        List<Thread> registeredOn = restart("dev.loopkit.watcher.pidfd", "(objectClass=" + ChildWatcher.class.getName() + ")");
        assertEquals("pidfd", ProcessWide.get().childWatchers().choice().name());
        assertEquals("registered by the thread that started the bundle", List.of(Thread.currentThread()), registeredOn);
    }

    @Test
    public void theEpollPolicyIsPublishedBeforeItsBundleStartReturns() throws Exception {
        Assume.assumeTrue("no epoll policy is published on this machine: " + EpollPolicy.unavailableReason(), EpollPolicy.works());
        EpollPolicy.awaitRegistered();
        List<Thread> registeredOn = restart("dev.loopkit.loop.epoll", "(objectClass=" + EventLoopPolicy.class.getName() + ")");
        assertEquals("epoll", ProcessWide.get().policies().choice().name());
        assertEquals(Reason.RANKED, ProcessWide.get().policies().choice().reason());
        assertEquals("registered by the thread that started the bundle", List.of(Thread.currentThread()), registeredOn);
        EpollPolicy.awaitRegistered(); // the main loop back on the epoll policy, for whoever runs next
    }

    /** Stops and starts the bundle; the threads that registered a service of {@code filter} meanwhile. */
    private List<Thread> restart(String symbolicName, String filter) throws Exception {
        Bundle bundle = Bundles.named(context, symbolicName);
        bundle.stop();
        List<Thread> registeredOn = new CopyOnWriteArrayList<>();
        ServiceListener listener = event -> {
            if (event.getType() == ServiceEvent.REGISTERED) {
                registeredOn.add(Thread.currentThread());
            }
        };
        context.addServiceListener(listener, filter);
        try {
            bundle.start();
        } finally {
            context.removeServiceListener(listener);
        }
        assertEquals("active", Bundle.ACTIVE, bundle.getState());
        return registeredOn;
    }
}
