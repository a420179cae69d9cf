package dev.loopkit.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.Map;
import org.junit.Test;

/**
 * conf/config.properties emptied or damaged by an admin (an outside review): the launcher installed no
 * bundle, waited 30 s, then said "no Gogo command processor after 30 s"; with no storage property Felix
 * put its bundle cache in the working directory first.
 */
public class LauncherConfigurationTest {

    private static final String FILE = "/opt/loopkit/conf/config.properties";

    @Test
    public void anEmptyOrDamagedConfigurationIsRefusedAtOnceSayingWhatItLacks() {
        IllegalStateException empty = assertThrows(IllegalStateException.class,
                () -> Launcher.checkConfiguration(Map.of(), FILE));
        assertEquals(FILE + " sets no felix.auto.deploy.action with install, nor org.osgi.framework.storage:"
                + " is it empty or damaged? (the distribution's has felix.auto.deploy.action=install,start"
                + " and org.osgi.framework.storage=${loopkit.data}/felix-cache)", empty.getMessage());
        IllegalStateException misspelt = assertThrows(IllegalStateException.class, () -> Launcher.checkConfiguration(
                Map.of("felix.auto.deploy.action", "instal,strat", "org.osgi.framework.storage", "/data/felix-cache"), FILE));
        assertEquals(FILE + " sets no felix.auto.deploy.action with install: is it empty or damaged? (the distribution's"
                + " has felix.auto.deploy.action=install,start and org.osgi.framework.storage=${loopkit.data}/felix-cache)",
                misspelt.getMessage());
        Launcher.checkConfiguration(Map.of("felix.auto.deploy.action", "install, start",
                "org.osgi.framework.storage", "/data/felix-cache"), FILE);
    }
}
