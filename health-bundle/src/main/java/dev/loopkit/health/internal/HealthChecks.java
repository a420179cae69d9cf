package dev.loopkit.health.internal;

import dev.loopkit.health.LoopkitHealth;
import dev.loopkit.runtime.ProcessWide;
import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.osgi.service.component.annotations.Component;

/** The health checks as services of tag {@value LoopkitHealth#TAG}, looking at the process's registries. */
final class HealthChecks {

    private HealthChecks() {
    }

    @Component(service = HealthCheck.class, property = {
            HealthCheck.NAME + "=Loopkit event loop policy", HealthCheck.TAGS + "=" + LoopkitHealth.TAG})
    public static final class Policy implements HealthCheck {
        @Override
        public Result execute() {
            return LoopkitHealth.policy(ProcessWide.get().policies());
        }
    }

    @Component(service = HealthCheck.class, property = {
            HealthCheck.NAME + "=Loopkit child watcher", HealthCheck.TAGS + "=" + LoopkitHealth.TAG})
    public static final class Watcher implements HealthCheck {
        @Override
        public Result execute() {
            return LoopkitHealth.watcher(ProcessWide.get().childWatchers(), ProcessWide.get().watcherSwitch()::orphans);
        }
    }

    @Component(service = HealthCheck.class, property = {
            HealthCheck.NAME + "=Loopkit event loops", HealthCheck.TAGS + "=" + LoopkitHealth.TAG})
    public static final class Loops implements HealthCheck {
        @Override
        public Result execute() {
            return LoopkitHealth.loops(ProcessWide.get().loopFactories());
        }
    }
}
