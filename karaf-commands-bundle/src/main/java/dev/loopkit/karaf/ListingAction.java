package dev.loopkit.karaf;

import dev.loopkit.shell.Listing;
import dev.loopkit.shell.LoopCommands;
import java.io.PrintStream;
import java.util.List;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.support.table.Row;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * A {@code loop:} command that lists, drawn as Karaf's own commands draw theirs ({@link ShellTable}:
 * titles, borders, and the line under the table), or with {@code --no-format} as they print for
 * scripts: the rows alone, cells separated by tabs, no titles, borders or line under it.
 */
abstract class ListingAction extends CommandsAction {

    @Option(name = "--no-format", description = "Disable table rendered output")
    boolean noFormat;

    // Printed, not returned, as Karaf's commands print their tables: ShellTable draws its borders with
    // box-drawing characters when the session's terminal can show them, which it finds out from the
    // session's System.out.
    @Override
    public final Object execute() {
        print(listing(commands()), System.out);
        return null;
    }

    abstract Listing listing(LoopCommands commands);

    void print(Listing listing, PrintStream out) {
        ShellTable table = new ShellTable();
        listing.header().forEach(table::column);
        for (List<String> cells : listing.rows()) {
            Row row = table.addRow();
            cells.forEach(row::addContent);
        }
        table.print(out, !noFormat);
        if (!noFormat) {
            out.println(listing.footer());
        }
    }
}
