package dev.loopkit.itests.bundles;

import java.io.InputStream;
import org.ops4j.pax.tinybundles.TinyBundles;

/** Bundles built on the fly for the tests, with bnd (which also writes their DS descriptors). */
public final class TestBundles {

    public static final String HIGHER_POLICY = "dev.loopkit.itests.higher";

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
}
