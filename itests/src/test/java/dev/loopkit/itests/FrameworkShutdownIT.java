package dev.loopkit.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import dev.loopkit.itests.bundles.TestBundles;
import org.apache.felix.framework.FrameworkFactory;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.startlevel.BundleStartLevel;

/**
 * The distribution's bundles in a Felix framework of the test's own, started with the loop bundles
 * on a higher start level than the rest, so that stopping the framework stops them first while the
 * platform bundle's main loop still runs: one order in which a framework may stop its bundles when
 * they share a start level (Felix's auto-deploy gives them one, and the order varies). A policy
 * ranked above the others that outlives the loop bundles ({@link TestBundles#higherRankedPolicy()},
 * a user's policy on the selector loop) makes the main loop find no loop factory every time, where
 * the distribution's own policies, withdrawn with their factories, found none only by chance.
 * Loopkit's log goes to {@code java.util.logging}, read here through a handler.
 */
public class FrameworkShutdownIT {

    private static final List<String> LOOP_BUNDLES = List.of("dev.loopkit.loop.selector", "dev.loopkit.loop.proactor");

    private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    private final List<LogRecord> mainLoopsRun = new CopyOnWriteArrayList<>();
    private final List<LogRecord> noMainLoop = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (String.valueOf(record.getMessage()).startsWith("no main loop")) {
                noMainLoop.add(record);
            }
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(record);
            } else if (String.valueOf(record.getMessage()).startsWith("main loop {0} runs")) {
                mainLoopsRun.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Logger loopkitLog = Logger.getLogger("dev.loopkit");
    private Level loopkitLevel;
    private Framework framework;

    @Before
    public void startTheDistributionsBundlesWithTheLoopsLast() throws Exception {
        Path storage = Files.createTempDirectory("loopkit-shutdown");
        Map<String, String> properties = new HashMap<>();
        properties.put(Constants.FRAMEWORK_STORAGE, storage.resolve("cache").toString());
        properties.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        properties.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, "sun.misc");
        properties.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, "3");
        properties.put("felix.cm.dir", storage.resolve("config").toString());
        framework = new FrameworkFactory().newFramework(properties);
        framework.init();
        List<Bundle> toStart = new ArrayList<>();
        for (File jar : Distribution.bundles()) {
            Bundle bundle = framework.getBundleContext().installBundle(jar.toURI().toString());
            bundle.adapt(BundleStartLevel.class).setStartLevel(LOOP_BUNDLES.contains(bundle.getSymbolicName()) ? 3 : 2);
            if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                toStart.add(bundle);
            }
        }
        Bundle policy = framework.getBundleContext().installBundle(TestBundles.HIGHER_POLICY, TestBundles.higherRankedPolicy());
        policy.adapt(BundleStartLevel.class).setStartLevel(2);
        toStart.add(policy);
        for (Bundle bundle : toStart) {
            bundle.start();
        }
        loopkitLevel = loopkitLog.getLevel();
        loopkitLog.setLevel(Level.ALL); // what the main loop says at FINE too
        loopkitLog.addHandler(capture);
        framework.start();
        // The policy's first try may come before the loop bundles start: the main loop runs once they did.
        // Another policy's main loop may run first (the epoll loop bundle starts earlier), and the higher
        // policy's try then came later, before the selector bundle started, and warned while the test ran.
        Await.until("the loop bundles active and the main loop on the selector loop", () -> loopBundlesActive()
                && !mainLoopsRun.isEmpty() && String.valueOf(mainLoopsRun.get(mainLoopsRun.size() - 1).getParameters()[0])
                        .contains("SelectorEventLoop"));
    }

    private boolean loopBundlesActive() {
        for (Bundle bundle : framework.getBundleContext().getBundles()) {
            if (LOOP_BUNDLES.contains(bundle.getSymbolicName()) && bundle.getState() != Bundle.ACTIVE) {
                return false;
            }
        }
        return true;
    }

    @After
    public void stopTheFramework() throws Exception {
        loopkitLog.removeHandler(capture);
        loopkitLog.setLevel(loopkitLevel);
        if (framework.getState() != Bundle.RESOLVED) {
            framework.stop();
            framework.waitForStop(30_000);
        }
    }

    @Test
    public void stoppingTheFrameworkWarnsOfNothingWhenTheLoopBundlesStopFirst() throws Exception {
        // The framework stops the platform bundle after the loop bundles: hold it there until
        // the main loop has found that it cannot make a loop (what printed the WARNING by chance).
        framework.getBundleContext().addBundleListener((SynchronousBundleListener) event -> {
            if (event.getType() == BundleEvent.STOPPED && LOOP_BUNDLES.contains(event.getBundle().getSymbolicName())) {
                awaitQuietly(() -> !noMainLoop.isEmpty());
            }
        });
        warnings.clear();
        noMainLoop.clear();
        framework.stop();
        FrameworkEvent stopped = framework.waitForStop(30_000);
        assertEquals("the framework stopped", FrameworkEvent.STOPPED, stopped.getType());
        assertEquals("the main loop looked for a loop while the framework stopped", 1, Math.min(1, noMainLoop.size()));
        assertEquals("warnings while the framework stopped: " + describe(warnings), List.of(), describe(warnings));
    }

    private static void awaitQuietly(BooleanSupplier condition) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000);
        }
    }

    @Test
    public void loopBundlesStoppingWhileTheFrameworkRunsStillWarnThatThereIsNoMainLoop() throws BundleException {
        warnings.clear();
        for (Bundle bundle : framework.getBundleContext().getBundles()) {
            if (LOOP_BUNDLES.contains(bundle.getSymbolicName())) {
                bundle.stop();
            }
        }
        Await.until("a warning that the main loop is gone",
                () -> describe(warnings).stream().anyMatch(w -> w.contains("no main loop for now")));
        assertTrue(describe(warnings).toString(), describe(warnings).stream().allMatch(w -> w.contains("no main loop for now")));
    }

    private static List<String> describe(List<LogRecord> records) {
        List<String> lines = new ArrayList<>();
        for (LogRecord record : records) {
            lines.add(record.getLevel() + " " + record.getLoggerName() + ": " + record.getMessage());
        }
        return lines;
    }
}
