package dev.loopkit.platform.internal;

import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.platform.PlatformConfiguration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Dictionary;
import java.util.Hashtable;
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
 */
@Component(service = ChoiceStore.class)
public final class ConfigAdminChoiceStore implements ChoiceStore {

    /**
     * Held while a choice is saved and counted, and while {@link PolicyConfiguration} reads what is
     * stored with the count: never while a choice is applied, which runs the registries' listeners.
     */
    static final Object CHOICES = new Object();
    /**
     * Choices saved so far, guarded by {@link #CHOICES}: an update that applied a stored choice
     * applies again if a save came meanwhile, so a late update that read the stored choice just
     * before the shell saved a newer one ends with the newer one applied (LateConfigurationUpdateTest).
     */
    private static long saves;

    /** How many choices were saved so far; under {@link #CHOICES}. */
    static long saves() {
        assert Thread.holdsLock(CHOICES);
        return saves;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigurationAdmin configurationAdmin;

    @Override
    public String save(String key, String value) {
        ConfigurationAdmin admin = configurationAdmin;
        if (admin == null) {
            return NOT_SAVED;
        }
        synchronized (CHOICES) {
            saves++;
            return saveIn(admin, key, value);
        }
    }

    private static String saveIn(ConfigurationAdmin admin, String key, String value) {
        try {
            Configuration configuration = admin.getConfiguration(PlatformConfiguration.PID, "?");
            Dictionary<String, Object> properties = configuration.getProperties();
            if (properties == null) {
                properties = new Hashtable<>();
            }
            if (value == null) {
                properties.remove(key);
            } else {
                properties.put(key, value);
            }
            configuration.update(properties);
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save configuration " + PlatformConfiguration.PID + ": " + e.getMessage(), e);
        }
    }
}
