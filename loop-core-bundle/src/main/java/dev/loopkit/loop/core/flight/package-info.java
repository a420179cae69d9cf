/** The loops' own JFR events (blocked loop, slow callback, child spawned, exit delivered); not exported. */
package dev.loopkit.loop.core.flight;
