package dev.loopkit.karaf;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Dictionary;
import java.util.List;
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
 * Karaf's config ACL ({@value #PID}) lets managers edit any configuration; Loopkit's choices
 * ({@code dev.loopkit.policy}: the policy and watcher the whole JVM runs with) are for admins, as
 * {@code loop:policy <name>} is. This adds Loopkit's keys to that configuration, and puts them back
 * when it is replaced, but never creates it: a feature's {@code <config append="true">} did, when
 * installed at boot before File Install had read {@code etc/}{@value #PID}{@code .cfg}, and Karaf's own
 * keys ({@code edit = manager}, ...) were then missing until a restart. Karaf saves the change to
 * that file.
 */
@Component(service = ConfigurationListener.class)
public final class ConfigAclExtension implements ConfigurationListener {

    static final String PID = "org.apache.karaf.command.acl.config";
    /** For each command that changes a configuration: admins only, for Loopkit's. */
    static final List<String> KEYS = List.of("edit", "property-set", "property-append", "property-delete").stream()
            .map(command -> command + "[/.*dev[.]loopkit[.]policy.*/]").toList();
    static final String ROLE = "admin";

    private static final Logger LOG = System.getLogger(ConfigAclExtension.class.getName());

    @Reference
    private ConfigurationAdmin configurationAdmin;

    @Activate
    void activate() {
        extend();
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (event.getType() == ConfigurationEvent.CM_UPDATED && PID.equals(event.getPid())) {
            extend();
        }
    }

    private void extend() {
        try {
            Configuration[] found = configurationAdmin.listConfigurations("(" + Constants.SERVICE_PID + "=" + PID + ")");
            if (found == null) {
                return; // not there yet: File Install's update will come as an event
            }
            Dictionary<String, Object> properties = found[0].getProperties();
            boolean added = false;
            for (String key : KEYS) {
                if (properties.get(key) == null) {
                    properties.put(key, ROLE);
                    added = true;
                }
            }
            if (added) { // the event of this update finds every key there: no loop
                found[0].update(properties);
                LOG.log(Level.INFO, "Only admins may change configuration dev.loopkit.policy through the config: commands"
                        + " (added to " + PID + ")");
            }
        } catch (IOException | InvalidSyntaxException e) {
            LOG.log(Level.WARNING, "Could not add Loopkit's entries to " + PID
                    + ": managers may change dev.loopkit.policy with config:edit", e);
        }
    }
}
