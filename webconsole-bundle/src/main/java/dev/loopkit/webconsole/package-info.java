/**
 * Loopkit in the Felix Web Console: the page "Event loops" ({@code /system/console/loops}) and the
 * Inventory printer of the Status tab. What they show and what their buttons do comes from the
 * shell's {@code dev.loopkit.shell.LoopCommands}, so the page, {@code loop:} commands and JMX say
 * the same and save choices the same way.
 */
package dev.loopkit.webconsole;
