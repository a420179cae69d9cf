/**
 * Loopkit's contract: asyncio's event-loop policies, loops, child watchers and protocols in Java,
 * the {@link dev.loopkit.api.Asyncio} facade, and what providers of policies, loops and watchers
 * rely on ({@code dev.loopkit.api.spi}). The machinery that ranks and swaps them is the runtime's
 * ({@code dev.loopkit.runtime}), found through {@link dev.loopkit.api.RuntimeHook}.
 */
module dev.loopkit.api {
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.annotation.bundle;
    requires static org.osgi.annotation.versioning;

    exports dev.loopkit.api;
    exports dev.loopkit.api.spi;

    uses dev.loopkit.api.LoopkitRuntime;
}
