/**
 * Loopkit's MBeans, all under domain {@value dev.loopkit.jmx.LoopkitMBeans#DOMAIN}, as MXBeans: every
 * attribute is of an open type, so jconsole, Hawtio and monitoring agents show them without Loopkit's
 * classes. {@link dev.loopkit.jmx.LoopkitMBeans} keeps them up to date and hands them to
 * {@link dev.loopkit.jmx.LoopkitMBeans.Exporter exporters}: the platform MBean server, or OSGi
 * services with property {@code jmx.objectname} for a JMX whiteboard.
 */
@Export
@Version("1.0.0")
package dev.loopkit.jmx;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
