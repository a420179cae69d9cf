package dev.loopkit.karaf.itests;

import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The loopkit feature uninstalled and installed again in the same Karaf while a {@code loop:run} child
 * runs, and the commands bundle stopped and updated while {@code loop:run} runs: the child is killed
 * with its loop, and reaped once a watcher is back; no thread, service or bundle is left behind. Before, the uninstall left the child running,
 * then a zombie that the feature installed again never reaped: the run threw without killing it, and
 * the runtime's record of the children waiting for a watcher was in its data area, which the uninstall
 * deleted. The probe never loads a Loopkit class (it would be wired to, and refreshed with, the
 * feature's bundles): everything goes through Karaf's shell and /proc.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KarafLifecycleIT {

    @Inject
    private BootFinished bootFinished;
    @Inject
    private BundleContext context;
    @Inject
    private FeaturesService features;
    @Inject
    private SessionFactory sessions;

    @Configuration
    public Option[] configuration() {
        return KarafOptions.loopkit("loopkit");
    }

    @Test
    public void uninstallAndInstallAgainWhileALoopRunChildRuns() throws Exception {
        KarafShell admin = KarafShell.login(sessions, "admin", "admin");
        Await.until("loop: commands", () -> succeeds(admin, "loop:policies"));
        List<String> findings = new ArrayList<>();
        Map<String, Integer> kindsBefore = null;
        for (int cycle = 1; cycle <= 2; cycle++) {
            CompletableFuture<String> run = runInBackground(admin, "loop:run /bin/sh -c \"sleep 4; exit 3\"");
            Await.until("the child runs", () -> !children("sleep 4").isEmpty());
            long pid = children("sleep 4").get(0);
            long t0 = System.nanoTime();
            features.uninstallFeature("loopkit", EnumSet.noneOf(FeaturesService.Option.class));
            note("cycle " + cycle + ": uninstall took " + ms(t0) + " ms");
            String said;
            try {
                said = run.get(40, TimeUnit.SECONDS);
            } catch (Exception e) {
                said = "threw " + e;
            }
            note("cycle " + cycle + ": loop:run said: " + said);
            String whenRunEnded = stateOf(pid);
            note("cycle " + cycle + ": child " + pid + " state when loop:run ended: " + whenRunEnded);
            if ("S".equals(whenRunEnded) || "R".equals(whenRunEnded)) {
                findings.add("cycle " + cycle + ": loop:run ended (" + said + ") with its child " + pid
                        + " still running (state " + whenRunEnded + "), not killed");
            }
            // killed with its loop: dead within a moment (a zombie while no watcher is installed)
            Await.within(10, () -> stateOf(pid) == null || "Z".equals(stateOf(pid)));
            String state = stateOf(pid);
            note("cycle " + cycle + ": child " + pid + " state after uninstall: " + state);
            // with no watcher installed it waits unreaped, as in the orphanage: the next watcher reaps it
            if (state != null && !state.equals("Z")) {
                findings.add("cycle " + cycle + ": child " + pid + " of loop:run is '" + state + "' 10 s after it was killed (feature uninstalled)");
            }
            List<String> threads = loopkitThreads();
            if (!threads.isEmpty()) {
                findings.add("cycle " + cycle + ": Loopkit threads after uninstall: " + threads);
            }
            List<String> services = loopkitServices();
            if (!services.isEmpty()) {
                findings.add("cycle " + cycle + ": Loopkit services after uninstall: " + services);
            }
            List<String> bundles = Arrays.stream(context.getBundles()).map(Bundle::getSymbolicName)
                    .filter(name -> name != null && name.startsWith("dev.loopkit")).toList();
            if (!bundles.isEmpty()) {
                findings.add("cycle " + cycle + ": bundles left: " + bundles);
            }
            Map<String, Integer> kinds = fdKinds();
            note("cycle " + cycle + ": fd kinds after uninstall: " + kinds);
            if (kindsBefore != null && !kinds.equals(kindsBefore)) {
                findings.add("fd kinds after uninstall differ between cycles: " + kindsBefore + " then " + kinds);
            }
            kindsBefore = kinds;
            t0 = System.nanoTime();
            features.installFeature("loopkit", EnumSet.noneOf(FeaturesService.Option.class));
            Await.until("loop: commands again", () -> succeeds(admin, "loop:policies"));
            note("cycle " + cycle + ": install took " + ms(t0) + " ms");
            Await.within(10, () -> stateOf(pid) == null); // the next watcher reaps it
            state = stateOf(pid);
            note("cycle " + cycle + ": child " + pid + " state after install again: " + state);
            if (state != null) {
                findings.add("cycle " + cycle + ": child " + pid + " still '" + state + "' after the feature was installed again");
            }
            String again = admin.text("loop:run /bin/sh -c \"exit 5\"");
            if (!again.contains("returncode 5")) {
                findings.add("cycle " + cycle + ": loop:run after reinstall said " + again);
            }
            note("cycle " + cycle + ": children: " + admin.text("loop:children"));
        }
        assertTrue(String.join("\n", findings) + "\n-- steps:\n" + String.join("\n", notes), findings.isEmpty());
    }

    @Test
    public void theCommandsBundleStoppedWhileLoopRunRuns() throws Exception {
        KarafShell admin = KarafShell.login(sessions, "admin", "admin");
        Await.until("loop: commands", () -> succeeds(admin, "loop:policies"));
        Bundle commands = Arrays.stream(context.getBundles()).filter(b -> "dev.loopkit.karaf".equals(b.getSymbolicName()))
                .findFirst().orElseThrow();
        List<String> findings = new ArrayList<>();
        CompletableFuture<String> run = runInBackground(admin, "loop:run /bin/sh -c \"sleep 3; echo done; exit 4\"");
        Await.until("the child runs", () -> !children("sleep 3").isEmpty());
        long pid = children("sleep 3").get(0);
        commands.stop();
        String said;
        try {
            said = run.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            said = "threw " + e;
        }
        note("stop commands: loop:run said: " + said);
        if (!said.contains("returncode 4")) {
            findings.add("loop:run said " + said);
        }
        long stopped = pid;
        Await.within(10, () -> stateOf(stopped) == null); // reaped once the run ended
        String state = stateOf(pid);
        if (state != null) {
            findings.add("child " + pid + " is '" + state + "'");
        }
        commands.start();
        Await.until("loop: commands again", () -> succeeds(admin, "loop:policies"));
        String again = admin.text("loop:run /bin/sh -c \"exit 5\"");
        if (!again.contains("returncode 5")) {
            findings.add("loop:run after restart said " + again);
        }
        // update of the commands bundle while a run runs
        run = runInBackground(admin, "loop:run /bin/sh -c \"sleep 3; exit 6\"");
        Await.until("the child runs", () -> !children("sleep 3").isEmpty());
        pid = children("sleep 3").get(0);
        commands.update();
        try {
            said = run.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            said = "threw " + e;
        }
        note("update commands: loop:run said: " + said);
        if (!said.contains("returncode 6")) {
            findings.add("after update: loop:run said " + said);
        }
        long updated = pid;
        Await.within(10, () -> stateOf(updated) == null);
        state = stateOf(pid);
        if (state != null) {
            findings.add("after update: child " + pid + " is '" + state + "'");
        }
        Await.until("loop: commands after update", () -> succeeds(admin, "loop:policies"));
        assertTrue(String.join("\n", findings) + "\n-- steps:\n" + String.join("\n", notes), findings.isEmpty());
    }

    // ---- helpers ----

    /** What each step saw, for the failure message. */
    private final List<String> notes = new ArrayList<>();

    private void note(String line) {
        notes.add(line);
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static CompletableFuture<String> runInBackground(KarafShell shell, String command) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(shell.text(command));
            } catch (Throwable e) {
                result.complete("threw " + e);
            }
        }, "loop-run-in-background");
        thread.start();
        return result;
    }

    private static boolean succeeds(KarafShell shell, String command) {
        try {
            shell.run(command);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** Pids of this JVM's children whose command line contains {@code text}. */
    private static List<Long> children(String text) {
        long self = ProcessHandle.current().pid();
        List<Long> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : (Iterable<Path>) procs::iterator) {
                String name = proc.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(proc.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (Long.parseLong(fields[1]) == self
                            && new String(Files.readAllBytes(proc.resolve("cmdline"))).replace('\0', ' ').contains(text)) {
                        found.add(Long.parseLong(name));
                    }
                } catch (IOException | RuntimeException gone) {
                    // exited meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }

    /** The /proc state of pid when it is still this JVM's child (Z for a zombie), else null. */
    private static String stateOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[1]) == ProcessHandle.current().pid() ? fields[0] : null;
        } catch (IOException gone) {
            return null;
        }
    }

    /** Loopkit's live threads, once none is left or after 5 s: a closing thread may take a moment. */
    private static List<String> loopkitThreads() {
        Await.within(5, () -> liveLoopkitThreads().isEmpty());
        return liveLoopkitThreads();
    }

    private static List<String> liveLoopkitThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("loopkit")).sorted().toList();
    }

    private List<String> loopkitServices() throws Exception {
        ServiceReference<?>[] found = context.getAllServiceReferences(null, "(objectClass=dev.loopkit.*)");
        List<String> names = new ArrayList<>();
        if (found != null) {
            for (ServiceReference<?> reference : found) {
                names.add(Arrays.toString((String[]) reference.getProperty("objectClass")) + " of "
                        + (reference.getBundle() == null ? "(unregistered)" : reference.getBundle().getSymbolicName()));
            }
        }
        return names;
    }

    /**
     * Open descriptors of the kinds a loop, a watcher or a child's pipes make (anon_inode:[pidfd],
     * [eventfd], [eventpoll], pipe), by kind. Sockets and files are left out: Karaf's shell sessions and
     * Pax Exam's remote connections come and go on their own (one socket less in a second cycle).
     */
    private static Map<String, Integer> fdKinds() throws IOException {
        Map<String, Integer> kinds = new TreeMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                try {
                    String target = Files.readSymbolicLink(entry).toString();
                    if (target.endsWith(".jar") || target.startsWith("/proc/")) {
                        continue;
                    }
                    String kind = target.replaceAll(":\\[\\d+\\]$", "");
                    if (kind.startsWith("anon_inode:") || kind.equals("pipe")) {
                        kinds.merge(kind, 1, Integer::sum);
                    }
                } catch (IOException closed) {
                    // closed meanwhile
                }
            }
        }
        return kinds;
    }
}
