package dev.loopkit.platform.internal;

import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.platform.PlatformConfiguration;
import dev.loopkit.runtime.SerialWork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The {@link ChoiceStore} service: saves the shell's choices in configuration
 * {@value PlatformConfiguration#PID} through ConfigAdmin, when there is one. In Karaf, ConfigAdmin writes
 * the change through to {@code etc/dev.loopkit.policy.cfg}.
 *
 * <p>A save reads the stored properties, changes one and writes them all back, so two saves at once
 * must not both read before either writes: the second would write the first's key back as it was.
 * They are not kept apart by a lock held around the write, because ConfigAdmin calls user code
 * there: Felix runs every {@code SynchronousConfigurationListener} inside {@code Configuration.update}
 * on the saving thread, and one that waited for another thread's save would wait for ever
 * (ConfigAdminChoiceStoreReentrancyTest). A save records its change and asks for a write; one thread
 * at a time writes every change recorded ({@link SerialWork}), so a save that finds another thread
 * writing returns at once and that thread writes its change too.
 */
@Component(service = ChoiceStore.class)
public final class ConfigAdminChoiceStore implements ChoiceStore {

    /**
     * Writes of choices finished so far: an update that applied a stored choice applies again if a write
     * finished meanwhile, so a late update that read the stored choice just before the shell saved a
     * newer one ends with the newer one applied (LateConfigurationUpdateTest).
     */
    private static final AtomicLong WRITES = new AtomicLong();

    /** How many writes of choices have finished so far. */
    static long writes() {
        return WRITES.get();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigurationAdmin configurationAdmin;

    /** The changes recorded and not yet taken by a write, the last one of each key (empty: remove it); guarded by itself. */
    private final Map<String, Optional<String>> unwritten = new HashMap<>();
    private final SerialWork write = new SerialWork(this::writeUnwritten);

    @Override
    public String save(String key, String value) {
        if (configurationAdmin == null) {
            return NOT_SAVED;
        }
        synchronized (unwritten) {
            unwritten.put(key, Optional.ofNullable(value));
        }
        write.request();
        return "";
    }

    // One thread at a time (SerialWork), outside every lock: update() runs the listeners.
    private void writeUnwritten() {
        Map<String, Optional<String>> changes;
        synchronized (unwritten) {
            if (unwritten.isEmpty()) {
                return;
            }
            changes = new HashMap<>(unwritten);
            unwritten.clear();
        }
        try {
            ConfigurationAdmin admin = configurationAdmin;
            if (admin == null) {
                throw new IOException("ConfigurationAdmin went away");
            }
            Configuration configuration = admin.getConfiguration(PlatformConfiguration.PID, "?");
            Dictionary<String, Object> properties = configuration.getProperties();
            if (properties == null) {
                properties = new Hashtable<>();
            }
            for (Map.Entry<String, Optional<String>> change : changes.entrySet()) {
                if (change.getValue().isPresent()) {
                    properties.put(change.getKey(), change.getValue().get());
                } else {
                    properties.remove(change.getKey());
                }
            }
            configuration.update(properties);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save configuration " + PlatformConfiguration.PID + ": " + e.getMessage(), e);
        } finally {
            WRITES.incrementAndGet();
        }
    }
}
