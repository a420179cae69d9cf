/**
 * For those who provide policies, loops and watchers rather than use them: the ranking
 * annotations, the {@link dev.loopkit.api.spi.RankedRegistry} that picks the process-wide service,
 * and the per-thread running-loop slot loops fill while they run.
 */
@Export
@Version("1.0.0")
package dev.loopkit.api.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
