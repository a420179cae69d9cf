package dev.loopkit.karaf.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import dev.loopkit.runtime.ProcessWide;
import java.io.IOException;
import java.util.List;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;
import javax.inject.Inject;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.apache.karaf.features.BootFinished;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Loopkit's MBeans through Karaf's own JMX connector (the RMI connector of its management feature, with
 * JAAS login and the JMX ACL), as jconsole or Hawtio reach them; and the health checks through
 * Karaf's shell. The MBeans reach Karaf's MBean server through its JMX whiteboard.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KarafManagementIT {

    private static final String MANAGEMENT = "etc/org.apache.karaf.management.cfg";
    private static final String[] STRING = {String.class.getName()};

    @Inject
    private BootFinished bootFinished;

    @Inject
    private SessionFactory sessions;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    private JMXConnector admin;
    private JMXConnector viewer;
    private JMXConnector manager;
    private KarafShell adminShell;

    @Configuration
    public Option[] configuration() {
        // ports of our own: another Karaf on this machine may hold the default 1099 and 44444
        return KarafOptions.loopkit("loopkit",
                editConfigurationFilePut(MANAGEMENT, "rmiRegistryPort", Integer.toString(freePort())),
                editConfigurationFilePut(MANAGEMENT, "rmiServerPort", Integer.toString(freePort())));
    }

    @Before
    public void connect() throws Exception {
        adminShell = KarafShell.login(sessions, "admin", "admin");
        EpollPolicy.awaitRegistered();
        Await.until("the JMX ACL loaded from etc/", this::jmxAclLoaded);
        admin = connect("admin");
        viewer = connect("viewer");
        manager = connect("manager");
        Await.until("Loopkit's MBeans exported by Karaf's JMX whiteboard", this::mbeansExported);
    }

    @After
    public void disconnect() throws Exception {
        adminShell.run("loop:reset-watcher");
        adminShell.run("loop:reset-policy");
        admin.close();
        viewer.close();
        manager.close();
    }

    @Test
    public void anAdminReadsAndSwitchesTheWatcherAsLoopWatcherDoes() throws Exception {
        MBeanServerConnection jmx = admin.getMBeanServerConnection();
        ObjectName watchers = new ObjectName("dev.loopkit:type=Watchers");
        assertEquals(adminShell.text("loop:watcher"), jmx.getAttribute(watchers, "Status"));
        assertEquals("process-wide: threaded (configured: configuration dev.loopkit.policy)",
                jmx.invoke(watchers, "switchTo", new Object[] {"threaded"}, STRING));
        assertEquals("process-wide: threaded (configured: configuration dev.loopkit.policy)", adminShell.text("loop:watcher"));
        assertEquals("threaded", ProcessWide.get().childWatchers().choice().name());
        jmx.invoke(watchers, "reset", new Object[0], new String[0]);
        assertEquals(adminShell.text("loop:watcher"), jmx.getAttribute(watchers, "Status"));
        // the loops' MBeans are looked for once a second: the main loop's may come after the others
        ObjectName loops = new ObjectName("dev.loopkit:type=Loop,*");
        Await.until("a loop's MBean", () -> queryNames(jmx, loops) > 0);
    }

    private static int queryNames(MBeanServerConnection jmx, ObjectName pattern) {
        try {
            return jmx.queryNames(pattern, null).size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Karaf's JMX ACL lets managers change any configuration but the ACLs through Karaf's config MBean
     * and the OSGi ConfigurationAdmin MBean: a manager switched the process-wide policy that way, which
     * loop:policy and switchTo keep for admins (an outside review). Loopkit's configuration is for
     * admins there too.
     */
    @Test
    public void aManagerMayNotChangeLoopkitsChoicesThroughTheConfigMBeans() throws Exception {
        MBeanServerConnection jmx = manager.getMBeanServerConnection();
        ObjectName karafConfig = new ObjectName("org.apache.karaf:type=config,name=root");
        Await.until("Loopkit's entries in Karaf's JMX ACL of the config MBean", () -> managerRefusedToSetThePolicy(jmx, karafConfig));
        // OSGi's ConfigurationAdmin MBean, where a feature of Karaf's (Aries JMX) exports it
        for (ObjectName configurationAdmin : jmx.queryNames(new ObjectName("osgi.compendium:service=cm,*"), null)) {
            assertThrows(SecurityException.class,
                    () -> jmx.invoke(configurationAdmin, "delete", new Object[] {"dev.loopkit.policy"}, STRING));
        }
        for (java.util.Map<String, String> properties : List.of(java.util.Map.of("policy", "proactor"),
                // Karaf matches an argument as text, where "." stops at a line's end: a value with one got by
                // an entry of "/.*/" (a review)
                java.util.Map.of("policy", "proactor", "note", "one\ntwo"))) {
            assertThrows(SecurityException.class, () -> jmx.invoke(karafConfig, "update",
                    new Object[] {"dev.loopkit.policy", properties}, new String[] {String.class.getName(), java.util.Map.class.getName()}));
        }
        assertEquals(EpollPolicy.ranked(), ProcessWide.get().policies().choice().name());
    }

    // Whether the manager's setProperty of dev.loopkit.policy was refused; one that went through is undone.
    private boolean managerRefusedToSetThePolicy(MBeanServerConnection jmx, ObjectName karafConfig) {
        try {
            jmx.invoke(karafConfig, "setProperty", new Object[] {"dev.loopkit.policy", "policy", "proactor"},
                    new String[] {String.class.getName(), String.class.getName(), String.class.getName()});
            adminShell.run("loop:reset-policy");
            return false;
        } catch (SecurityException refused) {
            return true;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    public void aViewerReadsButMayNotSwitch() throws Exception {
        MBeanServerConnection jmx = viewer.getMBeanServerConnection();
        ObjectName policies = new ObjectName("dev.loopkit:type=Policies");
        assertEquals(EpollPolicy.ranked(), jmx.getAttribute(policies, "Current"));
        SecurityException refused = assertThrows(SecurityException.class,
                () -> jmx.invoke(policies, "switchTo", new Object[] {"proactor"}, STRING));
        assertTrue(refused.getMessage(), refused.getMessage().startsWith("Insufficient roles/credentials for operation"));
        assertThrows(SecurityException.class, () -> jmx.invoke(policies, "reset", new Object[0], new String[0]));
        assertEquals(EpollPolicy.ranked(), ProcessWide.get().policies().choice().name());
    }

    @Test
    public void theHealthChecksRunInKarafsShell() throws Exception {
        String hc = adminShell.text("hc:exec loopkit");
        assertTrue(hc, hc.contains("Overall Health Result: OK"));
        assertTrue(hc, hc.matches("(?s).*Loopkit child watcher +OK .*"));
    }

    private boolean jmxAclLoaded() {
        try {
            return configurationAdmin.listConfigurations("(service.pid=jmx.acl.dev.loopkit)") != null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean mbeansExported() {
        try {
            return admin.getMBeanServerConnection().isRegistered(new ObjectName("dev.loopkit:type=Watchers"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private JMXConnector connect(String user) throws Exception {
        Object url = configurationAdmin.getConfiguration("org.apache.karaf.management", null).getProperties().get("serviceUrl");
        return JMXConnectorFactory.connect(new JMXServiceURL(url.toString()),
                Map.of(JMXConnector.CREDENTIALS, new String[] {user, user}));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
