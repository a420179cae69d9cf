package dev.loopkit.karaf;

import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.platform.PlatformConfiguration;
import dev.loopkit.shell.KarafActionsWanted;
import dev.loopkit.shell.LoopCommands;
import org.apache.karaf.shell.api.action.Action;
import java.io.IOException;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.Version;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * A {@code loop:} command in Karaf: what it says comes from {@link LoopCommands} (as for the Gogo
 * commands in Felix). The platform bundle's {@link ChoiceStore} service saves switches in configuration
 * {@value PlatformConfiguration#PID}; Karaf registers the commands only while that service is there,
 * and {@link KarafActionsWanted} (the shell bundle's Gogo commands are not).
 */
abstract class CommandsAction implements Action {

    @Reference
    ChoiceStore store;

    /** Only there while the shell bundle registers no Gogo commands of the same names. */
    @Reference
    KarafActionsWanted wanted;

    @Reference
    ConfigurationAdmin configurations;

    /**
     * The commands, once their access list is in force. Without configuration {@value #ACL} Karaf lets
     * everyone run every {@code loop:} command: during a first {@code feature:install loopkit} (the
     * commands registered before File Install read the file the feature copies into {@code etc/}), and
     * for good after that configuration was deleted (a reinstall does not copy the file again). A
     * viewer ran {@code loop:run} in both (an outside review). So nobody does then.
     *
     * @throws IllegalStateException while the access list is missing
     */
    LoopCommands commands() {
        try {
            if (configurations.listConfigurations("(" + Constants.SERVICE_PID + "=" + ACL + ")") == null) {
                throw new IllegalStateException("The loop: commands' access list, configuration " + ACL + ", is missing:"
                        + " nobody may run them until it is back (config:install mvn:dev.loopkit/karaf-features/"
                        + mavenVersion() + "/cfg/acl-loop " + ACL + ".cfg)");
            }
        } catch (IOException | InvalidSyntaxException e) {
            throw new IllegalStateException("The loop: commands' access list, configuration " + ACL + ", could not be read: "
                    + e.getMessage(), e);
        }
        return new LoopCommands(store);
    }

    // The feature repository's version, which is this bundle's: 0.1.0.SNAPSHOT in OSGi, 0.1.0-SNAPSHOT in Maven.
    // Outside a framework (this bundle's tests) there is no bundle to ask.
    private static String mavenVersion() {
        Bundle bundle = FrameworkUtil.getBundle(CommandsAction.class);
        if (bundle == null) {
            return "VERSION";
        }
        Version version = bundle.getVersion();
        String release = version.getMajor() + "." + version.getMinor() + "." + version.getMicro();
        return version.getQualifier().isEmpty() ? release : release + "-" + version.getQualifier();
    }

    /** The PID of the {@code loop:} commands' access list, which the feature ships. */
    static final String ACL = "org.apache.karaf.command.acl.loop";
}
