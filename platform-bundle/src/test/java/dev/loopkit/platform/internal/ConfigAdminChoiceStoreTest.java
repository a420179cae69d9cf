package dev.loopkit.platform.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import org.junit.Test;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** Saving a shell choice where the data directory is full or read-only (an outside review). */
public class ConfigAdminChoiceStoreTest {

    /** The message said only "cannot save configuration dev.loopkit.policy": not which file, nor why. */
    @Test
    public void aSaveThatFailsSaysWhy() throws Exception {
        Configuration failing = (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Configuration.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "update" -> throw new IOException("/srv/loopkit/data/config/dev/loopkit/policy.config: No space left on device");
                    default -> null;
                });
        ConfigurationAdmin admin = (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ConfigurationAdmin.class}, (proxy, method, args) -> failing);
        ConfigAdminChoiceStore store = new ConfigAdminChoiceStore();
        Field reference = ConfigAdminChoiceStore.class.getDeclaredField("configurationAdmin");
        reference.setAccessible(true);
        reference.set(store, admin);

        UncheckedIOException refused = assertThrows(UncheckedIOException.class, () -> store.save("policy", "selector"));
        assertEquals("cannot save configuration dev.loopkit.policy:"
                + " /srv/loopkit/data/config/dev/loopkit/policy.config: No space left on device", refused.getMessage());
    }
}
