package dev.loopkit.policy.internal;

import dev.loopkit.api.spi.RankedRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Dictionary;
import java.util.Hashtable;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Saves a choice the operator made in the shell (a policy or watcher name) in the configuration
 * {@value #PID}, and applies it to the registry at once, without waiting for ConfigAdmin's
 * asynchronous update.
 */
final class ConfiguredChoice {

    static final String PID = "dev.loopkit.policy";

    private ConfiguredChoice() {
    }

    /** Sets {@code key} to {@code name}; returns a note when it could not be saved. */
    static <S> String choose(ConfigurationAdmin configurationAdmin, String key, String name, RankedRegistry<S> registry) {
        registry.setConfigured(name);
        return save(configurationAdmin, key, name);
    }

    /** Removes {@code key}; returns a note when it could not be saved. */
    static <S> String reset(ConfigurationAdmin configurationAdmin, String key, RankedRegistry<S> registry) {
        registry.setConfigured(null);
        registry.setExplicit(null);
        return save(configurationAdmin, key, null);
    }

    private static String save(ConfigurationAdmin configurationAdmin, String key, String value) {
        if (configurationAdmin == null) {
            return " (not saved: ConfigurationAdmin is not installed)";
        }
        try {
            Configuration configuration = configurationAdmin.getConfiguration(PID, "?");
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
            throw new UncheckedIOException("cannot save configuration " + PID, e);
        }
    }
}
