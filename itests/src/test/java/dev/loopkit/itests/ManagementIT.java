package dev.loopkit.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.runtime.ProcessWide;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.inject.Inject;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.execution.HealthCheckExecutionOptions;
import org.apache.felix.hc.api.execution.HealthCheckExecutionResult;
import org.apache.felix.hc.api.execution.HealthCheckExecutor;
import org.apache.felix.hc.api.execution.HealthCheckSelector;
import org.apache.felix.service.command.CommandProcessor;
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
 * The distribution as an operator sees it from outside: JMX through a real RMI connector on the
 * platform MBean server (Felix has no JMX whiteboard), the health checks of tag loopkit, and the JFR
 * events; each agrees with the {@code loop:} commands.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ManagementIT {

    private static final String[] STRING = {String.class.getName()};
    private static final List<String> WATCHER_BUNDLES = List.of("pidfd", "threaded", "multiloop", "safe", "fast");

    @Inject
    private BundleContext context;

    @Inject
    private CommandProcessor processor;

    @Inject
    private HealthCheckExecutor healthChecks;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    private JMXConnectorServer server;
    private JMXConnector connector;
    private MBeanServerConnection jmx;

    @Configuration
    public Option[] configuration() {
        return LoopkitOptions.distribution();
    }

    @Before
    public void connect() throws Exception {
        Await.platformUp();
        server = JMXConnectorServerFactory.newJMXConnectorServer(new JMXServiceURL("service:jmx:rmi://127.0.0.1"),
                null, ManagementFactory.getPlatformMBeanServer());
        server.start();
        connector = JMXConnectorFactory.connect(server.getAddress());
        jmx = connector.getMBeanServerConnection();
        Await.until("Loopkit's MBeans registered", () -> registered("dev.loopkit:type=Watchers"));
    }

    @After
    public void disconnect() throws Exception {
        connector.close();
        server.stop();
        for (String name : WATCHER_BUNDLES) {
            Bundles.named(context, "dev.loopkit.watcher." + name).start();
        }
        Gogo.run(processor, "loop:reset-watcher");
        Gogo.run(processor, "loop:reset-policy");
    }

    @Test
    public void switchingTheWatcherThroughJmxIsWhatLoopWatcherSaysAndIsSaved() throws Exception {
        ObjectName watchers = new ObjectName("dev.loopkit:type=Watchers");
        String best = Pidfds.bestWatcher();
        assertEquals(best, jmx.getAttribute(watchers, "Current"));
        assertEquals(Gogo.run(processor, "loop:watcher").strip(), jmx.getAttribute(watchers, "Status"));

        assertEquals("process-wide: threaded (configured: configuration dev.loopkit.policy)",
                jmx.invoke(watchers, "switchTo", new Object[] {"threaded"}, STRING));
        assertEquals("process-wide: threaded (configured: configuration dev.loopkit.policy)", Gogo.run(processor, "loop:watcher").strip());
        assertEquals("threaded", configurationAdmin.getConfiguration("dev.loopkit.policy", "?").getProperties().get("watcher"));

        assertEquals("process-wide: " + best + " (ranked: highest service.ranking)", jmx.invoke(watchers, "reset", new Object[0], new String[0]));
        assertEquals("process-wide: " + best + " (ranked: highest service.ranking)", Gogo.run(processor, "loop:watcher").strip());
    }

    @Test
    public void switchingThePolicyThroughJmxIsWhatLoopPolicySays() throws Exception {
        ObjectName policies = new ObjectName("dev.loopkit:type=Policies");
        assertEquals("process-wide: selector (configured: configuration dev.loopkit.policy)",
                jmx.invoke(policies, "switchTo", new Object[] {"selector"}, STRING));
        assertEquals("process-wide: selector (configured: configuration dev.loopkit.policy)", Gogo.run(processor, "loop:policy").strip());
        assertEquals("selector", jmx.getAttribute(policies, "Current"));
        jmx.invoke(policies, "reset", new Object[0], new String[0]);
        assertEquals(EpollPolicy.processWide(), jmx.getAttribute(policies, "Current"));
    }

    @Test
    public void theMainLoopHasItsMBeanWithTheFiguresOfLoopLoops() throws Exception {
        Await.until("an MBean for the main loop", () -> mainLoopMBean() != null);
        ObjectName main = mainLoopMBean();
        assertEquals(EpollPolicy.loopFactory(), jmx.getAttribute(main, "Factory"));
        assertEquals(Boolean.TRUE, jmx.getAttribute(main, "Running"));
        String loops = Gogo.run(processor, "loop:loops");
        assertTrue(loops, loops.contains(main.getKeyProperty("name") + "  loopkit-main"));
        assertEquals(0, jmx.getAttribute(new ObjectName("dev.loopkit:type=Children"), "Total"));
    }

    @Test
    public void theWatcherCheckIsCriticalWithoutAWatcherAndOkWhenOneStarts() throws Exception {
        assertEquals(Map.of("Loopkit child watcher", "OK", "Loopkit event loop policy", "OK", "Loopkit event loops", "OK"), health());
        for (String name : WATCHER_BUNDLES) {
            Bundles.named(context, "dev.loopkit.watcher." + name).stop();
        }
        assertEquals("CRITICAL", health().get("Loopkit child watcher"));
        String hc = Gogo.run(processor, "hc:exec loopkit");
        assertTrue(hc, hc.matches("(?s).*Loopkit child watcher +CRITICAL .*no child watcher is installed.*"));

        Bundles.named(context, "dev.loopkit.watcher.threaded").start();
        Await.until("the threaded watcher current", () -> ProcessWide.get().childWatchers().choice() != null);
        assertEquals("OK", health().get("Loopkit child watcher"));
    }

    @Test
    public void theLoopsCheckWarnsWhileTheMainLoopIsBlockedInACallbackThenClears() throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ProcessWide.get().mainContext().loop().callSoonThreadsafe(() -> {
            blocked.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        String busy;
        try {
            assertTrue(blocked.await(30, TimeUnit.SECONDS));
            busy = health().get("Loopkit event loops");
        } finally {
            release.countDown();
        }
        assertEquals("WARN", busy);
        Await.until("the main loop answering again", () -> "OK".equals(health().get("Loopkit event loops")));
    }

    /** The JFR events come from the OSGi component (jdk.jfr comes from the system bundle). */
    @Test
    public void aWatcherSwapAndAPolicyChangeAreRecordedByJfr() throws Exception {
        Path file = Files.createTempFile("loopkit-management", ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.loopkit.WatcherSwap");
            recording.enable("dev.loopkit.PolicyChange");
            recording.start();
            jmx.invoke(new ObjectName("dev.loopkit:type=Watchers"), "switchTo", new Object[] {"multiloop"}, STRING);
            jmx.invoke(new ObjectName("dev.loopkit:type=Policies"), "switchTo", new Object[] {"proactor"}, STRING);
            recording.stop();
            recording.dump(file);
        }
        // A recording keeps each thread's events in a buffer of its own, and the two JMX calls may come
        // on two RMI threads: in time order (their order in the file differed once, on JDK 25)
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .sorted(Comparator.comparing(RecordedEvent::getStartTime))
                // only what the two calls configured: the ranked changes of an earlier test's clean-up
                // (its configuration removed, applied by ConfigAdmin on a thread of its own) may still
                // arrive during this recording (CI, once: proactor -> epoll, epoll -> proactor, ranked)
                .filter(e -> e.getString("reason").startsWith("configured")).toList();
        Files.delete(file);
        assertEquals(List.of("dev.loopkit.WatcherSwap " + Pidfds.bestWatcher() + " -> multiloop (configured: the current child watcher changed)",
                "dev.loopkit.PolicyChange " + EpollPolicy.processWide() + " -> proactor (configured)"),
                events.stream().map(e -> e.getEventType().getName() + " " + e.getString("from") + " -> " + e.getString("to")
                        + " (" + e.getString("reason") + ")").toList());
    }

    /** Name to status of every health check of tag loopkit, run now (not from the executor's cache). */
    private Map<String, String> health() {
        HealthCheckExecutionOptions options = new HealthCheckExecutionOptions();
        options.setForceInstantExecution(true);
        List<HealthCheckExecutionResult> results = healthChecks.execute(HealthCheckSelector.tags("loopkit"), options);
        return results.stream().collect(Collectors.toMap(r -> r.getHealthCheckMetadata().getName(),
                r -> statusOf(r.getHealthCheckResult()), (a, b) -> a + "," + b, TreeMap::new));
    }

    private static String statusOf(Result result) {
        return result.getStatus().name();
    }

    private ObjectName mainLoopMBean() {
        try {
            Set<ObjectName> loops = jmx.queryNames(new ObjectName("dev.loopkit:type=Loop,*"), null);
            for (ObjectName name : loops) {
                if ("loopkit-main".equals(jmx.getAttribute(name, "Thread"))) {
                    return name;
                }
            }
            return null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean registered(String name) {
        try {
            return jmx.isRegistered(new ObjectName(name));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
