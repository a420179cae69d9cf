package dev.loopkit.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;

/**
 * A real Felix framework with no bundles, in a storage directory of its own: its system bundle's
 * context is what a component's tests hand to {@code @Activate}, so that registrations call real
 * service listeners, synchronously, as the framework does.
 */
public final class EmbeddedFramework implements AutoCloseable {

    private final Path storage;
    private final Framework framework;

    private EmbeddedFramework(Path storage, Framework framework) {
        this.storage = storage;
        this.framework = framework;
    }

    /** Starts one; {@link #close()} stops it and deletes its storage. */
    public static EmbeddedFramework start() throws IOException, BundleException {
        Path storage = Files.createTempDirectory("loopkit-framework");
        Framework framework = new FrameworkFactory().newFramework(Map.of(Constants.FRAMEWORK_STORAGE, storage.toString(),
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
        framework.start();
        return new EmbeddedFramework(storage, framework);
    }

    /** The system bundle's context. */
    public BundleContext context() {
        return framework.getBundleContext();
    }

    @Override
    public void close() throws BundleException, InterruptedException {
        framework.stop();
        framework.waitForStop(10_000);
        try (Stream<Path> files = Files.walk(storage)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
