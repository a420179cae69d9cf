package dev.loopkit.webconsole;

import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.shell.LoopCommands;
import java.io.PrintWriter;
import org.apache.felix.inventory.Format;
import org.apache.felix.inventory.InventoryPrinter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The Web Console's Status tab "Loopkit" (and the Inventory's text and zip dumps): what
 * {@code loop:policies}, {@code loop:watchers}, {@code loop:loops} and {@code loop:children} print.
 */
@Component(property = {
    InventoryPrinter.NAME + "=loopkit",
    InventoryPrinter.TITLE + "=Loopkit",
    InventoryPrinter.FORMAT + "=TEXT"})
public final class LoopkitInventoryPrinter implements InventoryPrinter {

    private final LoopCommands commands;

    @Activate
    public LoopkitInventoryPrinter(@Reference ChoiceStore store) {
        this.commands = new LoopCommands(store);
    }

    @Override
    public void print(PrintWriter printWriter, Format format, boolean isZip) {
        section(printWriter, "loop:policies", commands.policies());
        section(printWriter, "loop:watchers", commands.watchers());
        section(printWriter, "loop:loops", commands.loops());
        section(printWriter, "loop:children", commands.children());
    }

    private static void section(PrintWriter out, String command, String text) {
        out.println(command);
        out.println(text.stripTrailing());
        out.println();
    }
}
