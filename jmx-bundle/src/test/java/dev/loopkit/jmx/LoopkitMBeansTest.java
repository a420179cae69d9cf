package dev.loopkit.jmx;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.runtime.ProcessWide;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The MBeans on the platform MBean server, as on the module path, read and invoked through a real RMI
 * connector as jconsole would (only JDK types cross it); the policies come from ServiceLoader.
 */
public class LoopkitMBeansTest {

    private final List<String> saved = new ArrayList<>();
    private LoopkitMBeans mbeans;
    private JMXConnectorServer server;
    private JMXConnector connector;
    private MBeanServerConnection jmx;

    @Before
    public void connect() throws Exception {
        mbeans = LoopkitMBeans.startOnPlatformServer((key, value) -> {
            saved.add(key + "=" + value);
            return "";
        });
        server = JMXConnectorServerFactory.newJMXConnectorServer(new JMXServiceURL("service:jmx:rmi://127.0.0.1"),
                null, ManagementFactory.getPlatformMBeanServer());
        server.start();
        connector = JMXConnectorFactory.connect(server.getAddress());
        jmx = connector.getMBeanServerConnection();
    }

    @After
    public void disconnect() throws Exception {
        connector.close();
        server.stop();
        mbeans.close();
        ProcessWide.get().policies().setConfigured(null);
    }

    @Test
    public void thePoliciesAreListedRankedWithTheCurrentOneAndWhy() throws Exception {
        ObjectName policies = new ObjectName(LoopkitMBeans.POLICIES);
        assertEquals("default", jmx.getAttribute(policies, "Current"));
        assertEquals("ranked", jmx.getAttribute(policies, "Reason"));
        assertEquals("process-wide: default (ranked: highest service.ranking)", jmx.getAttribute(policies, "Status"));
        CompositeData[] rows = (CompositeData[]) jmx.getAttribute(policies, "Policies");
        assertEquals(List.of("default", "selector", "proactor"), Arrays.stream(rows).map(r -> r.get("name")).toList());
        assertEquals(List.of(true, false, false), Arrays.stream(rows).map(r -> r.get("current")).toList());
        assertEquals("dev.loopkit.policy.SelectorEventLoopPolicy", rows[1].get("className"));
        assertEquals(50, rows[1].get("ranking"));
    }

    @Test
    public void switchToAndResetSaveTheChoiceAsLoopPolicyDoes() throws Exception {
        ObjectName policies = new ObjectName(LoopkitMBeans.POLICIES);
        assertEquals("process-wide: proactor (configured: configuration dev.loopkit.policy)",
                jmx.invoke(policies, "switchTo", new Object[] {"proactor"}, new String[] {String.class.getName()}));
        assertEquals("proactor", ProcessWide.get().policies().choice().name());
        assertEquals("proactor", jmx.getAttribute(policies, "Configured"));
        assertEquals("process-wide: default (ranked: highest service.ranking)",
                jmx.invoke(policies, "reset", new Object[0], new String[0]));
        assertEquals(List.of("policy=proactor", "policy=null"), saved);
    }

    @Test
    public void anUnknownNameIsRefusedWithTheKnownOnes() throws Exception {
        ObjectName policies = new ObjectName(LoopkitMBeans.POLICIES);
        try {
            jmx.invoke(policies, "switchTo", new Object[] {"nosuch"}, new String[] {String.class.getName()});
            throw new AssertionError("switched to nosuch");
        } catch (RuntimeMBeanException e) {
            assertEquals("Unknown event loop policy 'nosuch' (known: default, selector, proactor)", e.getCause().getMessage());
        }
        assertEquals(List.of(), saved);
    }

    @Test
    public void eachLiveLoopHasAnMBeanWithTheFiguresOfLoopLoopsUntilItCloses() throws Exception {
        EventLoop loop = Asyncio.newEventLoop();
        ObjectName name;
        try {
            mbeans.refreshLoops();
            name = mbeans.names().stream().filter(n -> "Loop".equals(n.getKeyProperty("type"))
                    && n.getKeyProperty("name").startsWith("SelectorEventLoop #")).findFirst().orElseThrow();
            assertEquals("selector", jmx.getAttribute(name, "Factory"));
            assertEquals(Boolean.FALSE, jmx.getAttribute(name, "Running"));
            CountDownLatch inCallback = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            LoopFuture<String> done = loop.createFuture();
            loop.callSoon(() -> loop.callLater(60, () -> { }));
            loop.callSoon(() -> {
                inCallback.countDown();
                await(release);
                done.setResult("released");
            });
            Thread runner = new Thread(() -> loop.runUntilComplete(done), "jmx-test-loop");
            runner.start();
            assertTrue(inCallback.await(30, TimeUnit.SECONDS));
            Thread.sleep(300); // past the snapshot taken above
            // blocked in a callback for over a second: busy, counts unknown
            assertEquals(Boolean.TRUE, jmx.getAttribute(name, "Busy"));
            assertEquals(-1, jmx.getAttribute(name, "Callbacks"));
            // the lag probe waits behind the blocking callback: the lag grows while it blocks
            long deadline = System.nanoTime() + 30_000_000_000L;
            while ((Double) jmx.getAttribute(name, "LagMillis") <= 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue("lag " + jmx.getAttribute(name, "LagMillis"), (Double) jmx.getAttribute(name, "LagMillis") > 0);
            release.countDown();
            runner.join(30_000);
            Thread.sleep(300);
            assertEquals(Boolean.FALSE, jmx.getAttribute(name, "Busy"));
            assertEquals(1, jmx.getAttribute(name, "Timers"));
            assertEquals("not running: no lag figure", -1.0, jmx.getAttribute(name, "LagMillis"));
        } finally {
            loop.close();
        }
        mbeans.refreshLoops();
        assertFalse(mbeans.names().contains(name));
        assertFalse(jmx.isRegistered(name));
    }

    @Test
    public void theChildrenAreCountedPerWatcherAndWaiting() throws Exception {
        ObjectName children = new ObjectName(LoopkitMBeans.CHILDREN);
        assertEquals(0, jmx.getAttribute(children, "Total"));
        assertEquals(0, ((long[]) jmx.getAttribute(children, "Orphans")).length);
    }

    @Test
    public void closingTakesEveryMBeanBack() throws Exception {
        mbeans.close();
        assertTrue(jmx.queryNames(new ObjectName(LoopkitMBeans.DOMAIN + ":*"), null).isEmpty());
        assertFalse("the loop refresher thread ended", Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("loopkit-jmx-loops")));
    }

    @Test
    public void loopNamesAreQuotedOnlyWhenTheyMustBe() {
        assertEquals("dev.loopkit:type=Loop,name=SelectorEventLoop #3", LoopkitMBeans.loopName("SelectorEventLoop #3").toString());
        assertEquals("dev.loopkit:type=Loop,name=\"a=b,c\"", LoopkitMBeans.loopName("a=b,c").toString());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
