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
 * process-wide policy. ConfigAdmin persists it, so the choice survives a framework restart.
 */
@Component(configurationPid = LoopCommands.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = PolicyConfiguration.Config.class)
public final class PolicyConfiguration {

    @ObjectClassDefinition(name = "Loopkit event loop policy",
            description = "Which event loop policy is process-wide.")
    public @interface Config {
        @AttributeDefinition(description = "Name of the process-wide policy (default, selector, proactor, or the"
                + " loopkit.name of another EventLoopPolicy service); empty: the highest-ranked one.")
        String policy() default "";
    }

    @Activate
    @Modified
    void apply(Config config) {
        String name = config.policy().trim();
        Registries.policies().setConfigured(name.isEmpty() ? null : name);
    }

    @Deactivate
    void deactivate() {
        Registries.policies().setConfigured(null);
    }
}
