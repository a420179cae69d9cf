package dev.loopkit.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemPackage;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.ops4j.pax.exam.Option;

/** Pax Exam options: Apache Felix with exactly the bundles the distribution ships. */
public final class LoopkitOptions {

    private LoopkitOptions() {
    }

    public static Option[] distribution(Option... extra) {
        List<Option> options = new ArrayList<>();
        // as conf/config.properties does; an option, not a framework property, which would replace
        // the packages Pax Exam itself exports from the system bundle
        options.add(systemPackage("sun.misc"));
        for (File jar : Distribution.bundles()) {
            options.add(bundle(jar.toURI().toString()));
        }
        options.add(junitBundles());
        options.add(cleanCaches());
        options.addAll(List.of(extra));
        return options.toArray(Option[]::new);
    }
}
