package dev.loopkit.karaf.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import dev.loopkit.runtime.ProcessWide;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.inject.Inject;
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
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Framework property {@code loopkit.shell.gogo=true} in Karaf: the shell bundle registers its Felix
 * Gogo commands there too, and Karaf's shell runs them in place of the Karaf actions (Felix's text, no
 * {@code --no-format}, help or completion). The command ACL shipped with the feature applies to them
 * as to the actions.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KarafGogoCommandsIT {


    @Inject
    private BootFinished bootFinished;

    @Inject
    private BundleContext context;

    @Inject
    private SessionFactory sessions;

    private KarafShell admin;
    private KarafShell manager;
    private KarafShell viewer;

    @Configuration
    public Option[] configuration() {
        return KarafOptions.loopkit("loopkit", editConfigurationFilePut("etc/config.properties", "loopkit.shell.gogo", "true"));
    }

    @Before
    public void loginAndWaitForTheAcl() throws Exception {
        admin = KarafShell.login(sessions, "admin", "admin");
        manager = KarafShell.login(sessions, "manager", "manager");
        viewer = KarafShell.login(sessions, "viewer", "viewer");
        EpollPolicy.awaitRegistered();
        Await.until("loop:reset-policy hidden from viewers by the command ACL", () -> viewer.refusedAsUnknown("loop:reset-policy"));
    }

    @After
    public void backToTheRankedPolicy() throws Exception {
        admin.run("loop:reset-policy");
    }

    @Test
    public void theShellBundleRegistersItsGogoCommands() throws Exception {
        Set<String> functions = new TreeSet<>();
        for (ServiceReference<?> command : context.getServiceReferences((String) null, "(osgi.command.scope=loop)")) {
            if (command.getBundle().getSymbolicName().equals("dev.loopkit.shell")) {
                functions.addAll(Set.of((String[]) command.getProperty("osgi.command.function")));
            }
        }
        assertEquals(new TreeSet<>(Set.of("policies", "policy", "reset-policy", "watchers", "watcher", "children",
                "reset-watcher", "loops", "run")), functions);
    }

    /**
     * Only the Gogo commands: with the Karaf actions registered too, which of the two answered depended
     * on which Karaf registered last (Gogo's command processor keeps the last one of a name), and a
     * loaded CI machine got the action's table once.
     */
    @Test
    public void theKarafActionsStepAsideForThem() throws Exception {
        List<String> policies = sessions.getRegistry().getCommands().stream()
                .filter(command -> command.getScope().equals("loop") && command.getName().equals("policies"))
                .map(command -> command.getClass().getName()).toList();
        assertEquals("one loop:policies, Gogo's: " + policies, 1, policies.size());
    }

    @Test
    public void karafsShellRunsThemWithFelixsText() throws Exception {
        KarafShell.Result policies = viewer.run("loop:policies");
        // returned, not printed as the Karaf actions print their tables, and in Felix's columns
        assertEquals("", policies.printed());
        String text = (String) policies.value();
        assertTrue(text, text.lines().findFirst().orElseThrow().matches(" +NAME +RANKING +BUNDLE +CLASS"));
        assertTrue(text, text.lines().anyMatch(line -> line.matches((EpollPolicy.works() ? " " : "\\*")
                + " +default +100 +dev\\.loopkit\\.policy +.*DefaultEventLoopPolicy")));
        if (EpollPolicy.works()) {
            assertTrue(text, text.lines().anyMatch(line -> line.matches("\\* +epoll +150 +dev\\.loopkit\\.loop\\.epoll +.*EpollEventLoopPolicy")));
        }
        assertTrue(text, text.endsWith(EpollPolicy.rankedStatus()));
    }

    @Test
    public void theCommandAclAppliesToThemAsToTheActions() throws Exception {
        for (KarafShell user : new KarafShell[] {viewer, manager}) {
            assertEquals(EpollPolicy.rankedStatus(), user.text("loop:policy"));
            SecurityException refused = assertThrows(SecurityException.class, () -> user.run("loop:policy proactor"));
            assertEquals("Insufficient credentials.", refused.getMessage());
            refused = assertThrows(SecurityException.class, () -> user.run("loop:watcher threaded"));
            assertEquals("Insufficient credentials.", refused.getMessage());
            assertTrue("loop:run is not even shown", user.refusedAsUnknown("loop:run /bin/echo hi"));
            assertTrue("nor loop:reset-policy", user.refusedAsUnknown("loop:reset-policy"));
        }
        assertEquals(EpollPolicy.ranked(), ProcessWide.get().policies().choice().name());

        assertEquals("process-wide: proactor (configured: configuration dev.loopkit.policy)", admin.text("loop:policy proactor").strip());
        assertEquals("proactor", ProcessWide.get().policies().choice().name());
        KarafShell.Result run = admin.run("loop:run /bin/sh -c 'echo from-the-child; exit 3'");
        assertTrue(run.printed(), run.printed().contains("from-the-child"));
        assertTrue(run.text(), run.value().toString().matches("pid \\d+: returncode 3 after [0-9.]+ ms \\(watcher \\w+, ProactorEventLoop\\)"));
    }
}
