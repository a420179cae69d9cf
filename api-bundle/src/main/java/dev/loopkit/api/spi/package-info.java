/**
 * For those who provide policies, loops and watchers rather than use them: the ranking annotations,
 * what a loop tells a shell, and how a service that cannot work here says why. (What loops and
 * watchers call at run time, the running-loop slot and the {@link dev.loopkit.api.LoopkitRuntime},
 * sits beside the facade in {@code dev.loopkit.api}, which uses it: this package uses nothing.)
 *
 * <p>Exported without importing it back: the contract bundle imports nothing of Loopkit, and a
 * framework holds one copy of the contract.
 */
@Export(substitution = Export.Substitution.NOIMPORT)
@Version("1.1.0")
package dev.loopkit.api.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
