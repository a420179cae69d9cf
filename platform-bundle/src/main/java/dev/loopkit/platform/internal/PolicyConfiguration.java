package dev.loopkit.platform.internal;

import dev.loopkit.platform.PlatformConfiguration;
import dev.loopkit.runtime.ProcessWide;
import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * Applies the configuration {@value PlatformConfiguration#PID}: its {@code policy} property names the
 * process-wide policy, its {@code watcher} property the child watcher, its {@code blockedLoopWarning}
 * property the blocked-loop detector's threshold ({@link BlockedLoopWarning}). ConfigAdmin persists them, so
 * the choices survive a framework restart.
 */
@Component(configurationPid = PlatformConfiguration.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = PolicyConfiguration.Config.class)
public final class PolicyConfiguration {

    @ObjectClassDefinition(name = "Loopkit event loop policy",
            description = "Which event loop policy and child watcher are process-wide, and the main loop.")
    public @interface Config {
        // The options are the policies and watchers Loopkit ships, so that a configuration editor (the Web
        // Console's) offers them as a choice; another policy's or watcher's loopkit.name goes into the
        // .cfg file or through loop:policy / loop:watcher.
        @AttributeDefinition(description = "Name of the process-wide policy (epoll, default, selector, proactor, or the"
                + " loopkit.name of another EventLoopPolicy service); empty: the highest-ranked one.",
                options = {
                    @Option(label = "(the highest-ranked)", value = ""),
                    @Option(label = "epoll", value = "epoll"),
                    @Option(label = "default", value = "default"),
                    @Option(label = "selector", value = "selector"),
                    @Option(label = "proactor", value = "proactor")})
        String policy() default "";

        @AttributeDefinition(description = "Name of the child watcher (pidfd, threaded, multiloop, safe, fast, or the"
                + " loopkit.name of another ChildWatcher service); empty: the highest-ranked one.",
                options = {
                    @Option(label = "(the highest-ranked)", value = ""),
                    @Option(label = "pidfd", value = "pidfd"),
                    @Option(label = "threaded", value = "threaded"),
                    @Option(label = "multiloop", value = "multiloop"),
                    @Option(label = "safe", value = "safe"),
                    @Option(label = "fast", value = "fast")})
        String watcher() default "";

        @AttributeDefinition(description = "Run the main-context loop on a thread of its own (the loop the safe and"
                + " fast child watchers attach to).")
        boolean mainLoop() default true;

        @AttributeDefinition(description = "The name of the main loop's thread.")
        String mainLoopThread() default MainLoop.DEFAULT_THREAD_NAME;

        @AttributeDefinition(description = "Seconds a callback may run on a loop before the blocked-loop detector logs one"
                + " WARNING with the loop thread's stack; 0 turns it off. Unset: the system property"
                + " loopkit.blockedLoopWarning, or 2.", required = false)
        double blockedLoopWarning() default 2.0;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigurationAdmin configurationAdmin;

    @Activate
    @Modified
    void apply(Config config, Map<String, Object> properties) {
        // the property itself, not config.blockedLoopWarning(): unset, the system property decides
        Choices carried = new Choices(config.policy(), config.watcher(), properties.get(BlockedLoopWarning.KEY));
        while (true) {
            long writesSeen = ConfigAdminChoiceStore.writes(); // before the read: a write after it is seen below
            Choices stored = storedChoices();
            // Applying switches policies and watchers, and runs their listeners: user code, which may
            // wait for a thread that saves a choice (LateConfigurationUpdateTest)
            (stored != null ? stored : carried).apply();
            if (ConfigAdminChoiceStore.writes() == writesSeen) {
                // Nothing written since the read: what was applied is what is stored. A save whose
                // write is still under way applies its choice after that write (LoopCommands saves,
                // then applies), or, handed to a write under way on another thread, is applied by the
                // update ConfigAdmin delivers for that write.
                return;
            }
        }
    }

    /** The three choices of the configuration, as stored or carried by an update. */
    private record Choices(Object policy, Object watcher, Object blockedLoopWarning) {
        void apply() {
            BlockedLoopWarning.apply(blockedLoopWarning);
            ProcessWide.get().policies().setConfigured(blankToNull(policy));
            ProcessWide.get().childWatchers().setConfigured(blankToNull(watcher));
        }
    }

    private Choices storedChoices() {
        Dictionary<String, Object> stored = storedProperties();
        return stored == null ? null : new Choices(stored.get("policy"), stored.get("watcher"), stored.get(BlockedLoopWarning.KEY));
    }

    // ConfigAdmin delivers updates asynchronously, so the shell's update of a moment ago may arrive
    // after a newer one was stored (and applied by the shell at once): applying what the update
    // carried would bring an old choice back. What is stored now is the truth, and no configuration
    // stored (never saved, or deleted) means no choice. Null only when ConfigAdmin cannot say.
    private Dictionary<String, Object> storedProperties() {
        ConfigurationAdmin admin = configurationAdmin;
        if (admin == null) {
            return null;
        }
        try {
            Configuration[] found = admin.listConfigurations("(" + Constants.SERVICE_PID + "=" + PlatformConfiguration.PID + ")");
            return found == null || found[0].getProperties() == null ? new Hashtable<>() : found[0].getProperties();
        } catch (IOException | InvalidSyntaxException e) {
            return null;
        }
    }

    @Deactivate
    void deactivate() {
        ProcessWide.get().policies().setConfigured(null);
        ProcessWide.get().childWatchers().setConfigured(null);
        BlockedLoopWarning.apply(null);
    }

    private static String blankToNull(Object name) {
        return name instanceof String text && !text.isBlank() ? text.trim() : null;
    }
}
