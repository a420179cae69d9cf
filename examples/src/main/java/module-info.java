/**
 * Loopkit on the module path. The programs need only the API and the native bindings; the policy
 * and loop modules beside them on the module path are bound through ServiceLoader.
 */
module dev.loopkit.examples {
    requires dev.loopkit.api;
    requires dev.loopkit.streams;
    requires dev.loopkit.posix;

    exports dev.loopkit.examples;
}
