/**
 * What the shells need of the platform: {@link dev.loopkit.platform.PlatformConfiguration#PID}, the
 * configuration that keeps the operator's choices, and {@link dev.loopkit.platform.ChoiceStore}, the
 * service that saves them there (this bundle publishes one backed by ConfigAdmin).
 */
@Export
@Version("1.0.0")
package dev.loopkit.platform;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
