package dev.loopkit.shell.internal;

import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.shell.FrameworkStop;
import dev.loopkit.shell.KarafActionsWanted;
import dev.loopkit.shell.LoopCommands;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Registers the Felix Gogo commands of scope {@code loop} ({@link PolicyCommands},
 * {@link ResetPolicyCommand}, {@link WatcherCommands}, {@link ResetWatcherCommand},
 * {@link LoopsCommands}), except in Apache Karaf: Karaf's shell runs Gogo command services too,
 * and they would take the place of the Karaf actions of bundle {@code dev.loopkit.karaf}, which the
 * Karaf features install (with help, completion and the command ACL). Framework or system property
 * {@value #FORCE} ({@code true} or {@code false}) overrides the choice. Without the Gogo commands it
 * registers {@link KarafActionsWanted}, which the Karaf actions need: never both.
 */
@Component(immediate = true)
public final class GogoCommands {

    /** Framework property: {@code true} registers the Gogo commands even in Karaf, {@code false} never. */
    static final String FORCE = "loopkit.shell.gogo";
    /** Set by Karaf's launcher. */
    static final String KARAF_HOME = "karaf.home";

    // The name it had in the policy bundle: logging configurations name it.
    private static final System.Logger LOG = System.getLogger("dev.loopkit.policy");

    @Reference
    private ChoiceStore store;

    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    @Activate
    void activate(BundleContext context) {
        String force = context.getProperty(FORCE);
        boolean register = force != null ? Boolean.parseBoolean(force) : context.getProperty(KARAF_HOME) == null;
        if (!register) {
            LOG.log(Level.DEBUG, "no Gogo commands of scope " + LoopCommands.SCOPE
                    + (force != null ? " (" + FORCE + "=" + force + ")" : " in Apache Karaf: bundle dev.loopkit.karaf has them"));
            registrations.add(context.registerService(KarafActionsWanted.class, new KarafActionsWanted() { }, null));
            return;
        }
        registrations.add(context.registerService(PolicyCommands.class, new PolicyCommands(store),
                commandProperties("policies", "policy")));
        registrations.add(context.registerService(ResetPolicyCommand.class, new ResetPolicyCommand(store),
                commandProperties("reset-policy")));
        registrations.add(context.registerService(WatcherCommands.class, new WatcherCommands(store),
                commandProperties("watchers", "watcher", "children")));
        registrations.add(context.registerService(ResetWatcherCommand.class, new ResetWatcherCommand(store),
                commandProperties("reset-watcher")));
        registrations.add(context.registerService(LoopsCommands.class, new LoopsCommands(store, new FrameworkStop(context)),
                commandProperties("loops", "run")));
    }

    @Deactivate
    void deactivate() {
        registrations.forEach(ServiceRegistration::unregister);
        registrations.clear();
    }

    private static Hashtable<String, Object> commandProperties(String... functions) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("osgi.command.scope", LoopCommands.SCOPE);
        properties.put("osgi.command.function", functions);
        return properties;
    }
}
