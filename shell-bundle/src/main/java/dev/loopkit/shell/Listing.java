package dev.loopkit.shell;

import java.util.List;

/**
 * A {@code loop:} command's table and the line printed under it, cell by cell, for shells that draw
 * tables their own way (Karaf's, with its {@code --no-format}); {@link #toString()} is the text the
 * command prints in Felix's Gogo shell.
 *
 * @param header the column titles
 * @param rows the cells, one list per row, as many as there are titles
 * @param footer what follows the table: which entry is current and why, or how many there are
 */
public record Listing(List<String> header, List<List<String>> rows, String footer) {

    public Listing {
        header = List.copyOf(header);
        rows = rows.stream().map(List::copyOf).toList();
        for (List<String> row : rows) {
            if (row.size() != header.size()) {
                throw new IllegalArgumentException(row.size() + " cells in a row of a table of " + header.size() + " columns: " + row);
            }
        }
    }

    /** Left-aligned columns, then the footer. */
    @Override
    public String toString() {
        TextTable table = new TextTable(header.toArray(String[]::new));
        rows.forEach(row -> table.row(row.toArray()));
        return table + footer;
    }
}
