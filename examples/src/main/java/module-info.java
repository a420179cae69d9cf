/**
 * Loopkit on the module path. The program needs only the API; the policy and loop modules beside
 * it on the module path are bound through ServiceLoader.
 */
module dev.loopkit.examples {
    requires dev.loopkit.api;

    exports dev.loopkit.examples;
}
