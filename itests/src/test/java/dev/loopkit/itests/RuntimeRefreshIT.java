package dev.loopkit.itests;

import static org.junit.Assert.assertEquals;
import static org.ops4j.pax.exam.CoreOptions.streamBundle;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.itests.bundles.TestBundles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * The runtime bundle replaced while a child waits in its orphanage (every watcher bundle stopped):
 * updated and refreshed, or uninstalled and installed again (with a new bundle id and data area), as
 * Karaf's feature uninstall and install do, the runtime stopped first or last. The refresh dropped the
 * old runtime, orphanage included, and the child stayed a zombie that the watchers started afterwards
 * never heard of (an outside review found it); an uninstall deleted the record that carried it over
 * (KarafLifecycleIT). This probe uses no class of the runtime bundle, so the refresh does not take it
 * along.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class RuntimeRefreshIT {

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] configuration() {
        return LoopkitOptions.distribution(streamBundle(TestBundles.testingSupport()));
    }

    /** What replaces the runtime bundle while no watcher is installed. */
    private interface Replacement {
        Bundle replace(Bundle runtime) throws Exception;
    }

    @Test
    public void aChildRunningWhileTheRuntimeIsRefreshedIsStillReaped() throws Exception {
        aChildIsReapedAfterTheRuntimeIs(runtime -> {
            runtime.update();
            return runtime;
        }, false);
    }

    @Test
    public void aChildRunningWhileTheRuntimeIsUninstalledAndInstalledAgainIsStillReaped() throws Exception {
        aChildIsReapedAfterTheRuntimeIs(this::installedAgain, false);
    }

    @Test
    public void theRuntimeStoppedBeforeTheWatchersThenUninstalledAndInstalledAgainStillReapsTheChild() throws Exception {
        aChildIsReapedAfterTheRuntimeIs(this::installedAgain, true);
    }

    private Bundle installedAgain(Bundle runtime) throws Exception {
        String location = runtime.getLocation();
        runtime.uninstall();
        Bundle again = context.installBundle(location);
        again.start();
        return again;
    }

    private void aChildIsReapedAfterTheRuntimeIs(Replacement replacement, boolean runtimeStopsFirst) throws Exception {
        awaitAnActiveWatcher();
        EventLoop loop = Asyncio.getEventLoopPolicy().newEventLoop();
        Thread runs = new Thread(() -> {
            try {
                loop.runForever();
            } catch (RuntimeException closedUnderIt) {
                // the refresh closes it
            }
        }, "refresh-probe");
        runs.start();
        CompletableFuture<Long> spawned = new CompletableFuture<>();
        loop.callSoonThreadsafe(() -> loop.subprocessExec(() -> new dev.loopkit.api.SubprocessProtocol() { },
                List.of("/bin/sh", "-c", "sleep 1.5; exit 7"), SubprocessOptions.defaults().withStdin(Redirect.DEVNULL)
                        .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL))
                .whenComplete((transport, error) -> {
                    if (error != null) {
                        spawned.completeExceptionally(error);
                    } else {
                        spawned.complete(transport.getPid());
                    }
                }));
        long pid = spawned.get(10, TimeUnit.SECONDS);
        List<Bundle> watchers = Bundles.WATCHERS.stream().map(name -> Bundles.named(context, name)).toList();
        try {
            Bundle runtime = Bundles.named(context, "dev.loopkit.runtime");
            if (runtimeStopsFirst) {
                runtime.stop(); // an order Karaf's feature uninstall may take: the watchers keep their children
            }
            for (Bundle watcher : watchers) {
                watcher.stop(); // the last one leaves the child in the orphanage: no watcher is installed
            }
            Bundle replaced = replacement.replace(runtime);
            CompletableFuture<Void> refreshed = new CompletableFuture<>();
            context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(runtime, replaced),
                    e -> refreshed.complete(null));
            refreshed.get(60, TimeUnit.SECONDS);
            if (replaced.getState() != Bundle.ACTIVE) {
                replaced.start();
            }
            for (Bundle watcher : watchers) {
                watcher.start();
            }
            awaitAnActiveWatcher();
            Await.until("child " + pid + " reaped (Z: a zombie nobody reaps)", () -> state(pid), "gone");
        } finally {
            loop.stop();
            runs.join(10_000);
            loop.close();
        }
        assertEquals("gone", state(pid));
    }

    private void awaitAnActiveWatcher() {
        Await.until("an active child watcher", () -> {
            try {
                return !context.getServiceReferences(ChildWatcher.class, null).isEmpty()
                        && Asyncio.getChildWatcher().isActive();
            } catch (Exception notYet) {
                return false;
            }
        });
    }

    private static String state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        } catch (java.io.IOException gone) {
            return "gone";
        }
    }
}
