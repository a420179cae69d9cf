package dev.loopkit.itests.bundles;

import java.io.InputStream;
import org.ops4j.pax.tinybundles.TinyBundles;

/** Bundles built on the fly for the tests, with bnd (which also writes their DS descriptors). */
public final class TestBundles {

    public static final String HIGHER_POLICY = "dev.loopkit.itests.higher";
    public static final String MINE_WATCHER = "dev.loopkit.itests.mine";
    public static final String TESTING = "dev.loopkit.itests.testing";
    public static final String FAILING = "dev.loopkit.itests.failing";

    private TestBundles() {
    }

    /** A bundle whose only content is {@link HigherRankedPolicy}, a DS component ranked 1000. */
    public static InputStream higherRankedPolicy() {
        return TinyBundles.bundle()
                .symbolicName(HIGHER_POLICY)
                .addClass(HigherRankedPolicy.class)
                .setHeader("-dsannotations", "*")
                .build(TinyBundles.bndBuilder());
    }

    /** A bundle whose only content is {@link MineChildWatcher}, a child watcher ranked 1000. */
    public static InputStream mineChildWatcher() {
        return TinyBundles.bundle()
                .symbolicName(MINE_WATCHER)
                .addClass(MineChildWatcher.class)
                .setHeader("-dsannotations", "*")
                .build(TinyBundles.bndBuilder());
    }

    /** A bundle whose activator throws ({@link FailingActivator}). */
    public static InputStream failingToStart() {
        return TinyBundles.bundle()
                .symbolicName(FAILING)
                .addClass(FailingActivator.class)
                .setHeader("Bundle-Activator", FailingActivator.class.getName())
                .build(TinyBundles.bndBuilder());
    }

    /**
     * The loop test suite's helpers ({@code Leaks}, {@code LogCapture}) as a bundle, so that tests
     * running inside the framework can count descriptors and threads and watch the logs.
     */
    public static InputStream testingSupport() {
        return TinyBundles.bundle()
                .symbolicName(TESTING)
                .addClass(dev.loopkit.loop.testing.Leaks.class)
                .addClass(dev.loopkit.loop.testing.LogCapture.class)
                .setHeader("Export-Package", "dev.loopkit.loop.testing")
                .build(TinyBundles.bndBuilder());
    }
}
