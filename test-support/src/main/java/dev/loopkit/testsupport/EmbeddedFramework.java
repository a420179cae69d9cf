package dev.loopkit.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.felix.framework.FrameworkFactory;
import org.junit.rules.ExternalResource;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.launch.Framework;

/**
 * A real Felix framework with no bundles, in a storage directory of its own, started before each
 * test and stopped after it (a JUnit rule): its system bundle's context is what a component's tests
 * hand to {@code @Activate}, so that registrations call real service listeners, synchronously, as
 * the framework does. Stopping it removes the listeners the test added.
 */
public final class EmbeddedFramework extends ExternalResource {

    private Path storage;
    private Framework framework;

    @Override
    protected void before() throws Exception {
        storage = Files.createTempDirectory("loopkit-framework");
        framework = new FrameworkFactory().newFramework(Map.of(Constants.FRAMEWORK_STORAGE, storage.toString(),
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
        framework.start();
    }

    @Override
    protected void after() {
        try {
            framework.stop();
            framework.waitForStop(10_000);
            try (Stream<Path> files = Files.walk(storage)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        } catch (Exception e) {
            throw new IllegalStateException("stopping the embedded framework", e);
        }
    }

    /** The system bundle's context. */
    public BundleContext context() {
        return framework.getBundleContext();
    }

    /** Runs {@code action} on the registering thread whenever a service of {@code type} has an event of {@code eventType}. */
    public void onService(Class<?> type, int eventType, Runnable action) throws InvalidSyntaxException {
        context().addServiceListener(event -> {
            if (event.getType() == eventType) {
                action.run();
            }
        }, "(objectClass=" + type.getName() + ")");
    }
}
