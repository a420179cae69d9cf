package dev.loopkit.policy.internal;

import dev.loopkit.api.spi.Registries;
import dev.loopkit.policy.shell.LoopCommands;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Applies the configuration {@value LoopCommands#PID}: its {@code policy} property names the
 * process-wide policy, its {@code watcher} property the child watcher. ConfigAdmin persists them, so
 * the choices survive a framework restart.
 */
@Component(configurationPid = LoopCommands.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = PolicyConfiguration.Config.class)
public final class PolicyConfiguration {

    @ObjectClassDefinition(name = "Loopkit event loop policy",
            description = "Which event loop policy and child watcher are process-wide, and the main loop.")
    public @interface Config {
        @AttributeDefinition(description = "Name of the process-wide policy (default, selector, proactor, or the"
                + " loopkit.name of another EventLoopPolicy service); empty: the highest-ranked one.")
        String policy() default "";

        @AttributeDefinition(description = "Name of the child watcher (pidfd, threaded, multiloop, safe, fast, or the"
                + " loopkit.name of another ChildWatcher service); empty: the highest-ranked one.")
        String watcher() default "";

        @AttributeDefinition(description = "Run the main-context loop on a thread of its own (the loop the safe and"
                + " fast child watchers attach to).")
        boolean mainLoop() default true;

        @AttributeDefinition(description = "The name of the main loop's thread.")
        String mainLoopThread() default MainLoop.DEFAULT_THREAD_NAME;
    }

    @Activate
    @Modified
    void apply(Config config) {
        Registries.policies().setConfigured(blankToNull(config.policy()));
        Registries.childWatchers().setConfigured(blankToNull(config.watcher()));
    }

    @Deactivate
    void deactivate() {
        Registries.policies().setConfigured(null);
        Registries.childWatchers().setConfigured(null);
    }

    private static String blankToNull(String name) {
        return name == null || name.isBlank() ? null : name.trim();
    }
}
