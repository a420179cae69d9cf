package dev.loopkit.karaf.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.SubprocessProtocol;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.loop.epoll.EpollEventLoop;
import dev.loopkit.runtime.RankedRegistry.Reason;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.SpawnSpec;
import dev.loopkit.posix.WaitStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.shell.api.console.Command;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Session;
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
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The {@code loopkit} feature in a real Apache Karaf 4.4, installed from Loopkit's feature
 * repository at boot (as {@code feature:repo-add} + {@code feature:install loopkit} would), offline:
 * see the pom for what is fetched ahead. The commands run through Karaf's shell as users of its
 * JAAS realm, so the command ACL shipped with the feature applies.
 *
 * <p>Field types are Karaf's and OSGi's only: the probe imports Loopkit's packages dynamically, once
 * the feature is installed ({@link BootFinished}).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KarafFeatureIT {

    private static final String ACL_PID = "org.apache.karaf.command.acl.loop";
    private static final String CONFIG_ACL_PID = "org.apache.karaf.command.acl.config";

    /** Every bundle the loopkit feature installs, but the native fragment. */
    private static final List<String> ACTIVE = List.of(
            "dev.loopkit.api", "dev.loopkit.loop.core", "dev.loopkit.loop.selector", "dev.loopkit.loop.proactor", "dev.loopkit.loop.epoll",
            "dev.loopkit.policy", "dev.loopkit.platform", "dev.loopkit.shell", "dev.loopkit.karaf", "dev.loopkit.posix",
            "dev.loopkit.watcher.base", "dev.loopkit.watcher.pidfd", "dev.loopkit.watcher.threaded",
            "dev.loopkit.watcher.multiloop", "dev.loopkit.watcher.safe", "dev.loopkit.watcher.fast",
            "com.github.jnr.ffi", "com.github.jnr.constants", "com.github.jnr.jffi", "com.github.jnr.x86asm",
            "com.github.jnr.a64asm", "org.objectweb.asm");
    private static final String NATIVE_FRAGMENT = "com.github.jnr.jffi.native";
    /** A column border of Karaf's tables: box drawing where the terminal shows it, else ASCII. */
    private static final String BAR = "[|\u2502]";

    @Inject
    private BootFinished bootFinished;

    @Inject
    private BundleContext context;

    @Inject
    private FeaturesService features;

    @Inject
    private SessionFactory sessions;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    private KarafShell admin;
    private KarafShell viewer;
    private KarafShell manager;

    @Configuration
    public Option[] configuration() {
        return KarafOptions.loopkit("loopkit");
    }

    @Before
    public void loginAndWaitForTheAcl() throws Exception {
        admin = KarafShell.login(sessions, "admin", "admin");
        viewer = KarafShell.login(sessions, "viewer", "viewer");
        manager = KarafShell.login(sessions, "manager", "manager");
        EpollPolicy.awaitRegistered();
        Await.until("the loop: commands registered in Karaf's shell", () -> succeeds(admin, "loop:policies"));
        // The ACL file comes with the feature; Karaf's shell applies it once file install has passed it to
        // ConfigAdmin and the shell has seen the event. Until then a viewer would see loop:reset-policy
        // (harmless here: nothing is configured).
        Await.until("configuration " + ACL_PID + " loaded from etc/", () -> exists(ACL_PID));
        Await.until("loop:reset-policy hidden from viewers by the command ACL", () -> viewer.refusedAsUnknown("loop:reset-policy"));
    }

    @After
    public void backToTheRankedPolicy() throws Exception {
        admin.run("loop:reset-policy");
    }

    @Test
    public void theFeaturesAreInstalledAndEveryLoopkitBundleIsActive() throws Exception {
        for (String name : List.of("loopkit", "loopkit-core", "loopkit-posix", "loopkit-watchers")) {
            assertTrue(name + " installed", features.isInstalled(features.getFeature(name)));
        }
        List<String> core = features.getFeature("loopkit-core").getBundles().stream().map(b -> b.getLocation()).toList();
        assertTrue("loopkit-core has no native code: " + core, core.stream().noneMatch(l -> l.contains("posix") || l.contains("jnr")));
        Map<String, Integer> states = new TreeMap<>();
        for (Bundle bundle : context.getBundles()) {
            states.put(bundle.getSymbolicName(), bundle.getState());
        }
        for (String name : ACTIVE) {
            assertEquals(name + " in " + states, Integer.valueOf(Bundle.ACTIVE), states.get(name));
        }
        states.forEach((name, state) -> {
            if (name.startsWith("dev.loopkit.")) {
                assertEquals(name + " is ACTIVE", Bundle.ACTIVE, (int) state);
            }
        });
        assertEquals("the jffi native fragment is attached", Integer.valueOf(Bundle.RESOLVED), states.get(NATIVE_FRAGMENT));
    }

    @Test
    public void loopPolicySwitchesThePolicyThroughKarafsShellAndNewLoopsFollow() throws Exception {
        assertEquals(EpollPolicy.rankedStatus(), admin.text("loop:policy"));
        assertLoopRunsACallback(EpollPolicy.loopClassName());

        assertEquals("process-wide: proactor (configured: configuration dev.loopkit.policy)", admin.text("loop:policy proactor"));
        assertEquals("process-wide: proactor (configured: configuration dev.loopkit.policy)", admin.text("loop:policy"));
        assertLoopRunsACallback("dev.loopkit.loop.proactor.ProactorEventLoop");
        String policies = admin.text("loop:policies");
        assertTrue(policies, policies.lines().anyMatch(line -> line.matches("\\* +" + BAR + " proactor +" + BAR + " 10 .*")));

        assertEquals(EpollPolicy.rankedStatus(), admin.text("loop:reset-policy"));
        assertLoopRunsACallback(EpollPolicy.loopClassName());
    }

    @Test
    public void theShellSavesTheChoiceInEtcAndEditsOfTheFileApply() throws Exception {
        Path cfg = etc().resolve("dev.loopkit.policy.cfg");
        // Read once FileInstall is not rewriting it: an earlier case's reset has it save the file, and a
        // read in that moment found it empty (a CI run)
        Await.until("the shipped file in " + cfg, () -> read(cfg).startsWith(
                "#\n# Loopkit: the operator's choices (configuration PID dev.loopkit.policy).") && read(cfg).contains("\n#policy = selector\n"));
        String shipped = read(cfg);
        assertTrue(shipped, shipped.startsWith("#\n# Loopkit: the operator's choices (configuration PID dev.loopkit.policy)."));
        assertTrue(shipped, shipped.contains("\n#policy = selector\n"));

        // FileInstall writes a configuration back in place (it truncates the file, then writes it) while its
        // scanner may read the same file: a scan in that moment applies the empty file, and the choice is
        // removed from the configuration before it reaches the file (a CI run: not written within 30 s).
        // A user whose choice did not stay chooses again; so does the test, but only when the configuration
        // itself lost the choice: one it holds and the file does not say fails here.
        boolean written = false;
        for (int attempt = 0; attempt < 2 && !written; attempt++) {
            admin.run("loop:policy proactor");
            written = Await.within(30, () -> read(cfg).lines().anyMatch(l -> l.matches("policy *= *proactor")));
            if (!written && "proactor".equals(property("dev.loopkit.policy", "policy"))) {
                break;
            }
        }
        assertTrue("policy = proactor written to " + cfg + ": process-wide " + ProcessWide.get().policies().choice()
                + ", configuration " + property("dev.loopkit.policy", "policy") + ", file:\n" + read(cfg), written);

        admin.run("loop:reset-policy");
        Await.until("policy removed from " + cfg + ", the shipped comments kept", () -> read(cfg).equals(shipped));

        Files.writeString(cfg, read(cfg) + "policy = selector\n", StandardCharsets.UTF_8);
        Await.until("the edited file applied", () -> "selector".equals(ProcessWide.get().policies().choice().name())
                && ProcessWide.get().policies().choice().reason() == Reason.CONFIGURED);
        assertEquals("process-wide: selector (configured: configuration dev.loopkit.policy)", viewer.text("loop:policy"));

        // FileInstall may still be saving the configuration it just applied back into the file (its
        // config save, on ConfigAdmin's event): a write made in that moment is overwritten, and the
        // edit is lost (seen twice under load: 'still not the restored file applied after 30 s').
        // A user whose edit did not take saves again; so does the test.
        boolean restored = false;
        for (int attempt = 0; attempt < 3 && !restored; attempt++) {
            Files.writeString(cfg, shipped, StandardCharsets.UTF_8);
            restored = Await.within(15, () -> ProcessWide.get().policies().choice().reason() == Reason.RANKED);
        }
        assertTrue("the restored file applied: " + ProcessWide.get().policies().choice() + ", configured "
                + ProcessWide.get().policies().configured() + ", configuration " + property("dev.loopkit.policy", "policy")
                + ", file:\n" + read(cfg), restored);
    }

    @Test
    public void aViewerListsAndShowsButMayNotSwitch() throws Exception {
        String policies = viewer.text("loop:policies");
        assertTrue(policies, policies.contains(EpollPolicy.rankedStatus()));
        assertEquals(EpollPolicy.rankedStatus(), viewer.text("loop:policy"));
        assertTrue(viewer.run("loop:policy --help").printed().contains("the policy's name, as listed by loop:policies"));

        SecurityException refused = assertThrows(SecurityException.class, () -> viewer.run("loop:policy proactor"));
        assertEquals("Insufficient credentials.", refused.getMessage());
        assertTrue("loop:reset-policy is not even shown to a viewer", viewer.refusedAsUnknown("loop:reset-policy"));
        assertEquals(EpollPolicy.ranked(), ProcessWide.get().policies().choice().name());

        String acl = read(etc().resolve("org.apache.karaf.command.acl.loop.cfg"));
        assertTrue(acl, acl.contains("\nrun = admin\n"));
    }

    /** The command ACL shipped with the feature: managers look as viewers do; switching and running programs is for admins. */
    @Test
    public void aManagerListsAndShowsButMayNeitherSwitchNorRunPrograms() throws Exception {
        String policies = manager.text("loop:policies");
        assertTrue(policies, policies.contains(EpollPolicy.rankedStatus()));
        assertEquals(EpollPolicy.rankedStatus(), manager.text("loop:policy"));
        assertTrue(manager.text("loop:watchers"), manager.text("loop:watchers").contains("process-wide: " + bestWatcher()));
        for (String command : List.of("loop:policy proactor", "loop:watcher threaded")) {
            SecurityException refused = assertThrows(SecurityException.class, () -> manager.run(command));
            assertEquals(command, "Insufficient credentials.", refused.getMessage());
        }
        for (String command : List.of("loop:run /bin/echo hi", "loop:reset-policy", "loop:reset-watcher")) {
            assertTrue(command + " is not even shown to a manager", manager.refusedAsUnknown(command));
        }
        assertEquals(EpollPolicy.ranked(), ProcessWide.get().policies().choice().name());
        assertEquals(Reason.RANKED, ProcessWide.get().policies().choice().reason());
        // what the manager may not, the admin may (switching: loopPolicySwitchesThePolicyThroughKarafsShellAndNewLoopsFollow)
        assertTrue(admin.run("loop:run /bin/echo from-an-admin").printed().contains("from-an-admin"));
    }

    /**
     * The configuration's MetaType reaches Karaf's config:meta. Karaf's table has no column for an
     * attribute's options (key, name, type, default, description), so the names to choose from show
     * in the descriptions there; the Web Console lists them as choices.
     */
    @Test
    public void configMetaDescribesThePolicyConfiguration() throws Exception {
        List<String> rows = admin.text("config:meta dev.loopkit.policy").lines().toList();
        for (String expected : List.of("policy +\\| Policy +\\| String .*\\(epoll, default, selector, proactor, or .*",
                "watcher +\\| Watcher +\\| String .*\\(pidfd, threaded, multiloop, safe, fast, or .*",
                "blockedLoopWarning +\\| Blocked loop warning +\\| double +\\| 2\\.0 .*")) {
            assertTrue(expected + " in\n" + String.join("\n", rows), rows.stream().anyMatch(row -> row.matches(expected)));
        }
    }

    /** Karaf's convention: the listings draw a table, and print the rows alone for scripts with --no-format. */
    @Test
    public void theListingsHonourNoFormat() throws Exception {
        List<String> drawn = viewer.run("loop:policies").printed().lines().toList();
        assertTrue(String.join("\n", drawn), drawn.get(0).matches(" *" + BAR + " NAME +" + BAR + " RANKING " + BAR + " BUNDLE +" + BAR + " CLASS"));
        assertEquals(EpollPolicy.rankedStatus(), drawn.get(drawn.size() - 1));

        List<List<String>> rows = viewer.run("loop:policies --no-format").printed().lines()
                .map(line -> Arrays.stream(line.split("\t", -1)).map(String::strip).toList()).toList();
        List<List<String>> expected = new ArrayList<>(List.of(
                List.of("", "default", "100", "dev.loopkit.policy", "dev.loopkit.policy.DefaultEventLoopPolicy"),
                List.of("", "selector", "50", "dev.loopkit.policy", "dev.loopkit.policy.SelectorEventLoopPolicy"),
                List.of("", "proactor", "10", "dev.loopkit.policy", "dev.loopkit.policy.ProactorEventLoopPolicy")));
        if (EpollPolicy.works()) {
            expected.add(0, List.of("*", "epoll", "150", "dev.loopkit.loop.epoll", "dev.loopkit.loop.epoll.EpollEventLoopPolicy"));
        } else {
            expected.set(0, List.of("*", "default", "100", "dev.loopkit.policy", "dev.loopkit.policy.DefaultEventLoopPolicy"));
            expected.add(List.of("", "epoll", "-", "-", "unavailable: " + EpollEventLoop.unavailableReason()));
        }
        assertEquals(rows.toString(), expected, rows);

        List<String> watchers = viewer.run("loop:watchers --no-format").printed().lines().toList();
        assertTrue(String.join("\n", watchers), watchers.get(0).matches("\\*\\t" + bestWatcher() + " *\\t\\d+ *\\tactive *\\t0 *\\tdev\\.loopkit\\.watcher\\." + bestWatcher() + " *"));
        for (String listing : List.of("loop:watchers", "loop:loops", "loop:children")) {
            String printed = viewer.run(listing + " --no-format").printed();
            assertTrue(listing + ": rows only, tab-separated\n" + printed,
                    printed.lines().allMatch(line -> line.contains("\t") && !line.matches(".*" + BAR + ".*")));
        }
    }

    @Test
    public void aManagerMayEditConfigurationsButNotLoopkitsChoices() throws Exception {
        Await.until("Loopkit's entries in Karaf's config ACL", () -> property(CONFIG_ACL_PID, "edit[/.*dev[.]loopkit[.]policy.*/]") != null);
        assertEquals("Karaf's own entries kept", "manager", property(CONFIG_ACL_PID, "edit"));
        Path saved = Path.of(System.getProperty("karaf.etc"), CONFIG_ACL_PID + ".cfg");
        List<String> expected = List.of(
                "edit[/.*dev[.]loopkit[.]policy.*/] = admin", "property-append[/.*dev[.]loopkit[.]policy.*/] = admin",
                "property-delete[/.*dev[.]loopkit[.]policy.*/] = admin", "property-set[/.*dev[.]loopkit[.]policy.*/] = admin");
        Await.until("Loopkit's lines saved whole in the etc/ file, beside Karaf's", () -> {
            List<String> lines = readLines(saved);
            return lines.contains("edit = manager")
                    && expected.equals(lines.stream().filter(line -> line.contains("loopkit")).sorted().toList());
        });
        SecurityException refused = assertThrows(SecurityException.class, () -> manager.run("config:edit dev.loopkit.policy"));
        assertEquals("Insufficient credentials.", refused.getMessage());
        refused = assertThrows(SecurityException.class,
                () -> manager.run("config:property-set -p dev.loopkit.policy policy proactor"));
        assertEquals("Insufficient credentials.", refused.getMessage());
        manager.run("config:edit org.example.other"); // any other configuration, as Karaf allows
        manager.run("config:cancel");
        assertEquals(EpollPolicy.ranked(), ProcessWide.get().policies().choice().name());
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file).stream().map(String::strip).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    @Test
    public void loopPolicyHasHelpAndCompletesPolicyNames() throws Exception {
        String help = admin.run("loop:policy --help").printed();
        assertTrue(help, help.contains("make that policy process-wide"));
        assertTrue(help, help.contains("the policy's name, as listed by loop:policies"));

        assertEquals(List.of("proactor"), completions("policy", "pro"));
    }

    /**
     * Without its access list Karaf let everyone run every loop: command: a viewer ran loop:run during a
     * first feature:install (the commands registered before File Install read the file the feature
     * copies), and for good once the configuration was deleted (an outside review). Nobody may then.
     */
    @Test
    public void withoutTheirAccessListNobodyRunsTheCommands() throws Exception {
        org.osgi.service.cm.Configuration acl = configurationAdmin.getConfiguration(ACL_PID, null);
        java.util.Dictionary<String, Object> kept = acl.getProperties();
        acl.delete();
        try {
            Await.until("configuration " + ACL_PID + " gone", () -> !exists(ACL_PID));
            // Karaf's shell hears of the deletion as an event: then it shows viewers every loop: command
            Await.until("loop:reset-policy shown to viewers", () -> !viewer.refusedAsUnknown("loop:reset-policy"));
            for (KarafShell user : List.of(viewer, admin)) {
                IllegalStateException refused = assertThrows(IllegalStateException.class, () -> user.run("loop:run /bin/echo ran"));
                assertTrue(refused.getMessage(), refused.getMessage().matches(
                        "The loop: commands' access list, configuration " + ACL_PID + ", is missing: nobody may run them until it"
                        + " is back \\(config:install mvn:dev.loopkit/karaf-features/\\d+[.]\\d+[.]\\d+(-SNAPSHOT)?/cfg/acl-loop "
                        + ACL_PID + ".cfg\\)"));
                assertThrows(IllegalStateException.class, () -> user.run("loop:policies"));
            }
        } finally {
            kept.remove(org.osgi.framework.Constants.SERVICE_PID);
            configurationAdmin.getConfiguration(ACL_PID, null).update(kept);
        }
        Await.until("loop:reset-policy hidden from viewers by the command ACL again", () -> viewer.refusedAsUnknown("loop:reset-policy"));
        assertTrue(admin.text("loop:policy"), admin.text("loop:policy").startsWith("process-wide: "));
    }

    @Test
    public void loopRunIsForAdminsAndPrintsTheProgramsOutputAndHowItEnded() throws Exception {
        KarafShell.Result run = admin.run("loop:run /bin/sh -c 'echo from-the-child; exit 5'");
        assertTrue(run.printed(), run.printed().contains("from-the-child"));
        List<String> lines = run.printed().lines().toList();
        assertTrue(run.printed(), lines.get(lines.size() - 1).matches(
                "pid \\d+: returncode 5 after [0-9.]+ ms \\(watcher " + bestWatcher() + ", " + EpollPolicy.loopClassName().replaceAll(".*\\.", "") + "\\)"));
        assertTrue("loop:run is not even shown to a viewer", viewer.refusedAsUnknown("loop:run /bin/true"));
        assertTrue("nor loop:reset-watcher", viewer.refusedAsUnknown("loop:reset-watcher"));
        SecurityException refused = assertThrows(SecurityException.class, () -> viewer.run("loop:watcher threaded"));
        assertEquals("Insufficient credentials.", refused.getMessage());
    }

    @Test
    public void aViewerSeesTheWatchersLoopsAndChildren() throws Exception {
        String watchers = viewer.text("loop:watchers");
        String best = bestWatcher();
        assertTrue(watchers, watchers.lines().anyMatch(line -> line.matches("\\* +" + BAR + " " + best + " +" + BAR + " \\d+ +" + BAR
                + " active +" + BAR + " 0 +" + BAR + " dev\\.loopkit\\.watcher\\." + best)));
        assertEquals("process-wide: " + best + " (ranked: highest service.ranking)", viewer.text("loop:watcher"));
        String loops = viewer.text("loop:loops");
        assertTrue(loops, loops.lines().anyMatch(line -> line.matches(EpollPolicy.loopFactory() + " +" + BAR + " " + EpollPolicy.loopClassName().replaceAll(".*\\.", "")
                + " #\\d+ +" + BAR + " loopkit-main +" + BAR + " yes .*")));
        assertTrue(viewer.text("loop:children"), viewer.text("loop:children").strip().endsWith("0 children watched"));
    }

    @Test
    public void loopWatcherSwitchesAndCompletesWatcherNames() throws Exception {
        try {
            assertEquals("process-wide: threaded (configured: configuration dev.loopkit.policy)", admin.text("loop:watcher threaded"));
            assertEquals("threaded", ProcessWide.get().childWatchers().choice().name());
            aChildSpawnedThroughTheLoopReportsItsExitCode();
        } finally {
            admin.run("loop:reset-watcher");
        }
        assertEquals(bestWatcher(), ProcessWide.get().childWatchers().choice().name());

        assertEquals(List.of("threaded"), completions("watcher", "thr"));
    }

    /** The native bindings alone, wrapped JNR included, work inside Karaf. */
    @Test
    public void aChildSpawnedInsideKarafReportsItsExitCode() throws Exception {
        assertTrue(Posix.unavailableReason(), Posix.isAvailable());
        Posix posix = Posix.get();
        long pid = posix.spawn(SpawnSpec.of("/bin/sh", "-c", "exit 7"));
        assertEquals(new WaitStatus(pid, 7), posix.waitpid(pid, false));
    }

    /** Through the loop and the feature's default child watcher. */
    @Test
    public void aChildSpawnedThroughTheLoopReportsItsExitCode() throws Exception {
        EventLoop loop = Asyncio.newEventLoop();
        try {
            LoopFuture<Integer> exited = loop.createFuture();
            SubprocessTransport[] transport = new SubprocessTransport[1];
            loop.runUntilComplete(loop.subprocessExec(() -> new SubprocessProtocol() {
                @Override
                public void connectionMade(SubprocessTransport made) {
                    transport[0] = made;
                }

                @Override
                public void processExited() {
                    exited.setResult(transport[0].getReturncode());
                }
            }, List.of("/bin/sh", "-c", "exit 7")));
            assertEquals(Integer.valueOf(7), loop.runUntilComplete(exited));
        } finally {
            loop.close();
        }
    }

    private static void assertLoopRunsACallback(String loopClass) throws Exception {
        EventLoop loop = Asyncio.newEventLoop();
        try {
            assertEquals(loopClass, loop.getClass().getName());
            LoopFuture<String> done = loop.createFuture();
            loop.callSoon(() -> done.setResult("called back on " + Thread.currentThread().getName()));
            String result = loop.runUntilComplete(done);
            assertEquals("called back on " + Thread.currentThread().getName(), result);
            assertEquals(result, done.get(0, TimeUnit.SECONDS));
        } finally {
            loop.close();
        }
    }

    private Object property(String pid, String key) {
        try {
            org.osgi.service.cm.Configuration[] found = configurationAdmin.listConfigurations("(service.pid=" + pid + ")");
            return found == null || found[0].getProperties() == null ? null : found[0].getProperties().get(key);
        } catch (IOException | InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean exists(String pid) {
        try {
            return configurationAdmin.listConfigurations("(service.pid=" + pid + ")") != null;
        } catch (IOException | InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean succeeds(KarafShell shell, String command) {
        try {
            shell.run(command);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** pidfd where the kernel has pidfd_open (its bundle says why not otherwise), else threaded. */
    private static String bestWatcher() {
        return Posix.get().pidfdSupported() ? "pidfd" : "threaded";
    }

    /** What Karaf's shell offers for {@code loop:<command> <typed>} on TAB. */
    private List<String> completions(String command, String typed) {
        Session session = sessions.create(null, System.out, System.err);
        try {
            Command found = session.getRegistry().getCommands().stream()
                    .filter(c -> "loop".equals(c.getScope()) && command.equals(c.getName())).findFirst().orElseThrow();
            List<String> candidates = new ArrayList<>();
            found.getCompleter(true).complete(session, commandLine("loop:" + command, typed), candidates);
            return candidates.stream().map(String::strip).toList();
        } finally {
            session.close();
        }
    }

    private static Path etc() {
        return Path.of(System.getProperty("karaf.etc"));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static CommandLine commandLine(String... arguments) {
        String buffer = String.join(" ", arguments);
        return new CommandLine() {
            @Override
            public int getCursorArgumentIndex() {
                return arguments.length - 1;
            }

            @Override
            public String getCursorArgument() {
                return arguments[arguments.length - 1];
            }

            @Override
            public int getArgumentPosition() {
                return getCursorArgument().length();
            }

            @Override
            public String[] getArguments() {
                return arguments;
            }

            @Override
            public int getBufferPosition() {
                return buffer.length();
            }

            @Override
            public String getBuffer() {
                return buffer;
            }
        };
    }
}
