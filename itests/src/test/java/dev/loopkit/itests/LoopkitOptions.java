package dev.loopkit.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemPackage;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
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
            // a fragment (the jffi native jar) attaches to its host and cannot be started
            options.add(bundle(jar.toURI().toString()).start(!isFragment(jar)));
        }
        options.add(junitBundles());
        options.add(cleanCaches());
        options.addAll(List.of(extra));
        return options.toArray(Option[]::new);
    }

    private static boolean isFragment(File jar) {
        try (JarFile file = new JarFile(jar)) {
            Manifest manifest = file.getManifest();
            return manifest != null && manifest.getMainAttributes().getValue("Fragment-Host") != null;
        } catch (IOException e) {
            throw new UncheckedIOException(jar.toString(), e);
        }
    }
}
