/**
 * What runs when on a loop's thread: callback handles, the cross-thread inbound queue, the timer
 * heap and the loop clock.
 */
@Export
@Version("2.0.0")
package dev.loopkit.loop.core.scheduling;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
