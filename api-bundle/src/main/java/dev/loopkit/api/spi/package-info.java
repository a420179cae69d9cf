/**
 * For those who provide policies, loops and watchers rather than use them: the ranking annotations,
 * the per-thread running-loop slot loops fill while they run, what a loop tells a shell, and the
 * {@link dev.loopkit.api.spi.LoopkitRuntime} (spawn gate, main context, process-wide policy) with
 * the hook it is installed in.
 *
 * <p>Exported without importing it back: the contract bundle imports nothing of Loopkit, and a
 * framework holds one copy of the contract.
 */
@Export(substitution = Export.Substitution.NOIMPORT)
@Version("1.0.0")
package dev.loopkit.api.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
