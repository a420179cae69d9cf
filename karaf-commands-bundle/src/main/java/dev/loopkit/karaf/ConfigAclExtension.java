package dev.loopkit.karaf;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Karaf's ACLs let managers edit any configuration but the ACLs themselves, through the shell's
 * {@code config:} commands and through JMX (Karaf's config MBean, OSGi's ConfigurationAdmin MBean);
 * Loopkit's choices ({@code dev.loopkit.policy}: the policy and watcher the whole JVM runs with) are
 * for admins, as {@code loop:policy <name>} and the Policies MBean's {@code switchTo} are. A manager
 * switched the policy through the config MBean (an outside review). This adds Loopkit's keys to those
 * three ACLs, and puts them back when one is replaced, but never creates one: a feature's
 * {@code <config append="true">} did, when installed at boot before File Install had read
 * {@code etc/}, and Karaf's own keys ({@code edit = manager}, ...) were then missing until a restart.
 * Karaf saves each change to its file in {@code etc/}.
 */
@Component(service = ConfigurationListener.class)
public final class ConfigAclExtension implements ConfigurationListener {

    static final String PID = "org.apache.karaf.command.acl.config";
    static final String ROLE = "admin";
    // The first argument of each is the PID, matched as Karaf's own entries for the ACL PIDs match theirs.
    private static final String OURS = "/dev[.]loopkit[.]policy/";
    // Karaf matches each argument's text against the regex, where "." stops at a line's end: with "/.*/" a
    // manager's update whose map held a value with a newline fell through to "update(...) = manager" (a review).
    private static final String ANY = "/(?s).*/";
    private static final String STRING = "java.lang.String";
    /** For each ACL, its keys for the commands and operations that change a configuration: admins only, for Loopkit's. */
    static final Map<String, List<String>> KEYS = Map.of(
            PID, List.of("edit", "property-set", "property-append", "property-delete").stream()
                    .map(command -> command + "[/.*dev[.]loopkit[.]policy.*/]").toList(),
            "jmx.acl.org.apache.karaf.config", List.of(
                    "appendProperty(" + STRING + "," + STRING + "," + STRING + ")[" + OURS + "," + ANY + "," + ANY + "]",
                    "create(" + STRING + ")[" + OURS + "]",
                    "delete(" + STRING + ")[" + OURS + "]",
                    "deleteProperty(" + STRING + "," + STRING + ")[" + OURS + "," + ANY + "]",
                    "setProperty(" + STRING + "," + STRING + "," + STRING + ")[" + OURS + "," + ANY + "," + ANY + "]",
                    "update(" + STRING + ",java.util.Map)[" + OURS + "," + ANY + "]"),
            "jmx.acl.osgi.compendium.cm", List.of(
                    "delete(" + STRING + ")[" + OURS + "]",
                    "deleteForLocation(" + STRING + "," + STRING + ")[" + OURS + "," + ANY + "]",
                    "update(" + STRING + ",javax.management.openmbean.TabularData)[" + OURS + "," + ANY + "]",
                    "updateForLocation(" + STRING + "," + STRING + ",javax.management.openmbean.TabularData)[" + OURS
                            + "," + ANY + "," + ANY + "]"));

    private static final Logger LOG = System.getLogger(ConfigAclExtension.class.getName());

    @Reference
    private ConfigurationAdmin configurationAdmin;

    @Activate
    void activate() {
        KEYS.keySet().forEach(this::extend);
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (event.getType() == ConfigurationEvent.CM_UPDATED && KEYS.containsKey(event.getPid())) {
            extend(event.getPid());
        }
    }

    private void extend(String acl) {
        try {
            Configuration[] found = configurationAdmin.listConfigurations("(" + Constants.SERVICE_PID + "=" + acl + ")");
            if (found == null) {
                return; // not there yet: File Install's update will come as an event
            }
            Dictionary<String, Object> properties = found[0].getProperties();
            boolean added = false;
            for (String key : KEYS.get(acl)) {
                if (properties.get(key) == null) {
                    properties.put(key, ROLE);
                    added = true;
                }
            }
            if (added) { // the event of this update finds every key there: no loop
                found[0].update(properties);
                LOG.log(Level.INFO, "Only admins may change configuration dev.loopkit.policy there (added to " + acl + ")");
            }
        } catch (IOException | InvalidSyntaxException e) {
            LOG.log(Level.WARNING, "Could not add Loopkit's entries to " + acl
                    + ": managers may change dev.loopkit.policy through it", e);
        }
    }
}
